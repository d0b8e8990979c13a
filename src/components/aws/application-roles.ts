/**
 * The deploy role of one application with a repository of its own, in one stack's account: it
 * builds, deploys and rolls back that application's stack and can change nothing of another's.
 *
 * - Trust: one subject, the application's repository and environment *and* the platform's
 *   reusable workflow running the job (`job_workflow_ref`, pinned by commit), which the
 *   repository's OIDC subject template puts in the claim (docs/onboard-a-team.md).
 * - AWS resources: every resource an application stack creates carries the tag
 *   `platform:application=<name>` (its provider's default tags), and the role creates only
 *   resources with its own tag (`aws:RequestTag`) and changes only resources that carry it
 *   (`aws:ResourceTag`); DNS records only under its own host names.
 * - State: its own application stack (read-write) and the platform stack whose outputs it reads
 *   (read-only); images: its own repositories; secrets: its own services' migration URLs.
 *
 * Kubernetes is scoped by the cluster's access entry (namespaces of its own services), which the
 * platform's EKS cluster grants from `applicationAccess`.
 */
import * as aws from "../../lib/aws";
import * as pulumi from "@pulumi/pulumi";
import { policyDocument, Statement } from "../../lib/iam";
import { physicalName, rolePath as stackRolePath } from "../../lib/naming";
import { AccountContext } from "../../lib/kms";
import {
  secretsKeyStatements,
  stateReadStatements,
  StateScope,
  stateWriteStatements,
} from "../../lib/state-access";
import { APPS_PROJECT } from "../../config/applications";
import { DELIVERY_METRICS_NAMESPACE } from "./alarms";
import {
  CI_SESSION_SECONDS,
  ciRolePath,
  GITHUB_OIDC_HOST,
  HostedZoneScope,
  metricStatements,
  migrationSecretStatements,
  PREVIEW_ACTIONS,
  promotionPullStatements,
  pushStatements,
  stateScopeOf,
  STACK_ROLE_ACTIONS,
} from "./deploy-roles";

/** The tag every AWS resource of an application stack carries, and the role's scope. */
export const APPLICATION_TAG = "platform:application";

/** Services whose resources an application stack creates, each changed only under its tag. */
export const APPLICATION_SERVICES = [
  "ecs",
  "elasticloadbalancing",
  "logs",
  "application-autoscaling",
  "cloudwatch",
] as const;

/** Actions creating an application's resources: allowed only with its tag in the request. */
export const APPLICATION_CREATE_ACTIONS = [
  "ecs:CreateService",
  "ecs:RegisterTaskDefinition",
  "ecs:TagResource",
  "elasticloadbalancing:CreateTargetGroup",
  "elasticloadbalancing:CreateRule",
  "elasticloadbalancing:AddTags",
  "logs:CreateLogGroup",
  "logs:TagResource",
  "ec2:CreateSecurityGroup",
  "ec2:CreateTags",
  "cloudwatch:PutMetricAlarm",
  "cloudwatch:TagResource",
  "application-autoscaling:RegisterScalableTarget",
  "application-autoscaling:TagResource",
  "iam:TagRole",
];

/** Role actions that grant permissions: allowed only on a role the application's boundary caps. */
export const BOUNDED_ROLE_ACTIONS = ["iam:PutRolePolicy", "iam:AttachRolePolicy", "iam:DetachRolePolicy"];

/** Managed policies an application's roles may attach: ECS's own for blue/green load balancing. */
export const APPLICATION_MANAGED_POLICIES = ["AmazonECSInfrastructureRolePolicyForLoadBalancers"];

/** What the role does to a security group of its own (the tasks' group and its rules). */
export const APPLICATION_SECURITY_GROUP_ACTIONS = [
  "ec2:AuthorizeSecurityGroupIngress",
  "ec2:AuthorizeSecurityGroupEgress",
  "ec2:RevokeSecurityGroupIngress",
  "ec2:RevokeSecurityGroupEgress",
  "ec2:ModifySecurityGroupRules",
  "ec2:UpdateSecurityGroupRuleDescriptionsIngress",
  "ec2:UpdateSecurityGroupRuleDescriptionsEgress",
  "ec2:DeleteSecurityGroup",
  "ec2:DeleteTags",
];

/**
 * The subject a job of the application's repository presents, once the repository's OIDC subject
 * template includes `job_workflow_ref`: GitHub's documented format
 * `repo:<owner>/<repo>:environment:<env>:job_workflow_ref:<owner>/<repo>/.github/workflows/<file>@<ref>`.
 */
export function applicationSubject(
  owner: string,
  repository: string,
  environment: string,
  workflowRef: string,
): string {
  return `repo:${owner}/${repository}:environment:${environment}:job_workflow_ref:${workflowRef}`;
}

/**
 * What an application's own roles (its tasks', the agents', the blue/green role ECS uses) may ever
 * do, whatever their own policies grant: every role its deploy role creates carries this
 * permissions boundary, so a task role given `*` still reaches nothing of another application's,
 * no identity, and no secret, image or state but its own. Services a task may use, in the stack's
 * account and region (S3 buckets have neither).
 */
export const APPLICATION_TASK_SERVICES = [
  "s3",
  "sqs",
  "sns",
  "dynamodb",
  "logs",
  "ecr",
  "kms",
  "secretsmanager",
  "ssm",
  "events",
  "elasticloadbalancing",
  "bedrock",
] as const;

/** Calls without resource-level permissions a task or agent may make. */
export const APPLICATION_TASK_RESOURCELESS = ["ecr:GetAuthorizationToken", "cloudwatch:PutMetricData"];

/** The boundary policy's name (under the platform stack's role path, which the deploy role cannot edit). */
export const applicationBoundaryName = (application: string): string =>
  physicalName(`${application}-boundary`);

/** The boundary's ARN, as the application stack names it on every role it creates. */
export function applicationBoundaryArn(
  partition: pulumi.Input<string>,
  accountId: pulumi.Input<string>,
  application: string,
): pulumi.Output<string> {
  return pulumi.interpolate`arn:${partition}:iam::${accountId}:policy${stackRolePath()}${applicationBoundaryName(application)}`;
}

export interface BoundaryScope {
  readonly application: string;
  readonly partition: pulumi.Input<string>;
  readonly accountId: pulumi.Input<string>;
  readonly region: pulumi.Input<string>;
  /** Its services' secrets, migration URLs and registry pull credential. */
  readonly secretArns: readonly string[];
  /** Its ECR repositories. */
  readonly repositoryArns: pulumi.Input<string>[];
  readonly stateBucket?: string;
  readonly secretsKeyArn?: string;
}

/** The permissions boundary of an application's roles (see APPLICATION_TASK_SERVICES). */
export function applicationBoundaryStatements(scope: BoundaryScope): Statement[] {
  const tag = `aws:ResourceTag/${APPLICATION_TAG}`;
  const pushes = [
    "ecr:PutImage",
    "ecr:InitiateLayerUpload",
    "ecr:UploadLayerPart",
    "ecr:CompleteLayerUpload",
    "ecr:BatchDeleteImage",
  ];
  return [
    {
      Sid: "TaskServicesHere",
      Effect: "Allow",
      Action: APPLICATION_TASK_SERVICES.map((s) => `${s}:*`),
      Resource: [
        pulumi.interpolate`arn:${scope.partition}:*:${scope.region}:${scope.accountId}:*`,
        pulumi.interpolate`arn:${scope.partition}:s3:::*`,
      ],
    },
    { Sid: "Resourceless", Effect: "Allow", Action: APPLICATION_TASK_RESOURCELESS, Resource: "*" },
    // Declared secrets may live in another account (a shared pull credential): named, they pass.
    ...(scope.secretArns.length
      ? [
          {
            Sid: "ItsOwnSecrets",
            Effect: "Allow" as const,
            Action: "secretsmanager:GetSecretValue",
            Resource: [...new Set(scope.secretArns)],
          },
        ]
      : []),
    {
      Sid: "NothingOfAnotherApplication",
      Effect: "Deny",
      Action: "*",
      Resource: "*",
      Condition: { StringNotEquals: { [tag]: scope.application }, Null: { [tag]: "false" } },
    },
    {
      Sid: "OnlyItsOwnSecrets",
      Effect: "Deny",
      Action: "secretsmanager:GetSecretValue",
      ...(scope.secretArns.length ? { NotResource: [...new Set(scope.secretArns)] } : { Resource: "*" }),
    },
    {
      Sid: "OnlyItsOwnImages",
      Effect: "Deny",
      Action: pushes,
      ...(scope.repositoryArns.length ? { NotResource: scope.repositoryArns } : { Resource: "*" }),
    },
    ...(scope.stateBucket
      ? [
          {
            Sid: "NoStackState",
            Effect: "Deny" as const,
            Action: "s3:*",
            Resource: [`arn:aws:s3:::${scope.stateBucket}`, `arn:aws:s3:::${scope.stateBucket}/*`],
          },
        ]
      : []),
    ...(scope.secretsKeyArn
      ? [{ Sid: "NoStackSecrets", Effect: "Deny" as const, Action: "kms:*", Resource: scope.secretsKeyArn }]
      : []),
  ];
}

/** The claim keys the application's repository puts in the subject, in this order. */
export const APPLICATION_SUBJECT_CLAIMS = ["repo", "context", "job_workflow_ref"];

export interface ApplicationScope {
  readonly application: string;
  readonly partition: pulumi.Input<string>;
  readonly accountId: pulumi.Input<string>;
  readonly region: pulumi.Input<string>;
  /** The platform stack's role path (`/<project>/<stack>/`), under which its task roles live. */
  readonly rolePath: string;
  /** ECR repositories of its services (push); none with GHCR. */
  readonly repositoryArns: pulumi.Input<string>[];
  /** Repositories it copies its images from at promotion (pull). @default [] */
  readonly sourceRepositoryArns?: pulumi.Input<string>[];
  /** Its own application stack's state (read-write) and the platform stack's (read-only). */
  readonly state?: { readonly own: StateScope; readonly platform: StateScope };
  readonly secretsKeyArn?: string;
  /** Its services' migration database URLs. @default [] */
  readonly migrationSecretArns?: readonly string[];
  /** The zone of its DNS records and the host names it may change there. */
  readonly hostedZone?: HostedZoneScope;
  readonly hostNames?: readonly string[];
  /** The boundary every role it creates must carry (applicationBoundaryArn). */
  readonly boundaryArn: pulumi.Input<string>;
}

/** The application role's policy: its own tagged resources, state, images, secrets and records. */
export function applicationRoleStatements(scope: ApplicationScope): Statement[] {
  const { partition, accountId, region, application } = scope;
  const inAccount = (service: string) =>
    pulumi.interpolate`arn:${partition}:${service}:${region}:${accountId}:*`;
  const roles = pulumi.interpolate`arn:${partition}:iam::${accountId}:role${scope.rolePath}*`;
  const tagged = { StringEquals: { [`aws:ResourceTag/${APPLICATION_TAG}`]: application } };
  return [
    {
      Sid: "Identity",
      Effect: "Allow",
      Action: ["sts:GetCallerIdentity", "ecr:GetAuthorizationToken", "ec2:DescribeAvailabilityZones"],
      Resource: "*",
    },
    // `pulumi up` reads before it writes: the preview role's read-only actions.
    { Sid: "ReadOnly", Effect: "Allow", Action: PREVIEW_ACTIONS, Resource: "*" },
    {
      Sid: "CreateOwnResources",
      Effect: "Allow",
      Action: APPLICATION_CREATE_ACTIONS,
      // In the stack's account and region (its roles under the platform's role path), and only
      // with the application's own tag in the request.
      Resource: [...APPLICATION_SERVICES, "ec2"].map(inAccount).concat([roles]),
      Condition: { StringEquals: { [`aws:RequestTag/${APPLICATION_TAG}`]: application } },
    },
    {
      Sid: "CreateBoundedRoles",
      Effect: "Allow",
      Action: "iam:CreateRole",
      Resource: roles,
      Condition: {
        StringEquals: {
          [`aws:RequestTag/${APPLICATION_TAG}`]: application,
          "iam:PermissionsBoundary": scope.boundaryArn,
        },
      },
    },
    {
      Sid: "ChangeOwnResources",
      Effect: "Allow",
      Action: APPLICATION_SERVICES.map((s) => `${s}:*`),
      Resource: APPLICATION_SERVICES.map(inAccount),
      Condition: tagged,
    },
    {
      Sid: "ChangeOwnSecurityGroups",
      Effect: "Allow",
      Action: APPLICATION_SECURITY_GROUP_ACTIONS,
      Resource: pulumi.interpolate`arn:${partition}:ec2:${region}:${accountId}:security-group/*`,
      Condition: tagged,
    },
    {
      Sid: "OwnRoles",
      Effect: "Allow",
      Action: STACK_ROLE_ACTIONS.filter((a) => !BOUNDED_ROLE_ACTIONS.includes(a)),
      Resource: roles,
      Condition: tagged,
    },
    // What gives a role its permissions only on a role under the application's boundary.
    {
      Sid: "BoundedRolePolicies",
      Effect: "Allow",
      Action: BOUNDED_ROLE_ACTIONS.filter(
        (a) => a !== "iam:AttachRolePolicy" && a !== "iam:DetachRolePolicy",
      ),
      Resource: roles,
      Condition: {
        ...tagged,
        StringEquals: { ...tagged.StringEquals, "iam:PermissionsBoundary": scope.boundaryArn },
      },
    },
    // Managed policies: ECS's own for blue/green load balancing, and nothing broader.
    {
      Sid: "AttachEcsManagedPolicies",
      Effect: "Allow",
      Action: ["iam:AttachRolePolicy", "iam:DetachRolePolicy"],
      Resource: roles,
      Condition: {
        StringEquals: { ...tagged.StringEquals, "iam:PermissionsBoundary": scope.boundaryArn },
        ArnEquals: {
          "iam:PolicyARN": APPLICATION_MANAGED_POLICIES.map(
            (p) => pulumi.interpolate`arn:${partition}:iam::aws:policy/${p}`,
          ),
        },
      },
    },
    {
      Sid: "PassOwnRoles",
      Effect: "Allow",
      Action: "iam:PassRole",
      Resource: roles,
      Condition: {
        StringEquals: {
          [`aws:ResourceTag/${APPLICATION_TAG}`]: application,
          // Task roles, and a blue/green service's role, with which ECS moves its listener rules.
          "iam:PassedToService": ["ecs-tasks.amazonaws.com", "ecs.amazonaws.com"],
        },
      },
    },
    ...pushStatements(scope.repositoryArns),
    ...promotionPullStatements(scope.sourceRepositoryArns),
    ...migrationSecretStatements("ReadOwnMigrationDatabaseUrls", scope.migrationSecretArns),
    ...(scope.hostedZone && scope.hostNames?.length
      ? [
          {
            Sid: "ChangeOwnRecords",
            Effect: "Allow" as const,
            Action: "route53:ChangeResourceRecordSets",
            Resource: pulumi.interpolate`arn:${partition}:route53:::hostedzone/${scope.hostedZone.id}`,
            Condition: {
              "ForAllValues:StringEquals": {
                "route53:ChangeResourceRecordSetsNormalizedRecordNames": [...scope.hostNames],
              },
            },
          },
        ]
      : []),
    ...metricStatements(DELIVERY_METRICS_NAMESPACE),
    ...(scope.state
      ? [
          ...stateWriteStatements(scope.state.own),
          ...stateReadStatements(scope.state.platform).map((s) => ({ ...s, Sid: `Platform${s.Sid ?? ""}` })),
        ]
      : []),
    ...(scope.secretsKeyArn ? secretsKeyStatements(scope.secretsKeyArn, true) : []),
  ];
}

export interface ApplicationRoleArgs {
  readonly application: string;
  readonly owner: string;
  readonly repository: string;
  readonly environment: string;
  /** The platform's GitHub OIDC provider in this account. */
  readonly oidcProviderArn: pulumi.Input<string>;
  /** `owner/repo/.github/workflows/<file>@<commit>` of each platform workflow the role serves. */
  readonly workflowRefs: readonly string[];
  readonly account: AccountContext;
  readonly rolePath: string;
  readonly repositoryArns: pulumi.Input<string>[];
  readonly sourceRepositoryArns?: pulumi.Input<string>[];
  readonly stateBackend?: { readonly bucket: string; readonly region: string; readonly stateKeyArn: string };
  readonly platformStack: string;
  readonly applicationStack: string;
  readonly secretsKeyArn?: string;
  readonly migrationSecretArns?: readonly string[];
  readonly hostedZone?: HostedZoneScope;
  readonly hostNames?: readonly string[];
  /** Every secret its services read: theirs, their migrations', their registry's pull credential. @default [] */
  readonly serviceSecretArns?: readonly string[];
}

/** The trust policy: the GitHub OIDC provider, audience STS, one subject per platform workflow. */
export function applicationTrust(args: ApplicationRoleArgs): pulumi.Output<string> {
  return policyDocument([
    {
      Effect: "Allow",
      Principal: { Federated: args.oidcProviderArn },
      Action: "sts:AssumeRoleWithWebIdentity",
      Condition: {
        StringEquals: {
          [`${GITHUB_OIDC_HOST}:aud`]: "sts.amazonaws.com",
          [`${GITHUB_OIDC_HOST}:sub`]: args.workflowRefs.map((ref) =>
            applicationSubject(args.owner, args.repository, args.environment, ref),
          ),
        },
      },
    },
  ]);
}

/** The application's deploy role in one stack's account (`platform:delivery:ApplicationRole`). */
export class ApplicationRole extends pulumi.ComponentResource {
  readonly roleArn: pulumi.Output<string>;

  constructor(name: string, args: ApplicationRoleArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:delivery:ApplicationRole", name, {}, opts);
    const { partition, accountId, region } = args.account;
    const state = (project: string, stack: string) =>
      stateScopeOf(args.stateBackend, partition, project, stack);
    const own = state(APPS_PROJECT, args.applicationStack);
    const platform = state(pulumi.getProject(), args.platformStack);
    // The cap on every role the application creates, under the platform's role path, which the
    // application's deploy role may not edit (its IAM rights reach roles only).
    new aws.iam.Policy(
      `${name}-boundary`,
      {
        name: applicationBoundaryName(args.application),
        path: stackRolePath(),
        description: `The most any role of application ${args.application} may do`,
        policy: policyDocument(
          applicationBoundaryStatements({
            application: args.application,
            partition,
            accountId,
            region,
            secretArns: args.serviceSecretArns ?? [],
            repositoryArns: args.repositoryArns,
            stateBucket: args.stateBackend?.bucket,
            secretsKeyArn: args.secretsKeyArn,
          }),
        ),
      },
      { parent: this },
    );
    const role = new aws.iam.Role(
      name,
      {
        path: ciRolePath(pulumi.getProject()),
        description: `Deploys application ${args.application} (stack ${args.applicationStack}) from GitHub environment ${args.environment} of ${args.owner}/${args.repository}`,
        assumeRolePolicy: applicationTrust(args),
        maxSessionDuration: CI_SESSION_SECONDS,
      },
      { parent: this },
    );
    new aws.iam.RolePolicy(
      name,
      {
        role: role.name,
        policy: policyDocument(
          applicationRoleStatements({
            application: args.application,
            partition,
            accountId,
            region,
            rolePath: args.rolePath,
            repositoryArns: args.repositoryArns,
            sourceRepositoryArns: args.sourceRepositoryArns,
            state: own && platform ? { own, platform } : undefined,
            secretsKeyArn: args.secretsKeyArn,
            migrationSecretArns: args.migrationSecretArns,
            hostedZone: args.hostedZone,
            hostNames: args.hostNames,
            // The name the application stack computes too (it has no reference to the policy).
            boundaryArn: applicationBoundaryArn(partition, accountId, args.application),
          }),
        ),
      },
      { parent: this },
    );
    this.roleArn = role.arn;
    this.registerOutputs({ roleArn: this.roleArn });
  }
}
