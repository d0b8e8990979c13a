/**
 * The deploy role of one application with a repository of its own, in one stack's account: it
 * builds, deploys and rolls back that application's stack and can change nothing of another's.
 *
 * - Trust: one subject, the application's repository and environment *and* the platform's
 *   reusable workflow running the job (`job_workflow_ref`, pinned by commit), which the
 *   repository's OIDC subject template puts in the claim (README: "Onboard a team").
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
import { AccountContext } from "../../lib/kms";
import {
  secretsKeyStatements,
  stateReadStatements,
  StateScope,
  stateWriteStatements,
} from "../../lib/state-access";
import { APPS_PROJECT } from "../../config/applications";
import { PULL_ACTIONS } from "./registry";
import { DELIVERY_METRICS_NAMESPACE } from "./alarms";
import {
  CI_SESSION_SECONDS,
  ciRolePath,
  GITHUB_OIDC_HOST,
  HostedZoneScope,
  metricStatements,
  PREVIEW_ACTIONS,
  PUSH_ACTIONS,
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
  "iam:CreateRole",
  "iam:TagRole",
];

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
      Action: STACK_ROLE_ACTIONS.filter((a) => a !== "iam:AttachRolePolicy" && a !== "iam:DetachRolePolicy"),
      Resource: roles,
      Condition: tagged,
    },
    // Managed policies: ECS's own for blue/green load balancing, and nothing broader.
    {
      Sid: "AttachEcsManagedPolicies",
      Effect: "Allow",
      Action: ["iam:AttachRolePolicy", "iam:DetachRolePolicy"],
      Resource: roles,
      Condition: {
        ...tagged,
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
    ...(scope.repositoryArns.length
      ? [
          {
            Sid: "PushOwnRepositories",
            Effect: "Allow" as const,
            Action: PUSH_ACTIONS,
            Resource: scope.repositoryArns,
          },
        ]
      : []),
    ...(scope.sourceRepositoryArns?.length
      ? [
          {
            Sid: "PullPromotionSource",
            Effect: "Allow" as const,
            Action: PULL_ACTIONS,
            Resource: scope.sourceRepositoryArns,
          },
        ]
      : []),
    ...(scope.migrationSecretArns?.length
      ? [
          {
            Sid: "ReadOwnMigrationDatabaseUrls",
            Effect: "Allow" as const,
            Action: "secretsmanager:GetSecretValue",
            Resource: [...new Set(scope.migrationSecretArns)],
          },
        ]
      : []),
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
    const state = (project: string, stack: string): StateScope | undefined =>
      args.stateBackend && {
        partition,
        bucket: args.stateBackend.bucket,
        region: args.stateBackend.region,
        stateKeyArn: args.stateBackend.stateKeyArn,
        project,
        stack,
      };
    const own = state(APPS_PROJECT, args.applicationStack);
    const platform = state(pulumi.getProject(), args.platformStack);
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
          }),
        ),
      },
      { parent: this },
    );
    this.roleArn = role.arn;
    this.registerOutputs({ roleArn: this.roleArn });
  }
}
