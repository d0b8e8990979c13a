/**
 * Customer-managed KMS keys with rotation and a key policy that lets the AWS services which use
 * them (CloudWatch Logs, EKS, ECR) encrypt on the account's behalf. Without the logs statement a
 * log group with `kmsKeyId` fails to create on real AWS.
 */
import * as aws from "./aws";
import * as pulumi from "@pulumi/pulumi";
import { policyDocument, Statement } from "./iam";
import { physicalName } from "./naming";

export interface AccountContext {
  readonly accountId: pulumi.Input<string>;
  readonly region: pulumi.Input<string>;
  readonly partition: pulumi.Input<string>;
}

export interface KmsKeyOptions {
  readonly description: string;
  /** Allow CloudWatch Logs in this region to use the key for log groups of this account. */
  readonly allowCloudWatchLogs?: boolean;
  /** Further key policy statements, e.g. a service that encrypts for a resource using the key. @default [] */
  readonly extraStatements?: readonly Statement[];
}

export function createKmsKey(
  name: string,
  account: AccountContext,
  options: KmsKeyOptions,
  opts: pulumi.CustomResourceOptions,
): aws.kms.Key {
  const statements: Statement[] = [
    {
      Sid: "AccountAdministers",
      Effect: "Allow",
      Principal: { AWS: pulumi.interpolate`arn:${account.partition}:iam::${account.accountId}:root` },
      Action: "kms:*",
      Resource: "*",
    },
  ];
  if (options.allowCloudWatchLogs) {
    statements.push({
      Sid: "CloudWatchLogsEncrypt",
      Effect: "Allow",
      Principal: { Service: pulumi.interpolate`logs.${account.region}.amazonaws.com` },
      Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
      Resource: "*",
      Condition: {
        ArnLike: {
          "kms:EncryptionContext:aws:logs:arn": pulumi.interpolate`arn:${account.partition}:logs:${account.region}:${account.accountId}:log-group:*`,
        },
      },
    });
  }
  statements.push(...(options.extraStatements ?? []));
  const key = new aws.kms.Key(
    name,
    {
      description: options.description,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      policy: policyDocument(statements),
    },
    opts,
  );
  new aws.kms.Alias(`${name}-alias`, { name: `alias/${physicalName(name)}`, targetKeyId: key.keyId }, opts);
  return key;
}
