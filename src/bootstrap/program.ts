/** The bootstrap program: one StateBackend in the configured account, and its outputs. */
import * as aws from "../lib/aws";
import * as pulumi from "@pulumi/pulumi";
import { StateBackend } from "../components/aws/state-backend";
import { BootstrapConfig, BOOTSTRAP_PROJECT, parseBootstrapConfig } from "./config";

/** Reads and validates the stack's config from the Pulumi runtime. */
export function loadBootstrapConfig(): BootstrapConfig {
  const all = pulumi.runtime.allConfig();
  const prefix = `${BOOTSTRAP_PROJECT}:`;
  const values: Record<string, unknown> = {};
  for (const [key, text] of Object.entries(all)) {
    if (!key.startsWith(prefix)) continue;
    try {
      values[key.slice(prefix.length)] = JSON.parse(text);
    } catch {
      values[key.slice(prefix.length)] = text;
    }
  }
  // An account id is digits, which JSON would turn into a number.
  if (typeof values.accountId === "number") values.accountId = all[`${prefix}accountId`];
  return parseBootstrapConfig(pulumi.getStack(), values, all["aws:region"]);
}

export function buildStateBackend(config: BootstrapConfig): Record<string, pulumi.Output<string>> {
  // allowedAccountIds: credentials for any other account fail before anything is created.
  const provider = new aws.Provider("aws", {
    region: config.region as aws.Region,
    allowedAccountIds: [config.accountId],
    defaultTags: { tags: { "managed-by": "pulumi", stack: `${BOOTSTRAP_PROJECT}/${config.stack}` } },
  });
  const partition = aws.getPartitionOutput({}, { provider });
  const backend = new StateBackend(
    "pulumi",
    {
      account: { accountId: config.accountId, region: config.region, partition: partition.partition },
      bucketName: config.bucketName,
      project: config.project,
      noncurrentVersionDays: config.noncurrentVersionDays,
      backupRetentionDays: config.backupRetentionDays,
      accessLogRetentionDays: config.accessLogRetentionDays,
      protect: config.protect,
    },
    { providers: { aws: provider } },
  );
  return {
    stateBucket: backend.bucketName,
    region: pulumi.output(config.region),
    stateKeyArn: backend.stateKeyArn,
    secretsKeyArn: backend.secretsKeyArn,
    backendUrl: backend.backendUrl,
    secretsProvider: backend.secretsProvider,
    accessLogBucket: backend.accessLogBucketName,
    stateReadPolicyArn: backend.readPolicyArn,
    stateWritePolicyArn: backend.writePolicyArn,
  };
}
