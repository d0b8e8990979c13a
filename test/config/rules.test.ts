import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as path from "path";
import { parseStackConfig, StackConfig } from "../../src/config";
import {
  awsRules,
  backendRules,
  ConfigRule,
  crossFieldRules,
  eksRules,
  ecsRules,
  applicationRules,
  githubPlanRules,
  githubRules,
  networkRules,
  pullCredentialRules,
  productionRules,
  registryRules,
  releaseRules,
  serviceRules,
} from "../../src/config/rules";
import { apiLimitRules } from "../../src/config/api-limits";
import { dependencyProblems } from "../../src/config/dependency-rules";
import { dnsRules } from "../../src/config/dns";
import { migrationProblems } from "../../src/config/migrations";
import { pipelineScriptRules } from "../../src/config/pipeline-scripts";
import { promotionProblems } from "../../src/config/promotion";
import { readStackConfig } from "../../src/config/stack-files";
import { runnerRules } from "../../src/config/runner-rules";
import { addonImageRules } from "../../src/config/addon-image-rules";
import { serviceBuildRules } from "../../src/config/service-build-rules";
import { operationsProblems } from "../../src/config/operations";
import { releaseBudgetRules } from "../../src/config/release-budget";
import { commandRules } from "../../src/config/command-rules";

/** A mutable copy of a committed stack's parsed configuration. */
function committed(stack: string): any {
  const values: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(readStackConfig(stack)))
    if (k.startsWith("platform:")) values[k.slice(9)] = v;
  return structuredClone(parseStackConfig(stack, values, stack === "local" ? undefined : "eu-west-1"));
}

/** Declares the first service's application with a repository of its own (the platform's executor pinned). */
function withApplication(c: any, github: object = {}, rest: object = {}): void {
  c.github.executorCommit = "0123456789abcdef0123456789abcdef01234567";
  c.services[0].application = "orders-team";
  c.applications = [
    {
      name: "orders-team",
      github: {
        owner: "acme-shop",
        repository: "orders",
        plan: "team",
        visibility: "private",
        advancedSecurity: false,
        manageRepository: false,
        stacks: c.github.stacks,
        codeOwners: [],
        requiredApprovals: 1,
        reviewers: { users: [], teams: [] },
        waitTimerMinutes: 0,
        branchModel: "gitflow",
        ...github,
      },
      ...rest,
    },
  ];
}

interface RuleCase {
  readonly when: string;
  readonly stack?: string;
  readonly change: (c: any) => void;
  /** Every problem the rule reports: key and a pattern of what is allowed. */
  readonly expect: [key: string, allowed: RegExp][];
}

const RULES: [name: string, rule: ConfigRule, cases: RuleCase[]][] = [
  [
    "operationsProblems",
    operationsProblems,
    [
      {
        when: "production's alarms would page nobody",
        stack: "production",
        change: (c) => delete c.operations.notifications.pagerDutyIntegrationKeySecretArn,
        expect: [
          [
            "platform:operations.notifications.pagerDutyIntegrationKeySecretArn",
            /^required in production: the ARN of the Secrets Manager secret/,
          ],
        ],
      },
      {
        when: "dev would page on-call",
        change: (c) =>
          (c.operations.notifications.pagerDutyIntegrationKeySecretArn =
            "arn:aws:secretsmanager:eu-west-1:111111111111:secret:dev/pd-AbCdEf"),
        expect: [
          [
            "platform:operations.notifications.pagerDutyIntegrationKeySecretArn",
            /^nothing outside production/,
          ],
        ],
      },
      {
        when: "a p95 threshold is above production's default p99 (1500 ms)",
        stack: "production",
        change: (c) => (c.operations.gate.latencyP95Ms = 1600),
        expect: [["platform:operations.gate.latencyP95Ms", /^at most latencyP99Ms \(1500\)/]],
      },
      {
        when: "a window opens and closes at the same time on the same day, and two windows share a name",
        stack: "staging",
        change: (c) =>
          c.operations.changeWindows.push({
            name: "weekend",
            days: ["wed"],
            from: "10:00",
            to: "10:00",
            timeZone: "UTC",
          }),
        expect: [
          ["platform:operations.changeWindows[1].to", /^a time other than from \(10:00\)/],
          ["platform:operations.changeWindows[1].name", /^a name no other window has/],
        ],
      },
      {
        when: "a stopped service is not a service of the stack",
        change: (c) => (c.operations.stopped = ["payments", "billing"]),
        expect: [["platform:operations.stopped[1]", /^a service of the stack: api, web, orders, payments/]],
      },
    ],
  ],
  [
    "productionRules",
    productionRules,
    [
      {
        when: "production spans 2 AZs",
        stack: "production",
        change: (c) => (c.network.azCount = 2),
        expect: [["platform:network.azCount", /production spans at least 3 availability zones/]],
      },
      {
        when: "production has a single NAT gateway",
        stack: "production",
        change: (c) => (c.network.natGateways = "single"),
        expect: [["platform:network.natGateways", /production needs "perAz"/]],
      },
      {
        when: "production is unprotected",
        stack: "production",
        change: (c) => (c.protect = false),
        expect: [["platform:protect", /always protected/]],
      },
      {
        when: "production has no reviewers",
        stack: "production",
        change: (c) => (c.github.reviewers = { users: [], teams: [] }),
        expect: [["platform:github.reviewers", /at least one reviewer/]],
      },
    ],
  ],
  [
    "awsRules",
    awsRules,
    [
      {
        when: "an AWS stack is named like the state backend's buckets",
        change: (c) => (c.stack = "state"),
        expect: [["(stack name)", /any name but state: its bucket prefix is the state backend's/]],
      },
      {
        when: "the local stack creates AWS resources",
        stack: "local",
        change: (c) => (c.usesAws = true),
        expect: [
          ["platform:environment", /creates no AWS resources/],
          ["aws:region", /required when the stack creates AWS resources/],
        ],
      },
      {
        when: "an AWS stack has no region",
        change: (c) => (c.awsRegion = undefined),
        expect: [["aws:region", /required when the stack creates AWS resources/]],
      },
    ],
  ],
  [
    "networkRules",
    networkRules,
    [
      {
        when: "a development VPC spans 1 AZ",
        change: (c) => (c.network.azCount = 1),
        expect: [["platform:network.azCount", /^at least 2 availability zones$/]],
      },
      {
        when: "the VPC prefix is /25",
        change: (c) => (c.network.cidr = "10.0.0.0/25"),
        expect: [["platform:network.cidr", /between \/16 and \/24/]],
      },
      {
        when: "the VPC prefix is /12",
        change: (c) => (c.network.cidr = "10.0.0.0/12"),
        expect: [["platform:network.cidr", /between \/16 and \/24/]],
      },
    ],
  ],
  [
    "registryRules",
    registryRules,
    [
      {
        when: "ghcr has no owner",
        change: (c) => (c.registry = { ...c.registry, kind: "ghcr", ghcrOwner: undefined }),
        expect: [["platform:registry.ghcrOwner", /required when registry.kind is "ghcr"/]],
      },
    ],
  ],
  [
    "eksRules",
    eksRules,
    [
      {
        when: "the public EKS endpoint has no CIDRs",
        change: (c) => (c.eks.endpointPublicAccess = true),
        expect: [["platform:eks.publicAccessCidrs", /a public endpoint needs explicit allowed CIDRs/]],
      },
      {
        when: "the EKS endpoint is open to the internet",
        change: (c) => {
          c.eks.endpointPublicAccess = true;
          c.eks.publicAccessCidrs = ["0.0.0.0/0"];
        },
        expect: [["platform:eks.publicAccessCidrs", /together do not cover the whole internet/]],
      },
      {
        when: "the EKS endpoint is open to the internet through two halves of the address space",
        change: (c) => {
          c.eks.endpointPublicAccess = true;
          c.eks.publicAccessCidrs = ["0.0.0.0/1", "128.0.0.0/1"];
        },
        expect: [["platform:eks.publicAccessCidrs", /together do not cover the whole internet/]],
      },
      {
        when: "the version is older than supported",
        change: (c) => (c.eks.version = "1.30"),
        expect: [["platform:eks.version", /1\.31 or newer/]],
      },
      {
        when: "there is no node group",
        change: (c) => (c.eks.nodeGroups = []),
        expect: [["platform:eks.nodeGroups", /at least one node group/]],
      },
      {
        when: "a node group wants more nodes than its maximum",
        change: (c) => (c.eks.nodeGroups[0].desiredSize = 9),
        expect: [["platform:eks.nodeGroups[0]", /minSize ≤ desiredSize ≤ maxSize/]],
      },
    ],
  ],
  [
    "ecsRules",
    ecsRules,
    [
      {
        when: "an internet-facing ALB has no CIDRs",
        change: (c) => (c.ecs.publicLoadBalancer = true),
        expect: [["platform:ecs.allowedCidrs", /internet-facing ALB needs explicit allowed CIDRs/]],
      },
      {
        when: "an internal ALB admits 0.0.0.0/0",
        change: (c) => (c.ecs.allowedCidrs = ["0.0.0.0/0"]),
        expect: [["platform:ecs.allowedCidrs", /or ecs.publicLoadBalancer=true/]],
      },
    ],
  ],
  [
    "dnsRules",
    dnsRules,
    [
      {
        when: "ECS has no zone",
        change: (c) => (c.dns = undefined),
        expect: [["platform:dns", /required when ecs.enabled: services are routed by host name/]],
      },
      {
        when: "ECS has a zone without a certificate",
        change: (c) => (c.dns.certificateArn = undefined),
        expect: [["platform:dns.certificateArn", /required when ecs.enabled: the ALB serves HTTPS only/]],
      },
      {
        when: "the certificate is in another region than the stack's ALB",
        change: (c) =>
          (c.dns.certificateArn =
            "arn:aws:acm:us-east-1:111111111111:certificate/0d2c7a7e-1111-4a2b-9c3d-000000000001"),
        expect: [
          [
            "platform:dns.certificateArn",
            /a certificate of the stack's region eu-west-1 .* this one is in us-east-1/,
          ],
        ],
      },
      {
        when: "the certificate belongs to another account than the stack's",
        change: (c) =>
          (c.dns.certificateArn =
            "arn:aws:acm:eu-west-1:999999999999:certificate/0d2c7a7e-1111-4a2b-9c3d-000000000001"),
        expect: [
          [
            "platform:dns.certificateArn",
            /a certificate of the stack's account 111111111111 .* this one is 999999999999's/,
          ],
        ],
      },
      {
        when: "an ECS service asks for another exposure than the ALB's scheme",
        change: (c) => (c.services[3].exposure = "public"),
        expect: [
          [
            "platform:services[3].exposure",
            /"internal" or unset: ECS services are reached through the shared ALB/,
          ],
        ],
      },
      {
        when: "an ECS service asks to stay inside a cluster",
        stack: "production",
        change: (c) => (c.services[3].exposure = "cluster"),
        expect: [["platform:services[3].exposure", /"public" or unset/]],
      },
      {
        when: "an EKS service is public without CIDRs",
        change: (c) => (c.services[1].exposure = "public"),
        expect: [
          ["platform:kubernetes.ingress.allowedCidrs", /explicit CIDRs when an EKS service is public/],
        ],
      },
      {
        when: "a Kubernetes service off EKS asks for an ALB",
        stack: "local",
        change: (c) => (c.services[0].exposure = "internal"),
        expect: [["platform:services[0].exposure", /"cluster" unless eks.enabled/]],
      },
      {
        when: "an internal EKS service has a zone but no certificate",
        stack: "production",
        change: (c) => {
          c.dns.certificateArn = undefined;
          c.ecs.enabled = false;
          c.services = c.services.filter((s: any) => s.name === "api");
        },
        expect: [
          ["platform:dns.certificateArn", /required when an EKS service is internal \(services\[0\] api\)/],
        ],
      },
      {
        when: "every service stays in its cluster and ECS is off",
        change: (c) => {
          c.ecs.enabled = false;
          c.dns = undefined;
          c.services = c.services.filter((s: any) => s.target === "eks");
          c.services[0].exposure = undefined;
        },
        expect: [],
      },
    ],
  ],
  [
    "serviceRules",
    serviceRules,
    [
      {
        when: "two services share a name",
        change: (c) => (c.services[1].name = "api"),
        expect: [["platform:services[1].name", /service names are unique/]],
      },
      {
        when: "an ECS service runs while ECS is disabled",
        change: (c) => (c.ecs.enabled = false),
        expect: [["platform:services[3].target", /needs ecs.enabled=true/]],
      },
      {
        when: "an EKS service has neither cluster nor kubeconfig",
        change: (c) => (c.eks.enabled = false),
        expect: [
          ["platform:services[0].target", /needs eks.enabled=true or kubernetes.kubeconfig/],
          ["platform:services[1].target", /needs eks.enabled=true or kubernetes.kubeconfig/],
          ["platform:services[2].target", /needs eks.enabled=true or kubernetes.kubeconfig/],
        ],
      },
      {
        when: "an ECS service deploys with a canary",
        change: (c) => {
          // Two replicas carry a 50 % step: only the target is wrong.
          c.services[3].replicas = 2;
          c.services[3].strategy = { type: "canary", steps: [50, 100] };
        },
        expect: [
          ["platform:services[3].strategy.type", /ECS services deploy with "rolling" .* or "blueGreen"/],
        ],
      },
      {
        when: "an ECS service deploys blue/green, ECS's own, with a bake",
        change: (c) => (c.services[3].strategy = { type: "blueGreen", bakeMinutes: 5 }),
        expect: [],
      },
      {
        when: "an EKS service names a bake, which only ECS has",
        change: (c) => (c.services[1].strategy = { type: "blueGreen", bakeMinutes: 5 }),
        expect: [
          [
            "platform:services[1].strategy.bakeMinutes",
            /nothing on EKS: the idle colour keeps the previous release/,
          ],
        ],
      },
      {
        when: "an ECS service has no Fargate CPU size",
        change: (c) => (c.services[3].cpu = 300),
        expect: [["platform:services[3].cpu", /a Fargate size in millicores: 250, 500, 1000, 2000, 4000/]],
      },
      {
        when: "an ECS service has memory its CPU cannot have",
        change: (c) => (c.services[3].memoryMiB = 4096),
        expect: [["platform:services[3].memoryMiB", /for cpu 250: one of 512, 1024, 2048/]],
      },
      {
        when: "a Kubernetes service has secrets but no secret store",
        change: (c) => (c.services[0].secrets = { TOKEN: "arn:aws:secretsmanager:eu-west-1:1:secret:x" }),
        expect: [["platform:services[0].secrets", /through kubernetes.secretStore/]],
      },
      {
        when: "autoscaling has min above max",
        change: (c) => (c.services[0].autoscaling = { minReplicas: 5, maxReplicas: 2, cpuTarget: 70 }),
        expect: [["platform:services[0].autoscaling", /minReplicas ≤ maxReplicas/]],
      },
      {
        when: "a canary service autoscales",
        change: (c) => (c.services[2].autoscaling = { minReplicas: 2, maxReplicas: 4, cpuTarget: 70 }),
        expect: [["platform:services[2].autoscaling", /an autoscaler would undo/]],
      },
      {
        when: "a canary service runs 1 replica",
        change: (c) => (c.services[2].replicas = 1),
        expect: [["platform:services[2].replicas", /at least 2 for canary/]],
      },
      {
        when: "canary steps do not increase",
        change: (c) => (c.services[2].strategy.steps = [50, 25, 100]),
        expect: [
          ["platform:services[2].strategy.steps", /strictly increasing within 1-100 and ending at 100/],
        ],
      },
      {
        when: "canary steps repeat a weight",
        change: (c) => (c.services[2].strategy.steps = [25, 25, 100]),
        expect: [["platform:services[2].strategy.steps", /strictly increasing/]],
      },
      {
        when: "canary steps stop short of 100",
        change: (c) => (c.services[2].strategy.steps = [25, 50]),
        expect: [["platform:services[2].strategy.steps", /ending at 100/]],
      },
      {
        when: "canary steps are empty",
        change: (c) => (c.services[2].strategy.steps = []),
        expect: [["platform:services[2].strategy.steps", /ending at 100/]],
      },
    ],
  ],
  [
    "apiLimitRules",
    apiLimitRules,
    [
      {
        when: "CIDRs have bits set below their prefix",
        change: (c) => {
          c.network.cidr = "10.10.0.1/16";
          c.services[1].dependencies = [{ name: "db", cidr: "10.20.0.5/24", port: 5432 }];
        },
        expect: [
          ["platform:network.cidr", /a network address, 10\.10\.0\.0\/16/],
          ["platform:services[1].dependencies[0].cidr", /a network address, 10\.20\.0\.0\/24/],
        ],
      },
      {
        when: "a tag key or value holds a character AWS tags refuse",
        change: (c) => (c.tags = { team: "payments#1", "cost-center": "shop/eu", "owner:é": "ok" }),
        expect: [
          ["platform:tags.team", /^a key and value of letters, digits, spaces and _ \. : \/ = \+ - @ only/],
        ],
      },
      {
        when: "an ECS service's health path is longer than an ALB health check path may be",
        change: (c) => (c.services[3].healthPath = `/${"a".repeat(1024)}`),
        expect: [
          ["platform:services[3].healthPath", /^a path of at most 1024 characters: the ALB target group's/],
        ],
      },
      {
        when: "the EKS endpoint lists more public CIDRs than EKS takes",
        change: (c) => (c.eks.publicAccessCidrs = Array.from({ length: 41 }, (_, i) => `203.0.${i}.0/24`)),
        expect: [["platform:eks.publicAccessCidrs", /at most 40, the EKS limit/]],
      },
      {
        when: "services take Kubernetes' or the add-ons' namespaces",
        change: (c) => {
          c.services[0].name = "kube-system";
          c.services[1].name = "default";
          c.services[2].name = "external-secrets";
        },
        expect: [
          ["platform:services[0].name", /each service gets a namespace of its name/],
          ["platform:services[1].name", /nor starts with "kube-"/],
          ["platform:services[2].name", /belong to Kubernetes or the platform's add-ons/],
        ],
      },
      {
        when: "a rolling update may neither add nor remove a pod",
        change: (c) => (c.services[0].strategy = { type: "rolling", maxSurge: 0, maxUnavailable: "0%" }),
        expect: [
          [
            "platform:services[0].strategy",
            /Kubernetes refuses a rollout that may neither add nor remove a pod/,
          ],
        ],
      },
      {
        when: "an ECS service has an env var and a secret of the same name",
        change: (c) => (c.services[3].env = { DATABASE_URL: "postgres://x" }),
        expect: [
          [
            "platform:services[3].env.DATABASE_URL",
            /ECS refuses a container whose environment and secrets share a name/,
          ],
        ],
      },
      {
        when: "tags are reserved, replace the program's own, are too long, or too many",
        change: (c) => {
          c.tags = {
            "aws:owner": "x",
            "platform:stack": "other",
            ["k".repeat(129)]: "v",
            team: "v".repeat(257),
          };
          for (let i = 0; i < 45; i++) c.tags[`t${i}`] = "x";
        },
        expect: [
          [
            "platform:tags",
            /at most 48: AWS allows 50 per resource and the program adds platform:stack, platform:environment/,
          ],
          ["platform:tags.aws:owner", /AWS reserves/],
          ["platform:tags.platform:stack", /which the program sets itself/],
          [`platform:tags.${"k".repeat(129)}`, /a key of 1-128 characters/],
          ["platform:tags.team", /a value of at most 256 characters/],
        ],
      },
      {
        when: "a service's name is another's followed by a word the program names the other's resources with",
        change: (c) => {
          c.services.push({ ...c.services[0], name: "web-preview" });
          c.services.push({ ...c.services[0], name: "orders-canary-v2" });
          c.services.push({ ...c.services[0], name: "web-admin" });
        },
        expect: [
          [
            "platform:services[4].name",
            /not web's name followed by one of the words .*both would register the same resource/,
          ],
          ["platform:services[5].name", /not orders's name followed by/],
        ],
      },
      {
        when: "a disabled target has settings that would be dropped",
        change: (c) => {
          c.eks.enabled = false;
          c.ecs.enabled = false;
          c.ecs.allowedCidrs = ["10.0.0.0/8"];
        },
        expect: [
          ["platform:eks.nodeGroups", /nothing while eks.enabled is false/],
          ["platform:ecs.allowedCidrs", /nothing while ecs.enabled is false: there is no ALB/],
        ],
      },
      {
        when: "two node groups share a name",
        change: (c) => c.eks.nodeGroups.push({ ...c.eks.nodeGroups[0] }),
        expect: [["platform:eks.nodeGroups[1].name", /node group names are unique/]],
      },
      {
        when: "an ECS service's name leaves its target group no room for Pulumi's random suffix",
        change: (c) => (c.services[3].name = "payments-reconciliation"),
        expect: [
          [
            "platform:services[3].name",
            /at most 21 characters for target "ecs": "<name>-tg" plus Pulumi's 8-character suffix must fit the 32 characters of ELB target group names/,
          ],
        ],
      },
      {
        when: "an ECS service's name is exactly as long as its target group allows",
        change: (c) => (c.services[3].name = "payments-settlement-x"),
        expect: [],
      },
      {
        when: "a service name breaks ECR's repository pattern",
        change: (c) => (c.services[0].name = "my--api"),
        expect: [
          ["platform:services[0].name", /without consecutive '-': it names the service's ECR repository/],
        ],
      },
      {
        when: "a GHCR stack's service has a doubled hyphen, which image references allow",
        stack: "local",
        change: (c) => (c.services[0].name = "my--api"),
        expect: [],
      },
      {
        when: "the region does not exist and the promotion source's neither",
        stack: "production",
        change: (c) => {
          c.awsRegion = "eu-west-9";
          c.registry.promotionSource = { accountId: "222222222222", region: "us-middle-1" };
        },
        expect: [
          ["aws:region", /an AWS region: us-east-1, us-east-2/],
          ["platform:registry.promotionSource.region", /an AWS region: /],
        ],
      },
      {
        when: "the VPC asks for more availability zones than its region has",
        change: (c) => {
          c.network.azCount = 4;
          c.awsRegion = "eu-west-1";
        },
        expect: [["platform:network.azCount", /at most 3: eu-west-1 has 3 availability zones/]],
      },
      {
        when: "the VPC spans four zones of a region that has six",
        change: (c) => {
          c.network.azCount = 4;
          c.awsRegion = "us-east-1";
        },
        expect: [],
      },
      {
        when: "a node group names an instance type that does not exist",
        change: (c) => (c.eks.nodeGroups[0].instanceTypes = ["t3.large", "m9z.large", "m7i.huge"]),
        expect: [
          [
            "platform:eks.nodeGroups[0].instanceTypes[1]",
            /an EC2 instance type of families t3, t3a, t4g, m5/,
          ],
          ["platform:eks.nodeGroups[0].instanceTypes[2]", /in sizes large, xlarge, 2xlarge/],
        ],
      },
      {
        when: "an EKS service's pod is larger than what any node leaves for pods",
        change: (c) => {
          c.services[0].cpu = 2000;
          c.services[1].memoryMiB = 8192;
        },
        expect: [
          ["platform:services[0]", /a pod that fits a node: .*general 1930m and 7650 MiB/],
          ["platform:services[1]", /a pod that fits a node/],
        ],
      },
      {
        when: "an EKS service's pod fits the larger of two node groups",
        change: (c) => {
          c.services[0].cpu = 2000;
          c.eks.nodeGroups.push({ ...c.eks.nodeGroups[0], name: "large", instanceTypes: ["m7i.xlarge"] });
        },
        expect: [],
      },
      {
        when: "the environment has more reviewers than GitHub takes and two stacks share an environment",
        change: (c) => {
          c.github.reviewers = { users: ["a", "b", "c", "d"], teams: ["e", "f", "g"] };
          c.github.stacks[1].environment = "development";
        },
        expect: [
          ["platform:github.reviewers", /at most 6 users and teams together/],
          [
            "platform:github.stacks[1].environment",
            /an environment no other stack deploys through \(dev does\)/,
          ],
        ],
      },
    ],
  ],
  [
    "dependencyProblems",
    dependencyProblems,
    [
      {
        when: "the ECS ALB is internet-facing and an ECS service calls another through it",
        change: (c) => {
          c.ecs.publicLoadBalancer = true;
          c.services.push({
            ...c.services.find((s: any) => s.name === "payments"),
            name: "billing",
            dependencies: [{ service: "payments" }],
          });
        },
        expect: [
          [
            "platform:services[4].dependencies[0].service",
            /tasks reach an internet-facing ALB only through the NAT gateway/,
          ],
        ],
      },
      {
        when: "a dependency names a service of the other target",
        change: (c) => c.services[0].dependencies.push({ service: "payments" }),
        expect: [["platform:services[0].dependencies[0].service", /payments runs on ecs/]],
      },
    ],
  ],
  [
    "releaseRules",
    releaseRules,
    [
      {
        when: "a release names no configured service",
        change: (c) =>
          (c.releases.gone = { digest: c.releases.web.digest, activeColor: "blue", canaryWeight: 0 }),
        expect: [
          ["platform:releases.gone", /a release for a configured service \(api, web, orders, payments\)/],
        ],
      },
      {
        when: "a canary weight is not one of the steps",
        change: (c) => (c.releases.orders.canaryWeight = 30),
        expect: [["platform:releases.orders.canaryWeight", /0 or one of the steps \[25,50,100\]/]],
      },
      {
        when: "a release names no configured service",
        change: (c) => (c.releases.ghost = { ...c.releases.api }),
        expect: [
          ["platform:releases.ghost", /a release for a configured service \(api, web, orders, payments\)/],
        ],
      },
    ],
  ],
  [
    "releaseBudgetRules",
    releaseBudgetRules,
    [
      {
        when: "a canary's steps and metric windows outlast the deploy job",
        stack: "production",
        change: (c) => (c.services[2].strategy.steps = [10, 20, 30, 40, 50, 100]),
        expect: [
          [
            "platform:services[2].strategy",
            /^a release that fits the deploy job's 60 minutes; this one can take 76:/,
          ],
        ],
      },
      {
        when: "post-deploy checks leave the CodeBuild runner too little time",
        stack: "production",
        change: (c) => {
          c.ci.runner.timeoutMinutes = 30;
          c.services[0].postDeploy = { command: "python smoke.py", timeoutSeconds: 1200 };
        },
        expect: [
          [
            "platform:services[0].strategy",
            /^a release that fits the CodeBuild runner's 30 minutes .* post-deploy checks 20,/,
          ],
          ["platform:services[2].strategy", /^a release that fits the CodeBuild runner's 30 minutes/],
        ],
      },
    ],
  ],
  [
    "pullCredentialRules",
    pullCredentialRules,
    [
      {
        when: "ECR is given a pull credential",
        change: (c) =>
          (c.registry.pullCredentialsSecretArn =
            "arn:aws:secretsmanager:eu-west-1:111111111111:secret:ghcr/pull-AbCdEf"),
        expect: [["platform:registry.pullCredentialsSecretArn", /^only with registry\.kind "ghcr"/]],
      },
      {
        when: "GHCR's credential has no secret store to reach EKS pods",
        change: (c) => {
          c.registry = {
            kind: "ghcr",
            ghcrOwner: "acme-shop",
            pullCredentialsSecretArn: "arn:aws:secretsmanager:eu-west-1:111111111111:secret:ghcr/pull-AbCdEf",
          };
          delete c.kubernetes?.secretStore;
        },
        expect: [
          [
            "platform:kubernetes.secretStore",
            /^a ClusterSecretStore name: EKS pods pull private GHCR images/,
          ],
        ],
      },
    ],
  ],
  [
    "commandRules",
    commandRules,
    [
      {
        when: "a migration command carries an expression a commit message would fill",
        change: (c) =>
          (c.services.find((s: any) => s.migrations).migrations.apply =
            "alembic upgrade head # ${{ github.event.head_commit.message }}"),
        expect: [
          [
            "platform:services[3].migrations.apply",
            /^a command without \$\{\{ \}\}: GitHub evaluates it where the command is rendered/,
          ],
        ],
      },
      {
        when: "a build command pipes a download into a shell",
        change: (c) =>
          (c.services[0].build.commands = {
            lint: "curl -fsSL https://example.com/install.sh | sh && ruff check .",
          }),
        expect: [
          [
            "platform:services[0].build.commands.lint",
            /^a command that pipes no download into a shell or interpreter/,
          ],
        ],
      },
      {
        when: "a unit command swallows its own failure, and the coverage floor with it",
        change: (c) => (c.services[0].build.commands = { unit: "pytest tests/unit --cov=app || true" }),
        expect: [
          [
            "platform:services[0].build.commands.unit",
            /^a command whose failure fails the check: `\|\| true`/,
          ],
        ],
      },
      {
        when: "a command downloads to a file and runs it after checking it",
        change: (c) =>
          (c.services[0].build.commands = {
            lint: "curl -fsSLo tool.sh https://example.com/tool.sh && sha256sum -c tool.sha256 && bash tool.sh",
          }),
        expect: [],
      },
    ],
  ],
  [
    "githubRules",
    githubRules,
    [
      {
        when: "the stack is not listed",
        change: (c) => (c.github.stacks = c.github.stacks.filter((s: any) => s.stack !== "dev")),
        expect: [["platform:github.stacks", /must list this stack \("dev"\)/]],
      },
      {
        when: "the stack is listed with another environment",
        change: (c) => (c.github.stacks[0].environment = "staging"),
        expect: [["platform:github.stacks", /deploys to the "development" environment/]],
      },
      {
        when: "the managing stack has no code owners",
        change: (c) => (c.github.codeOwners = []),
        expect: [["platform:github.codeOwners", /at least one team slug/]],
      },
      {
        when: "the local stack manages the repository",
        stack: "local",
        change: (c) => (c.github = { ...committed("dev").github, manageRepository: true }),
        expect: [["platform:github.manageRepository", /the local stack cannot own the repository/]],
      },
      {
        when: "an application's stack deploys from a branch its model does not integrate",
        change: (c) =>
          withApplication(c, {
            branchModel: "trunk",
            stacks: [{ stack: "dev", environment: "development", deployFrom: { branch: "develop" } }],
          }),
        expect: [
          [
            "platform:applications[0].github.stacks[0].deployFrom.branch",
            /an integration branch of branchModel trunk: main/,
          ],
        ],
      },
      {
        when: "an application's repository does not list this stack",
        change: (c) => withApplication(c, { stacks: [{ stack: "staging", environment: "staging" }] }),
        expect: [["platform:applications[0].github.stacks", /must list this stack \("dev"\)/]],
      },
    ],
  ],
  [
    "githubPlanRules",
    githubPlanRules,
    [
      {
        when: "a private repository is on GitHub Free",
        change: (c) => (c.github.plan = "free"),
        expect: [["platform:github.plan", /a private repository on GitHub Free has no environments/]],
      },
      {
        when: "production on a private Team repository keeps a reviewer login and its wait timer",
        stack: "production",
        change: (c) => (c.github.plan = "team"),
        expect: [
          ["platform:github.waitTimerMinutes", /no wait timers on a private repository of the "team" plan/],
          ["platform:github.reviewers.users", /users cannot be ruleset bypass actors/],
        ],
      },
      {
        when: "a branch-deployed stack on a private Team repository has reviewers",
        stack: "staging",
        change: (c) => {
          c.github.plan = "team";
          c.github.reviewers = { users: [], teams: ["qa"] };
        },
        expect: [["platform:github.reviewers", /deploys from branch "main", whose branch protection/]],
      },
      {
        when: "a public repository claims an Advanced Security licence",
        change: (c) => (c.github.visibility = "public"),
        expect: [["platform:github.advancedSecurity", /public repositories get secret scanning/]],
      },
      {
        when: "an application's private repository is on GitHub Free",
        change: (c) => withApplication(c, { plan: "free" }),
        expect: [
          ["platform:applications[0].github.plan", /or applications\[0\]\.github\.visibility "public"/],
        ],
      },
    ],
  ],
  [
    "applicationRules",
    applicationRules,
    [
      {
        when: "an application declares a repository of its own, with a service and the executor pinned",
        change: (c) => withApplication(c),
        expect: [],
      },
      {
        when: "an application's repository is the platform's own",
        change: (c) => withApplication(c, { owner: "acme-shop", repository: "shop" }),
        expect: [["platform:applications[0].github.repository", /a repository of its own/]],
      },
      {
        when: "no service of the stack names the application",
        change: (c) => {
          withApplication(c);
          delete c.services[0].application;
        },
        expect: [["platform:applications[0].name", /an application some service of this stack names/]],
      },
      {
        when: "the platform's executor commit is not pinned",
        change: (c) => {
          withApplication(c);
          delete c.github.executorCommit;
        },
        expect: [["platform:github.executorCommit", /the full commit SHA of this repository/]],
      },
      {
        when: "the pin being replaced is the new pin itself",
        change: (c) => {
          withApplication(c);
          c.github.previousExecutorCommit = c.github.executorCommit;
        },
        expect: [
          ["platform:github.previousExecutorCommit", /the commit executorCommit replaced, or nothing/],
        ],
      },
      {
        when: "the stack keeps its workloads itself",
        change: (c) => {
          withApplication(c);
          c.applicationStacks = false;
        },
        expect: [
          [
            "platform:applicationStacks",
            /an application with a repository of its own deploys its application stacks/,
          ],
        ],
      },
      {
        when: "an application's repository has another owner than the platform's private one",
        change: (c) => withApplication(c, { owner: "acme-orders" }),
        expect: [
          [
            "platform:applications[0].github.owner",
            /GitHub shares a private repository's reusable workflows only with repositories of its own owner/,
          ],
        ],
      },
      {
        when: "an application's repository is public and the platform's private",
        change: (c) => withApplication(c, { visibility: "public" }),
        expect: [
          [
            "platform:applications[0].github.visibility",
            /a public repository cannot call the reusable workflows/,
          ],
        ],
      },
      {
        when: "an application's GHCR registry names no owner",
        change: (c) => withApplication(c, {}, { registry: { kind: "ghcr" } }),
        expect: [["platform:applications[0].registry.ghcrOwner", /required when kind is "ghcr"/]],
      },
    ],
  ],
  [
    "backendRules",
    backendRules,
    [
      {
        when: "there is no shared backend",
        change: (c) => (c.github.backend = undefined),
        expect: [["platform:github.backend", /CI jobs need shared state/]],
      },
      {
        when: "the state key is in another region than the bucket",
        change: (c) => (c.github.backend.region = "us-east-1"),
        expect: [["platform:github.backend.stateKeyArn", /a key in the bucket's region \(us-east-1\)/]],
      },
      {
        when: "a team token has no team",
        change: (c) => (c.github.backend = { kind: "cloud", organization: "acme", tokenType: "team" }),
        expect: [["platform:github.backend.scope", /a team name for tokenType "team"/]],
      },
      {
        when: "an organization token has a scope",
        change: (c) =>
          (c.github.backend = { kind: "cloud", organization: "acme", tokenType: "organization", scope: "x" }),
        expect: [["platform:github.backend.scope", /takes no scope/]],
      },
      {
        when: "service secrets are used with an S3 backend",
        change: (c) => (c.github.secrets = { provider: "service" }),
        expect: [["platform:github.secrets.provider", /exist only in Pulumi Cloud/]],
      },
    ],
  ],
  [
    "migrationProblems",
    migrationProblems,
    [
      {
        when: "a service's migrations name a database that is not one of its dependencies",
        change: (c) => (c.services[3].migrations.database = "orders-db"),
        expect: [
          [
            "platform:services[3].migrations.database",
            /one of the service's database dependencies \(payments-db\); the deploy runner is given the same path/,
          ],
        ],
      },
      {
        when: "a service without database dependencies migrates",
        change: (c) => (c.services[0].migrations = { ...c.services[3].migrations, database: "db" }),
        expect: [["platform:services[0].migrations.database", /none: declare it in dependencies/]],
      },
      {
        when: "two migrating services name different databases alike",
        change: (c) => {
          c.services[2].migrations = { ...c.services[3].migrations, database: "payments-db" };
          c.services[2].dependencies = [
            ...c.services[2].dependencies,
            { name: "payments-db", cidr: "10.20.1.0/24", port: 5432 },
          ];
        },
        expect: [
          [
            "platform:services[3].migrations.database",
            /^a database name of its own: orders migrates a database named payments-db at 10\.20\.1\.0\/24:5432, this one is at sg-0a1b2c3d4e5f60718:5432/,
          ],
        ],
      },
      {
        when: "a service migrates from a GitHub-hosted runner, outside the network",
        change: (c) => (c.ci.runner = { kind: "github-hosted" }),
        expect: [["platform:ci.runner", /db-migrate connects to the database from the deploy job's runner/]],
      },
      {
        when: "a service migrates on a Pulumi Cloud backend",
        change: (c) =>
          (c.github.backend = { kind: "cloud", organization: "acme", tokenType: "organization" }),
        expect: [["platform:github.backend.kind", /the pre-migration dump is kept in the state bucket/]],
      },
    ],
  ],
  [
    "pipelineScriptRules",
    pipelineScriptRules,
    [
      {
        when: "integration service containers are configured and the root package.json has no test:integration",
        change: (c) => (c.github.integrationServices = ["postgres"]),
        expect: [
          [
            "platform:github.integrationServices",
            /the root package.json has no "test:integration" script for ci.yml's integration job to run/,
          ],
        ],
      },
      {
        when: "a migrating service's command runs an npm script its directory lacks",
        change: (c) => (c.services[3].migrations.apply = "npm run -s migrate"),
        expect: [
          [
            "platform:services[3].migrations.apply",
            /services\/payments\/ can run: its package.json has no "migrate" script/,
          ],
        ],
      },
    ],
  ],
  [
    "promotionProblems",
    promotionProblems,
    [
      {
        when: "production copies staging's images without naming staging's account and region",
        stack: "production",
        change: (c) => delete c.registry.promotionSource,
        expect: [
          [
            "platform:registry.promotionSource",
            /^the account and region of stack "staging", whose repositories \(platform-staging\/<service>\) this stack copies its images from/,
          ],
        ],
      },
      {
        when: "staging, which its own build feeds under gitflow, names a source",
        stack: "staging",
        change: (c) => (c.registry.promotionSource = { accountId: "111111111111", region: "eu-west-1" }),
        expect: [
          [
            "platform:registry.promotionSource",
            /nothing: stack "staging" deploys the images its own build pushes/,
          ],
        ],
      },
      {
        when: "staging under trunk copies dev's images without naming dev's account",
        stack: "staging",
        change: (c) => (c.branchModel = "trunk"),
        expect: [["platform:registry.promotionSource", /the account and region of stack "dev"/]],
      },
      {
        when: "production, which no stack copies from, grants promotion pulls",
        stack: "production",
        change: (c) => (c.registry.promotionTargetAccountIds = ["555555555555"]),
        expect: [
          [
            "platform:registry.promotionTargetAccountIds",
            /nothing: no stack copies its images from "production"/,
          ],
        ],
      },
      {
        when: "a GHCR stack names a promotion source and targets",
        stack: "production",
        change: (c) => {
          c.registry.kind = "ghcr";
          c.registry.promotionTargetAccountIds = ["555555555555"];
        },
        expect: [
          ["platform:registry.promotionSource", /^nothing with GHCR: images stay in ghcr.io\/<owner>/],
          ["platform:registry.promotionTargetAccountIds", /^nothing with GHCR/],
        ],
      },
    ],
  ],
  [
    "runnerRules",
    runnerRules,
    [
      {
        when: "a stack with a private EKS endpoint and an internal ALB names no runner",
        change: (c) => (c.ci = {}),
        expect: [
          [
            "platform:ci.runner",
            /^a runner that reaches the stack's endpoints, since platform:eks.endpointPublicAccess is false and platform:ecs.publicLoadBalancer is false, which GitHub-hosted runners \(outside the VPC, from no fixed addresses\) cannot reach: \{ kind: "codebuild", connectionArn \}/,
          ],
        ],
      },
      {
        when: "production, whose ALB is public but whose EKS endpoint is private, runs GitHub-hosted",
        stack: "production",
        change: (c) => (c.ci = { runner: { kind: "github-hosted" } }),
        expect: [
          ["platform:ci.runner", /since platform:eks.endpointPublicAccess is false, which GitHub-hosted/],
        ],
      },
      {
        when: "a public EKS endpoint and ALB are open to listed CIDRs only, and the runner is GitHub-hosted",
        change: (c) => {
          c.ci = { runner: { kind: "github-hosted" } };
          c.eks = { ...c.eks, endpointPublicAccess: true, publicAccessCidrs: ["203.0.113.0/24"] };
          c.ecs = { ...c.ecs, publicLoadBalancer: true, allowedCidrs: ["198.51.100.0/24"] };
        },
        expect: [
          [
            "platform:ci.runner",
            /since platform:eks.publicAccessCidrs is \["203.0.113.0\/24"\] and platform:ecs.allowedCidrs is \["198.51.100.0\/24"\], which GitHub-hosted/,
          ],
        ],
      },
      {
        when: "a CodeBuild runner has no VPC to run in",
        change: (c) => {
          c.eks = { ...c.eks, enabled: false };
          c.ecs = { ...c.ecs, enabled: false };
        },
        expect: [["platform:ci.runner.kind", /CodeBuild runners run in the stack's VPC/]],
      },
      {
        when: "a CodeBuild runner has no repository to register in",
        change: (c) => delete c.github,
        expect: [["platform:ci.runner.kind", /a stack with platform:github/]],
      },
    ],
  ],
  [
    "addonImageRules",
    addonImageRules,
    [
      {
        when: "production installs all four add-ons without their images",
        stack: "production",
        change: (c) => (c.eks.addons.images = {}),
        expect: [
          [
            "platform:eks.addons.images.loadBalancerController",
            /^required because services api, web have an internal or public exposure \(an ALB Ingress\), which needs the AWS Load Balancer Controller \(chart aws-load-balancer-controller 3\.2\.2\): public\.ecr\.aws\/eks\/aws-load-balancer-controller:v3\.2\.2 mirrored into a registry the policy pack approves \(this account's ECR or an ECR pull-through cache\) and pinned by digest, <registry>\/<repository>:<tag>@sha256:<64 hex>$/,
          ],
          [
            "platform:eks.addons.images.externalSecrets",
            /^required because service orders has secrets \(ExternalSecrets\), which needs External Secrets Operator \(chart external-secrets 1\.3\.2\): ghcr\.io\/external-secrets\/external-secrets:v1\.3\.2 mirrored/,
          ],
          [
            "platform:eks.addons.images.metricsServer",
            /^required because services api, web have autoscaling \(an HPA\), which needs metrics-server \(chart metrics-server 3\.13\.1\): registry\.k8s\.io\/metrics-server\/metrics-server:v0\.8\.1 mirrored/,
          ],
          [
            "platform:eks.addons.images.prometheus",
            /^required because service orders has exposure cluster \(no ALB measures its releases; the metric gate reads Prometheus\), which needs Prometheus \(chart prometheus 29\.27\.0\): quay\.io\/prometheus\/prometheus:v3\.14\.0 mirrored/,
          ],
        ],
      },
      {
        when: "a staging service gains a secret while staging mirrors no External Secrets image",
        stack: "staging",
        change: (c) => {
          c.kubernetes.secretStore = "aws-secrets-manager";
          c.services[0].secrets = {
            TOKEN: "arn:aws:secretsmanager:eu-west-1:222222222222:secret:staging/api/token-AbCdEf",
          };
        },
        expect: [["platform:eks.addons.images.externalSecrets", /^required because service api has secrets/]],
      },
      {
        when: "a dev service becomes internal",
        change: (c) => (c.services[0].exposure = "internal"),
        expect: [
          [
            "platform:eks.addons.images.loadBalancerController",
            /^required because service api has an internal/,
          ],
        ],
      },
      {
        when: "dev mirrors images no service needs yet",
        change: (c) =>
          (c.eks.addons.images = {
            ...c.eks.addons.images,
            metricsServer: `111111111111.dkr.ecr.eu-west-1.amazonaws.com/mirror/metrics-server:v0.8.1@sha256:${"a".repeat(64)}`,
          }),
        expect: [],
      },
      {
        when: "production's services run on a cluster the stack does not create",
        stack: "production",
        change: (c) => {
          c.eks = { ...c.eks, enabled: false, addons: { images: {} } };
          c.kubernetes.kubeconfig = "/etc/kubeconfig";
        },
        expect: [],
      },
    ],
  ],
  [
    "serviceBuildRules",
    serviceBuildRules,
    [
      {
        when: "an application at the repository root has another built service beside it",
        change: (c) => (c.services[1].build.path = "."),
        expect: [
          [
            "platform:services[1].build.path",
            /^a directory of this service alone: it overlaps services\/api of service "api"/,
          ],
          // …and the repository's root holds no Dockerfile either.
          ["platform:services[1].build.dockerfile", /^a file in \.\/ \(the image build reads it\)/],
        ],
      },
      {
        when: "a service is built from a shared package the repository lacks",
        change: (c) => (c.services[0].build.sharedPaths = ["shared"]),
        expect: [
          [
            "platform:services[0].build.sharedPaths[0]",
            /^a directory the repository holds \(a package the service is built from\)/,
          ],
        ],
      },
      {
        when: "a service names Python and Node versions that were never released",
        change: (c) => {
          c.services[0].build.versions = ["3.12", "3.99"];
          c.services[1].build.versions = ["20", "27"];
        },
        expect: [
          [
            "platform:services[0].build.versions[1]",
            /^a released python version \(the setup step fails on any other\): 3\.9, /,
          ],
          [
            "platform:services[1].build.versions[1]",
            /^a released node version \(the setup step fails on any other\): 18, /,
          ],
        ],
      },
      {
        when: "a service builds from a directory the repository lacks",
        change: (c) => (c.services[0].build.path = "services/nowhere"),
        expect: [["platform:services[0].build.path", /^a directory the repository holds/]],
      },
      {
        when: "a Python service's directory holds a Node package",
        change: (c) =>
          (c.services[1].build = { ...c.services[1].build, toolchain: "python", versions: ["3.12"] }),
        expect: [
          [
            "platform:services[1].build.toolchain",
            /^a toolchain whose manifests services\/web\/ holds: it has no requirements-dev\.txt$/,
          ],
        ],
      },
      {
        when: "the Dockerfile named is not in the service's directory",
        change: (c) => (c.services[0].build.dockerfile = "docker/Dockerfile.prod"),
        expect: [
          [
            "platform:services[0].build.dockerfile",
            /^a file in services\/api\/ \(the image build reads it\)$/,
          ],
        ],
      },
      {
        when: "two services build from nested directories",
        change: (c) => (c.services[1].build.path = "services/api/web"),
        expect: [
          ["platform:services[1].build.path", /it overlaps services\/api of service "api"/],
          ["platform:services[1].build.path", /^a directory the repository holds/],
        ],
      },
      {
        when: "a Node service names a Python version",
        change: (c) => (c.services[1].build.versions = ["20", "3.12"]),
        expect: [["platform:services[1].build.versions[1]", /^a node version matching \/\^\\d\{2\}\$\/$/]],
      },
    ],
  ],
];

describe("cross-field rules", () => {
  it("composes every area's rule, each once", () => {
    assert.deepEqual(
      crossFieldRules(),
      RULES.map(([, rule]) => rule),
    );
  });

  for (const [name, rule, cases] of RULES) {
    describe(name, () => {
      for (const stack of new Set(cases.map((c) => c.stack ?? "dev")))
        it(`finds nothing wrong in the committed ${stack} stack`, () =>
          assert.deepEqual(rule(committed(stack) as StackConfig), []));
      for (const c of cases)
        it(`reports ${c.expect.map(([key]) => key).join(" and ") || "nothing"} when ${c.when}`, () => {
          const config = committed(c.stack ?? "dev");
          c.change(config);
          const problems = rule(config);
          assert.deepEqual(
            problems.map((p) => p.key),
            c.expect.map(([key]) => key),
          );
          c.expect.forEach(([, allowed], i) => assert.match(problems[i].allowed, allowed));
        });
    });
  }
});

describe("the cross-field rules, whichever module loads first", function () {
  this.timeout(60000);
  // An import ring (a workflow module importing a rule's module before the rules) once left a
  // rule undefined in the list of rules, so that rule never ran in that process.
  for (const first of ["./src/workflows", "./policy/policies", "./src/release/cli", "./src/stack/platform"])
    it(`are all defined when ${first} is loaded first`, () => {
      const script = `require(${JSON.stringify(first)}); const rules = require("./src/config/rules").crossFieldRules(); console.log(rules.filter((r) => typeof r !== "function").length + "/" + rules.length);`;
      const r = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", "-e", script], {
        cwd: path.resolve(__dirname, "../.."),
        encoding: "utf8",
      });
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout.trim(), /^0\/\d+$/);
    });
});
