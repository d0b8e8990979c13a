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
import { APPS_PROJECT } from "../../config/applications";
import { policyDocument, Statement } from "../../lib/iam";
import { AccountContext } from "../../lib/kms";
import { ciRolePath, rolePath } from "../../lib/naming";
import { PULL_ACTIONS } from "./registry";
import { DELIVERY_METRICS_NAMESPACE } from "./alarms";
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
  /** GitHub environment the preview and drift jobs run in. */
  readonly previewEnvironment: string;
  /** An existing GitHub OIDC provider in the account; absent creates one. */
  readonly oidcProviderArn?: string;
  /** ECR repositories the deploy role may push to (this stack's); empty for none. */
  readonly repositoryArns: pulumi.Input<string>[];
  /**
   * ECR repositories of the stack this one copies its images from (production: staging's, often
   * in another account, whose repository policy must grant this role too); pull only. @default []
   */
  readonly sourceRepositoryArns?: pulumi.Input<string>[];
  /** S3 backend of the Pulumi state; both roles get this stack's objects only. Absent on Pulumi Cloud. */
  readonly stateBackend?: { readonly bucket: string; readonly region: string; readonly stateKeyArn: string };
  /** KMS key of the `awskms://` secrets provider; absent with a passphrase or Pulumi Cloud. */
  readonly secretsKeyArn?: string;
  /**
   * The application stacks of this environment (the `apps` project), whose state the roles get
   * beside the platform stack's: the deploy role writes them, the preview role reads them.
   * @default []
   */
  readonly applicationStacks?: readonly string[];
  /**
   * Secrets holding the database URLs of the services that migrate: the deploy job reads them
   * before migrating (db-migrate). @default []
   */
  readonly migrationSecretArns?: readonly string[];
  /**
   * Secrets the program itself reads while it runs (the PagerDuty integration key of the alarm
   * topic's subscription): both roles read them, since a preview runs the same lookup. @default []
   */
  readonly programSecretArns?: readonly string[];
  readonly account: AccountContext;
  /** The zone holding the stack's service records: the deploy role changes A records under the domain there. */
  readonly hostedZone?: HostedZoneScope;
}

/** A Route 53 zone and the domain inside it whose records a stack manages. */
export interface HostedZoneScope {
  readonly id: string;
  readonly domain: string;
}

/** Services whose resources this program creates; the deploy role manages them in its account and region only. */
export const MANAGED_SERVICES = [
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
  "codebuild",
  "wafv2",
  // The alarms and the alarm topic (src/components/aws/alarms.ts).
  "cloudwatch",
  "sns",
];

/** Services the deploy role gets `<service>:*` on (in its account and region); ecr, s3 and kms are granted narrowly. */
export const FULLY_MANAGED_SERVICES = MANAGED_SERVICES.filter(
  (s) => s !== "ecr" && s !== "s3" && s !== "kms",
);

/** One session of a CI role: an hour, the IAM minimum and the default. */
export const CI_SESSION_SECONDS = 3600;

/** KMS actions on the stack's own keys: create, configure, rotate, alias, use. */
export const STACK_KEY_ACTIONS = [
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
];

/** IAM actions on the roles under the stack's role path (never on the CI roles themselves). */
export const STACK_ROLE_ACTIONS = [
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
];

/** Managing the boundary policies under the stack's role path. */
export const STACK_BOUNDARY_ACTIONS = [
  "iam:CreatePolicy",
  "iam:DeletePolicy",
  "iam:GetPolicy",
  "iam:GetPolicyVersion",
  "iam:CreatePolicyVersion",
  "iam:DeletePolicyVersion",
  "iam:ListPolicyVersions",
  "iam:TagPolicy",
  "iam:UntagPolicy",
];

/** Services the stack's roles may be passed to. */
export const PASS_ROLE_SERVICES = [
  "eks.amazonaws.com",
  "ec2.amazonaws.com",
  "ecs-tasks.amazonaws.com",
  // An ECS blue/green service's role, with which ECS moves its listener rules.
  "ecs.amazonaws.com",
  "vpc-flow-logs.amazonaws.com",
  "codebuild.amazonaws.com",
  "chatbot.amazonaws.com",
];

/** ECR actions the deploy role may use on this stack's repositories: push and read back. */
export const PUSH_ACTIONS = [
  "ecr:BatchCheckLayerAvailability",
  "ecr:InitiateLayerUpload",
  "ecr:UploadLayerPart",
  "ecr:CompleteLayerUpload",
  "ecr:PutImage",
  "ecr:BatchGetImage",
  "ecr:GetDownloadUrlForLayer",
  "ecr:DescribeImages",
];

/** The read-only actions of the preview role (on any resource): describe, list and get, nothing else. */
export const PREVIEW_ACTIONS = [
  "sts:GetCallerIdentity",
  ...MANAGED_SERVICES.flatMap((s) => [`${s}:Describe*`, `${s}:List*`]),
  // WAFv2 reads its web ACLs and their associations with Get*, not Describe*.
  "wafv2:GetWebACL",
  "wafv2:GetWebACLForResource",
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
  "route53:GetHostedZone",
  "route53:ListResourceRecordSets",
  "route53:GetChange",
  "codebuild:BatchGetProjects",
  "sns:GetTopicAttributes",
  "sns:GetSubscriptionAttributes",
  "chatbot:DescribeSlackChannelConfigurations",
  "chatbot:ListTagsForResource",
];

/**
 * What creating the CI runners' CodeBuild project and webhook takes of the account's GitHub
 * connections (CodeConnections, formerly CodeStar Connections): passing one to CodeBuild and using
 * it to register the webhook. Connections are created by a person in the console, never here.
 */
export const CONNECTION_ACTIONS = ["codeconnections", "codestar-connections"].flatMap((service) =>
  ["GetConnection", "PassConnection", "UseConnection"].map((action) => `${service}:${action}`),
);

/** The `sub` claim of jobs bound to one GitHub environment of one repository (no wildcard). */
export function githubSubject(owner: string, repository: string, environment: string): string {
  return `repo:${owner}/${repository}:environment:${environment}`;
}

/** The trust statement of a CI role: the GitHub OIDC provider, audience STS, exactly this subject. */
export function githubTrustStatement(providerArn: pulumi.Input<string>, subject: string): Statement {
  return {
    Effect: "Allow",
    Principal: { Federated: providerArn },
    Action: "sts:AssumeRoleWithWebIdentity",
    Condition: {
      StringEquals: {
        [`${GITHUB_OIDC_HOST}:aud`]: "sts.amazonaws.com",
        [`${GITHUB_OIDC_HOST}:sub`]: subject,
      },
    },
  };
}

export function githubTrust(providerArn: pulumi.Input<string>, subject: string): pulumi.Output<string> {
  return policyDocument([githubTrustStatement(providerArn, subject)]);
}

export { ciRolePath };

/** Where the deploy role acts: its account and region, its stack's role path, its repositories and state. */
export interface DeployScope {
  readonly partition: pulumi.Input<string>;
  readonly accountId: pulumi.Input<string>;
  readonly region: pulumi.Input<string>;
  /** IAM path of the roles the stack's components create (see `rolePath`). */
  readonly rolePath: string;
  /** `<project>-<stack>`: the prefix of the stack's ECR repositories and S3 buckets. */
  readonly namePrefix: string;
  readonly repositoryArns: pulumi.Input<string>[];
  /** Repositories of the stack this one copies images from: pull only. */
  readonly sourceRepositoryArns: pulumi.Input<string>[];
  /** The state and secrets-key statements of this stack (read-write). */
  readonly stateStatements: Statement[];
  /** Secrets of the migrating services' database URLs: read only. @default [] */
  readonly migrationSecretArns?: readonly string[];
  /** Secrets the program reads while it runs (see DeployRolesArgs): read only. @default [] */
  readonly programSecretArns?: readonly string[];
  /** The zone of the stack's service records; none when the stack has no `dns`. */
  readonly hostedZone?: HostedZoneScope;
}

/**
 * Route 53 for the stack's service records: read the zone and its records, and change only
 * alias A records named `<service>.<domain>` in it (the record-name and type condition keys).
 */
export function hostedZoneStatements(partition: pulumi.Input<string>, zone: HostedZoneScope): Statement[] {
  const hostedZone = pulumi.interpolate`arn:${partition}:route53:::hostedzone/${zone.id}`;
  return [
    {
      Sid: "ReadStackZone",
      Effect: "Allow",
      Action: ["route53:GetHostedZone", "route53:ListResourceRecordSets"],
      Resource: hostedZone,
    },
    {
      Sid: "ChangeServiceRecords",
      Effect: "Allow",
      Action: "route53:ChangeResourceRecordSets",
      Resource: hostedZone,
      Condition: {
        "ForAllValues:StringLike": {
          "route53:ChangeResourceRecordSetsNormalizedRecordNames": `*.${zone.domain}`,
        },
        "ForAllValues:StringEquals": { "route53:ChangeResourceRecordSetsRecordTypes": "A" },
      },
    },
    // A change's id is only known once made; GetChange has no narrower resource.
    {
      Sid: "FollowRecordChanges",
      Effect: "Allow",
      Action: "route53:GetChange",
      Resource: pulumi.interpolate`arn:${partition}:route53:::change/*`,
    },
  ];
}

/**
 * The metric gate reads CloudWatch (GetMetricData has no resource-level permissions) and the
 * pipelines count their failed runs under one namespace (PutMetricData, conditioned on it).
 */
export function metricStatements(namespace: string): Statement[] {
  return [
    { Sid: "ReadMetrics", Effect: "Allow", Action: "cloudwatch:GetMetricData", Resource: "*" },
    {
      Sid: "PublishDeliveryMetrics",
      Effect: "Allow",
      Action: "cloudwatch:PutMetricData",
      Resource: "*",
      Condition: { StringEquals: { "cloudwatch:namespace": namespace } },
    },
  ];
}

/**
 * AWS Chatbot on the stack's own Slack channel configurations (`<project>-<stack>-…`; Chatbot
 * ARNs carry no region). Creating one has no resource-level permissions and runs against
 * Chatbot's own API region, so it is granted on "*" without the region condition.
 */
export const CHATBOT_MANAGE_ACTIONS = [
  "chatbot:UpdateSlackChannelConfiguration",
  "chatbot:DeleteSlackChannelConfiguration",
  "chatbot:TagResource",
  "chatbot:UntagResource",
];

/**
 * Calls that have no resource-level permissions (per the IAM service reference; a test checks this
 * list against the IAM simulator's data), granted on "*" within the stack's region only.
 */
export const RESOURCELESS_CREATE_ACTIONS = [
  "kms:CreateKey",
  "eks:CreateCluster",
  "ecs:DeregisterTaskDefinition",
  // Associating a web ACL with an ALB (aws.wafv2.WebAclAssociation) is also the ALB's SetWebAcl,
  // which AWS authorises on "*" only.
  "elasticloadbalancing:SetWebAcl",
];

/** What the stack's repositories (`<project>-<stack>/…`) need beyond push. */
export const STACK_REPOSITORY_ACTIONS = [
  "ecr:CreateRepository",
  "ecr:DeleteRepository",
  "ecr:TagResource",
  "ecr:UntagResource",
  "ecr:PutLifecyclePolicy",
  "ecr:GetLifecyclePolicy",
  "ecr:DeleteLifecyclePolicy",
  "ecr:SetRepositoryPolicy",
  "ecr:GetRepositoryPolicy",
  "ecr:DeleteRepositoryPolicy",
  "ecr:PutImageScanningConfiguration",
  "ecr:PutImageTagMutability",
];

/** Bucket-level management of the stack's own buckets (`<project>-<stack>-…`), never objects. */
export const STACK_BUCKET_ACTIONS = [
  "s3:CreateBucket",
  "s3:DeleteBucket",
  "s3:ListBucket",
  "s3:GetBucket*",
  "s3:PutBucket*",
  "s3:DeleteBucketPolicy",
  "s3:GetEncryptionConfiguration",
  "s3:PutEncryptionConfiguration",
  "s3:GetLifecycleConfiguration",
  "s3:PutLifecycleConfiguration",
];

/** Services whose service-linked roles creating the stack's resources may need. */
export const SERVICE_LINKED_ROLE_SERVICES = [
  "eks.amazonaws.com",
  "eks-nodegroup.amazonaws.com",
  "ecs.amazonaws.com",
  "elasticloadbalancing.amazonaws.com",
  "autoscaling.amazonaws.com",
];

/** Pushing to the role's own repositories; none without any. */
export function pushStatements(arns: readonly pulumi.Input<string>[]): Statement[] {
  return arns.length
    ? [{ Sid: "PushOwnRepositories", Effect: "Allow", Action: PUSH_ACTIONS, Resource: [...arns] }]
    : [];
}

/** Pulling the images a promotion copies, from exactly the source stack's repositories; none without any. */
export function promotionPullStatements(arns: readonly pulumi.Input<string>[] = []): Statement[] {
  return arns.length
    ? [{ Sid: "PullPromotionSource", Effect: "Allow", Action: PULL_ACTIONS, Resource: [...arns] }]
    : [];
}

/** Reading the migrating services' database URLs, and nothing else of Secrets Manager; none without any. */
export function migrationSecretStatements(sid: string, arns: readonly string[] = []): Statement[] {
  return arns.length
    ? [{ Sid: sid, Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: [...new Set(arns)] }]
    : [];
}

/** The deploy role's policy: the stack's services in its account and region, its roles, keys, repositories and state. */
export function deployRoleStatements(scope: DeployScope): Statement[] {
  const { partition, accountId, region } = scope;
  const inAccount = (service: string) =>
    pulumi.interpolate`arn:${partition}:${service}:${region}:${accountId}:*`;
  const stackRoles = pulumi.interpolate`arn:${partition}:iam::${accountId}:role${scope.rolePath}*`;
  return [
    {
      Sid: "Identity",
      Effect: "Allow",
      Action: ["sts:GetCallerIdentity", "ecr:GetAuthorizationToken", "ec2:DescribeAvailabilityZones"],
      Resource: "*",
    },
    {
      Sid: "StackServices",
      Effect: "Allow",
      Action: FULLY_MANAGED_SERVICES.map((s) => `${s}:*`),
      Resource: FULLY_MANAGED_SERVICES.map(inAccount),
    },
    // `pulumi up` reads before it writes: the same read-only actions the preview role has.
    { Sid: "ReadOnly", Effect: "Allow", Action: PREVIEW_ACTIONS, Resource: "*" },
    {
      Sid: "ResourcelessCreates",
      Effect: "Allow",
      Action: RESOURCELESS_CREATE_ACTIONS,
      Resource: "*",
      Condition: { StringEquals: { "aws:RequestedRegion": region } },
    },
    { Sid: "StackKeys", Effect: "Allow", Action: STACK_KEY_ACTIONS, Resource: inAccount("kms") },
    {
      Sid: "StackRepositories",
      Effect: "Allow",
      Action: STACK_REPOSITORY_ACTIONS,
      Resource: pulumi.interpolate`arn:${partition}:ecr:${region}:${accountId}:repository/${scope.namePrefix}/*`,
    },
    {
      Sid: "StackBuckets",
      Effect: "Allow",
      Action: STACK_BUCKET_ACTIONS,
      Resource: pulumi.interpolate`arn:${partition}:s3:::${scope.namePrefix}-*`,
    },
    {
      Sid: "ServiceLinkedRoles",
      Effect: "Allow",
      Action: "iam:CreateServiceLinkedRole",
      Resource: pulumi.interpolate`arn:${partition}:iam::${accountId}:role/aws-service-role/*`,
      Condition: { StringEquals: { "iam:AWSServiceName": SERVICE_LINKED_ROLE_SERVICES } },
    },
    {
      Sid: "ClusterOidcProviders",
      Effect: "Allow",
      Action: [
        "iam:CreateOpenIDConnectProvider",
        "iam:DeleteOpenIDConnectProvider",
        "iam:GetOpenIDConnectProvider",
        "iam:TagOpenIDConnectProvider",
        "iam:UpdateOpenIDConnectProviderThumbprint",
      ],
      Resource: pulumi.interpolate`arn:${partition}:iam::${accountId}:oidc-provider/oidc.eks.${region}.amazonaws.com/id/*`,
    },
    {
      Sid: "GitHubConnections",
      Effect: "Allow",
      Action: CONNECTION_ACTIONS,
      Resource: ["codeconnections", "codestar-connections"].map(
        (service) => pulumi.interpolate`arn:${partition}:${service}:${region}:${accountId}:connection/*`,
      ),
    },
    { Sid: "StackRoles", Effect: "Allow", Action: STACK_ROLE_ACTIONS, Resource: stackRoles },
    // The permissions boundaries of the applications with repositories of their own, beside the
    // roles they cap (application-roles.ts); never a policy any CI role carries.
    {
      Sid: "StackBoundaries",
      Effect: "Allow",
      Action: STACK_BOUNDARY_ACTIONS,
      Resource: pulumi.interpolate`arn:${partition}:iam::${accountId}:policy${scope.rolePath}*`,
    },
    {
      Sid: "PassStackRoles",
      Effect: "Allow",
      Action: "iam:PassRole",
      Resource: stackRoles,
      Condition: { StringEquals: { "iam:PassedToService": PASS_ROLE_SERVICES } },
    },
    ...pushStatements(scope.repositoryArns),
    // Promotion: the image is copied from the source stack's repositories (`docker buildx imagetools`).
    ...promotionPullStatements(scope.sourceRepositoryArns),
    // db-migrate reads each migrating service's database URL, and nothing else of Secrets Manager.
    ...migrationSecretStatements("ReadMigrationDatabaseUrls", scope.migrationSecretArns),
    ...(scope.programSecretArns?.length ? [programSecretsStatement(scope.programSecretArns)] : []),
    ...metricStatements(DELIVERY_METRICS_NAMESPACE),
    {
      Sid: "ChatbotCreate",
      Effect: "Allow",
      Action: "chatbot:CreateSlackChannelConfiguration",
      Resource: "*",
    },
    {
      Sid: "StackChatbotChannels",
      Effect: "Allow",
      Action: CHATBOT_MANAGE_ACTIONS,
      Resource: pulumi.interpolate`arn:${partition}:chatbot::${accountId}:chat-configuration/slack-channel/${scope.namePrefix}-*`,
    },
    ...(scope.hostedZone ? hostedZoneStatements(partition, scope.hostedZone) : []),
    ...scope.stateStatements,
  ];
}

/** Reading the secrets the program looks up while it runs, and no other. */
function programSecretsStatement(arns: readonly string[]): Statement {
  return {
    Sid: "ReadProgramSecrets",
    Effect: "Allow",
    Action: "secretsmanager:GetSecretValue",
    Resource: [...new Set(arns)],
  };
}

/** The preview role's policy: read-only actions anywhere, and this stack's state read-only. */
export function previewRoleStatements(
  stateStatements: Statement[],
  programSecretArns: readonly string[] = [],
): Statement[] {
  return [
    { Sid: "ReadOnly", Effect: "Allow", Action: PREVIEW_ACTIONS, Resource: "*" },
    ...(programSecretArns.length ? [programSecretsStatement(programSecretArns)] : []),
    ...stateStatements,
  ];
}

/** One stack's state in an S3 backend; undefined without one. */
export function stateScopeOf(
  backend: DeployRolesArgs["stateBackend"],
  partition: pulumi.Input<string>,
  project: string,
  stack: string,
): StateScope | undefined {
  return (
    backend && {
      partition,
      bucket: backend.bucket,
      region: backend.region,
      stateKeyArn: backend.stateKeyArn,
      project,
      stack,
    }
  );
}

/** This stack's state and secrets-key statements, read-write (`write`) or read-only. */
export function stackStateStatements(
  args: Pick<DeployRolesArgs, "stateBackend" | "secretsKeyArn" | "applicationStacks">,
  partition: pulumi.Input<string>,
  write: boolean,
): Statement[] {
  const scope = (project: string, stack: string) =>
    stateScopeOf(args.stateBackend, partition, project, stack);
  const scopes = [
    scope(pulumi.getProject(), pulumi.getStack()),
    ...(args.applicationStacks ?? []).map((s) => scope(APPS_PROJECT, s)),
  ].filter((s): s is StateScope => s !== undefined);
  return [
    ...scopes.flatMap((sc) => (write ? stateWriteStatements(sc) : stateReadStatements(sc))),
    ...(args.secretsKeyArn ? secretsKeyStatements(args.secretsKeyArn, write) : []),
  ];
}

/** A CI role trusted by one GitHub subject, with its inline policy. */
export function createCiRole(
  name: string,
  role: { description: string; providerArn: pulumi.Input<string>; subject: string; statements: Statement[] },
  parent: pulumi.Resource,
): aws.iam.Role {
  const created = new aws.iam.Role(
    name,
    {
      path: ciRolePath(pulumi.getProject()),
      description: role.description,
      assumeRolePolicy: githubTrust(role.providerArn, role.subject),
      maxSessionDuration: CI_SESSION_SECONDS,
    },
    { parent },
  );
  new aws.iam.RolePolicy(name, { role: created.name, policy: policyDocument(role.statements) }, { parent });
  return created;
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

    const deploy = createCiRole(
      `${name}-deploy`,
      {
        description: `Deploys stack ${pulumi.getStack()} from GitHub environment ${args.environment} of ${repo}`,
        providerArn: this.oidcProviderArn,
        subject: githubSubject(args.owner, args.repository, args.environment),
        statements: deployRoleStatements({
          partition,
          accountId,
          region,
          rolePath: rolePath(),
          namePrefix: `${pulumi.getProject()}-${pulumi.getStack()}`,
          repositoryArns: args.repositoryArns,
          sourceRepositoryArns: args.sourceRepositoryArns ?? [],
          stateStatements: stackStateStatements(args, partition, true),
          migrationSecretArns: args.migrationSecretArns,
          programSecretArns: args.programSecretArns,
          hostedZone: args.hostedZone,
        }),
      },
      this,
    );
    const preview = createCiRole(
      `${name}-preview`,
      {
        description: `Read-only previews of stack ${pulumi.getStack()} for ${repo}`,
        providerArn: this.oidcProviderArn,
        subject: githubSubject(args.owner, args.repository, args.previewEnvironment),
        statements: previewRoleStatements(
          stackStateStatements(args, partition, false),
          args.programSecretArns,
        ),
      },
      this,
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
