/** The bootstrap program: one StateBackend in the configured account, and its outputs. */
import * as aws from "../lib/aws";
import * as pulumi from "@pulumi/pulumi";
import { StateBackend } from "../components/aws/state-backend";
import { projectConfigValues } from "../config/stack-files";
import { BootstrapConfig, BOOTSTRAP_PROJECT, parseBootstrapConfig } from "./config";

/** Reads and validates the stack's config from the Pulumi runtime. */
export function loadBootstrapConfig(): BootstrapConfig {
  const all = pulumi.runtime.allConfig();
  const values = projectConfigValues(all, BOOTSTRAP_PROJECT, ["accountId"]);
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
