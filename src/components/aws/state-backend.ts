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
import { denyInsecureTransport, secureBucket, accessLogLifecycleRules } from "../../lib/bucket";
import { policyDocument, Statement } from "../../lib/iam";
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
  /** Pulumi project whose stacks the read and write policies cover. */
  readonly project: string;
  /** Days a replaced or deleted state object version is kept. */
  readonly noncurrentVersionDays: number;
  /** Days the pre-`up` exports under `state-backups/` are kept. */
  readonly backupRetentionDays: number;
  /** Days S3 server access logs are kept. */
  readonly accessLogRetentionDays: number;
  /** Protect the bucket and keys from `pulumi destroy`. */
  readonly protect: boolean;
}

/** Prefix of the state bucket's server access logs in the log bucket. */
export const ACCESS_LOG_PREFIX = "state-bucket/";

/** State bucket lifecycle: every version kept for `noncurrentVersionDays`, state exports for `backupRetentionDays`. */
export function stateBucketLifecycleRules(noncurrentVersionDays: number, backupRetentionDays: number) {
  return [
    {
      id: "expire-old-state-versions",
      status: "Enabled",
      filter: { prefix: "" },
      noncurrentVersionExpiration: { noncurrentDays: noncurrentVersionDays },
      abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
    },
    {
      id: "expire-state-exports",
      status: "Enabled",
      filter: { prefix: `${STATE_BACKUP_PREFIX}/` },
      expiration: { days: backupRetentionDays },
    },
  ];
}

/** The log bucket's policy: S3 logging may write the state bucket's logs, from this account only; TLS only. */
export function accessLogBucketStatements(
  logs: aws.s3.Bucket,
  stateBucketArn: pulumi.Input<string>,
  accountId: pulumi.Input<string>,
): Statement[] {
  return [
    {
      Sid: "S3ServerAccessLogs",
      Effect: "Allow",
      Principal: { Service: "logging.s3.amazonaws.com" },
      Action: "s3:PutObject",
      Resource: pulumi.interpolate`${logs.arn}/${ACCESS_LOG_PREFIX}*`,
      Condition: {
        ArnLike: { "aws:SourceArn": stateBucketArn },
        StringEquals: { "aws:SourceAccount": accountId },
      },
    },
    denyInsecureTransport(logs),
  ];
}

/** The state bucket's policy: TLS only, and every object encrypted with the state key and nothing else. */
export function stateBucketStatements(bucket: aws.s3.Bucket, stateKeyArn: pulumi.Input<string>): Statement[] {
  return [
    denyInsecureTransport(bucket),
    {
      // Default encryption applies when a request names none; a request naming another
      // algorithm or key is refused, so every object stays readable only through this key.
      Sid: "DenyOtherEncryption",
      Effect: "Deny",
      Principal: { AWS: "*" },
      Action: "s3:PutObject",
      Resource: pulumi.interpolate`${bucket.arn}/*`,
      // Not `…IfExists`: that evaluates true when the header is absent and would refuse every
      // write of the CLI, which names no encryption. `Null: false` limits the deny to requests
      // that do name one.
      Condition: {
        StringNotEquals: { "s3:x-amz-server-side-encryption": "aws:kms" },
        Null: { "s3:x-amz-server-side-encryption": "false" },
      },
    },
    {
      Sid: "DenyOtherKmsKeys",
      Effect: "Deny",
      Principal: { AWS: "*" },
      Action: "s3:PutObject",
      Resource: pulumi.interpolate`${bucket.arn}/*`,
      Condition: {
        StringNotEquals: { "s3:x-amz-server-side-encryption-aws-kms-key-id": stateKeyArn },
        Null: { "s3:x-amz-server-side-encryption-aws-kms-key-id": "false" },
      },
    },
  ];
}

/** The state key (encrypts the bucket) and the secrets key (`awskms://` provider). */
export function createStateKeys(
  name: string,
  args: Pick<StateBackendArgs, "account" | "bucketName" | "protect">,
  parent: pulumi.Resource,
): { stateKey: aws.kms.Key; secretsKey: aws.kms.Key } {
  const kept = { parent, protect: args.protect };
  const stateKey = createKmsKey(
    `${name}-state`,
    args.account,
    { description: `Encrypts the Pulumi state in s3://${args.bucketName}` },
    kept,
  );
  const secretsKey = createKmsKey(
    `${name}-secrets`,
    args.account,
    { description: "Pulumi secrets provider (awskms://) of the stacks stored in this account" },
    kept,
  );
  return { stateKey, secretsKey };
}

/** The state bucket (SSE-KMS with the state key, versioned) logging to its own access-log bucket. */
export function createStateBuckets(
  name: string,
  args: StateBackendArgs,
  stateKey: aws.kms.Key,
  parent: pulumi.Resource,
): { bucket: aws.s3.Bucket; logs: aws.s3.Bucket } {
  const kept = { parent, protect: args.protect };
  // S3 delivers server access logs only to SSE-S3 buckets, and not to the logged bucket itself.
  const logs = secureBucket(
    `${name}-access-logs`,
    {
      bucket: `${args.bucketName}-logs`,
      lifecycleRules: accessLogLifecycleRules(args.accessLogRetentionDays),
    },
    kept,
  );
  const bucket = secureBucket(
    name,
    {
      bucket: args.bucketName,
      kmsKeyArn: stateKey.arn,
      lifecycleRules: stateBucketLifecycleRules(args.noncurrentVersionDays, args.backupRetentionDays),
    },
    kept,
  );
  new aws.s3.BucketPolicy(
    `${name}-access-logs`,
    {
      bucket: logs.id,
      policy: policyDocument(accessLogBucketStatements(logs, bucket.arn, args.account.accountId)),
    },
    { parent },
  );
  new aws.s3.BucketLogging(
    name,
    { bucket: bucket.id, targetBucket: logs.id, targetPrefix: ACCESS_LOG_PREFIX },
    { parent },
  );
  new aws.s3.BucketPolicy(
    name,
    { bucket: bucket.id, policy: policyDocument(stateBucketStatements(bucket, stateKey.arn)) },
    { parent },
  );
  return { bucket, logs };
}

/** Managed policies reading (previews, drift) and writing (deploys) the state of every stack of one project. */
export function createStatePolicies(
  name: string,
  scope: StateScope,
  secretsKeyArn: pulumi.Input<string>,
  parent: pulumi.Resource,
): { read: aws.iam.Policy; write: aws.iam.Policy } {
  const policy = (suffix: string, description: string, statements: Statement[]) =>
    new aws.iam.Policy(
      `${name}-${suffix}`,
      { path: "/pulumi-state/", description, policy: policyDocument(statements) },
      { parent },
    );
  const read = policy("read", `Read the Pulumi state of project ${scope.project} (previews, drift checks)`, [
    ...stateReadStatements(scope),
    ...secretsKeyStatements(secretsKeyArn, false),
  ]);
  const write = policy("write", `Read and write the Pulumi state of project ${scope.project} (deploys)`, [
    ...stateWriteStatements(scope),
    ...secretsKeyStatements(secretsKeyArn, true),
  ]);
  return { read, write };
}

/**
 * `.pulumi/meta.yaml` as the CLI writes it on a bucket's first login. The CI roles may read it but
 * not write it, so the bucket gets it here, from whoever runs the bootstrap.
 */
export const BACKEND_META = { key: ".pulumi/meta.yaml", content: "version: 1\n" } as const;

/** The backend's marker object, so a CI role's first `pulumi login` has nothing to write. */
export function createBackendMeta(
  name: string,
  bucket: aws.s3.Bucket,
  stateKey: aws.kms.Key,
  parent: pulumi.Resource,
): void {
  new aws.s3.BucketObjectv2(
    `${name}-meta`,
    {
      bucket: bucket.id,
      key: BACKEND_META.key,
      content: BACKEND_META.content,
      contentType: "text/yaml",
      // Named explicitly: the bucket's default encryption may not be in place yet.
      serverSideEncryption: "aws:kms",
      kmsKeyId: stateKey.arn,
    },
    { parent },
  );
}

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
    const { stateKey, secretsKey } = createStateKeys(name, args, this);
    const { bucket, logs } = createStateBuckets(name, args, stateKey, this);
    createBackendMeta(name, bucket, stateKey, this);
    const { read, write } = createStatePolicies(
      name,
      {
        partition: account.partition,
        bucket: bucket.bucket,
        region: account.region,
        stateKeyArn: stateKey.arn,
        project: args.project,
        stack: "*",
      },
      secretsKey.arn,
      this,
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
