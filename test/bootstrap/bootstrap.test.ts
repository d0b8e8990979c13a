import { strict as assert } from "assert";
import { parseBootstrapConfig } from "../../src/bootstrap/config";
import { ConfigError } from "../../src/config";
import { Evaluation } from "../../dev/harness/evaluate";
import { runGate } from "../../dev/harness/policy-harness";
import { evaluateBootstrap } from "../../dev/harness/program";

const S3 = "aws:s3/";
const statementsOf = (r: { inputs: Record<string, any> }) => JSON.parse(r.inputs.policy).Statement as any[];

describe("bootstrap: the state backend of an account", () => {
  let dev: Evaluation;
  before(async () => {
    dev = await evaluateBootstrap("dev");
  });

  for (const stack of ["dev", "staging", "production"]) {
    it(`passes every rule of the policy pack at its default level for the ${stack} account`, async () => {
      const evaluation = await evaluateBootstrap(stack, {}, { preview: true });
      const gate = runGate(evaluation.resources, {});
      assert.deepEqual(
        gate.findings.map((f) => `${f.policy}: ${f.message}`),
        [],
      );
      assert.ok(gate.checks > 20, `only ${gate.checks} checks ran`);
    });
  }

  it("names the bucket after account and region and exports what the platform stacks' config needs", () => {
    assert.equal(
      dev.get(`${S3}bucket:Bucket`, "pulumi").inputs.bucket,
      "platform-state-111111111111-eu-west-1",
    );
    assert.equal(dev.outputs.backendUrl, "s3://platform-state-111111111111-eu-west-1?region=eu-west-1");
    assert.match(String(dev.outputs.secretsProvider), /^awskms:\/\/[^?]+\?region=eu-west-1$/);
    assert.deepEqual(Object.keys(dev.outputs).sort(), [
      "accessLogBucket",
      "backendUrl",
      "region",
      "secretsKeyArn",
      "secretsProvider",
      "stateBucket",
      "stateKeyArn",
      "stateReadPolicyArn",
      "stateWritePolicyArn",
    ]);
  });

  it("encrypts the state with its own KMS key through S3 Bucket Keys, and versions every object", () => {
    const sse = dev.get(
      `${S3}bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration`,
      "pulumi",
    );
    assert.deepEqual(sse.inputs.rules, [
      {
        applyServerSideEncryptionByDefault: {
          sseAlgorithm: "aws:kms",
          kmsMasterKeyId: dev.outputs.stateKeyArn,
        },
        bucketKeyEnabled: true,
      },
    ]);
    assert.deepEqual(
      dev.get(`${S3}bucketVersioning:BucketVersioning`, "pulumi").inputs.versioningConfiguration,
      {
        status: "Enabled",
      },
    );
    const keys = dev.ofType("aws:kms/key:Key");
    assert.deepEqual(
      keys.map((k) => [k.name, k.inputs.enableKeyRotation, k.protect]),
      [
        ["pulumi-state", true, true],
        ["pulumi-secrets", true, true],
      ],
    );
  });

  it("expires replaced state versions after 90 days and state exports after a year", () => {
    const rules = dev.get(`${S3}bucketLifecycleConfiguration:BucketLifecycleConfiguration`, "pulumi").inputs
      .rules;
    assert.deepEqual(
      rules.map((r: any) => [
        r.id,
        r.filter.prefix,
        r.noncurrentVersionExpiration?.noncurrentDays,
        r.expiration?.days,
      ]),
      [
        ["expire-old-state-versions", "", 90, undefined],
        ["expire-state-exports", "state-backups/", undefined, 365],
      ],
    );
  });

  it("blocks public access, disables ACLs, and refuses plain HTTP and other encryption keys", () => {
    const pab = dev.get(`${S3}bucketPublicAccessBlock:BucketPublicAccessBlock`, "pulumi").inputs;
    assert.deepEqual(
      [pab.blockPublicAcls, pab.blockPublicPolicy, pab.ignorePublicAcls, pab.restrictPublicBuckets],
      [true, true, true, true],
    );
    assert.equal(
      dev.get(`${S3}bucketOwnershipControls:BucketOwnershipControls`, "pulumi").inputs.rule.objectOwnership,
      "BucketOwnerEnforced",
    );
    const policy = statementsOf(dev.get(`${S3}bucketPolicy:BucketPolicy`, "pulumi"));
    assert.deepEqual(
      policy.map((s) => [s.Sid, s.Effect]),
      [
        ["DenyInsecureTransport", "Deny"],
        ["DenyOtherEncryption", "Deny"],
        ["DenyOtherKmsKeys", "Deny"],
      ],
    );
    assert.deepEqual(policy[2].Condition, {
      StringNotEquals: { "s3:x-amz-server-side-encryption-aws-kms-key-id": dev.outputs.stateKeyArn },
      Null: { "s3:x-amz-server-side-encryption-aws-kms-key-id": "false" },
    });
  });

  it("logs state access to an SSE-S3 bucket that admits only S3 log delivery for this bucket and account", () => {
    const logging = dev.get(`${S3}bucketLogging:BucketLogging`, "pulumi").inputs;
    assert.equal(logging.targetPrefix, "state-bucket/");
    const sse = dev.get(
      `${S3}bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration`,
      "pulumi-access-logs",
    );
    assert.equal(sse.inputs.rules[0].applyServerSideEncryptionByDefault.sseAlgorithm, "AES256");
    const [delivery] = statementsOf(dev.get(`${S3}bucketPolicy:BucketPolicy`, "pulumi-access-logs"));
    assert.deepEqual(delivery.Principal, { Service: "logging.s3.amazonaws.com" });
    assert.deepEqual(delivery.Condition.StringEquals, { "aws:SourceAccount": "111111111111" });
    assert.equal(
      delivery.Condition.ArnLike["aws:SourceArn"],
      "arn:aws:s3:::platform-state-111111111111-eu-west-1",
    );
  });

  it("grants previews read-only state access and deploys read/write, for every stack of the platform project", () => {
    const read = statementsOf(dev.get("aws:iam/policy:Policy", "pulumi-read"));
    const write = statementsOf(dev.get("aws:iam/policy:Policy", "pulumi-write"));
    const actions = (statements: any[]) => statements.flatMap((s) => [s.Action].flat());
    assert.deepEqual(actions(read).sort(), ["kms:Decrypt", "kms:Decrypt", "s3:GetObject", "s3:ListBucket"]);
    assert.ok(actions(write).includes("s3:PutObject") && actions(write).includes("kms:Encrypt"));
    const rw = write.find((s) => s.Sid === "StateReadWrite");
    assert.ok(
      rw.Resource.some((r: string) => r.endsWith("/.pulumi/locks/organization/platform/*/*")),
      rw.Resource.join(),
    );
  });

  it("refuses credentials of any other account through the provider", () => {
    const provider = dev.get("pulumi:providers:aws", "aws");
    // Provider inputs reach the engine JSON-encoded, as provider configuration does.
    assert.deepEqual(JSON.parse(provider.inputs.allowedAccountIds), ["111111111111"]);
  });

  it("leaves bucket and keys unprotected only when protect is false", async () => {
    const unprotected = await evaluateBootstrap("dev", { "platform-state:protect": false });
    assert.equal(unprotected.get(`${S3}bucket:Bucket`, "pulumi").protect, false);
    assert.equal(dev.get(`${S3}bucket:Bucket`, "pulumi").protect, true);
  });

  it("rejects bad configuration with one error naming every key, value and what is allowed", () => {
    assert.throws(
      () =>
        parseBootstrapConfig("dev", { accountId: "1234", noncurrentVersionDays: 0, bucket: "x" }, "moon-1"),
      (e: unknown) => {
        assert.ok(e instanceof ConfigError);
        assert.match(e.message, /aws:region: got "moon-1"; an AWS region/);
        assert.match(e.message, /platform-state:accountId: got "1234"; must be a 12-digit AWS account id/);
        assert.match(e.message, /platform-state:noncurrentVersionDays: got 0; /);
        assert.match(
          e.message,
          /platform-state:bucket: got "x"; unknown key; allowed: accountId, bucketName/,
        );
        return true;
      },
    );
  });
});
