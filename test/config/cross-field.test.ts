import { strict as assert } from "assert";
import {
  allowedKeysAt,
  ConfigError,
  crossFieldProblems,
  FARGATE_MEMORY,
  keyOf,
  parseStackConfig,
} from "../../src/config/validate";
import { projectConfigValues, readStackConfig, toRuntimeConfig } from "../../src/config/stack-files";
import {
  approvedRegistriesOf,
  DEFAULT_APPROVED_REGISTRIES,
  fromApprovedRegistry,
  IMAGE_REGISTRY_RULE,
} from "../../src/config/addon-image-rules";

/** The dev stack file's values without the `platform:` prefix: valid, with EKS, ECS and GitHub. */
/** An add-on image mirrored into dev's ECR, pinned by digest (`eks.addons.images`). */
const mirrored = (repository: string, tag: string) =>
  `111111111111.dkr.ecr.eu-west-1.amazonaws.com/mirror/${repository}:${tag}@sha256:${"a".repeat(64)}`;
/** The metric gate's Prometheus mirrored into production's ECR, the registry its pack config approves. */
const PRODUCTION_PROMETHEUS = `333333333333.dkr.ecr.eu-west-1.amazonaws.com/mirror/prometheus:v3.14.0@sha256:${"b".repeat(64)}`;

function dev(): Record<string, any> {
  const out: Record<string, any> = {};
  for (const [k, v] of Object.entries(readStackConfig("dev")))
    if (k.startsWith("platform:")) out[k.slice(9)] = structuredClone(v);
  return out;
}

/** Each problem as the error prints it, or [] when the configuration is accepted. */
function problems(
  stack: string,
  values: Record<string, any>,
  region: string | undefined = "eu-west-1",
): string[] {
  try {
    parseStackConfig(stack, values, region);
    return [];
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected a ConfigError, got ${e}`);
    return e.message.split("\n").slice(1);
  }
}

const KEY = (n: number) => `arn:aws:kms:eu-west-1:111111111111:key/5a1e0000-1111-4c0d-8e00-00000000000${n}`;
const DIGEST = "sha256:" + "d".repeat(64);
/** Where production copies its images from (release tags promote staging's). */
const PAGERDUTY_KEY = "arn:aws:secretsmanager:eu-west-1:111111111111:secret:production/pagerduty-AbCdEf";
const STAGING = { accountId: "222222222222", region: "eu-west-1" };

/** Production's cluster needs a role to read it and one to take it over. */
const HUMAN_ACCESS = {
  onCall: ["arn:aws:iam::111111111111:role/oncall"],
  breakGlass: ["arn:aws:iam::111111111111:role/break-glass"],
};

type Case = [when: string, stack: string, change: (v: Record<string, any>) => void, expected: string[]];

const CASES: Case[] = [
  ["the committed dev values are used as they are", "dev", () => {}, []],
  [
    "production runs in 2 AZs with one NAT gateway, unprotected and without reviewers",
    "production",
    (v) => {
      v.environment = "production";
      v.registry.promotionSource = STAGING;
      v.eks.addons.images.prometheus = PRODUCTION_PROMETHEUS;
      v.operations.notifications.pagerDutyIntegrationKeySecretArn = PAGERDUTY_KEY;
      v.protect = false;
    },
    [
      "  - platform:eks.access.breakGlass: got []; at least one IAM role for break-glass administration of production's cluster",
      "  - platform:eks.access.onCall: got []; at least one IAM role the on-call engineers assume: production's cluster is read through it (objects, events, logs)",
      '  - platform:github.reviewers: got {"users":[],"teams":[]}; production needs at least one reviewer login or team slug',
      "  - platform:network.azCount: got 2; production spans at least 3 availability zones",
      '  - platform:network.natGateways: got "single"; production needs "perAz" so one AZ failing does not cut egress',
      "  - platform:protect: got false; production resources are always protected; remove the key or set true",
    ],
  ],
  [
    "production has 3 AZs, a NAT gateway per AZ and one reviewer team",
    "production",
    (v) => {
      v.environment = "production";
      v.registry.promotionSource = STAGING;
      v.eks.addons.images.prometheus = PRODUCTION_PROMETHEUS;
      v.operations.notifications.pagerDutyIntegrationKeySecretArn = PAGERDUTY_KEY;
      v.network = { ...v.network, azCount: 3, natGateways: "perAz" };
      v.github.reviewers = { teams: ["platform-leads"] };
      v.eks.access = HUMAN_ACCESS;
    },
    [],
  ],
  [
    "production has one reviewer login",
    "production",
    (v) => {
      v.environment = "production";
      v.registry.promotionSource = STAGING;
      v.eks.addons.images.prometheus = PRODUCTION_PROMETHEUS;
      v.operations.notifications.pagerDutyIntegrationKeySecretArn = PAGERDUTY_KEY;
      v.network = { ...v.network, azCount: 3, natGateways: "perAz" };
      v.github.reviewers = { users: ["octocat"] };
      v.eks.access = HUMAN_ACCESS;
    },
    [],
  ],
  [
    "a non-production stack with AWS spans one AZ",
    "dev",
    (v) => (v.network.azCount = 1),
    ["  - platform:network.azCount: got 1; at least 2 availability zones"],
  ],
  [
    "the local environment creates AWS resources",
    "local",
    (v) => {
      v.environment = "local";
      // The local pack config approves GHCR alone.
      v.eks.addons.images.prometheus = `ghcr.io/acme/prometheus:v3.14.0@sha256:${"b".repeat(64)}`;
      delete v.github;
      delete v.ci;
    },
    [
      '  - platform:environment: got "local"; the "local" environment creates no AWS resources: set eks.enabled=false, ecs.enabled=false and registry.kind="ghcr"',
    ],
  ],
  [
    "the VPC is a /15",
    "dev",
    (v) => (v.network.cidr = "10.0.0.0/15"),
    ['  - platform:network.cidr: got "10.0.0.0/15"; a VPC prefix between /16 and /24'],
  ],
  ["the VPC is a /24", "dev", (v) => (v.network.cidr = "10.0.0.0/24"), []],
  [
    "the VPC is a /25",
    "dev",
    (v) => (v.network.cidr = "10.0.0.0/25"),
    ['  - platform:network.cidr: got "10.0.0.0/25"; a VPC prefix between /16 and /24'],
  ],
  [
    "GHCR has no owner",
    "dev",
    (v) => (v.registry = { kind: "ghcr" }),
    ['  - platform:registry.ghcrOwner: got nothing; required when registry.kind is "ghcr"'],
  ],
  [
    "EKS runs 1.30",
    "dev",
    (v) => (v.eks.version = "1.30"),
    ['  - platform:eks.version: got "1.30"; a supported version, 1.31 or newer'],
  ],
  ["EKS runs 1.31", "dev", (v) => (v.eks.version = "1.31"), []],
  [
    "EKS runs 1.40 with the vpc-cni version it names",
    "dev",
    (v) => Object.assign(v.eks, { version: "1.40", vpcCniVersion: "v1.30.0-eksbuild.1" }),
    [],
  ],
  [
    "EKS runs 1.40 with no vpc-cni version pinned for it",
    "dev",
    (v) => (v.eks.version = "1.40"),
    [
      "  - platform:eks.vpcCniVersion: got nothing; the vpc-cni add-on version for Kubernetes 1.40 (pinned here for 1.31, 1.32, 1.33): aws eks describe-addon-versions --addon-name vpc-cni --kubernetes-version 1.40",
    ],
  ],
  [
    "EKS runs 1.29",
    "dev",
    (v) => (v.eks.version = "1.29"),
    ['  - platform:eks.version: got "1.29"; a supported version, 1.31 or newer'],
  ],
  [
    "the EKS endpoint is public without allowed CIDRs",
    "dev",
    (v) => (v.eks.endpointPublicAccess = true),
    ["  - platform:eks.publicAccessCidrs: got []; a public endpoint needs explicit allowed CIDRs"],
  ],
  [
    "the EKS endpoint is open to the internet",
    "dev",
    (v) => {
      v.eks.endpointPublicAccess = true;
      v.eks.publicAccessCidrs = ["203.0.113.0/24", "0.0.0.0/0"];
    },
    [
      '  - platform:eks.publicAccessCidrs: got ["203.0.113.0/24","0.0.0.0/0"]; specific networks that together do not cover the whole internet',
    ],
  ],
  [
    "EKS has no node group",
    "dev",
    (v) => (v.eks.nodeGroups = []),
    ["  - platform:eks.nodeGroups: got []; at least one node group"],
  ],
  [
    "a node group wants more nodes than its maximum",
    "dev",
    (v) => Object.assign(v.eks.nodeGroups[0], { minSize: 1, desiredSize: 4, maxSize: 3 }),
    [
      '  - platform:eks.nodeGroups[0]: got {"minSize":1,"desiredSize":4,"maxSize":3}; minSize ≤ desiredSize ≤ maxSize',
    ],
  ],
  [
    "a node group wants fewer nodes than its minimum",
    "dev",
    (v) => Object.assign(v.eks.nodeGroups[0], { minSize: 2, desiredSize: 1, maxSize: 3 }),
    [
      '  - platform:eks.nodeGroups[0]: got {"minSize":2,"desiredSize":1,"maxSize":3}; minSize ≤ desiredSize ≤ maxSize',
    ],
  ],
  [
    "a node group runs exactly its minimum and maximum",
    "dev",
    (v) => Object.assign(v.eks.nodeGroups[0], { minSize: 2, desiredSize: 2, maxSize: 2 }),
    [],
  ],
  [
    "ECS has no zone, domain or certificate",
    "dev",
    (v) => {
      delete v.dns;
      delete v.services[0].exposure;
    },
    [
      "  - platform:dns: got nothing; required when ecs.enabled: services are routed by host name (<service>.<domain>) in a Route 53 zone",
    ],
  ],
  [
    "the ALB is internet-facing without allowed CIDRs",
    "dev",
    (v) => (v.ecs.publicLoadBalancer = true),
    ["  - platform:ecs.allowedCidrs: got []; an internet-facing ALB needs explicit allowed CIDRs"],
  ],
  [
    "an internal ALB allows the whole internet",
    "dev",
    (v) => (v.ecs.allowedCidrs = ["10.0.0.0/8", "0.0.0.0/0"]),
    [
      '  - platform:ecs.allowedCidrs: got ["10.0.0.0/8","0.0.0.0/0"]; networks that together do not cover the whole internet, or ecs.publicLoadBalancer=true',
    ],
  ],
  [
    "an internet-facing ALB allows the whole internet",
    "dev",
    (v) => Object.assign(v.ecs, { publicLoadBalancer: true, allowedCidrs: ["0.0.0.0/0"] }),
    [],
  ],
  [
    "two services share a name",
    "dev",
    (v) => {
      v.services[1].name = "api";
      delete v.services[1].build;
    },
    [
      '  - platform:releases.web: got {"digest":"sha256:c4719afa76fa448b5eca99e6736885846501d17956f2fcb2de5c916d723f3a87","activeColor":"blue","idleDigest"...; a release for a configured service (api, orders, payments)',
      '  - platform:services[1].name: got "api"; service names are unique',
    ],
  ],
  [
    "an ECS service runs without ECS",
    "dev",
    (v) => {
      v.ecs = { enabled: false };
    },
    ['  - platform:services[3].target: got "ecs"; target "ecs" needs ecs.enabled=true; or use "eks"'],
  ],
  [
    "a Kubernetes service has neither EKS nor a kubeconfig",
    "dev",
    (v) => (v.eks = { enabled: false }),
    [
      '  - platform:services[0].target: got "eks"; target "eks" needs eks.enabled=true or kubernetes.kubeconfig',
      '  - platform:services[1].target: got "eks"; target "eks" needs eks.enabled=true or kubernetes.kubeconfig',
      '  - platform:services[2].target: got "eks"; target "eks" needs eks.enabled=true or kubernetes.kubeconfig',
    ],
  ],
  [
    "Kubernetes services reach a kubeconfig instead of EKS",
    "dev",
    (v) => {
      v.eks = { enabled: false };
      v.kubernetes = { kubeconfig: "./kubeconfig" };
    },
    [],
  ],
  [
    "an ECS service deploys blue/green, ECS's own",
    "dev",
    (v) => (v.services[3].strategy = { type: "blueGreen" }),
    [],
  ],
  [
    "an ECS service asks for a CPU size Fargate does not have",
    "dev",
    (v) => (v.services[3].cpu = 300),
    [
      "  - platform:services[3].cpu: got 300; a Fargate size in millicores: 250, 500, 1000, 2000, 4000, 8000, 16000",
    ],
  ],
  [
    "an ECS service asks for memory its CPU size does not allow",
    "dev",
    (v) => Object.assign(v.services[3], { cpu: 500, memoryMiB: 512 }),
    ["  - platform:services[3].memoryMiB: got 512; for cpu 500: one of 1024-4096 in steps of 1024"],
  ],
  [
    "an ECS service takes the largest memory of its size",
    "dev",
    (v) => Object.assign(v.services[3], { cpu: 4000, memoryMiB: 30720 }),
    [],
  ],
  [
    "a rolling service may have more than all its pods unavailable",
    "dev",
    (v) => (v.services[0].strategy = { type: "rolling", maxSurge: 1, maxUnavailable: "150%" }),
    [
      '  - platform:services[0].strategy.maxUnavailable: got "150%"; a percentage of at most 100% (Kubernetes refuses more)',
    ],
  ],
  [
    "a rolling service may lose all its pods at once",
    "dev",
    (v) => (v.services[0].strategy = { type: "rolling", maxSurge: 1, maxUnavailable: "100%" }),
    [],
  ],
  [
    "a service's post-deploy checks have no command and a timeout past what the deploy job allows",
    "dev",
    (v) => (v.services[0].postDeploy = { command: "", timeoutSeconds: 5000 }),
    [
      '  - platform:services[0].postDeploy.command: got ""; a bash command line of 1 to 2000 characters',
      "  - platform:services[0].postDeploy.timeoutSeconds: got 5000; whole seconds from 10 to 1800 (the deploy job stops at 60 minutes, gates included)",
    ],
  ],
  [
    "a service runs its smoke tests after each deploy",
    "dev",
    (v) => (v.services[0].postDeploy = { command: 'python smoke_tests.py --base-url "$SERVICE_URL"' }),
    [],
  ],
  [
    "an ECS service says how to deliver secrets, which ECS decides itself",
    "dev",
    (v) => (v.services[3].secretsAs = "files"),
    [
      '  - platform:services[3].secretsAs: got "files"; nothing on ECS: its tasks get secrets as environment variables only (the task definition\'s secrets); the key is for EKS services',
    ],
  ],
  [
    "a Kubernetes service takes its secrets as environment variables",
    "dev",
    (v) => (v.services[0].secretsAs = "environment"),
    [],
  ],
  [
    "a Kubernetes service has secrets without a secret store",
    "dev",
    (v) =>
      (v.services[0].secrets = {
        TOKEN: "arn:aws:secretsmanager:eu-west-1:111111111111:secret:dev/api-AbCdEf",
      }),
    [
      // The store's add-on and its image are named in the same run, not one run later.
      "  - platform:eks.addons.images.externalSecrets: got nothing; required because service api has secrets (ExternalSecrets), which needs External Secrets Operator (chart external-secrets 1.3.2): ghcr.io/external-secrets/external-secrets:v1.3.2 mirrored into a registry the policy pack approves (this account's ECR or an ECR pull-through cache) and pinned by digest, <registry>/<repository>:<tag>@sha256:<64 hex>",
      '  - platform:services[0].secrets: got ["TOKEN"]; Kubernetes services resolve secrets through kubernetes.secretStore; set it',
    ],
  ],
  [
    "a Kubernetes service has secrets and a secret store",
    "dev",
    (v) => {
      v.services[0].secrets = {
        TOKEN: "arn:aws:secretsmanager:eu-west-1:111111111111:secret:dev/api-AbCdEf",
      };
      v.kubernetes = { ...v.kubernetes, secretStore: "aws" };
      v.eks.addons.images.externalSecrets = mirrored("external-secrets", "v1.3.2");
    },
    [],
  ],
  [
    "autoscaling has more minimum than maximum replicas",
    "dev",
    (v) => {
      v.services[0].autoscaling = { minReplicas: 3, maxReplicas: 2 };
      delete v.services[0].replicas;
      v.eks.addons.images.metricsServer = mirrored("metrics-server", "v0.8.1");
    },
    [
      '  - platform:services[0].autoscaling: got {"minReplicas":3,"maxReplicas":2,"cpuTarget":70}; minReplicas ≤ maxReplicas',
    ],
  ],
  [
    "autoscaling has equal minimum and maximum",
    "dev",
    (v) => {
      v.services[0].autoscaling = { minReplicas: 2, maxReplicas: 2 };
      delete v.services[0].replicas;
      v.eks.addons.images.metricsServer = mirrored("metrics-server", "v0.8.1");
    },
    [],
  ],
  [
    "an add-on image comes from a registry the stack's pack config does not approve",
    "dev",
    (v) => {
      v.services[0].autoscaling = { minReplicas: 2, maxReplicas: 2 };
      delete v.services[0].replicas;
      v.eks.addons.images.metricsServer = `registry.k8s.io/metrics-server/metrics-server:v0.8.1@sha256:${"a".repeat(64)}`;
    },
    [
      `  - platform:eks.addons.images.metricsServer: got "registry.k8s.io/metrics-server/metrics-server:v0.8.1@sha256:${"a".repeat(56)}...; an image from a registry the stack's policy config approves (kubernetes-workload-require-pinned-approved-image.approvedRegistries in policy/config/dev.json: 111111111111.dkr.ecr.eu-west-1.amazonaws.com/): the pack refuses any other at preview`,
    ],
  ],
  [
    "a canary autoscales",
    "dev",
    (v) => (v.services[2].autoscaling = { minReplicas: 2, maxReplicas: 4 }),
    [
      '  - platform:services[2].autoscaling: got {"minReplicas":2,"maxReplicas":4,"cpuTarget":70}; canary splits traffic by replica ratio, which an autoscaler would undo; remove autoscaling',
      "  - platform:services[2].replicas: got 4; 2 (autoscaling.minReplicas) or nothing: with autoscaling the service starts at minReplicas and the scaler owns the count",
    ],
  ],
  ...(
    [
      [[50, 25, 100], "decreasing weights"],
      [[25, 25, 100], "a repeated weight"],
      [[25, 50], "weights not ending at 100"],
      [[0, 25, 100], "a 0 % step"],
      [[], "no step"],
    ] as [number[], string][]
  ).map(
    ([steps, what]): Case => [
      `canary steps have ${what}`,
      "dev",
      (v) => {
        v.services[2].strategy.steps = steps;
        v.releases.orders.canaryWeight = 0;
      },
      [
        `  - platform:services[2].strategy.steps: got ${JSON.stringify(steps)}; weights strictly increasing within 1-100 and ending at 100, e.g. [10, 25, 50, 100]`,
      ],
    ],
  ),
  [
    "canary steps are a single 100 %",
    "dev",
    (v) => {
      v.services[2].strategy.steps = [100];
      v.releases.orders.canaryWeight = 0;
    },
    [],
  ],
  // Being onboarded: the registry and pipeline come first, the workload with the first deploy.
  ["a service has no release yet", "dev", (v) => delete v.releases.api, []],
  [
    "a canary's weight is not one of its steps",
    "dev",
    (v) => (v.releases.orders.canaryWeight = 30),
    ["  - platform:releases.orders.canaryWeight: got 30; 0 or one of the steps [25,50,100]"],
  ],
  ["a canary's weight is 0", "dev", (v) => (v.releases.orders.canaryWeight = 0), []],
  [
    "a release names no configured service",
    "dev",
    (v) => (v.releases.gone = { digest: DIGEST }),
    [
      `  - platform:releases.gone: got {"digest":"${DIGEST}"}; a release for a configured service (api, web, orders, payments)`,
    ],
  ],
  [
    "a release exists where no service is configured",
    "dev",
    (v) => {
      v.services = [];
      v.releases = { gone: { digest: DIGEST } };
    },
    [`  - platform:releases.gone: got {"digest":"${DIGEST}"}; a release for a configured service (none)`],
  ],
  [
    "the GitHub stacks do not list this stack",
    "dev",
    (v) => (v.github.stacks = [{ stack: "staging", environment: "staging" }]),
    [
      '  - platform:github.stacks: got [{"stack":"staging","environment":"staging"}]; must list this stack ("dev")',
    ],
  ],
  [
    "this stack deploys to another environment than its own",
    "dev",
    (v) => (v.github.stacks = [{ stack: "dev", environment: "staging" }]),
    [
      '  - platform:github.stacks: got {"stack":"dev","environment":"staging"}; this stack deploys to the "development" environment',
    ],
  ],
  [
    "the managing stack has no code owners",
    "dev",
    (v) => (v.github.codeOwners = []),
    [
      "  - platform:github.codeOwners: got []; at least one team slug: branch protection requires code-owner reviews, and without owners it requires none",
    ],
  ],
  [
    "GitHub deploys a stack without a shared backend",
    "dev",
    (v) => delete v.github.backend,
    [
      '  - platform:github.backend: got nothing; CI jobs need shared state: { kind: "s3", bucket, region, stateKeyArn } from the bootstrap stack, or { kind: "cloud", organization }',
    ],
  ],
  [
    "the state key is in another region than the bucket",
    "dev",
    (v) => (v.github.backend.stateKeyArn = KEY(1).replace("eu-west-1", "us-east-1")),
    [
      `  - platform:github.backend.stateKeyArn: got "${KEY(1).replace("eu-west-1", "us-east-1")}"; S3 encrypts only with a key in the bucket's region (eu-west-1)`,
    ],
  ],
  [
    "a team token has no team",
    "dev",
    (v) => {
      v.github.backend = { kind: "cloud", organization: "acme", tokenType: "team" };
      v.github.secrets = { provider: "service" };
      delete v.services[3].migrations; // dumps need the S3 state bucket
    },
    ['  - platform:github.backend.scope: got nothing; a team name for tokenType "team"'],
  ],
  [
    "a personal token has no user",
    "dev",
    (v) => {
      v.github.backend = { kind: "cloud", organization: "acme", tokenType: "personal" };
      v.github.secrets = { provider: "service" };
      delete v.services[3].migrations; // dumps need the S3 state bucket
    },
    ['  - platform:github.backend.scope: got nothing; a user login for tokenType "personal"'],
  ],
  [
    "an organization token has a scope",
    "dev",
    (v) => {
      v.github.backend = { kind: "cloud", organization: "acme", scope: "ops" };
      v.github.secrets = { provider: "service" };
      delete v.services[3].migrations; // dumps need the S3 state bucket
    },
    ['  - platform:github.backend.scope: got "ops"; nothing: tokenType "organization" takes no scope'],
  ],
  [
    "Pulumi Cloud's secrets are used with S3 state",
    "dev",
    (v) => (v.github.secrets = { provider: "service" }),
    [
      '  - platform:github.secrets.provider: got "service"; passphrase or awskms: "service" keys exist only in Pulumi Cloud',
    ],
  ],
  [
    "a CodeBuild runner has no connection",
    "dev",
    (v) => (v.ci = { runner: { kind: "codebuild" } }),
    [
      "  - platform:ci.runner.connectionArn: got nothing; required: the ARN of an AWS CodeConnections connection to GitHub, created once in the console (Developer Tools → Settings → Connections → GitHub) and authorised there, such as arn:aws:codeconnections:eu-west-1:111111111111:connection/0d2c7a7e-1111-4a2b-9c3d-000000000001",
    ],
  ],
  [
    "a stack with private endpoints declares GitHub-hosted runners",
    "dev",
    (v) => (v.ci = { runner: { kind: "github-hosted" } }),
    [
      `  - platform:ci.runner: got {"kind":"github-hosted"}; { kind: "codebuild", … } (or a self-hosted runner that reaches the databases) while services run migrations (payments): db-migrate connects to the database from the deploy job's runner`,
      '  - platform:ci.runner: got {"kind":"github-hosted"}; a runner that reaches the stack\'s endpoints, since platform:eks.endpointPublicAccess is false and platform:ecs.publicLoadBalancer is false, which GitHub-hosted runners (outside the VPC, from no fixed addresses) cannot reach: { kind: "codebuild", connectionArn } (CodeBuild-hosted runners in the private subnets) or { kind: "self-hosted", labels } of runners that reach them (in the VPC, or larger runners with static IPs listed in those CIDRs)',
    ],
  ],
  [
    "GitHub-hosted runners serve a stack open to the internet",
    "dev",
    (v) => {
      v.ci = { runner: { kind: "github-hosted" } };
      v.eks = { enabled: false };
      v.services = v.services
        .filter((s: any) => s.target === "ecs")
        .map(({ migrations: _m, ...s }: any) => s);
      v.releases = { payments: v.releases.payments };
      v.ecs = { ...v.ecs, publicLoadBalancer: true, allowedCidrs: ["0.0.0.0/0"] };
    },
    [],
  ],
  [
    "a service migrates from GitHub-hosted runners of a stack open to the internet",
    "dev",
    (v) => {
      v.ci = { runner: { kind: "github-hosted" } };
      v.eks = { enabled: false };
      v.services = v.services.filter((s: any) => s.target === "ecs");
      v.releases = { payments: v.releases.payments };
      v.ecs = { ...v.ecs, publicLoadBalancer: true, allowedCidrs: ["0.0.0.0/0"] };
    },
    [
      `  - platform:ci.runner: got {"kind":"github-hosted"}; { kind: "codebuild", … } (or a self-hosted runner that reaches the databases) while services run migrations (payments): db-migrate connects to the database from the deploy job's runner`,
    ],
  ],
  [
    "self-hosted runners that reach the VPC serve a private stack",
    "dev",
    (v) => (v.ci = { runner: { kind: "self-hosted", labels: ["self-hosted", "vpc-dev"] } }),
    [],
  ],
  [
    "a self-hosted label could not pass through the workflows' format()",
    "dev",
    (v) => (v.ci = { runner: { kind: "self-hosted", labels: ["vpc-{0}"] } }),
    [
      "  - platform:ci.runner.labels[0]: got \"vpc-{0}\"; must be a runner label: letters, digits, '.', '_', ':', '-'",
    ],
  ],
];

describe("cross-field configuration rules", () => {
  for (const [when, stack, change, expected] of CASES)
    it(`${expected.length ? "rejects" : "accepts"} the stack when ${when}`, () => {
      const values = dev();
      change(values);
      assert.deepEqual(problems(stack, values), expected);
    });

  it("the local stack may not own the repository", () => {
    const values = dev();
    Object.assign(values, { environment: "local", eks: { enabled: false }, ecs: { enabled: false } });
    values.registry = { kind: "ghcr", ghcrOwner: "acme-shop" };
    values.kubernetes = { kubeconfig: "./k" };
    values.services = values.services.filter((s: any) => s.target === "eks");
    delete values.releases.payments;
    values.github.stacks = [{ stack: "dev", environment: "development" }];
    delete values.ci;
    delete values.dns;
    assert.deepEqual(problems("local", values, undefined), [
      "  - platform:github.manageRepository: got true; the local stack cannot own the repository",
    ]);
  });
});

describe("configuration errors", () => {
  it("count one problem in the singular and several in the plural", () => {
    const one = new ConfigError("dev", [{ key: "platform:a", value: 1, allowed: "x" }]);
    assert.equal(one.message, 'Invalid configuration for stack "dev" (1 problem):\n  - platform:a: got 1; x');
    const two = new ConfigError("dev", [
      { key: "platform:a", value: undefined, allowed: "x" },
      { key: "platform:b", value: "v", allowed: "y" },
    ]);
    assert.equal(
      two.message,
      'Invalid configuration for stack "dev" (2 problems):\n  - platform:a: got nothing; x\n  - platform:b: got "v"; y',
    );
    assert.equal(two.name, "ConfigError");
  });

  it("shorten a shown value past 120 characters to 117 and an ellipsis", () => {
    const at120 = "x".repeat(118); // JSON adds the quotes
    const at121 = "x".repeat(119);
    const message = (value: string) =>
      new ConfigError("s", [{ key: "k", value, allowed: "a" }]).message.split("\n")[1];
    assert.equal(message(at120), `  - k: got "${at120}"; a`);
    assert.equal(message(at121), `  - k: got "${"x".repeat(116)}...; a`);
  });

  it("name keys with the project namespace, indexes in brackets and fields after dots", () => {
    assert.equal(keyOf(["services", 1, "strategy", "steps", 0]), "platform:services[1].strategy.steps[0]");
    assert.equal(keyOf(["protect"]), "platform:protect");
    assert.equal(keyOf([]), "platform:");
  });

  it("list the keys allowed at a path through defaults, arrays, records and unions", () => {
    assert.deepEqual(allowedKeysAt(["services", 0, "strategy"]), [
      "type",
      "maxSurge",
      "maxUnavailable",
      "bakeMinutes",
      "steps",
    ]);
    assert.deepEqual(allowedKeysAt(["releases", "api"]), [
      "digest",
      "activeColor",
      "idleDigest",
      "canaryDigest",
      "canaryWeight",
      "previous",
    ]);
    assert.deepEqual(allowedKeysAt(["services", 0, "name"]), []);
    assert.deepEqual(allowedKeysAt(["services", 0, "env", "X"]), []);
  });

  it("name an unknown key and the keys allowed beside it", () => {
    const values = dev();
    values.network.zones = 3;
    assert.deepEqual(problems("dev", values), [
      "  - platform:network.zones: got 3; unknown key; allowed here: cidr, azCount, natGateways",
    ]);
  });

  it("report a wrong type beside a cross-key problem, every problem sorted by key", () => {
    const values = dev();
    values.services[3].port = "http";
    values.network.cidr = "10.10.0.1/16";
    values.services[0].autoscaling = { minReplicas: 2, maxReplicas: 3 };
    const [addon, ...rest] = problems("dev", values);
    assert.match(
      addon,
      /^ {2}- platform:eks\.addons\.images\.metricsServer: got nothing; required because service api has autoscaling/,
    );
    assert.deepEqual(rest, [
      '  - platform:network.cidr: got "10.10.0.1/16"; a network address, 10.10.0.0/16: bits below the prefix must be 0',
      "  - platform:services[0].replicas: got 1; 2 (autoscaling.minReplicas) or nothing: with autoscaling the service starts at minReplicas and the scaler owns the count",
      '  - platform:services[3].port: got "http"; must be an integer from 1024 to 65535',
    ]);
  });

  // A refused required key leaves nothing to parse in its place: the rules run with a stand-in
  // for it, once per stand-in, and report what every stand-in finds.
  const requiredRefusals: [what: string, edit: (v: any) => void, refusal: RegExp][] = [
    [
      "the environment",
      (v) => (v.environment = "prod"),
      /^ {2}- platform:environment: got "prod"; Invalid option/,
    ],
    [
      "the GitHub owner",
      (v) => (v.github.owner = "-x-"),
      /^ {2}- platform:github\.owner: got "-x-"; must be a GitHub user/,
    ],
    ["the GitHub plan", (v) => (v.github.plan = "pro"), /^ {2}- platform:github\.plan: got "pro"; /],
    [
      "the DNS domain",
      (v) => (v.dns.domain = "bad"),
      /^ {2}- platform:dns\.domain: got "bad"; must be a DNS domain/,
    ],
    [
      "the hosted zone",
      (v) => (v.dns.hostedZoneId = "zone"),
      /^ {2}- platform:dns\.hostedZoneId: got "zone"; /,
    ],
  ];
  for (const [what, edit, refusal] of requiredRefusals)
    it(`report a cross-key problem beside a refused value of ${what}, which is required, and no problem of a stand-in`, () => {
      const values = dev();
      edit(values);
      values.releases.ghost = { digest: `sha256:${"d".repeat(64)}` };
      const lines = problems("dev", values);
      assert.equal(lines.length, 2, lines.join("\n"));
      assert.match(lines.find((l) => !l.includes("releases.ghost"))!, refusal);
      assert.match(lines.find((l) => l.includes("releases.ghost"))!, /a release for a configured service/);
    });

  it("report a list element's other problems beside a refused value of one of its required fields", () => {
    const values = dev();
    values.services[2].port = "x";
    values.services[2].strategy.steps = [10, 50, 100];
    assert.deepEqual(problems("dev", values), [
      "  - platform:releases.orders.canaryWeight: got 25; 0 or one of the steps [10,50,100]",
      '  - platform:services[2].port: got "x"; must be an integer from 1024 to 65535',
      "  - platform:services[2].strategy.steps: got [10,50,100]; weights 4 replicas can carry (each canary pod is 25 % of the traffic): 25, 50, 75 and 100; 10 would run 25 %",
    ]);
  });

  it("report a production rule only when the refused environment would break it under every environment", () => {
    const values = dev();
    values.environment = "prodution";
    // Production alone needs PagerDuty; development, staging and local refuse it: neither is reported.
    values.operations = { ...values.operations, notifications: { ...values.operations?.notifications } };
    assert.deepEqual(
      problems("dev", values).map((l) => l.split(";")[0]),
      ['  - platform:environment: got "prodution"'],
    );
  });

  it("report a problem past an element the schema refused under the element's own index", () => {
    const values = dev();
    values.services[1].target = "lambda";
    values.services[2].strategy.steps = [10, 50, 100];
    assert.deepEqual(problems("dev", values), [
      "  - platform:releases.orders.canaryWeight: got 25; 0 or one of the steps [10,50,100]",
      `  - platform:services[1].target: got "lambda"; Invalid option: expected one of "eks"|"ecs"`,
      "  - platform:services[2].strategy.steps: got [10,50,100]; weights 4 replicas can carry (each canary pod is 25 % of the traffic): 25, 50, 75 and 100; 10 would run 25 %",
    ]);
  });

  it("name the rule of a record's keys and show the key", () => {
    const values = dev();
    values.services[0].env = { "log-level": "debug" };
    assert.deepEqual(problems("dev", values), [
      '  - platform:services[0].env.log-level: got "log-level"; a key that is an environment variable name in UPPER_SNAKE_CASE',
    ]);
  });

  it("name the shapes a union allows", () => {
    const values = dev();
    values.services[0].dependencies = [{ name: "db" }];
    assert.deepEqual(problems("dev", values), [
      '  - platform:services[0].dependencies[0]: got {"name":"db"}; one of { service } or { name, port, cidr?, securityGroupId? }',
    ]);
  });

  it("refuse GitHub names GitHub does not allow", () => {
    const values = dev();
    values.github.owner = "-acme";
    values.github.repository = "..";
    values.github.reviewers = { users: ["a--b", "x".repeat(40)], teams: [] };
    assert.deepEqual(problems("dev", values), [
      '  - platform:github.owner: got "-acme"; must be a GitHub user or organisation name: 1-39 letters, digits or single hyphens, neither first nor last',
      '  - platform:github.repository: got ".."; must be a GitHub repository name other than "." and ".."',
      '  - platform:github.reviewers.users[0]: got "a--b"; must be a GitHub login: 1-39 letters, digits or single hyphens, neither first nor last',
      `  - platform:github.reviewers.users[1]: got "${"x".repeat(40)}"; must be a GitHub login: 1-39 letters, digits or single hyphens, neither first nor last`,
    ]);
  });

  it("derive canary steps the replicas can carry when none are given", () => {
    const values = dev();
    delete values.services[2].strategy.steps;
    values.services[2].replicas = 4;
    const at = (replicas: number) => {
      values.services[2].replicas = replicas;
      values.releases.orders.canaryWeight = 0;
      const strategy = parseStackConfig("dev", values, "eu-west-1").services[2].strategy;
      return strategy.type === "canary" ? strategy.steps : undefined;
    };
    assert.deepEqual(at(2), [50, 100]);
    assert.deepEqual(at(4), [25, 50, 100]);
    assert.deepEqual(at(10), [10, 30, 50, 100]);
    assert.deepEqual(at(20), [10, 25, 50, 100]);
  });

  it("refuse the pins of another strategy in a release", () => {
    const values = dev();
    values.releases.api.activeColor = "green";
    values.releases.api.canaryWeight = 25;
    values.releases.web.canaryDigest = DIGEST;
    assert.deepEqual(problems("dev", values), [
      '  - platform:releases.api.activeColor: got "green"; nothing for a "rolling" service: activeColor is a pin of "blueGreen"',
      '  - platform:releases.api.canaryWeight: got 25; nothing for a "rolling" service: canaryWeight is a pin of "canary"',
      `  - platform:releases.web.canaryDigest: got "${DIGEST}"; nothing for a "blueGreen" service: canaryDigest is a pin of "canary"`,
    ]);
  });

  it("name the strategy types when a strategy has none of them", () => {
    const values = dev();
    values.services[0].strategy = { type: "recreate" };
    assert.deepEqual(problems("dev", values), [
      '  - platform:services[0].strategy.type: got "recreate"; one of "rolling", "blueGreen", "canary"',
    ]);
  });

  it("cross-field rules find nothing in a valid parsed configuration", () => {
    assert.deepEqual(crossFieldProblems(parseStackConfig("dev", dev(), "eu-west-1")), []);
  });
});

describe("Fargate sizes", () => {
  it("allow 512, 1024 or 2048 MiB at 250m, 1 GB steps to 4 vCPU, 4 GB steps at 8 vCPU and 8 GB steps at 16 vCPU", () => {
    assert.deepEqual(FARGATE_MEMORY, {
      250: [512, 1024, 2048],
      500: [1024, 2048, 3072, 4096],
      1000: [2048, 3072, 4096, 5120, 6144, 7168, 8192],
      2000: [4096, 5120, 6144, 7168, 8192, 9216, 10240, 11264, 12288, 13312, 14336, 15360, 16384],
      4000: Array.from({ length: 23 }, (_, i) => 8192 + 1024 * i),
      8000: Array.from({ length: 12 }, (_, i) => 16384 + 4096 * i),
      16000: Array.from({ length: 12 }, (_, i) => 32768 + 8192 * i),
    });
  });

  it("accept the 8 and 16 vCPU sizes, and name a 0.25 vCPU task's three sizes", () => {
    const v = dev();
    v.services[3] = { ...v.services[3], cpu: 8000, memoryMiB: 61440 };
    assert.deepEqual(crossFieldProblems(parseStackConfig("dev", v, "eu-west-1")), []);
    v.services[3] = { ...v.services[3], cpu: 16000, memoryMiB: 122880 };
    assert.deepEqual(crossFieldProblems(parseStackConfig("dev", v, "eu-west-1")), []);
    v.services[3] = { ...v.services[3], cpu: 250, memoryMiB: 1536 };
    assert.throws(
      () => parseStackConfig("dev", v, "eu-west-1"),
      /\(1 problem\):\n {2}- platform:services\[3\]\.memoryMiB: got 1536; for cpu 250: one of 512, 1024, 2048$/,
    );
  });
});

describe("runtime config values", () => {
  it("keep strings and encode everything else as JSON", () => {
    assert.deepEqual(
      toRuntimeConfig({ "platform:a": "text", "platform:b": { x: 1 }, "platform:c": 3, "platform:d": true }),
      {
        "platform:a": "text",
        "platform:b": '{"x":1}',
        "platform:c": "3",
        "platform:d": "true",
      },
    );
  });

  it("decode the project's keys from JSON, keep other text, and skip other namespaces", () => {
    assert.deepEqual(
      projectConfigValues(
        {
          "platform:network": '{"azCount":3}',
          "platform:environment": "development",
          "platform:protect": "true",
          "aws:region": "eu-west-1",
          "platform-state:bucket": "b",
          platform: "no key",
        },
        "platform",
      ),
      { network: { azCount: 3 }, environment: "development", protect: true },
    );
  });
});

describe("the registries an add-on image may come from", () => {
  it("default to the policy rule's own default when a stack's pack config names none", async () => {
    const { policies } = await import("../../policy/policies");
    const rule = policies.find((p) => p.name === IMAGE_REGISTRY_RULE) as any;
    assert.deepEqual(
      [...DEFAULT_APPROVED_REGISTRIES],
      rule.configSchema.properties.approvedRegistries.default,
    );
  });

  it("are the stack's pack config's, read from policy/config/<stack>.json", () => {
    assert.deepEqual(approvedRegistriesOf("production"), ["333333333333.dkr.ecr.eu-west-1.amazonaws.com/"]);
    assert.deepEqual(approvedRegistriesOf("no-such-stack"), DEFAULT_APPROVED_REGISTRIES);
  });

  it("match as the rule reads them: a prefix, * standing for one part of a host", () => {
    const ecr = "111111111111.dkr.ecr.eu-west-1.amazonaws.com/mirror/x:v1@sha256:" + "a".repeat(64);
    assert.equal(fromApprovedRegistry(ecr, DEFAULT_APPROVED_REGISTRIES), true);
    assert.equal(fromApprovedRegistry("registry.k8s.io/x:v1", DEFAULT_APPROVED_REGISTRIES), false);
    assert.equal(
      fromApprovedRegistry(
        "evil.com/111111111111.dkr.ecr.eu-west-1.amazonaws.com/x",
        DEFAULT_APPROVED_REGISTRIES,
      ),
      false,
    );
  });
});
