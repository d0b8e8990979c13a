// Tier 1, always run: the real Pulumi CLI on the S3 backend and the awskms:// secrets provider of
// an AWS emulator (moto), and the program's own deploy and preview role policies — with the
// bootstrap's bucket and key policies — evaluated by an IAM simulator against exactly the requests
// the CLI sent.
import { strict as assert } from "assert";
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { Evaluation } from "../../dev/harness/evaluate";
import { evaluateBootstrap, evaluateStack } from "../../dev/harness/program";
import { BOOTSTRAP_DIR, ROOT, TOOLS_BIN } from "../../dev/paths";
import { BACKEND_META } from "../../src/components/aws/state-backend";
import { readStackConfig } from "../../src/config/stack-files";
import { AwsEmulator, RecordedRequest } from "../helpers/aws-emulator";
import { decideAll, iamRequestsOf, Policies, Scene } from "../helpers/iam-requests";
import { PulumiSandbox } from "../helpers/pulumi-cli";

/** The dev stack's GitHub section as committed; its backend keys come from the bootstrap below. */
const committedGithub = readStackConfig("dev")["platform:github"] as {
  backend: { bucket: string; region: string; stateKeyArn: string };
  secrets: { provider: string; keyArn: string };
};
const ACCOUNT = readStackConfig("dev", BOOTSTRAP_DIR)["platform-state:accountId"] as string;
const WRITES = ["s3:PutObject", "s3:DeleteObject", "kms:GenerateDataKey", "kms:Encrypt"];

const policyOf = (e: Evaluation, type: string, name: string) => JSON.parse(e.get(type, name).inputs.policy);

describe("the S3 backend and awskms secrets through the real CLI, against the stack's own IAM policies", function () {
  this.timeout(180000);
  let aws: AwsEmulator;
  let cli: PulumiSandbox;
  let scene: Scene;
  let deploy: Policies;
  let preview: Policies;
  let secretsProvider: string;
  let github: typeof committedGithub;
  const backendUrl = (bucket: string) => `s3://${bucket}?region=eu-west-1&use_path_style=true`;
  const run = (args: string[], bucket = committedGithub.backend.bucket) =>
    cli.okAsync(args, {
      ...aws.credentials(),
      AWS_ENDPOINT_URL: aws.endpoint,
      PULUMI_BACKEND_URL: backendUrl(bucket),
    });
  const decisions = async (recorded: RecordedRequest[], policies: Policies) =>
    (await decideAll(iamRequestsOf(recorded, scene), policies, scene)).map(
      ({ request, decision }) => `${decision}: ${request.action} ${request.resource} ← ${request.sent}`,
    );

  before(async () => {
    aws = await AwsEmulator.start();
    // The documented flow: the account's bootstrap stack first, its outputs into the platform's config.
    const bootstrap = await evaluateBootstrap("dev", {}, { account: ACCOUNT });
    github = {
      ...committedGithub,
      backend: { ...committedGithub.backend, stateKeyArn: String(bootstrap.outputs.stateKeyArn) },
      secrets: { provider: "awskms", keyArn: String(bootstrap.outputs.secretsKeyArn) },
    };
    assert.equal(bootstrap.outputs.stateBucket, github.backend.bucket);
    const platform = await evaluateStack("dev", { "platform:github": github }, { account: ACCOUNT });
    const keyId = aws.admin(
      [
        "s3 = boto3.client('s3')",
        `s3.create_bucket(Bucket='${github.backend.bucket}', CreateBucketConfiguration={'LocationConstraint': 'eu-west-1'})`,
        // What the bootstrap stack leaves in the bucket for the CI roles.
        `s3.put_object(Bucket='${github.backend.bucket}', Key='${BACKEND_META.key}', Body=${JSON.stringify(BACKEND_META.content)})`,
        "print(boto3.client('kms').create_key()['KeyMetadata']['KeyId'])",
      ].join("\n"),
    );
    secretsProvider = `awskms://${keyId}?region=eu-west-1`;
    scene = {
      bucket: github.backend.bucket,
      region: "eu-west-1",
      account: ACCOUNT,
      bucketKeyArn: github.backend.stateKeyArn,
      // The emulator's key stands for the bootstrap's secrets key.
      keys: { [keyId]: github.secrets.keyArn },
    };
    const resourcePolicies = {
      bucketPolicy: policyOf(bootstrap, "aws:s3/bucketPolicy:BucketPolicy", "pulumi"),
      keyPolicies: {
        [github.backend.stateKeyArn]: policyOf(bootstrap, "aws:kms/key:Key", "pulumi-state"),
        [github.secrets.keyArn]: policyOf(bootstrap, "aws:kms/key:Key", "pulumi-secrets"),
      },
    };
    deploy = {
      identity: policyOf(platform, "aws:iam/rolePolicy:RolePolicy", "ci-deploy"),
      ...resourcePolicies,
    };
    preview = {
      identity: policyOf(platform, "aws:iam/rolePolicy:RolePolicy", "ci-preview"),
      ...resourcePolicies,
    };
    cli = new PulumiSandbox(path.join(__dirname), []);
    fs.writeFileSync(path.join(cli.project, "Pulumi.yaml"), "name: platform\nruntime: nodejs\n");
  });
  after(async () => {
    cli?.dispose();
    await aws?.stop();
  });

  let deploySession: RecordedRequest[] = [];

  /** `npm run state -- …` as a child process, so the recording proxy in this process can answer. */
  const state = async (args: string[], extra: Record<string, string> = {}) => {
    const child = spawn(
      process.execPath,
      [
        "-r",
        "ts-node/register/transpile-only",
        path.join(ROOT, "dev/scripts/state.ts"),
        ...args,
        "--dir",
        cli.project,
      ],
      {
        cwd: ROOT,
        env: cli.env({
          ...aws.credentials(),
          AWS_ENDPOINT_URL: aws.endpoint,
          PATH: `${TOOLS_BIN}${path.delimiter}${process.env.PATH}`,
          ...extra,
        }),
      },
    );
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d));
    child.stderr.on("data", (d: Buffer) => (output += d));
    const status = await new Promise<number | null>((resolve) => child.on("close", resolve));
    assert.equal(status, 0, output);
    return output;
  };

  it("lets the deploy role move a stack in, keep a secret, take the lock, back the state up and restore it", async () => {
    aws.take();
    await run(["login"]);
    // A stack made on a local file backend, moved into the bucket with the README's procedure.
    const local = `file://${path.join(cli.root, "local-state")}`;
    fs.mkdirSync(path.join(cli.root, "local-state"));
    await cli.okAsync(["stack", "init", "dev", "--secrets-provider", secretsProvider], {
      ...aws.credentials(),
      AWS_ENDPOINT_URL: aws.endpoint,
      PULUMI_BACKEND_URL: local,
    });
    assert.match(
      await state(["migrate", "--stack", "dev", "--from", local, "--to", backendUrl(github.backend.bucket)]),
      /moved dev/,
    );
    await run([
      "config",
      "set",
      "--stack",
      "dev",
      "--secret",
      "slackWebhookUrl",
      "https://hooks.example/T0/B0/x",
    ]);
    assert.equal(
      (await run(["config", "get", "--stack", "dev", "slackWebhookUrl"])).trim(),
      "https://hooks.example/T0/B0/x",
    );
    const exported = path.join(cli.root, "dev.json");
    const inBucket = { PULUMI_BACKEND_URL: backendUrl(github.backend.bucket) };
    assert.match(await state(["backup", "--stack", "dev", "--out", exported], inBucket), /exported/);
    assert.match(await state(["restore", "--stack", "dev", "--file", exported], inBucket), /restored dev/);
    // infra-up's backup step and db-migrate's dump, to the URIs the stack writes into its environment.
    const vars = Object.fromEntries(
      (await evaluateStack("dev", { "platform:github": github }, { account: ACCOUNT }))
        .ofType("github:index/actionsEnvironmentVariable:ActionsEnvironmentVariable")
        .map((v) => [v.inputs.variableName, v.inputs.value]),
    );
    for (const uri of [
      `${vars.STATE_BACKUP_URI}/20261123T000000Z.json`,
      `${vars.MIGRATION_BACKUP_URI}/20261123.dump`,
    ]) {
      const [, bucket, key] = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri)!;
      await aws.asClient(`boto3.client('s3').put_object(Bucket='${bucket}', Key='${key}', Body=b'{}')`);
    }
    deploySession = aws.take();
    const ops = new Set(deploySession.map((r) => `${r.method} ${r.path.split("/").slice(2, 4).join("/")}`));
    for (const op of [
      "PUT .pulumi/locks",
      "DELETE .pulumi/locks",
      "PUT .pulumi/stacks",
      "PUT state-backups/platform",
    ])
      assert.ok(ops.has(op), `the session exercised ${op}`);
    assert.ok(
      deploySession.some(
        (r) => r.target === "TrentService.GenerateDataKey" || r.target === "TrentService.Encrypt",
      ),
    );
    assert.deepEqual(
      (await decisions(deploySession, deploy)).filter((d) => !d.startsWith("Allowed")),
      [],
    );
  });

  it("lets the preview role read the state and decrypt its secrets, and denies it every write the deploy made", async () => {
    aws.take();
    await run(["stack", "export", "--stack", "dev"]);
    await run(["config", "get", "--stack", "dev", "slackWebhookUrl"]);
    await run(["stack", "ls"]);
    const previewSession = aws.take();
    assert.ok(
      previewSession.some((r) => r.target === "TrentService.Decrypt"),
      "the secret was decrypted",
    );
    assert.deepEqual(
      (await decisions(previewSession, preview)).filter((d) => !d.startsWith("Allowed")),
      [],
    );
    const writes = iamRequestsOf(deploySession, scene).filter((r) => WRITES.includes(r.action));
    assert.ok(writes.length >= 6, `${writes.length} writes`);
    const allowed = (await decideAll(writes, preview, scene)).filter((d) => d.decision === "Allowed");
    assert.deepEqual(
      allowed.map((d) => `${d.request.action} ${d.request.resource}`),
      [],
    );
  });

  it("keeps the deploy role of one stack out of another stack's state in the same bucket", async () => {
    aws.take();
    await run(["stack", "init", "qa", "--secrets-provider", secretsProvider]);
    const exported = path.join(cli.root, "qa.json");
    fs.writeFileSync(exported, await run(["stack", "export", "--stack", "qa"]));
    await run(["stack", "import", "--stack", "qa", "--file", exported]);
    const other = iamRequestsOf(aws.take(), scene).filter((r) => /\/(qa)(\.json|\/|$)/.test(r.resource));
    assert.ok(other.some((r) => r.action === "s3:PutObject"));
    const allowed = (await decideAll(other, deploy, scene)).filter((d) => d.decision === "Allowed");
    assert.deepEqual(
      allowed.map((d) => `${d.request.action} ${d.request.resource}`),
      [],
    );
  });

  it("refuses a write that names another encryption or key, and takes one that names none or the state key", async () => {
    const put = (context: Record<string, string>) => ({
      action: "s3:PutObject",
      resource: `arn:aws:s3:::${scene.bucket}/.pulumi/stacks/platform/dev.json`,
      context,
      sent: JSON.stringify(context),
    });
    const cases = [
      put({}),
      put({ "s3:x-amz-server-side-encryption": "aws:kms" }),
      put({
        "s3:x-amz-server-side-encryption": "aws:kms",
        "s3:x-amz-server-side-encryption-aws-kms-key-id": github.backend.stateKeyArn,
      }),
      put({ "s3:x-amz-server-side-encryption": "AES256" }),
      put({
        "s3:x-amz-server-side-encryption": "aws:kms",
        "s3:x-amz-server-side-encryption-aws-kms-key-id": github.secrets.keyArn,
      }),
    ];
    assert.deepEqual(
      (await decideAll(cases, deploy, scene)).map((d) => d.decision),
      ["Allowed", "Allowed", "Allowed", "ExplicitlyDenied", "ExplicitlyDenied"],
    );
  });

  it("finds on an empty bucket a first login that writes meta.yaml, which only the bootstrap may, and the bootstrap writes it", async () => {
    const empty = "platform-state-empty";
    aws.admin(
      `boto3.client('s3').create_bucket(Bucket='${empty}', CreateBucketConfiguration={'LocationConstraint': 'eu-west-1'})`,
    );
    aws.take();
    await run(["login"], empty);
    const writes = aws.take().filter((r) => r.method === "PUT");
    assert.deepEqual(
      writes.map((r) => r.path),
      [`/${empty}/${BACKEND_META.key}`],
    );
    const written = aws.admin(
      `print(boto3.client('s3').get_object(Bucket='${empty}', Key='${BACKEND_META.key}')['Body'].read().decode(), end='')`,
    );
    assert.equal(`${written}\n`, BACKEND_META.content);
    const meta = (await evaluateBootstrap("dev")).get("aws:s3/bucketObjectv2:BucketObjectv2", "pulumi-meta");
    assert.deepEqual([meta.inputs.key, meta.inputs.content], [BACKEND_META.key, BACKEND_META.content]);
    const asCi = { ...scene, bucket: empty };
    const denied = await decideAll(
      iamRequestsOf(writes, asCi).filter((r) => r.action === "s3:PutObject"),
      { ...deploy, bucketPolicy: undefined },
      asCi,
    );
    assert.deepEqual(
      denied.map((d) => d.decision),
      ["ImplicitlyDenied"],
    );
  });
});
