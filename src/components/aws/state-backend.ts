/**
 * Shared Pulumi state for one AWS account and region: the S3 bucket the CLI's S3 backend keeps
 * checkpoints, locks, history and backups in, the KMS key that encrypts it, a KMS key for the
 * `awskms://` secrets provider, an access-log bucket, and managed policies that grant reading
 * (previews) or writing (deploys) one project's state.
 *
 * The bucket keeps every version of every object, so any earlier checkpoint can be restored; old
 * versions expire after `noncurrentVersionDays`. Nothing here is deleted by `pulumi destroy`
 * unless `protect` is turned off first.
 */
import * as aws from "../../lib/aws";
import * as pulumi from "@pulumi/pulumi";
import { denyInsecureTransport, secureBucket } from "../../lib/bucket";
import { policyDocument } from "../../lib/iam";
import { AccountContext, createKmsKey } from "../../lib/kms";
import {
  secretsKeyStatements,
  STATE_BACKUP_PREFIX,
  StateScope,
  stateReadStatements,
  stateWriteStatements,
} from "../../lib/state-access";

export interface StateBackendArgs {
  readonly account: AccountContext;
  /** Name of the state bucket (globally unique). */
  readonly bucketName: string;
  /** Pulumi project whose stacks the read and write policies cover. @default "platform" */
  readonly project?: string;
  /** Days a replaced or deleted state object version is kept. @default 90 */
  readonly noncurrentVersionDays?: number;
  /** Days the pre-`up` exports under `state-backups/` are kept. @default 365 */
  readonly backupRetentionDays?: number;
  /** Days S3 server access logs are kept. @default 365 */
  readonly accessLogRetentionDays?: number;
  /** Protect the bucket and keys from `pulumi destroy`. @default true */
  readonly protect?: boolean;
}

/** Prefix of the state bucket's server access logs in the log bucket. */
const ACCESS_LOG_PREFIX = "state-bucket/";

export class StateBackend extends pulumi.ComponentResource {
  readonly bucketName: pulumi.Output<string>;
  readonly stateKeyArn: pulumi.Output<string>;
  readonly secretsKeyArn: pulumi.Output<string>;
  readonly accessLogBucketName: pulumi.Output<string>;
  /** `s3://<bucket>?region=<region>`: what `pulumi login` and `PULUMI_BACKEND_URL` take. */
  readonly backendUrl: pulumi.Output<string>;
  /** `awskms://<key-id>?region=<region>`: what `--secrets-provider` takes. */
  readonly secretsProvider: pulumi.Output<string>;
  readonly readPolicyArn: pulumi.Output<string>;
  readonly writePolicyArn: pulumi.Output<string>;

  constructor(name: string, args: StateBackendArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:state:StateBackend", name, {}, opts);
    const { account } = args;
    const protect = args.protect ?? true;
    const child = { parent: this };
    const kept = { parent: this, protect };

    const stateKey = createKmsKey(
      `${name}-state`,
      account,
      { description: `Encrypts the Pulumi state in s3://${args.bucketName}` },
      kept,
    );
    const secretsKey = createKmsKey(
      `${name}-secrets`,
      account,
      { description: "Pulumi secrets provider (awskms://) of the stacks stored in this account" },
      kept,
    );

    // S3 delivers server access logs only to SSE-S3 buckets, and not to the logged bucket itself.
    const logs = secureBucket(
      `${name}-access-logs`,
      {
        bucket: `${args.bucketName}-logs`,
        lifecycleRules: [
          {
            id: "expire-access-logs",
            status: "Enabled",
            filter: { prefix: "" },
            expiration: { days: args.accessLogRetentionDays ?? 365 },
            noncurrentVersionExpiration: { noncurrentDays: 30 },
            abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
          },
        ],
      },
      kept,
    );
    const bucket = secureBucket(
      name,
      {
        bucket: args.bucketName,
        kmsKeyArn: stateKey.arn,
        lifecycleRules: [
          {
            id: "expire-old-state-versions",
            status: "Enabled",
            filter: { prefix: "" },
            noncurrentVersionExpiration: { noncurrentDays: args.noncurrentVersionDays ?? 90 },
            abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
          },
          {
            id: "expire-state-exports",
            status: "Enabled",
            filter: { prefix: `${STATE_BACKUP_PREFIX}/` },
            expiration: { days: args.backupRetentionDays ?? 365 },
          },
        ],
      },
      kept,
    );

    new aws.s3.BucketPolicy(
      `${name}-access-logs`,
      {
        bucket: logs.id,
        policy: policyDocument([
          {
            Sid: "S3ServerAccessLogs",
            Effect: "Allow",
            Principal: { Service: "logging.s3.amazonaws.com" },
            Action: "s3:PutObject",
            Resource: pulumi.interpolate`${logs.arn}/${ACCESS_LOG_PREFIX}*`,
            Condition: {
              ArnLike: { "aws:SourceArn": bucket.arn },
              StringEquals: { "aws:SourceAccount": account.accountId },
            },
          },
          denyInsecureTransport(logs),
        ]),
      },
      child,
    );
    new aws.s3.BucketLogging(
      name,
      { bucket: bucket.id, targetBucket: logs.id, targetPrefix: ACCESS_LOG_PREFIX },
      child,
    );
    new aws.s3.BucketPolicy(
      name,
      {
        bucket: bucket.id,
        policy: policyDocument([
          denyInsecureTransport(bucket),
          {
            // Default encryption applies when a request names none; a request naming another
            // algorithm or key is refused, so every object stays readable only through this key.
            Sid: "DenyOtherEncryption",
            Effect: "Deny",
            Principal: { AWS: "*" },
            Action: "s3:PutObject",
            Resource: pulumi.interpolate`${bucket.arn}/*`,
            Condition: { StringNotEqualsIfExists: { "s3:x-amz-server-side-encryption": "aws:kms" } },
          },
          {
            Sid: "DenyOtherKmsKeys",
            Effect: "Deny",
            Principal: { AWS: "*" },
            Action: "s3:PutObject",
            Resource: pulumi.interpolate`${bucket.arn}/*`,
            Condition: {
              StringNotEqualsIfExists: { "s3:x-amz-server-side-encryption-aws-kms-key-id": stateKey.arn },
            },
          },
        ]),
      },
      child,
    );

    const scope: StateScope = {
      partition: account.partition,
      bucket: bucket.bucket,
      region: account.region,
      stateKeyArn: stateKey.arn,
      project: args.project ?? "platform",
      stack: "*",
    };
    const read = new aws.iam.Policy(
      `${name}-read`,
      {
        path: "/pulumi-state/",
        description: `Read the Pulumi state of project ${scope.project} (previews, drift checks)`,
        policy: policyDocument([
          ...stateReadStatements(scope),
          ...secretsKeyStatements(secretsKey.arn, false),
        ]),
      },
      child,
    );
    const write = new aws.iam.Policy(
      `${name}-write`,
      {
        path: "/pulumi-state/",
        description: `Read and write the Pulumi state of project ${scope.project} (deploys)`,
        policy: policyDocument([
          ...stateWriteStatements(scope),
          ...secretsKeyStatements(secretsKey.arn, true),
        ]),
      },
      child,
    );

    this.bucketName = bucket.bucket;
    this.stateKeyArn = stateKey.arn;
    this.secretsKeyArn = secretsKey.arn;
    this.accessLogBucketName = logs.bucket;
    this.backendUrl = pulumi.interpolate`s3://${bucket.bucket}?region=${account.region}`;
    this.secretsProvider = pulumi.interpolate`awskms://${secretsKey.keyId}?region=${account.region}`;
    this.readPolicyArn = read.arn;
    this.writePolicyArn = write.arn;
    this.registerOutputs({
      bucketName: this.bucketName,
      stateKeyArn: this.stateKeyArn,
      secretsKeyArn: this.secretsKeyArn,
      backendUrl: this.backendUrl,
      secretsProvider: this.secretsProvider,
    });
  }
}
