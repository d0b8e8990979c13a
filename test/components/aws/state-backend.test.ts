import { strict as assert } from "assert";
import YAML from "yaml";
import { deliveryContext } from "../../../src/stack/delivery";
import { ConfigError, parseStackConfig, secretsProviderUrl } from "../../../src/config";
import { evaluate, Evaluation } from "../../../dev/harness/evaluate";
import { readStackConfig } from "../../../src/config/stack-files";
import { deliveryFiles } from "../../../src/workflows";
import { assertActionlintClean } from "../../helpers/actionlint";
import { committedStack } from "../../helpers/stacks";
import {
  StateBackend,
  StateBackendArgs,
  stateBucketLifecycleRules,
} from "../../../src/components/aws/state-backend";
import { ACCOUNT, actionsOf, statementsOf } from "../../helpers/components";

function backendArgs(overrides: Partial<StateBackendArgs> = {}): StateBackendArgs {
  return {
    account: ACCOUNT,
    bucketName: "state-123456789012-eu-west-1",
    project: "platform",
    noncurrentVersionDays: 60,
    backupRetentionDays: 180,
    accessLogRetentionDays: 400,
    protect: true,
    ...overrides,
  };
}

/** A stack file's `platform:` values without the prefix, deep-copied so cases can edit them. */
function valuesOf(stack: string): Record<string, any> {
  const out: Record<string, any> = {};
  for (const [k, v] of Object.entries(readStackConfig(stack)))
    if (k.startsWith("platform:")) out[k.slice(9)] = structuredClone(v);
  return out;
}

function rejection(values: Record<string, unknown>): string {
  try {
    parseStackConfig("dev", values, "eu-west-1");
  } catch (e) {
    assert.ok(e instanceof ConfigError, String(e));
    return e.message;
  }
  assert.fail("expected the configuration to be rejected");
}

const workflowsOf = (values: Record<string, any>) => {
  const config = parseStackConfig("dev", values, "eu-west-1");
  const files = deliveryFiles(deliveryContext(config, config.github!));
  const doc = (name: string) => YAML.parse(files[`.github/workflows/${name}.yml`]);
  return { files, doc };
};
const stepNames = (job: any): string[] => job.steps.map((s: any) => s.name);
const step = (job: any, name: string) => job.steps.find((s: any) => s.name === name);

describe("state backend and secrets provider", () => {
  describe("configuration", () => {
    it("rejects a stack GitHub deploys when it names no shared backend", () => {
      const v = valuesOf("dev");
      delete v.github.backend;
      assert.match(
        rejection(v),
        /platform:github\.backend: got nothing; CI jobs need shared state: \{ kind: "s3", bucket, region, stateKeyArn \}/,
      );
    });

    it("rejects a state key outside the bucket's region", () => {
      const v = valuesOf("dev");
      v.github.backend.stateKeyArn = v.github.backend.stateKeyArn.replace("eu-west-1", "us-east-1");
      assert.match(
        rejection(v),
        /platform:github\.backend\.stateKeyArn: got "arn:aws:kms:us-east-1:.*"; S3 encrypts only with a key in the bucket's region \(eu-west-1\)/,
      );
    });

    it("rejects Pulumi Cloud's service-managed secrets on an S3 backend", () => {
      const v = valuesOf("dev");
      v.github.secrets = { provider: "service" };
      assert.match(rejection(v), /platform:github\.secrets\.provider: got "service"; passphrase or awskms/);
    });

    it("requires a team name for team tokens and lists the keys a backend accepts", () => {
      const v = valuesOf("dev");
      v.github.backend = { kind: "cloud", organization: "acme", tokenType: "team", team: "x" };
      const message = rejection(v);
      assert.match(
        message,
        /platform:github\.backend\.team: got "x"; unknown key; allowed here: kind, bucket/,
      );
      assert.match(message, /organization, tokenType, scope/);
    });

    it("derives the awskms secrets-provider URL from the key ARN", () => {
      assert.equal(
        secretsProviderUrl({
          provider: "awskms",
          keyArn: "arn:aws:kms:eu-west-1:111111111111:key/5ec00000-1111-4c0d-8e00-000000000001",
        }),
        "awskms://5ec00000-1111-4c0d-8e00-000000000001?region=eu-west-1",
      );
      assert.equal(secretsProviderUrl({ provider: "service" }), "default");
    });

    it("keeps one backend kind and secrets provider across the stacks one workflow set deploys", () => {
      const kinds = ["dev", "staging", "production"].map((s) => {
        const gh = valuesOf(s).github;
        return `${gh.backend.kind}/${gh.secrets?.provider ?? "passphrase"}`;
      });
      assert.deepEqual(kinds, ["s3/awskms", "s3/awskms", "s3/awskms"]);
    });
  });

  describe("generated workflows on an S3 backend", () => {
    const { files, doc } = workflowsOf(valuesOf("dev"));
    const up = doc("infra-up").jobs["up-staging"];

    it("logs in after assuming the role, creates the stack with its KMS key, and backs the state up before up", () => {
      const names = stepNames(up);
      const order = [
        "Assume the AWS role (GitHub OIDC)",
        "Log in to the state backend",
        "Select the stack",
        "Export the stack state before changing it",
        "Keep the state export as an artifact",
        "Keep the state export in the state bucket",
        "pulumi up with the policy pack",
      ].map((n) => names.indexOf(n));
      assert.ok(
        order.every((i, k) => i >= 0 && (k === 0 || i > order[k - 1])),
        names.join(" → "),
      );
      assert.equal(
        step(up, "Select the stack").run,
        'pulumi stack select --create "$STACK" --secrets-provider "$PULUMI_ENCRYPTION_PROVIDER"',
      );
      assert.match(step(up, "Keep the state export in the state bucket").run, /aws s3 cp .*"\$target"/);
      assert.equal(up.env.STATE_BACKUP_URI, "${{ vars.STATE_BACKUP_URI }}");
      assert.equal(up.env.PULUMI_BACKEND_URL, "${{ vars.PULUMI_BACKEND_URL }}");
      assert.equal(up.env.PULUMI_CONFIG_PASSPHRASE, undefined, "awskms stacks need no passphrase");
      // Type-checking is ci.yml's required lint job; the Pulumi jobs only transpile.
      assert.equal(up.env.PULUMI_NODEJS_TRANSPILE_ONLY, "true");
      const lint = doc("ci").jobs.lint.steps.map((s: any) => s.run);
      assert.ok(lint.includes("npm run typecheck"));
    });

    it("points each preview job at its own stack's backend variable in the shared preview environment", () => {
      const jobs = doc("infra-preview").jobs;
      assert.equal(
        jobs["preview-production"].env.PULUMI_BACKEND_URL,
        "${{ vars.PULUMI_BACKEND_URL_PRODUCTION }}",
      );
      assert.equal(
        doc("drift").jobs["drift-staging"].env.PULUMI_BACKEND_URL,
        "${{ vars.PULUMI_BACKEND_URL_STAGING }}",
      );
      assert.ok(stepNames(jobs["preview-dev"]).includes("Log in to the state backend"));
    });

    it("fails the login by name when the backend variable is empty", () => {
      assert.match(step(up, "Log in to the state backend").run, /::error::PULUMI_BACKEND_URL is empty/);
      assertActionlintClean(files);
    });
  });

  describe("generated workflows on Pulumi Cloud", () => {
    const v = valuesOf("dev");
    v.github.backend = { kind: "cloud", organization: "acme-shop", tokenType: "team", scope: "deployers" };
    v.github.secrets = { provider: "service" };
    // Pre-migration dumps need the S3 state bucket: no service migrates on Pulumi Cloud.
    for (const s of v.services) delete s.migrations;
    const { files, doc } = workflowsOf(v);
    const up = doc("infra-up").jobs["up-dev"];

    it("exchanges the job's OIDC token for a Pulumi team token before logging in", () => {
      const names = stepNames(up);
      assert.ok(
        names.indexOf("Exchange the GitHub OIDC token for a Pulumi access token") <
          names.indexOf("Log in to the state backend"),
      );
      const exchange = step(up, "Exchange the GitHub OIDC token for a Pulumi access token");
      assert.deepEqual(exchange.env, {
        PULUMI_ORG: "acme-shop",
        TOKEN_TYPE: "urn:pulumi:token-type:access_token:team",
        TOKEN_SCOPE: "team:deployers",
      });
      assert.match(exchange.run, /::add-mask::\$\{token\}/);
      assert.equal(up.permissions["id-token"], "write");
      assert.equal(up.env.PULUMI_BACKEND_URL, "https://api.pulumi.com");
      assert.match(step(up, "Log in to the state backend").run, /pulumi org set-default acme-shop/);
    });

    it("keeps the state export as an artifact only: Pulumi Cloud versions state itself", () => {
      const names = stepNames(up);
      assert.ok(names.includes("Keep the state export as an artifact"));
      assert.equal(names.includes("Keep the state export in the state bucket"), false);
      assert.equal(up.env.STATE_BACKUP_URI, undefined);
      assertActionlintClean(files);
    });
  });

  describe("delivery resources under mocks", () => {
    let dev: Evaluation;
    before(async () => {
      dev = await committedStack("dev");
    });
    const policyOf = (name: string) =>
      JSON.parse(dev.get("aws:iam/rolePolicy:RolePolicy", name).inputs.policy).Statement as any[];
    const bySid = (statements: any[], sid: string) => statements.find((s) => s.Sid === sid);
    const bucket = "arn:aws:s3:::platform-state-111111111111-eu-west-1";

    it("lets the deploy role lock, write and back up this stack's state and nothing of other stacks", () => {
      const rw = bySid(policyOf("ci-deploy"), "StateReadWrite");
      assert.deepEqual(rw.Action, ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]);
      assert.deepEqual(rw.Resource, [
        `${bucket}/.pulumi/stacks/platform/dev.json*`,
        `${bucket}/.pulumi/history/platform/dev/*`,
        `${bucket}/.pulumi/locks/organization/platform/dev/*`,
        `${bucket}/.pulumi/backups/platform/dev/*`,
        `${bucket}/state-backups/platform/dev/*`,
      ]);
      const key = bySid(policyOf("ci-deploy"), "StateKeyUse");
      assert.deepEqual(key.Condition, { StringEquals: { "kms:ViaService": "s3.eu-west-1.amazonaws.com" } });
      assert.deepEqual(bySid(policyOf("ci-deploy"), "SecretsKeyUse").Action, ["kms:Decrypt", "kms:Encrypt"]);
    });

    it("lets the preview role read the state and decrypt, but write nothing", () => {
      const statements = policyOf("ci-preview");
      assert.deepEqual(bySid(statements, "StateRead").Resource, [
        `${bucket}/.pulumi/meta.yaml`,
        `${bucket}/.pulumi/stacks/platform/dev.json*`,
        `${bucket}/.pulumi/history/platform/dev/*`,
      ]);
      const actions = statements.flatMap((s) => [s.Action].flat());
      assert.equal(
        actions.some((a: string) => /^s3:(Put|Delete)/.test(a) || a === "kms:Encrypt"),
        false,
      );
      assert.equal(bySid(statements, "SecretsKeyDecrypt").Action, "kms:Decrypt");
    });

    it("writes the backend, the secrets provider and the backup location into the stack's environment", () => {
      const vars = Object.fromEntries(
        dev
          .ofType("github:index/actionsEnvironmentVariable:ActionsEnvironmentVariable")
          .map((r) => [`${r.inputs.environment}/${r.inputs.variableName}`, r.inputs.value]),
      );
      assert.equal(
        vars["development/PULUMI_BACKEND_URL"],
        "s3://platform-state-111111111111-eu-west-1?region=eu-west-1",
      );
      assert.equal(vars["preview/PULUMI_BACKEND_URL_DEV"], vars["development/PULUMI_BACKEND_URL"]);
      assert.equal(
        vars["development/PULUMI_ENCRYPTION_PROVIDER"],
        "awskms://5ec00000-1111-4c0d-8e00-000000000001?region=eu-west-1",
      );
      assert.equal(
        vars["development/STATE_BACKUP_URI"],
        "s3://platform-state-111111111111-eu-west-1/state-backups/platform/dev",
      );
    });
  });
});

describe("component", function () {
  this.timeout(60000);

  describe("StateBackend built alone", () => {
    let e: Evaluation;
    before(async () => {
      e = await evaluate(
        "dev",
        {},
        () => {
          new StateBackend("pulumi", backendArgs());
        },
        { project: "platform-state" },
      );
    });

    it("protects the buckets and both keys, and rotates both keys", () => {
      assert.deepEqual(
        e.ofType("aws:kms/key:Key").map((k) => [k.name, k.protect, k.inputs.enableKeyRotation]),
        [
          ["pulumi-state", true, true],
          ["pulumi-secrets", true, true],
        ],
      );
      assert.deepEqual(
        e.ofType("aws:s3/bucket:Bucket").map((b) => [b.name, b.protect]),
        [
          ["pulumi-access-logs", true],
          ["pulumi", true],
        ],
      );
    });

    it("refuses state objects written with any other key or algorithm, and plain HTTP", () => {
      const sids = statementsOf(e.get("aws:s3/bucketPolicy:BucketPolicy", "pulumi").inputs.policy).map(
        (s) => [s.Sid, s.Effect],
      );
      assert.deepEqual(sids, [
        ["DenyInsecureTransport", "Deny"],
        ["DenyOtherEncryption", "Deny"],
        ["DenyOtherKmsKeys", "Deny"],
      ]);
    });

    it("gives the read policy no write action and the write policy this project's state only", () => {
      const read = actionsOf(statementsOf(e.get("aws:iam/policy:Policy", "pulumi-read").inputs.policy));
      assert.deepEqual(
        read.filter((a) => /^s3:(Put|Delete)|^kms:(Encrypt|GenerateDataKey)/.test(a)),
        [],
      );
      const write = statementsOf(e.get("aws:iam/policy:Policy", "pulumi-write").inputs.policy);
      const resources = write.flatMap((s) => [s.Resource].flat()).filter((r: string) => r.includes(":s3:::"));
      assert.ok(
        resources.every(
          (r: string) =>
            r === "arn:aws:s3:::state-123456789012-eu-west-1" || /platform(\/|\.)|meta\.yaml/.test(r),
        ),
        resources.join(", "),
      );
    });
  });

  describe("StateBackend lifecycle planner", () => {
    it("keeps old state versions and state exports for the given days", () => {
      const table: [number, number][] = [
        [90, 365],
        [1, 1],
      ];
      for (const [versions, exports] of table) {
        const [old, backups] = stateBucketLifecycleRules(versions, exports);
        assert.deepEqual(
          [old.noncurrentVersionExpiration, backups.filter, backups.expiration],
          [{ noncurrentDays: versions }, { prefix: "state-backups/" }, { days: exports }],
        );
      }
    });
  });
});
