/**
 * The stack outputs contract: every output other teams may read through `StackReference`, with
 * its type and secrecy. `index.ts` exports exactly these keys; `dev/contract/outputs.json` is the
 * committed copy, and a test fails when an output is removed, renamed, retyped or made secret.
 */
import * as pulumi from "@pulumi/pulumi";
import { ReleaseState } from "../release/state";

export type OutputType = "string" | "string[]" | "map<string>" | "map<release>";

export interface OutputSpec {
  readonly type: OutputType;
  readonly secret: boolean;
  readonly description: string;
}

/**
 * The version of the contract application stacks read: raised when an output they use changes
 * meaning. An application stack refuses a platform stack of a version it does not know.
 */
export const OUTPUTS_CONTRACT_VERSION = "2";

export const OUTPUT_CONTRACT = {
  contractVersion: {
    type: "string",
    secret: false,
    description: `Version of this contract (${OUTPUTS_CONTRACT_VERSION}): application stacks refuse a version they do not know.`,
  },
  environment: {
    type: "string",
    secret: false,
    description: "Environment of the stack: development, staging, production or local.",
  },
  awsRegion: {
    type: "string",
    secret: false,
    description: "AWS region of the stack's resources (null without AWS).",
  },
  vpcId: { type: "string", secret: false, description: "VPC id (null without AWS)." },
  privateSubnetIds: { type: "string[]", secret: false, description: "Private subnet ids, one per AZ." },
  publicSubnetIds: { type: "string[]", secret: false, description: "Public subnet ids, one per AZ." },
  registryUrls: {
    type: "map<string>",
    secret: false,
    description: "Service → image repository URL (ECR or GHCR), without tag or digest.",
  },
  clusterName: {
    type: "string",
    secret: false,
    description: "EKS cluster name (null when EKS is disabled).",
  },
  clusterEndpoint: {
    type: "string",
    secret: false,
    description: "EKS API endpoint (null when EKS is disabled).",
  },
  oidcProviderArn: {
    type: "string",
    secret: false,
    description: "IAM OIDC provider of the EKS cluster, for IRSA roles.",
  },
  kubeconfig: {
    type: "string",
    secret: true,
    description:
      "Kubeconfig of the stack's Kubernetes cluster: the EKS cluster's (exec auth via `aws eks get-token`), or the contents of `kubernetes.kubeconfig`.",
  },
  ecsClusterArn: {
    type: "string",
    secret: false,
    description: "ECS cluster ARN (null when ECS is disabled).",
  },
  albDnsName: {
    type: "string",
    secret: false,
    description: "DNS name of the ECS services' ALB; point service host names at it.",
  },
  namespaces: { type: "map<string>", secret: false, description: "Kubernetes service → namespace." },
  serviceUrls: {
    type: "map<string>",
    secret: false,
    description: "Service → URL (https host for ECS, in-cluster URL for Kubernetes).",
  },
  previewUrls: {
    type: "map<string>",
    secret: false,
    description: "blueGreen service → in-cluster URL of the idle colour's preview Service.",
  },
  taskDefinitionArns: {
    type: "map<string>",
    secret: false,
    description:
      "ECS service → task definition it was last updated to; a deploy passes only when the service's primary deployment runs it, rollout COMPLETED.",
  },
  deployRoleArn: {
    type: "string",
    secret: false,
    description:
      "IAM role GitHub jobs in this stack's environment assume by OIDC (null without AWS or GitHub).",
  },
  previewRoleArn: {
    type: "string",
    secret: false,
    description: "Read-only IAM role for pull-request previews and drift detection of this stack.",
  },
  applicationRoleArns: {
    type: "map<string>",
    secret: false,
    description:
      "Application with a repository of its own → its deploy role in this account (on a cluster the stack does not create, grant it edit in the application's namespaces).",
  },
  runnerSecurityGroupId: {
    type: "string",
    secret: false,
    description:
      "Security group of the stack's CodeBuild CI runners in the VPC (null without them): admit it where CI jobs must reach, e.g. a database for migrations.",
  },
  releaseDigests: {
    type: "map<string>",
    secret: false,
    description:
      "Service → image digest it runs (stable track / active colour); the release script carries it forward.",
  },
  activeColors: {
    type: "map<string>",
    secret: false,
    description: "blueGreen service → colour the main Service selects.",
  },
  releases: {
    type: "map<release>",
    secret: false,
    description:
      "Service → its recorded release: the pins of its strategy (`digest`, `activeColor`/`idleDigest` or `canaryDigest`/`canaryWeight`) and `previous`, what ran before the last change. Every release writer reads and keeps it.",
  },
  albArnSuffixes: {
    type: "map<string>",
    secret: false,
    description:
      "Service behind an ALB → the ALB's ARN suffix (`app/<name>/<id>`, CloudWatch's `LoadBalancer` dimension): the metric gate and alarms read its traffic there.",
  },
  targetGroupSuffixes: {
    type: "map<string>",
    secret: false,
    description:
      "Service behind an ALB → its target group's ARN suffix (`targetgroup/<name>/<id>`, CloudWatch's `TargetGroup` dimension).",
  },
  namePrefix: {
    type: "string",
    secret: false,
    description:
      "`<project>-<stack>`: the prefix of the stack's physical names; application stacks name their workloads with it, so names stay unique in the account and a workload moved between stacks keeps them.",
  },
  applicationStacks: {
    type: "map<string>",
    secret: false,
    description:
      "Application → its stack in the `apps` project, when `applicationStacks` puts the workloads there (empty while this stack holds them).",
  },
  serviceApplications: { type: "map<string>", secret: false, description: "Service → its application." },
  registryArns: {
    type: "map<string>",
    secret: false,
    description: "Service → ECR repository ARN (empty for GHCR): what its ECS task may pull.",
  },
  vpcCidr: { type: "string", secret: false, description: "VPC CIDR (null without AWS)." },
  ecsClusterName: {
    type: "string",
    secret: false,
    description: "ECS cluster name (null when ECS is disabled).",
  },
  albHttpsListenerArn: {
    type: "string",
    secret: false,
    description: "HTTPS listener of the ECS services' ALB: each service adds its host rule.",
  },
  albSecurityGroupId: {
    type: "string",
    secret: false,
    description: "Security group of the ECS services' ALB: each service admits it on its port.",
  },
  albZoneId: {
    type: "string",
    secret: false,
    description: "Route 53 zone of the ECS ALB, for alias records.",
  },
  ecsAlbArnSuffix: {
    type: "string",
    secret: false,
    description: "ARN suffix of the ECS services' ALB (CloudWatch's `LoadBalancer` dimension).",
  },
  ecsLogKeyArn: {
    type: "string",
    secret: false,
    description: "KMS key of the ECS services' log groups.",
  },
  ingressWebAclArn: {
    type: "string",
    secret: false,
    description: "WAF web ACL of internet-facing Ingress ALBs (null when no EKS service is public).",
  },
  alarmTopicArn: {
    type: "string",
    secret: false,
    description: "SNS topic of the stack's alarms (Slack, PagerDuty): application stacks' alarms notify it.",
  },
} as const satisfies Record<string, OutputSpec>;

export type OutputName = keyof typeof OUTPUT_CONTRACT;

type ValueOf<T extends OutputType> = T extends "string"
  ? string
  : T extends "string[]"
    ? string[]
    : T extends "map<release>"
      ? Record<string, ReleaseState>
      : Record<string, string>;

/** What the program exports: each key present; null where the stack does not have the thing. */
export type StackOutputs = {
  [K in OutputName]: pulumi.Input<ValueOf<(typeof OUTPUT_CONTRACT)[K]["type"]> | null>;
};
