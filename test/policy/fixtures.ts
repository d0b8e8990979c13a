/**
 * One compliant and one violating input per rule. Compliant inputs start from a baseline that
 * passes every rule for its type, and each violating input changes one thing.
 */
import YAML from "yaml";
import { SCANNER_PEER_FIXTURES } from "./fixtures-scanner-peers";

const digest = "sha256:" + "a".repeat(64);
const json = (v: unknown) => JSON.stringify(v);
const clone = <T>(v: T): T => structuredClone(v);
function mutate<T>(base: T, change: (v: any) => void): T {
  const v = clone(base);
  change(v);
  return v;
}

export const repo = {
  name: "platform-dev/api",
  imageTagMutability: "IMMUTABLE",
  imageScanningConfiguration: { scanOnPush: true },
  encryptionConfigurations: [{ encryptionType: "KMS", kmsKey: "arn:aws:kms:eu-west-1:1:key/k" }],
};
export const cluster = {
  version: "1.33",
  vpcConfig: { endpointPrivateAccess: true, endpointPublicAccess: false, subnetIds: ["s"] },
  encryptionConfig: { provider: { keyArn: "arn:aws:kms:k" }, resources: ["secrets"] },
  enabledClusterLogTypes: ["api", "audit", "authenticator", "controllerManager", "scheduler"],
};
const container = {
  name: "app",
  image: "i@" + digest,
  user: "10001:10001",
  privileged: false,
  readonlyRootFilesystem: true,
  environment: [{ name: "LOG_LEVEL", value: "info" }],
  secrets: [{ name: "DB_PASSWORD", valueFrom: "arn:aws:secretsmanager:eu-west-1:1:secret:db" }],
  logConfiguration: { logDriver: "awslogs", options: {} },
};
export const task = {
  executionRoleArn: "arn:exec",
  taskRoleArn: "arn:task",
  containerDefinitions: json([container]),
  volumes: [],
};
const taskWith = (change: (c: any) => void) => ({
  ...task,
  containerDefinitions: json([mutate(container, change)]),
});
const ecsService = {
  platformVersion: "LATEST",
  networkConfiguration: { assignPublicIp: false, subnets: ["s"] },
};
const ecsCluster = {
  settings: [{ name: "containerInsights", value: "enhanced" }],
  configuration: { executeCommandConfiguration: { kmsKeyId: "k", logging: "OVERRIDE" } },
};
const https = { protocol: "HTTPS", port: 443, sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06" };
const lb = {
  loadBalancerType: "application",
  internal: true,
  dropInvalidHeaderFields: true,
  accessLogs: { bucket: "b", enabled: true },
  enableDeletionProtection: true,
};
const logGroup = { retentionInDays: 365, kmsKeyId: "arn:aws:kms:k" };
const oidcTrust = (condition: unknown) =>
  json({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Federated: "arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com" },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: condition,
      },
    ],
  });
const goodOidc = {
  StringEquals: {
    "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
    "token.actions.githubusercontent.com:sub": "repo:acme/app:environment:production",
  },
};
const doc = (...Statement: unknown[]) => json({ Version: "2012-10-17", Statement });
const role = {
  assumeRolePolicy: doc({
    Effect: "Allow",
    Principal: { Service: "ecs-tasks.amazonaws.com" },
    Action: "sts:AssumeRole",
  }),
};
const sg = {
  description: "alb",
  ingress: [{ description: "https", protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }],
  egress: [],
};
const podSpec = {
  serviceAccountName: "app",
  automountServiceAccountToken: false,
  securityContext: { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: "RuntimeDefault" } },
  containers: [
    {
      name: "app",
      image: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/app@" + digest,
      env: [{ name: "LOG_LEVEL", value: "info" }],
      ports: [{ containerPort: 8080 }],
      resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "100m", memory: "128Mi" } },
      livenessProbe: { httpGet: { path: "/health", port: 8080 } },
      readinessProbe: { httpGet: { path: "/health", port: 8080 } },
      securityContext: {
        allowPrivilegeEscalation: false,
        privileged: false,
        readOnlyRootFilesystem: true,
        runAsNonRoot: true,
        capabilities: { drop: ["ALL"] },
      },
    },
  ],
  volumes: [{ name: "tmp", emptyDir: {} }],
};
export const deployment = {
  metadata: { name: "app", namespace: "app" },
  spec: {
    selector: { matchLabels: { app: "app" } },
    template: { metadata: { labels: { app: "app" } }, spec: podSpec },
  },
};
const podWith = (change: (ps: any) => void) => mutate(deployment, (d) => change(d.spec.template.spec));
const containerWith = (change: (c: any) => void) => podWith((ps) => change(ps.containers[0]));
const protection = {
  pattern: "main",
  enforceAdmins: true,
  allowsForcePushes: false,
  allowsDeletions: false,
  requiredLinearHistory: true,
  requireConversationResolution: true,
  requiredPullRequestReviews: [
    { requiredApprovingReviewCount: 1, dismissStaleReviews: true, requireCodeOwnerReviews: true },
  ],
  requiredStatusChecks: [{ strict: true, contexts: ["lint"] }],
};
const workflow = {
  name: "ci",
  on: { pull_request: {} },
  permissions: {},
  jobs: {
    build: {
      "runs-on": "ubuntu-24.04",
      "timeout-minutes": 10,
      permissions: { contents: "read" },
      steps: [
        { uses: "actions/checkout@" + "1".repeat(40), with: { "persist-credentials": false } },
        { name: "title", env: { TITLE: "${{ github.event.pull_request.title }}" }, run: 'echo "$TITLE"' },
      ],
    },
  },
};
const wfFile = (wf: unknown) => ({
  repository: "app",
  file: ".github/workflows/ci.yml",
  content: YAML.stringify(wf),
});
const wfWith = (change: (wf: any) => void) => wfFile(mutate(workflow, change));
const deployJob = (extra: Record<string, unknown>) => ({
  "runs-on": "ubuntu-24.04",
  "timeout-minutes": 10,
  steps: [{ run: "true" }],
  ...extra,
});

export interface ResourceFixture {
  readonly type: string;
  /** For rules that forbid a resource type outright, the compliant case is a different type. */
  readonly goodType?: string;
  readonly good: Record<string, any>;
  readonly bad: Record<string, any>;
  readonly expect: RegExp;
  readonly config?: Record<string, unknown>;
}

/** A resource of a stack fixture; `deps` and `propDeps` name other resources of the fixture. */
export interface StackFixtureResource {
  readonly type: string;
  readonly name: string;
  readonly props: any;
  readonly deps?: string[];
  /** Input property → resources its value came from. */
  readonly propDeps?: Record<string, string[]>;
}

/** Stack fixtures: resources with optional dependency edges (by name). */
export interface StackFixture {
  readonly stack: true;
  readonly good: StackFixtureResource[];
  readonly bad: StackFixtureResource[];
  readonly expect: RegExp;
}

/** The tag ruleset a Team-plan production stack is gated by. */
export const releaseRuleset = {
  name: "release-tags-production",
  repository: "shop",
  target: "tag",
  enforcement: "active",
  conditions: { refName: { includes: ["refs/tags/v*"], excludes: [] } },
  rules: { creation: true, update: true, deletion: true },
  bypassActors: [{ actorId: 2014, actorType: "Team", bypassMode: "always" }],
};

const T = {
  ruleset: "github:index/repositoryRuleset:RepositoryRuleset",
  repo: "aws:ecr/repository:Repository",
  cluster: "aws:eks/cluster:Cluster",
  task: "aws:ecs/taskDefinition:TaskDefinition",
  dep: "kubernetes:apps/v1:Deployment",
  file: "github:index/repositoryFile:RepositoryFile",
  sg: "aws:ec2/securityGroup:SecurityGroup",
  bp: "github:index/branchProtection:BranchProtection",
  role: "aws:iam/role:Role",
  rp: "aws:iam/rolePolicy:RolePolicy",
};

/** An internal ALB Ingress as the program declares one. */
export const albIngress = {
  metadata: {
    annotations: {
      "alb.ingress.kubernetes.io/scheme": "internal",
      "alb.ingress.kubernetes.io/listen-ports": '[{"HTTP":80},{"HTTPS":443}]',
      "alb.ingress.kubernetes.io/ssl-redirect": "443",
      "alb.ingress.kubernetes.io/ssl-policy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
      "alb.ingress.kubernetes.io/certificate-arn": "arn:aws:acm:eu-west-1:123456789012:certificate/abc",
      "alb.ingress.kubernetes.io/inbound-cidrs": "10.0.0.0/16",
    } as Record<string, string | undefined>,
  },
  spec: { ingressClassName: "alb", tls: [{ hosts: ["a.example.com"] }], rules: [{ host: "a.example.com" }] },
};

export const FIXTURES: Record<string, ResourceFixture | StackFixture> = {
  ...SCANNER_PEER_FIXTURES,
  "ecr-repository-enable-scan-on-push": {
    type: T.repo,
    good: repo,
    bad: mutate(repo, (r) => (r.imageScanningConfiguration.scanOnPush = false)),
    expect: /scanOnPush is not true/,
  },
  "ecr-repository-disallow-mutable-tags": {
    type: T.repo,
    good: repo,
    bad: mutate(repo, (r) => delete r.imageTagMutability),
    expect: /imageTagMutability is "MUTABLE"/,
  },
  "ecr-repository-configure-kms-encryption": {
    type: T.repo,
    good: repo,
    bad: mutate(repo, (r) => (r.encryptionConfigurations = [{ encryptionType: "AES256" }])),
    expect: /not KMS/,
  },
  "ecr-repositorypolicy-disallow-public-access": {
    type: "aws:ecr/repositoryPolicy:RepositoryPolicy",
    good: {
      policy: doc({
        Sid: "Pull",
        Effect: "Allow",
        Principal: { AWS: ["arn:aws:iam::444444444444:root"] },
        Action: "ecr:BatchGetImage",
      }),
    },
    bad: { policy: doc({ Sid: "Pull", Effect: "Allow", Principal: "*", Action: "ecr:BatchGetImage" }) },
    expect: /statement Pull allows Principal "\*"/,
  },
  "ecr-repository-missing-lifecycle-policy": {
    stack: true,
    good: [
      { type: T.repo, name: "r", props: repo },
      {
        type: "aws:ecr/lifecyclePolicy:LifecyclePolicy",
        name: "l",
        props: { repository: "platform-dev/api", policy: "{}" },
      },
    ],
    bad: [{ type: T.repo, name: "r", props: repo }],
    expect: /repository platform-dev\/api has no lifecycle policy/,
  },
  "eks-cluster-require-network-policy-enforcement": {
    stack: true,
    good: [
      { type: T.cluster, name: "eks-cluster", props: { ...cluster, name: "platform-dev-eks" } },
      {
        type: "aws:eks/addon:Addon",
        name: "eks-vpc-cni",
        props: {
          clusterName: "platform-dev-eks",
          addonName: "vpc-cni",
          configurationValues: JSON.stringify({ enableNetworkPolicy: "true" }),
        },
      },
    ],
    // The add-on is there, its network policy agent is not: policies stored, none enforced.
    bad: [
      { type: T.cluster, name: "eks-cluster", props: { ...cluster, name: "platform-dev-eks" } },
      {
        type: "aws:eks/addon:Addon",
        name: "eks-vpc-cni",
        props: { clusterName: "platform-dev-eks", addonName: "vpc-cni", configurationValues: "{}" },
      },
    ],
    expect: /cluster platform-dev-eks has no vpc-cni add-on with enableNetworkPolicy/,
  },
  "eks-cluster-enable-private-endpoint": {
    type: T.cluster,
    good: cluster,
    bad: mutate(cluster, (c) => (c.vpcConfig.endpointPrivateAccess = false)),
    expect: /endpointPrivateAccess is not true/,
  },
  "eks-cluster-disallow-unrestricted-public-endpoint": {
    type: T.cluster,
    good: mutate(cluster, (c) =>
      Object.assign(c.vpcConfig, { endpointPublicAccess: true, publicAccessCidrs: ["203.0.113.0/24"] }),
    ),
    // Two halves of the address space: as open as 0.0.0.0/0, though neither says /0.
    bad: mutate(cluster, (c) =>
      Object.assign(c.vpcConfig, {
        endpointPublicAccess: true,
        publicAccessCidrs: ["0.0.0.0/1", "128.0.0.0/1"],
      }),
    ),
    expect: /publicAccessCidrs 0\.0\.0\.0\/1, 128\.0\.0\.0\/1 together admit the whole internet/,
  },
  "eks-cluster-enable-secrets-encryption": {
    type: T.cluster,
    good: cluster,
    bad: mutate(cluster, (c) => delete c.encryptionConfig),
    expect: /does not encrypt secrets/,
  },
  "eks-cluster-enable-control-plane-logs": {
    type: T.cluster,
    good: cluster,
    bad: mutate(cluster, (c) => (c.enabledClusterLogTypes = ["api"])),
    expect: /lacks audit, authenticator, controllerManager, scheduler/,
  },
  "eks-cluster-require-supported-version": {
    type: T.cluster,
    good: cluster,
    bad: mutate(cluster, (c) => (c.version = "1.27")),
    expect: /version 1\.27 is older than 1\.31/,
  },
  "eks-nodegroup-disallow-open-ssh": {
    type: "aws:eks/nodeGroup:NodeGroup",
    good: { remoteAccess: { ec2SshKey: "k", sourceSecurityGroupIds: ["sg-1"] } },
    bad: { remoteAccess: { ec2SshKey: "k" } },
    expect: /SSH open to the world/,
  },
  "ec2-launchtemplate-require-imdsv2": {
    type: "aws:ec2/launchTemplate:LaunchTemplate",
    good: {
      metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 },
    },
    bad: { metadataOptions: { httpTokens: "optional", httpPutResponseHopLimit: 2 } },
    expect: /httpTokens is not "required"/,
  },
  "ecs-taskdefinition-disallow-privileged": {
    type: T.task,
    good: task,
    bad: taskWith((c) => (c.privileged = true)),
    expect: /container app: privileged is true/,
  },
  "ecs-taskdefinition-enable-read-only-root": {
    type: T.task,
    good: task,
    bad: taskWith((c) => delete c.readonlyRootFilesystem),
    expect: /readonlyRootFilesystem is not true/,
  },
  "ecs-taskdefinition-disallow-root-user": {
    type: T.task,
    good: task,
    bad: taskWith((c) => delete c.user),
    expect: /user is "unset \(root\)"/,
  },
  "ecs-taskdefinition-disallow-host-namespaces": {
    type: T.task,
    good: task,
    bad: { ...task, pidMode: "host" },
    expect: /pidMode is "host"/,
  },
  "ecs-taskdefinition-disallow-plaintext-secrets": {
    type: T.task,
    good: task,
    bad: taskWith((c) => c.environment.push({ name: "DB_PASSWORD", value: "hunter2" })),
    expect: /environment DB_PASSWORD looks like a secret/,
  },
  "ecs-taskdefinition-separate-roles": {
    type: T.task,
    good: task,
    bad: { ...task, taskRoleArn: "arn:exec" },
    expect: /executionRoleArn equals taskRoleArn/,
  },
  "ecs-taskdefinition-enable-efs-transit-encryption": {
    type: T.task,
    good: {
      ...task,
      volumes: [
        { name: "data", efsVolumeConfiguration: { fileSystemId: "fs", transitEncryption: "ENABLED" } },
      ],
    },
    bad: { ...task, volumes: [{ name: "data", efsVolumeConfiguration: { fileSystemId: "fs" } }] },
    expect: /volume data mounts EFS without transit encryption/,
  },
  "ecs-taskdefinition-configure-logging": {
    type: T.task,
    good: task,
    bad: taskWith((c) => delete c.logConfiguration),
    expect: /no logConfiguration\.logDriver/,
  },
  "ecs-service-disallow-public-ip": {
    type: "aws:ecs/service:Service",
    good: ecsService,
    bad: mutate(ecsService, (s) => (s.networkConfiguration.assignPublicIp = true)),
    expect: /assignPublicIp is true/,
  },
  "ecs-service-require-latest-platform": {
    type: "aws:ecs/service:Service",
    good: ecsService,
    bad: { ...ecsService, platformVersion: "1.3.0" },
    expect: /platformVersion is 1\.3\.0/,
  },
  "ecs-cluster-enable-container-insights": {
    type: "aws:ecs/cluster:Cluster",
    good: ecsCluster,
    bad: { ...ecsCluster, settings: [] },
    expect: /containerInsights is not enabled/,
  },
  "ecs-cluster-configure-exec-logging": {
    type: "aws:ecs/cluster:Cluster",
    good: ecsCluster,
    bad: mutate(ecsCluster, (c) => (c.configuration.executeCommandConfiguration = { logging: "NONE" })),
    expect: /kmsKeyId is not set/,
  },
  "lb-listener-require-https": {
    type: "aws:lb/listener:Listener",
    good: {
      protocol: "HTTP",
      defaultActions: [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443" } }],
    },
    bad: { protocol: "HTTP", defaultActions: [{ type: "forward", targetGroupArn: "tg" }] },
    expect: /does not redirect to HTTPS/,
  },
  "lb-listener-require-tls12": {
    type: "aws:lb/listener:Listener",
    good: https,
    bad: { ...https, sslPolicy: "ELBSecurityPolicy-2016-08" },
    expect: /allows TLS older than 1\.2/,
  },
  "lb-loadbalancer-drop-invalid-headers": {
    type: "aws:lb/loadBalancer:LoadBalancer",
    good: lb,
    bad: { ...lb, dropInvalidHeaderFields: false },
    expect: /dropInvalidHeaderFields is not true/,
  },
  "lb-loadbalancer-enable-access-logs": {
    type: "aws:lb/loadBalancer:LoadBalancer",
    good: lb,
    bad: { ...lb, accessLogs: undefined },
    expect: /access logs are not enabled/,
  },
  "lb-loadbalancer-enable-deletion-protection": {
    type: "aws:lb/loadBalancer:LoadBalancer",
    good: lb,
    bad: { ...lb, enableDeletionProtection: false },
    expect: /enableDeletionProtection is not true/,
  },
  "lb-loadbalancer-disallow-unapproved-internet-facing": {
    type: "aws:lb/loadBalancer:LoadBalancer",
    good: lb,
    bad: { ...lb, internal: false },
    expect: /internet-facing/,
  },
  "lb-ingress-require-https": {
    type: "kubernetes:networking.k8s.io/v1:Ingress",
    good: albIngress,
    bad: {
      ...albIngress,
      metadata: {
        annotations: {
          ...albIngress.metadata.annotations,
          "alb.ingress.kubernetes.io/ssl-redirect": undefined,
          "alb.ingress.kubernetes.io/ssl-policy": "ELBSecurityPolicy-2016-08",
        },
      },
    },
    expect: /HTTP is served without ssl-redirect/,
  },
  "lb-ingress-disallow-unapproved-internet-facing": {
    type: "kubernetes:networking.k8s.io/v1:Ingress",
    good: albIngress,
    bad: {
      ...albIngress,
      metadata: {
        annotations: {
          ...albIngress.metadata.annotations,
          "alb.ingress.kubernetes.io/scheme": "internet-facing",
        },
      },
    },
    expect: /internet-facing/,
  },
  "cloudwatch-loggroup-configure-retention": {
    type: "aws:cloudwatch/logGroup:LogGroup",
    good: logGroup,
    bad: { ...logGroup, retentionInDays: 30 },
    expect: /retentionInDays is 30; at least 365/,
  },
  "sns-topic-require-kms-encryption": {
    type: "aws:sns/topic:Topic",
    good: { name: "platform-prod-alarms", kmsMasterKeyId: "arn:aws:kms:eu-west-1:111111111111:key/abc" },
    bad: { name: "platform-prod-alarms" },
    expect: /kmsMasterKeyId is not set/,
  },
  "cloudwatch-alarm-require-actions": {
    type: "aws:cloudwatch/metricAlarm:MetricAlarm",
    good: {
      alarmActions: ["arn:aws:sns:eu-west-1:111111111111:platform-prod-alarms"],
      okActions: ["arn:aws:sns:eu-west-1:111111111111:platform-prod-alarms"],
    },
    bad: { alarmActions: [], okActions: ["arn:aws:sns:eu-west-1:111111111111:platform-prod-alarms"] },
    expect: /alarmActions is empty/,
  },
  "cloudwatch-loggroup-configure-kms": {
    type: "aws:cloudwatch/logGroup:LogGroup",
    good: logGroup,
    bad: { retentionInDays: 365 },
    expect: /kmsKeyId is not set/,
  },
  "iam-role-pin-github-oidc-trust": {
    type: T.role,
    good: { assumeRolePolicy: oidcTrust(goodOidc) },
    bad: {
      assumeRolePolicy: oidcTrust({
        StringLike: { "token.actions.githubusercontent.com:sub": "repo:acme*" },
      }),
    },
    expect: /aud is not pinned/,
  },
  "iam-role-disallow-open-trust": {
    type: T.role,
    good: role,
    bad: {
      assumeRolePolicy: doc({
        Effect: "Allow",
        Principal: { AWS: "arn:aws:iam::111111111111:root" },
        Action: "sts:AssumeRole",
      }),
    },
    expect: /whole account arn:aws:iam::111111111111:root without conditions/,
  },
  "iam-policy-disallow-admin-actions": {
    type: T.rp,
    good: { policy: doc({ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*" }) },
    bad: { policy: doc({ Effect: "Allow", Action: "*", Resource: "*" }) },
    expect: /allows Action "\*"/,
  },
  "iam-policy-disallow-unscoped-writes": {
    type: T.rp,
    good: {
      policy: doc({
        Effect: "Allow",
        Action: ["ecr:GetAuthorizationToken", "ec2:DescribeVpcs"],
        Resource: "*",
      }),
    },
    bad: { policy: doc({ Effect: "Allow", Action: ["s3:PutObject"], Resource: "*" }) },
    expect: /allows s3:PutObject on Resource "\*"/,
  },
  "iam-policy-disallow-privilege-escalation": {
    type: "aws:iam/policy:Policy",
    good: { policy: doc({ Effect: "Allow", Action: "iam:PassRole", Resource: "arn:aws:iam::1:role/app" }) },
    bad: { policy: doc({ Effect: "Allow", Action: "iam:PassRole", Resource: "*" }) },
    expect: /allows iam:PassRole on an unscoped resource/,
  },
  "iam-attachment-disallow-admin-policies": {
    type: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    good: { role: "r", policyArn: "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy" },
    bad: { role: "r", policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" },
    expect: /attaches arn:aws:iam::aws:policy\/AdministratorAccess/,
  },
  "iam-user-disallow-direct-policies": {
    type: "aws:iam/userPolicyAttachment:UserPolicyAttachment",
    goodType: "aws:iam/groupPolicyAttachment:GroupPolicyAttachment",
    good: { group: "ci", policyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess" },
    bad: { user: "ci", policyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess" },
    expect: /attaches a policy to a user/,
  },
  "iam-accesskey-disallow-long-lived": {
    type: "aws:iam/accessKey:AccessKey",
    goodType: "aws:iam/role:Role",
    good: {},
    bad: { user: "ci" },
    expect: /long-lived access key/,
  },
  "iam-role-no-policy-management-conflicts": {
    stack: true,
    good: [
      { type: T.role, name: "r", props: role },
      { type: T.rp, name: "p", props: { role: "r", policy: "{}" }, deps: ["r"] },
    ],
    bad: [
      {
        type: T.role,
        name: "r",
        props: { ...role, managedPolicyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"] },
      },
      { type: T.rp, name: "p", props: { role: "r", policy: "{}" }, deps: ["r"] },
    ],
    expect: /role r has inline\/exclusive policies and separate attachment resources/,
  },
  "s3-bucket-block-public-access": {
    type: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    good: {
      bucket: "b",
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    },
    bad: {
      bucket: "b",
      blockPublicAcls: true,
      blockPublicPolicy: false,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    },
    expect: /blockPublicPolicy is not true/,
  },
  "s3-bucket-missing-public-access-block": {
    stack: true,
    good: [
      { type: "aws:s3/bucket:Bucket", name: "b", props: {} },
      {
        type: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
        name: "pab",
        props: { bucket: "x" },
        deps: ["b"],
      },
    ],
    bad: [{ type: "aws:s3/bucket:Bucket", name: "b", props: {} }],
    expect: /bucket b has no public access block/,
  },
  "s3-bucket-missing-encryption": {
    stack: true,
    // The deprecated inline shape counts as well as the sidecar resources.
    good: [
      {
        type: "aws:s3/bucketV2:BucketV2",
        name: "b",
        props: {
          serverSideEncryptionConfiguration: {
            rule: { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" } },
          },
        },
      },
    ],
    bad: [
      { type: "aws:s3/bucket:Bucket", name: "b", props: {} },
      {
        type: "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
        name: "sse",
        props: { bucket: "x", rules: [] },
        deps: ["b"],
      },
    ],
    expect: /bucket b has no default encryption/,
  },
  "s3-bucket-missing-versioning": {
    stack: true,
    good: [
      { type: "aws:s3/bucket:Bucket", name: "b", props: {} },
      {
        type: "aws:s3/bucketVersioningV2:BucketVersioningV2",
        name: "v",
        props: { bucket: "x", versioningConfiguration: { status: "Enabled" } },
        deps: ["b"],
      },
    ],
    bad: [{ type: "aws:s3/bucket:Bucket", name: "b", props: { versioning: { enabled: false } } }],
    expect: /bucket b does not version objects/,
  },
  "s3-bucket-missing-access-logging": {
    stack: true,
    good: [
      { type: "aws:s3/bucket:Bucket", name: "state", props: { bucket: "state" } },
      { type: "aws:s3/bucket:Bucket", name: "logs", props: { bucket: "state-logs" } },
      {
        type: "aws:s3/bucketLogging:BucketLogging",
        name: "state",
        props: { bucket: "state", targetBucket: "state-logs", targetPrefix: "s/" },
        propDeps: { bucket: ["state"], targetBucket: ["logs"] },
      },
      { type: "aws:s3/bucket:Bucket", name: "alb-logs", props: {} },
      {
        type: "aws:lb/loadBalancer:LoadBalancer",
        name: "alb",
        props: { accessLogs: { bucket: "alb-logs-x", enabled: true } },
        propDeps: { accessLogs: ["alb-logs"] },
      },
    ],
    bad: [
      { type: "aws:s3/bucket:Bucket", name: "data", props: { bucket: "data" } },
      { type: "aws:s3/bucket:Bucket", name: "logs", props: { bucket: "logs" } },
      {
        type: "aws:s3/bucketLogging:BucketLogging",
        name: "other",
        props: { bucket: "other", targetBucket: "logs", targetPrefix: "o/" },
        propDeps: { targetBucket: ["logs"] },
      },
    ],
    expect: /bucket data does not log access/,
  },
  "s3-bucket-disallow-public-acl": {
    type: "aws:s3/bucketAclV2:BucketAclV2",
    good: { bucket: "b", acl: "private" },
    bad: { bucket: "b", acl: "public-read" },
    expect: /acl is public-read/,
  },
  "s3-bucket-enforce-owner-ownership": {
    type: "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
    good: { bucket: "b", rule: { objectOwnership: "BucketOwnerEnforced" } },
    bad: { bucket: "b", rule: { objectOwnership: "ObjectWriter" } },
    expect: /objectOwnership is ObjectWriter/,
  },
  "s3-bucketpolicy-disallow-public-principal": {
    type: "aws:s3/bucketPolicy:BucketPolicy",
    good: {
      policy: doc({
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      }),
    },
    bad: {
      policy: doc({
        Sid: "Read",
        Effect: "Allow",
        Principal: { AWS: "*" },
        Action: "s3:GetObject",
        Resource: "arn:aws:s3:::b/*",
      }),
    },
    expect: /statement Read allows Principal "\*"/,
  },
  "s3-bucketpolicy-require-tls": {
    type: "aws:s3/bucketPolicy:BucketPolicy",
    good: {
      policy: doc({
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      }),
    },
    bad: {
      policy: doc({
        Effect: "Allow",
        Principal: { Service: "logging.s3.amazonaws.com" },
        Action: "s3:PutObject",
      }),
    },
    expect: /no statement denies insecure transport/,
  },
  "ec2-securitygroup-disallow-public-admin-ports": {
    type: "aws:ec2/securityGroupRule:SecurityGroupRule",
    good: {
      type: "ingress",
      protocol: "tcp",
      fromPort: 22,
      toPort: 22,
      cidrBlocks: ["10.0.0.0/8"],
      description: "ssh",
    },
    bad: {
      type: "ingress",
      protocol: "tcp",
      fromPort: 0,
      toPort: 1024,
      cidrBlocks: ["0.0.0.0/0"],
      description: "wide",
    },
    expect: /port 22 is open to the internet/,
  },
  "ec2-securitygroup-disallow-public-ingress": {
    type: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    good: { ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: "0.0.0.0/0", description: "https" },
    bad: { ipProtocol: "-1", cidrIpv6: "::/0", description: "all" },
    expect: /all ports are open to the internet/,
  },
  "ec2-securitygroup-require-descriptions": {
    type: T.sg,
    good: sg,
    bad: mutate(sg, (s) => delete s.ingress[0].description),
    expect: /ingress 443-443 has no description/,
  },
  "ec2-defaultsecuritygroup-deny-all": {
    type: "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
    good: { vpcId: "v", ingress: [], egress: [] },
    bad: {
      vpcId: "v",
      ingress: [],
      egress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }],
    },
    expect: /default security group has rules/,
  },
  "ec2-subnet-disallow-public-ip-on-launch": {
    type: "aws:ec2/subnet:Subnet",
    good: { mapPublicIpOnLaunch: false },
    bad: { mapPublicIpOnLaunch: true },
    expect: /mapPublicIpOnLaunch is true/,
  },
  "ec2-defaultvpc-disallow": {
    type: "aws:ec2/defaultVpc:DefaultVpc",
    goodType: "aws:ec2/vpc:Vpc",
    good: {},
    bad: { tags: {} },
    expect: /manages the default VPC/,
  },
  "ec2-vpc-missing-flow-logs": {
    stack: true,
    good: [
      { type: "aws:ec2/vpc:Vpc", name: "vpc", props: {} },
      { type: "aws:ec2/flowLog:FlowLog", name: "fl", props: { vpcId: "vpc-1" }, deps: ["vpc"] },
    ],
    bad: [{ type: "aws:ec2/vpc:Vpc", name: "vpc", props: {} }],
    expect: /VPC vpc has no flow log/,
  },
  "kubernetes-workload-disallow-privileged": {
    type: T.dep,
    good: deployment,
    bad: containerWith((c) => (c.securityContext.privileged = true)),
    expect: /privileged is true/,
  },
  "kubernetes-workload-disallow-privilege-escalation": {
    type: T.dep,
    good: deployment,
    bad: containerWith((c) => delete c.securityContext.allowPrivilegeEscalation),
    expect: /allowPrivilegeEscalation is not false/,
  },
  "kubernetes-workload-require-non-root": {
    type: T.dep,
    good: deployment,
    bad: podWith((ps) => {
      ps.securityContext.runAsUser = 0;
      ps.containers[0].securityContext.runAsNonRoot = undefined;
    }),
    expect: /runAsUser is 0/,
  },
  "kubernetes-workload-require-read-only-root": {
    type: T.dep,
    good: deployment,
    bad: containerWith((c) => (c.securityContext.readOnlyRootFilesystem = false)),
    expect: /readOnlyRootFilesystem is not true/,
  },
  "kubernetes-workload-drop-all-capabilities": {
    type: T.dep,
    good: deployment,
    bad: containerWith((c) => (c.securityContext.capabilities = { drop: ["ALL"], add: ["NET_ADMIN"] })),
    expect: /capabilities\.add includes NET_ADMIN/,
  },
  "kubernetes-workload-require-seccomp": {
    type: T.dep,
    good: deployment,
    bad: podWith((ps) => delete ps.securityContext.seccompProfile),
    expect: /seccompProfile is unset/,
  },
  "kubernetes-workload-disallow-unconfined-seccomp": {
    type: T.dep,
    good: deployment,
    bad: containerWith((c) => (c.securityContext.seccompProfile = { type: "Unconfined" })),
    expect: /container app: seccompProfile is Unconfined/,
  },
  "kubernetes-workload-disallow-host-namespaces": {
    type: T.dep,
    good: deployment,
    bad: podWith((ps) => (ps.hostNetwork = true)),
    expect: /hostNetwork is true/,
  },
  "kubernetes-workload-disallow-host-path": {
    type: T.dep,
    good: deployment,
    bad: podWith((ps) => ps.volumes.push({ name: "sock", hostPath: { path: "/var/run/docker.sock" } })),
    expect: /mounts hostPath \/var\/run\/docker\.sock/,
  },
  "kubernetes-workload-disallow-host-ports": {
    type: T.dep,
    good: deployment,
    bad: containerWith((c) => (c.ports[0].hostPort = 8080)),
    expect: /hostPort is set/,
  },
  "kubernetes-workload-disallow-privileged-ports": {
    type: T.dep,
    good: deployment,
    bad: containerWith((c) => (c.ports[0].containerPort = 80)),
    expect: /container app: containerPort 80 is privileged \(below 1024\)/,
  },
  "kubernetes-workload-restrict-sysctls": {
    type: T.dep,
    good: podWith(
      (ps) => (ps.securityContext.sysctls = [{ name: "net.ipv4.tcp_keepalive_time", value: "60" }]),
    ),
    bad: podWith((ps) => (ps.securityContext.sysctls = [{ name: "kernel.msgmax", value: "65536" }])),
    expect: /sysctl kernel\.msgmax is not in the baseline safe set/,
  },
  "kubernetes-workload-require-default-proc-mount": {
    type: T.dep,
    good: containerWith((c) => (c.securityContext.procMount = "Default")),
    bad: containerWith((c) => (c.securityContext.procMount = "Unmasked")),
    expect: /container app: procMount is Unmasked/,
  },
  "kubernetes-workload-require-probe-ports": {
    type: T.dep,
    good: containerWith((c) => {
      c.ports[0].name = "http";
      c.livenessProbe.httpGet.port = "http";
    }),
    bad: containerWith((c) => (c.livenessProbe.httpGet.port = "http")),
    expect: /container app: livenessProbe targets port "http", which the container does not declare/,
  },
  "kubernetes-workload-disallow-duplicate-env": {
    type: T.dep,
    good: deployment,
    bad: containerWith((c) => c.env.push({ name: "LOG_LEVEL", value: "debug" })),
    expect: /container app: env LOG_LEVEL is set more than once/,
  },
  "kubernetes-workload-require-matching-selector": {
    type: T.dep,
    good: deployment,
    bad: mutate(deployment, (d) => (d.spec.selector.matchLabels.app = "api")),
    expect: /spec\.selector \{"matchLabels":\{"app":"api"\}\} does not select the pod template's labels/,
  },
  "kubernetes-workload-require-pinned-approved-image": {
    type: T.dep,
    good: deployment,
    bad: containerWith((c) => (c.image = "docker.io/library/nginx:latest")),
    expect: /is not pinned by digest/,
  },
  "kubernetes-workload-require-resources": {
    type: T.dep,
    good: deployment,
    bad: containerWith((c) => delete c.resources.limits),
    expect: /resources lack limits\.cpu, limits\.memory/,
  },
  "kubernetes-workload-require-probes": {
    type: T.dep,
    good: deployment,
    bad: containerWith((c) => delete c.livenessProbe),
    expect: /no livenessProbe/,
  },
  "kubernetes-workload-disallow-token-automount": {
    type: T.dep,
    good: deployment,
    bad: podWith((ps) => delete ps.automountServiceAccountToken),
    expect: /automountServiceAccountToken is not false/,
  },
  "kubernetes-workload-disallow-literal-secret-env": {
    type: T.dep,
    good: deployment,
    bad: containerWith((c) => c.env.push({ name: "API_TOKEN", value: "abc" })),
    expect: /env API_TOKEN holds a literal secret/,
  },
  "kubernetes-workload-prefer-secret-files": {
    type: T.dep,
    good: deployment,
    bad: containerWith((c) =>
      c.env.push({ name: "DB_URL", valueFrom: { secretKeyRef: { name: "db", key: "url" } } }),
    ),
    expect: /container app: reads a Secret into the environment: env DB_URL \(secretKeyRef db\)/,
  },
  "kubernetes-workload-disallow-default-namespace": {
    type: T.dep,
    good: deployment,
    bad: mutate(deployment, (d) => delete d.metadata.namespace),
    expect: /namespace is default or unset/,
  },
  "kubernetes-namespace-enforce-restricted": {
    type: "kubernetes:core/v1:Namespace",
    good: { metadata: { name: "app", labels: { "pod-security.kubernetes.io/enforce": "restricted" } } },
    bad: { metadata: { name: "app", labels: { "pod-security.kubernetes.io/enforce": "baseline" } } },
    expect: /enforce is not restricted/,
  },
  "kubernetes-workload-missing-network-policy": {
    stack: true,
    good: [
      { type: T.dep, name: "app", props: deployment },
      {
        type: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
        name: "deny",
        props: { metadata: { namespace: "app" }, spec: { podSelector: {} } },
      },
    ],
    bad: [
      { type: T.dep, name: "app", props: deployment },
      {
        type: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
        name: "deny",
        props: { metadata: { namespace: "other" }, spec: { podSelector: {} } },
      },
    ],
    expect: /app: no NetworkPolicy selects its pods/,
  },
  "kubernetes-networkpolicy-missing-workload": {
    stack: true,
    good: [
      { type: T.dep, name: "app", props: deployment },
      {
        type: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
        name: "allow-app",
        props: { metadata: { namespace: "app" }, spec: { podSelector: { matchLabels: { app: "app" } } } },
      },
    ],
    bad: [
      { type: T.dep, name: "app", props: deployment },
      {
        type: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
        name: "allow-app",
        props: { metadata: { namespace: "app" }, spec: { podSelector: { matchLabels: { app: "ap" } } } },
      },
    ],
    expect:
      /NetworkPolicy allow-app: podSelector \{"matchLabels":\{"app":"ap"\}\} selects no workload in namespace app/,
  },
  "kubernetes-service-missing-workload": {
    stack: true,
    good: [
      { type: T.dep, name: "app", props: deployment },
      {
        type: "kubernetes:core/v1:Service",
        name: "app",
        props: { metadata: { namespace: "app" }, spec: { selector: { app: "app" } } },
      },
    ],
    bad: [
      { type: T.dep, name: "app", props: deployment },
      {
        type: "kubernetes:core/v1:Service",
        name: "app",
        props: { metadata: { namespace: "other" }, spec: { selector: { app: "app" } } },
      },
    ],
    expect: /Service app: selector \{"app":"app"\} selects no workload in namespace other/,
  },
  "kubernetes-service-disallow-external-exposure": {
    type: "kubernetes:core/v1:Service",
    good: { metadata: { namespace: "app" }, spec: { type: "ClusterIP" } },
    bad: { metadata: { namespace: "app" }, spec: { type: "LoadBalancer" } },
    expect: /spec\.type is LoadBalancer/,
  },
  "kubernetes-ingress-require-tls-host": {
    type: "kubernetes:networking.k8s.io/v1:Ingress",
    good: { metadata: {}, spec: { tls: [{ hosts: ["a.example.com"] }], rules: [{ host: "a.example.com" }] } },
    bad: {
      metadata: { annotations: { "nginx.ingress.kubernetes.io/server-snippet": "x" } },
      spec: { rules: [{}] },
    },
    expect: /spec\.tls is empty/,
  },
  "kubernetes-pdb-allow-disruption": {
    type: "kubernetes:policy/v1:PodDisruptionBudget",
    good: { spec: { maxUnavailable: 1 } },
    bad: { spec: { maxUnavailable: 0 } },
    expect: /allows no voluntary disruption/,
  },
  "kubernetes-hpa-require-minimum-replicas": {
    type: "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
    good: { spec: { minReplicas: 2, scaleTargetRef: { name: "app" } } },
    bad: { spec: { minReplicas: 1, scaleTargetRef: { name: "app" } } },
    expect: /minReplicas is 1; at least 2/,
  },
  "kubernetes-hpa-missing-target": {
    stack: true,
    good: [
      { type: T.dep, name: "app", props: deployment },
      {
        type: "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
        name: "app",
        props: {
          metadata: { namespace: "app" },
          spec: {
            minReplicas: 2,
            scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "app" },
          },
        },
      },
    ],
    bad: [
      { type: T.dep, name: "app", props: deployment },
      {
        type: "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
        name: "app",
        props: {
          metadata: { namespace: "app" },
          spec: {
            minReplicas: 2,
            scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "api" },
          },
        },
      },
    ],
    expect:
      /HorizontalPodAutoscaler app: scaleTargetRef Deployment\/api is no workload of namespace app in the stack/,
  },
  "kubernetes-rbac-disallow-wildcards": {
    type: "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole",
    good: { rules: [{ apiGroups: [""], resources: ["pods"], verbs: ["get"] }] },
    bad: { rules: [{ apiGroups: [""], resources: ["*"], verbs: ["get"] }] },
    expect: /rules\[0\]\.resources contains "\*"/,
  },
  "kubernetes-rbac-disallow-secret-reads": {
    type: "kubernetes:rbac.authorization.k8s.io/v1:Role",
    good: { rules: [{ apiGroups: [""], resources: ["configmaps"], verbs: ["get", "list"] }] },
    bad: { rules: [{ apiGroups: [""], resources: ["secrets"], verbs: ["get", "list"] }] },
    expect: /rules\[0\] grants get, list on secrets/,
  },
  "kubernetes-rbac-disallow-pod-creation": {
    type: "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole",
    good: { rules: [{ apiGroups: [""], resources: ["pods"], verbs: ["get", "list", "watch"] }] },
    bad: { rules: [{ apiGroups: [""], resources: ["pods"], verbs: ["create", "delete"] }] },
    expect: /rules\[0\] grants create on pods/,
  },
  "kubernetes-rbac-disallow-escalation-verbs": {
    type: "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole",
    good: { rules: [{ apiGroups: ["rbac.authorization.k8s.io"], resources: ["roles"], verbs: ["get"] }] },
    bad: {
      rules: [{ apiGroups: ["rbac.authorization.k8s.io"], resources: ["roles"], verbs: ["get", "escalate"] }],
    },
    expect: /rules\[0\] grants escalate/,
  },
  "kubernetes-rbac-disallow-cluster-admin-binding": {
    type: "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding",
    good: { roleRef: { kind: "ClusterRole", name: "view" } },
    bad: { roleRef: { kind: "ClusterRole", name: "cluster-admin" } },
    expect: /binds cluster-admin/,
  },
  "github-repository-require-private": {
    type: "github:index/repository:Repository",
    good: { visibility: "private" },
    bad: { visibility: "public" },
    expect: /visibility is public/,
  },
  "github-repository-enable-security-features": {
    type: "github:index/repository:Repository",
    good: {
      vulnerabilityAlerts: true,
      securityAndAnalysis: {
        secretScanning: { status: "enabled" },
        secretScanningPushProtection: { status: "enabled" },
      },
    },
    bad: { vulnerabilityAlerts: true, securityAndAnalysis: { secretScanning: { status: "enabled" } } },
    expect: /secretScanningPushProtection is not enabled/,
  },
  "github-branchprotection-require-reviews": {
    type: T.bp,
    good: protection,
    bad: mutate(protection, (p) => (p.requiredPullRequestReviews[0].requiredApprovingReviewCount = 0)),
    expect: /requiredApprovingReviewCount is 0; at least 1/,
  },
  "github-branchprotection-disallow-bypass": {
    type: T.bp,
    good: protection,
    bad: { ...protection, allowsForcePushes: true },
    expect: /allowsForcePushes is true/,
  },
  "github-branchprotection-require-status-checks": {
    type: T.bp,
    good: protection,
    bad: { ...protection, requiredStatusChecks: [{ strict: true, contexts: [] }] },
    expect: /contexts is empty/,
  },
  "github-branchprotection-require-history-hygiene": {
    type: T.bp,
    good: protection,
    bad: { ...protection, requiredLinearHistory: false },
    expect: /requiredLinearHistory is not true/,
  },
  "github-repository-missing-branch-protection": {
    stack: true,
    good: [
      { type: "github:index/repository:Repository", name: "repo", props: { name: "app" } },
      { type: T.bp, name: "main", props: { repositoryId: "app" } },
    ],
    bad: [{ type: "github:index/repository:Repository", name: "repo", props: { name: "app" } }],
    expect: /repository app has no branch protection/,
  },
  "github-environment-require-reviewers": {
    type: "github:index/repositoryEnvironment:RepositoryEnvironment",
    good: {
      environment: "production",
      reviewers: [{ users: [1] }],
      preventSelfReview: true,
      canAdminsBypass: false,
      deploymentBranchPolicy: { protectedBranches: false, customBranchPolicies: true },
    },
    bad: {
      environment: "production",
      reviewers: [],
      preventSelfReview: true,
      canAdminsBypass: true,
      deploymentBranchPolicy: {},
    },
    expect: /no reviewers/,
  },
  "github-ruleset-restrict-release-tags": {
    stack: true,
    good: [{ type: T.ruleset, name: "production-release-tags", props: releaseRuleset }],
    bad: [
      {
        type: T.ruleset,
        name: "production-release-tags",
        props: {
          ...releaseRuleset,
          bypassActors: [{ actorId: 5, actorType: "RepositoryRole", bypassMode: "always" }],
        },
      },
    ],
    expect: /ruleset release-tags-production: bypass actor RepositoryRole is not a team of reviewers/,
  },
  "github-actionssecret-disallow-plaintext-literals": {
    type: "github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret",
    good: { secretName: "SLACK_WEBHOOK_URL", encryptedValue: "c2VhbGVk" },
    bad: {
      secretName: "SLACK_WEBHOOK_URL",
      plaintextValue: "https://hooks.slack.com/services/T000/B000/XXXX",
    },
    expect: /plaintextValue holds a credential literal/,
  },
  "github-actionsvariable-disallow-secret-values": {
    type: "github:index/actionsEnvironmentVariable:ActionsEnvironmentVariable",
    good: { variableName: "CLUSTER_NAME", value: "platform-dev-eks" },
    bad: { variableName: "DB_PASSWORD", value: "x" },
    expect: /variable DB_PASSWORD looks like a secret/,
  },
  "github-workflowpermissions-require-read-only": {
    type: "github:index/workflowRepositoryPermissions:WorkflowRepositoryPermissions",
    good: { defaultWorkflowPermissions: "read", canApprovePullRequestReviews: false },
    bad: { defaultWorkflowPermissions: "write", canApprovePullRequestReviews: false },
    expect: /defaultWorkflowPermissions is write/,
  },
  "github-actionspermissions-restrict-actions": {
    type: "github:index/actionsRepositoryPermissions:ActionsRepositoryPermissions",
    good: { allowedActions: "selected" },
    bad: { allowedActions: "all" },
    expect: /allowedActions is all/,
  },
  "github-workflow-disallow-template-injection": {
    type: T.file,
    good: wfFile(workflow),
    bad: wfWith((wf) => (wf.jobs.build.steps[1] = { run: 'echo "${{ github.event.pull_request.title }}"' })),
    expect:
      /ci\.yml: jobs\.build\.steps\[1\] expands \$\{\{ github\.event\.pull_request\.title \}\} inside a script/,
  },
  "github-workflow-disallow-dangerous-triggers": {
    type: T.file,
    good: wfFile(workflow),
    bad: wfWith((wf) => (wf.on = { pull_request_target: {} })),
    expect: /triggers on pull_request_target/,
  },
  "github-workflow-restrict-permissions": {
    type: T.file,
    good: wfWith(
      (wf) =>
        (wf.jobs.deploy = deployJob({
          environment: "production",
          permissions: { "id-token": "write", contents: "read" },
        })),
    ),
    bad: wfWith((wf) => (wf.jobs.deploy = deployJob({ permissions: { "id-token": "write" } }))),
    expect: /jobs\.deploy requests id-token: write without an environment/,
  },
  "github-workflow-require-pinned-actions": {
    type: T.file,
    good: wfFile(workflow),
    bad: wfWith((wf) => (wf.jobs.build.steps[0].uses = "actions/checkout@v4")),
    expect: /actions\/checkout@v4 is not pinned to a commit SHA/,
  },
  "github-workflow-disallow-persisted-credentials": {
    type: T.file,
    good: wfFile(workflow),
    bad: wfWith((wf) => delete wf.jobs.build.steps[0].with),
    expect: /checks out with persisted credentials/,
  },
  "github-workflow-disallow-secrets-inherit": {
    type: T.file,
    good: wfWith(
      (wf) =>
        (wf.jobs.call = {
          uses: "./.github/workflows/reusable.yml",
          secrets: { TOKEN: "${{ secrets.TOKEN }}" },
        }),
    ),
    bad: wfWith((wf) => (wf.jobs.call = { uses: "./.github/workflows/reusable.yml", secrets: "inherit" })),
    expect: /jobs\.call passes secrets: inherit/,
  },
  "github-workflow-require-environment-for-secrets": {
    type: T.file,
    good: wfWith(
      (wf) =>
        (wf.jobs.deploy = deployJob({
          environment: "staging",
          env: { HOOK: "${{ secrets.SLACK_WEBHOOK_URL }}" },
        })),
    ),
    bad: wfWith((wf) => (wf.jobs.deploy = deployJob({ env: { HOOK: "${{ secrets.SLACK_WEBHOOK_URL }}" } }))),
    expect: /jobs\.deploy reads secrets\.SLACK_WEBHOOK_URL without an environment/,
  },
  "github-workflow-disallow-insecure-commands": {
    type: T.file,
    good: wfFile(workflow),
    bad: wfWith((wf) => (wf.env = { ACTIONS_ALLOW_UNSECURE_COMMANDS: "true" })),
    expect: /sets ACTIONS_ALLOW_UNSECURE_COMMANDS/,
  },
  "github-workflow-disallow-hardcoded-container-credentials": {
    type: T.file,
    good: wfWith(
      (wf) =>
        (wf.jobs.build.services = {
          db: {
            image: "postgres@" + digest,
            credentials: { username: "u", password: "${{ secrets.REGISTRY_PASSWORD }}" },
          },
        }),
    ),
    bad: wfWith(
      (wf) =>
        (wf.jobs.build.services = {
          db: { image: "postgres@" + digest, credentials: { username: "u", password: "hunter2" } },
        }),
    ),
    expect: /jobs\.build\.services\.db has a literal registry password/,
  },
  "github-workflow-disallow-cache-in-release": {
    type: T.file,
    good: wfWith((wf) =>
      wf.jobs.build.steps.push({ uses: "actions/setup-node@" + "2".repeat(40), with: { cache: "npm" } }),
    ),
    bad: wfWith((wf) => {
      wf.on = { push: { tags: ["v*.*.*"] } };
      wf.jobs.build.steps.push({ uses: "actions/setup-node@" + "2".repeat(40), with: { cache: "npm" } });
    }),
    expect: /restores a cache in a release workflow/,
  },
  "github-workflow-disallow-dynamic-secret-access": {
    type: T.file,
    good: wfWith((wf) => (wf.jobs.build.steps[1].env.TOKEN = "${{ secrets['DEPLOY_TOKEN'] }}")),
    bad: wfWith(
      (wf) => (wf.jobs.build.steps[1].env.TOKEN = "${{ secrets[format('TOKEN_{0}', inputs.stack)] }}"),
    ),
    expect: /jobs\.build\.steps\[1\]\.env\.TOKEN reads secrets\[format\('TOKEN_\{0\}', inputs\.stack\)\]/,
  },
  "github-workflow-disallow-cache-in-shipping-jobs": {
    type: T.file,
    good: wfWith((wf) =>
      wf.jobs.build.steps.push({ uses: "actions/setup-node@" + "2".repeat(40), with: { cache: "npm" } }),
    ),
    bad: wfWith((wf) => {
      wf.jobs.build.permissions["id-token"] = "write";
      wf.jobs.build.steps.push({ uses: "actions/setup-node@" + "2".repeat(40), with: { cache: "npm" } });
    }),
    expect:
      /jobs\.build\.steps\[2\] restores a cache \(actions\/setup-node with cache: npm\) in a job holding id-token: write/,
  },
  "github-workflow-disallow-self-hosted-on-pull-requests": {
    type: T.file,
    good: wfWith((wf) => {
      wf.jobs.build["runs-on"] = "self-hosted";
      wf.jobs.build.if = "github.event.pull_request.head.repo.full_name == github.repository";
    }),
    bad: wfWith((wf) => (wf.jobs.build["runs-on"] = "self-hosted")),
    expect: /jobs\.build may run on a self-hosted runner \(runs-on self-hosted\) for pull_request from forks/,
  },
  "github-workflow-disallow-always-true-conditions": {
    type: T.file,
    good: wfWith((wf) => (wf.jobs.build.steps[1].if = "${{ github.event.pull_request.draft == false }}")),
    bad: wfWith((wf) => (wf.jobs.build.steps[1].if = "${{ github.event.pull_request.draft == false }}\n")),
    expect: /jobs\.build\.steps\[1\]\.if mixes \$\{\{ \}\} with text around it/,
  },
  "github-workflow-disallow-pipe-to-shell": {
    type: T.file,
    good: wfWith(
      (wf) => (wf.jobs.build.steps[1].run = 'curl -fsSLo tool.sh "$URL"\nsha256sum -c tool.sha256'),
    ),
    bad: wfWith((wf) => (wf.jobs.build.steps[1].run = "curl -fsSL https://get.example.com | sudo bash")),
    expect:
      /jobs\.build\.steps\[1\] pipes a download into a shell: curl -fsSL https:\/\/get\.example\.com \| sudo bash/,
  },
  "github-workflow-require-job-timeouts": {
    type: T.file,
    good: wfFile(workflow),
    bad: wfWith((wf) => delete wf.jobs.build["timeout-minutes"]),
    expect: /jobs\.build has no timeout-minutes/,
  },
};
