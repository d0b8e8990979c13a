/**
 * IAM statements for Pulumi's S3 ("DIY") backend, scoped to the objects the CLI touches for one
 * project's stacks (see the backend's layout: `.pulumi/meta.yaml`, then per project and stack
 * `stacks/<p>/<s>.json[.bak]`, `locks/organization/<p>/<s>/` (locks take the fully qualified
 * stack name, `organization` on a DIY backend), `history/<p>/<s>/`, `backups/<p>/<s>/`).
 *
 * Reading is what `pulumi preview` and a refresh-preview do: a preview takes no lock and writes
 * no history. Writing adds the lock, the checkpoint, history and the backups the CLI keeps, plus
 * the `state-backups/` prefix CI exports to before every `up`.
 *
 * The bootstrap program grants these for every stack of the project (`stack: "*"`); the deploy
 * roles of one stack get them for that stack only.
 */
import * as pulumi from "@pulumi/pulumi";
import { Statement } from "./iam";

export interface StateScope {
  readonly partition: pulumi.Input<string>;
  /** State bucket name. */
  readonly bucket: pulumi.Input<string>;
  /** Region of the bucket (S3 calls KMS from there). */
  readonly region: pulumi.Input<string>;
  /** Key the bucket encrypts objects with. */
  readonly stateKeyArn: pulumi.Input<string>;
  /** Pulumi project whose stacks are in scope. */
  readonly project: string;
  /** One stack, or `*` for every stack of the project. */
  readonly stack: string;
}

/** Prefix, inside the bucket, of the state exports CI takes before `pulumi up`. */
export const STATE_BACKUP_PREFIX = "state-backups";

/** `state-backups/<project>/<stack>`: where one stack's pre-`up` exports go. */
export const stateBackupPrefix = (project: string, stack: string) =>
  `${STATE_BACKUP_PREFIX}/${project}/${stack}`;

function objectArns(scope: StateScope, write: boolean): pulumi.Output<string>[] {
  const base = pulumi.interpolate`arn:${scope.partition}:s3:::${scope.bucket}`;
  const { project: p, stack: s } = scope;
  const keys = [
    `.pulumi/stacks/${p}/${s === "*" ? "*" : `${s}.json*`}`,
    `.pulumi/history/${p}/${s}/*`,
    ...(write
      ? [
          `.pulumi/locks/organization/${p}/${s}/*`,
          `.pulumi/backups/${p}/${s}/*`,
          `${stateBackupPrefix(p, s)}/*`,
        ]
      : []),
  ];
  return keys.map((k) => pulumi.interpolate`${base}/${k}`);
}

/** Read this scope's state: list the bucket, get checkpoints and history, decrypt through S3. */
export function stateReadStatements(scope: StateScope): Statement[] {
  const bucketArn = pulumi.interpolate`arn:${scope.partition}:s3:::${scope.bucket}`;
  return [
    { Sid: "StateList", Effect: "Allow", Action: "s3:ListBucket", Resource: bucketArn },
    {
      Sid: "StateRead",
      Effect: "Allow",
      Action: "s3:GetObject",
      Resource: [pulumi.interpolate`${bucketArn}/.pulumi/meta.yaml`, ...objectArns(scope, false)],
    },
    {
      Sid: "StateKeyDecrypt",
      Effect: "Allow",
      Action: "kms:Decrypt",
      Resource: scope.stateKeyArn,
      Condition: { StringEquals: { "kms:ViaService": pulumi.interpolate`s3.${scope.region}.amazonaws.com` } },
    },
  ];
}

/** Read and write this scope's state: lock, checkpoint, history, backups and CI's exports. */
export function stateWriteStatements(scope: StateScope): Statement[] {
  const bucketArn = pulumi.interpolate`arn:${scope.partition}:s3:::${scope.bucket}`;
  return [
    { Sid: "StateList", Effect: "Allow", Action: "s3:ListBucket", Resource: bucketArn },
    {
      Sid: "StateReadMeta",
      Effect: "Allow",
      Action: "s3:GetObject",
      Resource: pulumi.interpolate`${bucketArn}/.pulumi/meta.yaml`,
    },
    {
      Sid: "StateReadWrite",
      Effect: "Allow",
      Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
      Resource: objectArns(scope, true),
    },
    {
      Sid: "StateKeyUse",
      Effect: "Allow",
      Action: ["kms:Decrypt", "kms:GenerateDataKey"],
      Resource: scope.stateKeyArn,
      Condition: { StringEquals: { "kms:ViaService": pulumi.interpolate`s3.${scope.region}.amazonaws.com` } },
    },
  ];
}

/**
 * The `awskms://` secrets provider calls KMS directly (no S3 in between): decrypting the stack's
 * data key is enough to read secrets; creating a stack encrypts a new one.
 */
export function secretsKeyStatements(keyArn: pulumi.Input<string>, write: boolean): Statement[] {
  return [
    {
      Sid: write ? "SecretsKeyUse" : "SecretsKeyDecrypt",
      Effect: "Allow",
      Action: write ? ["kms:Decrypt", "kms:Encrypt"] : "kms:Decrypt",
      Resource: keyArn,
    },
  ];
}
