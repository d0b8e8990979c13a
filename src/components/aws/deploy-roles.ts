/**
 * GitHub OIDC → AWS for one stack: the account's `token.actions.githubusercontent.com` provider
 * (or an existing one) and two roles whose trust pins `aud` and `sub`:
 *
 * - deploy: `repo:<owner>/<repo>:environment:<env>` — only jobs bound to this stack's environment
 *   (and so to its reviewers and branch policy) can assume it. It may manage the services this
 *   program uses in this account and region, IAM roles under the stack's role path only, push to
 *   the stack's own ECR repositories, and read/write this stack's state objects.
 * - preview: `repo:<owner>/<repo>:environment:preview` — read-only, for pull-request previews and
 *   drift detection; it reads this stack's state but cannot write it.
 */
import * as aws from "../../lib/aws";
import * as pulumi from "@pulumi/pulumi";
import { policyDocument, Statement } from "../../lib/iam";
import { AccountContext } from "../../lib/kms";
import { rolePath } from "../../lib/naming";
import {
  secretsKeyStatements,
  StateScope,
  stateReadStatements,
  stateWriteStatements,
} from "../../lib/state-access";

export const GITHUB_OIDC_HOST = "token.actions.githubusercontent.com";

export interface DeployRolesArgs {
  /** GitHub owner and repository whose workflows may assume the roles. */
  readonly owner: string;
  readonly repository: string;
  /** GitHub environment of this stack (`development`, `staging`, `production`). */
  readonly environment: string;
  /** Environment the preview and drift jobs run in. @default "preview" */
  readonly previewEnvironment?: string;
  /** An existing GitHub OIDC provider in the account. @default a new provider */
  readonly oidcProviderArn?: string;
  /** ECR repositories the deploy role may push to (this stack's). @default [] */
  readonly repositoryArns?: pulumi.Input<string>[];
  /** S3 backend of the Pulumi state; both roles get this stack's objects only. @default none (Pulumi Cloud) */
  readonly stateBackend?: { readonly bucket: string; readonly region: string; readonly stateKeyArn: string };
  /** KMS key of the `awskms://` secrets provider. @default none (passphrase or Pulumi Cloud) */
  readonly secretsKeyArn?: string;
  readonly account: AccountContext;
}

/** Services whose resources this program creates; the deploy role manages them in its account and region only. */
const MANAGED_SERVICES = [
  "ec2",
  "eks",
  "ecs",
  "elasticloadbalancing",
  "logs",
  "application-autoscaling",
  "autoscaling",
  "ecr",
  "s3",
  "kms",
];

export function githubTrust(providerArn: pulumi.Input<string>, subject: string): pulumi.Output<string> {
  return policyDocument([
    {
      Effect: "Allow",
      Principal: { Federated: providerArn },
      Action: "sts:AssumeRoleWithWebIdentity",
      Condition: {
        StringEquals: {
          [`${GITHUB_OIDC_HOST}:aud`]: "sts.amazonaws.com",
          [`${GITHUB_OIDC_HOST}:sub`]: subject,
        },
      },
    },
  ]);
}

export class DeployRoles extends pulumi.ComponentResource {
  readonly oidcProviderArn: pulumi.Output<string>;
  readonly deployRoleArn: pulumi.Output<string>;
  readonly previewRoleArn: pulumi.Output<string>;

  constructor(name: string, args: DeployRolesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:delivery:DeployRoles", name, {}, opts);
    const { partition, accountId, region } = args.account;
    const repo = `${args.owner}/${args.repository}`;

    this.oidcProviderArn = args.oidcProviderArn
      ? pulumi.output(args.oidcProviderArn)
      : new aws.iam.OpenIdConnectProvider(
          `${name}-github-oidc`,
          { url: `https://${GITHUB_OIDC_HOST}`, clientIdLists: ["sts.amazonaws.com"] },
          { parent: this },
        ).arn;

    const ciPath = `/${pulumi.getProject()}-ci/`;
    const deploy = new aws.iam.Role(
      `${name}-deploy`,
      {
        path: ciPath,
        description: `Deploys stack ${pulumi.getStack()} from GitHub environment ${args.environment} of ${repo}`,
        assumeRolePolicy: githubTrust(this.oidcProviderArn, `repo:${repo}:environment:${args.environment}`),
        maxSessionDuration: 3600,
      },
      { parent: this },
    );
    const preview = new aws.iam.Role(
      `${name}-preview`,
      {
        path: ciPath,
        description: `Read-only previews of stack ${pulumi.getStack()} for ${repo}`,
        assumeRolePolicy: githubTrust(
          this.oidcProviderArn,
          `repo:${repo}:environment:${args.previewEnvironment ?? "preview"}`,
        ),
        maxSessionDuration: 3600,
      },
      { parent: this },
    );

    const inAccount = (service: string) =>
      pulumi.interpolate`arn:${partition}:${service}:${region}:${accountId}:*`;
    const stateScope: StateScope | undefined = args.stateBackend && {
      partition,
      bucket: args.stateBackend.bucket,
      region: args.stateBackend.region,
      stateKeyArn: args.stateBackend.stateKeyArn,
      project: pulumi.getProject(),
      stack: pulumi.getStack(),
    };
    const stateStatements = (write: boolean): Statement[] => [
      ...(stateScope ? (write ? stateWriteStatements(stateScope) : stateReadStatements(stateScope)) : []),
      ...(args.secretsKeyArn ? secretsKeyStatements(args.secretsKeyArn, write) : []),
    ];

    new aws.iam.RolePolicy(
      `${name}-deploy`,
      {
        role: deploy.name,
        policy: policyDocument([
          {
            Sid: "Identity",
            Effect: "Allow",
            Action: ["sts:GetCallerIdentity", "ecr:GetAuthorizationToken", "ec2:DescribeAvailabilityZones"],
            Resource: "*",
          },
          {
            Sid: "StackServices",
            Effect: "Allow",
            Action: MANAGED_SERVICES.filter((s) => s !== "ecr" && s !== "s3" && s !== "kms").map(
              (s) => `${s}:*`,
            ),
            Resource: MANAGED_SERVICES.filter((s) => s !== "ecr" && s !== "s3" && s !== "kms").map(inAccount),
          },
          {
            Sid: "StackKeys",
            Effect: "Allow",
            Action: [
              "kms:CreateKey",
              "kms:DescribeKey",
              "kms:GetKeyPolicy",
              "kms:PutKeyPolicy",
              "kms:GetKeyRotationStatus",
              "kms:EnableKeyRotation",
              "kms:TagResource",
              "kms:ListResourceTags",
              "kms:ScheduleKeyDeletion",
              "kms:CreateAlias",
              "kms:DeleteAlias",
              "kms:Encrypt",
              "kms:Decrypt",
              "kms:GenerateDataKey",
            ],
            Resource: inAccount("kms"),
          },
          {
            Sid: "StackRoles",
            Effect: "Allow",
            Action: [
              "iam:CreateRole",
              "iam:DeleteRole",
              "iam:GetRole",
              "iam:TagRole",
              "iam:UntagRole",
              "iam:UpdateRole",
              "iam:PutRolePolicy",
              "iam:GetRolePolicy",
              "iam:DeleteRolePolicy",
              "iam:ListRolePolicies",
              "iam:ListAttachedRolePolicies",
              "iam:AttachRolePolicy",
              "iam:DetachRolePolicy",
              "iam:UpdateAssumeRolePolicy",
              "iam:ListInstanceProfilesForRole",
            ],
            Resource: pulumi.interpolate`arn:${partition}:iam::${accountId}:role${rolePath()}*`,
          },
          {
            Sid: "PassStackRoles",
            Effect: "Allow",
            Action: "iam:PassRole",
            Resource: pulumi.interpolate`arn:${partition}:iam::${accountId}:role${rolePath()}*`,
            Condition: {
              StringEquals: {
                "iam:PassedToService": [
                  "eks.amazonaws.com",
                  "ec2.amazonaws.com",
                  "ecs-tasks.amazonaws.com",
                  "vpc-flow-logs.amazonaws.com",
                ],
              },
            },
          },
          ...(args.repositoryArns?.length
            ? [
                {
                  Sid: "PushOwnRepositories",
                  Effect: "Allow" as const,
                  Action: [
                    "ecr:BatchCheckLayerAvailability",
                    "ecr:InitiateLayerUpload",
                    "ecr:UploadLayerPart",
                    "ecr:CompleteLayerUpload",
                    "ecr:PutImage",
                    "ecr:BatchGetImage",
                    "ecr:GetDownloadUrlForLayer",
                    "ecr:DescribeImages",
                  ],
                  Resource: args.repositoryArns,
                },
              ]
            : []),
          ...stateStatements(true),
        ]),
      },
      { parent: this },
    );
    new aws.iam.RolePolicy(
      `${name}-preview`,
      {
        role: preview.name,
        policy: policyDocument([
          {
            Sid: "ReadOnly",
            Effect: "Allow",
            Action: [
              "sts:GetCallerIdentity",
              ...MANAGED_SERVICES.flatMap((s) => [`${s}:Describe*`, `${s}:List*`]),
              "iam:GetRole",
              "iam:GetRolePolicy",
              "iam:ListRolePolicies",
              "iam:ListAttachedRolePolicies",
              "iam:GetOpenIDConnectProvider",
              "kms:GetKeyPolicy",
              "kms:GetKeyRotationStatus",
              "s3:GetBucket*",
              "s3:GetEncryptionConfiguration",
              "s3:GetLifecycleConfiguration",
              "ecr:GetLifecyclePolicy",
              "ecr:GetRepositoryPolicy",
              "logs:ListTagsForResource",
            ],
            Resource: "*",
          },
          ...stateStatements(false),
        ]),
      },
      { parent: this },
    );

    this.deployRoleArn = deploy.arn;
    this.previewRoleArn = preview.arn;
    this.registerOutputs({
      oidcProviderArn: this.oidcProviderArn,
      deployRoleArn: this.deployRoleArn,
      previewRoleArn: this.previewRoleArn,
    });
  }
}
