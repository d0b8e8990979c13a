/**
 * S3 buckets with every baseline control on: all public access blocked, ACLs off (bucket owner
 * enforced), default encryption, versioning and a lifecycle. Callers add the bucket policy, which
 * is where buckets differ (who may write), and start it with `denyInsecureTransport`.
 */
import * as aws from "./aws";
import * as pulumi from "@pulumi/pulumi";
import { Statement } from "./iam";

export interface SecureBucketArgs {
  /** Exact bucket name. @default a name generated from `bucketPrefix` */
  readonly bucket?: pulumi.Input<string>;
  /** Prefix of a generated name, when `bucket` is unset. */
  readonly bucketPrefix?: pulumi.Input<string>;
  /**
   * SSE-KMS with this key (and S3 Bucket Keys, which cut KMS calls). Unset uses SSE-S3, which
   * is what ALB access logs and S3 server access logs require of their target bucket.
   * @default SSE-S3 (AES256)
   */
  readonly kmsKeyArn?: pulumi.Input<string>;
  /** Lifecycle rules (expiry of logs, of noncurrent versions, of incomplete uploads). */
  readonly lifecycleRules: pulumi.Input<aws.types.input.s3.BucketLifecycleConfigurationRule>[];
}

export function secureBucket(
  name: string,
  args: SecureBucketArgs,
  opts: pulumi.CustomResourceOptions,
): aws.s3.Bucket {
  const bucket = new aws.s3.Bucket(
    name,
    args.bucket ? { bucket: args.bucket } : { bucketPrefix: args.bucketPrefix },
    opts,
  );
  // Sidecars are not protected even when the bucket is: they can be recreated without data loss.
  const sidecar = { ...opts, protect: false };
  new aws.s3.BucketPublicAccessBlock(
    name,
    {
      bucket: bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    },
    sidecar,
  );
  new aws.s3.BucketOwnershipControls(
    name,
    { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } },
    sidecar,
  );
  new aws.s3.BucketServerSideEncryptionConfiguration(
    name,
    {
      bucket: bucket.id,
      rules: [
        args.kmsKeyArn
          ? {
              applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: args.kmsKeyArn },
              bucketKeyEnabled: true,
            }
          : { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
      ],
    },
    sidecar,
  );
  new aws.s3.BucketVersioning(
    name,
    { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } },
    sidecar,
  );
  new aws.s3.BucketLifecycleConfiguration(name, { bucket: bucket.id, rules: args.lifecycleRules }, sidecar);
  return bucket;
}

/** The statement every bucket policy here starts with (FSBP S3.5). */
export function denyInsecureTransport(bucket: aws.s3.Bucket): Statement {
  return {
    Sid: "DenyInsecureTransport",
    Effect: "Deny",
    Principal: { AWS: "*" },
    Action: "s3:*",
    Resource: [bucket.arn, pulumi.interpolate`${bucket.arn}/*`],
    Condition: { Bool: { "aws:SecureTransport": "false" } },
  };
}

/**
 * Lifecycle of an access-log bucket: logs expire after the retention, replaced versions after 30
 * days, and uploads a log writer abandoned after 7.
 */
export function accessLogLifecycleRules(retentionDays: number) {
  return [
    {
      id: "expire-access-logs",
      status: "Enabled",
      filter: { prefix: "" },
      expiration: { days: retentionDays },
      noncurrentVersionExpiration: { noncurrentDays: 30 },
      abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
    },
  ];
}
