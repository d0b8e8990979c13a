/**
 * Values the schema accepts one key at a time and a real API refuses, or takes to mean something
 * else: each limit is data here, with the documentation that sets it.
 */
import {
  allocatable,
  AWS_REGION_ZONES,
  describeInstanceTypes,
  InstanceShape,
  instanceShape,
  zonesOf,
} from "./aws-catalog";
import type { ConfigProblem, ConfigRule } from "./problem";
import { keyOf } from "./problem";
import type { ServiceConfig } from "./schema";
import { operationsOf } from "./operations";

/**
 * Namespaces a service may not be named after (each service gets a namespace of its name):
 * Kubernetes' own (`kube-` is reserved for the system, "Namespaces" in the Kubernetes docs), the
 * `default` namespace, and the namespaces the program's add-ons run in.
 */
export const RESERVED_NAMESPACES = [
  "default",
  // The add-ons' (ADDON_CHARTS; a test keeps the two lists equal).
  "aws-load-balancer-controller",
  "external-secrets",
  "metrics-server",
  "prometheus",
] as const;
const RESERVED_NAMESPACE_PREFIX = "kube-";

/** EKS: "You can enter up to 40 public access CIDR blocks" (Cluster API server endpoint). */
export const EKS_MAX_PUBLIC_ACCESS_CIDRS = 40;

/** GitHub: an environment's required reviewers are "up to six people or teams". */
export const GITHUB_MAX_ENVIRONMENT_REVIEWERS = 6;

/**
 * AWS tags ("Tag naming limits and requirements"): at most 50 per resource, keys of 1-128 and
 * values of 0-256 characters, and no key beginning `aws:` (reserved for AWS).
 */
export const AWS_TAG_LIMITS = { maxTags: 50, maxKeyLength: 128, maxValueLength: 256, reservedPrefix: "aws:" };
/**
 * The characters a tag key or value may hold: "letters, numbers, and spaces representable in
 * UTF-8, and the following characters: _ . : / = + - @" (the same page; the Tag API's pattern
 * `^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$`).
 */
export const AWS_TAG_CHARACTERS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
/** ELB target group health check path: "Length Constraints: Minimum length of 1. Maximum length of 1024." */
export const ELB_HEALTH_CHECK_PATH_MAX = 1024;

/** Tags the program puts on every resource itself (`awsLayer`): the stack's own tags may not replace them. */
export const PROGRAM_TAG_KEYS = ["platform:stack", "platform:environment"] as const;

/**
 * CloudWatch PutMetricAlarm: "the total current evaluation period" (`Period` × `EvaluationPeriods`)
 * "can be no longer than one day (86,400 seconds)"; alarms with a period of an hour or longer may
 * evaluate up to seven days (CloudWatch API Reference, PutMetricAlarm, EvaluationPeriods).
 */
export const CLOUDWATCH_EVALUATION_RANGE = { underAnHourSeconds: 86_400, hourOrLongerSeconds: 7 * 86_400 };

/** EKS service quotas: "Managed node groups per cluster: 30" (Amazon EKS service quotas, default). */
export const EKS_MAX_MANAGED_NODE_GROUPS = 30;

/**
 * VPC quotas: "Inbound or outbound rules per security group: 60", counted per CIDR (a rule naming
 * two CIDRs is two rules) and separately for IPv4 and IPv6 (Amazon VPC quotas, Security groups).
 * The ALBs open 443 and 80 to each allowed CIDR: two rules per CIDR.
 */
export const SECURITY_GROUP_RULES_PER_DIRECTION = 60;
const ALB_LISTENER_PORTS = 2;

/** Pulumi auto-naming appends "-" and 7 random characters to a logical name. */
export const AUTONAME_SUFFIX_LENGTH = 8;

/**
 * The physical-name limit of every resource type the program names, and whether the name is
 * auto-named (logical name plus the random suffix) or given. The property suite checks every
 * resource of an evaluated stack against this table, so a resource type added without its limit,
 * or a name that outgrows it, fails there.
 */
export const PHYSICAL_NAME_LIMITS: Readonly<Record<string, { readonly max: number; readonly doc: string }>> =
  {
    // "Target group name: up to 32 alphanumeric characters or hyphens" (ELB CreateTargetGroup).
    "aws:lb/targetGroup:TargetGroup": { max: 32, doc: "ELB target group names" },
    "aws:lb/loadBalancer:LoadBalancer": { max: 32, doc: "ELB load balancer names" },
    // IAM quotas: role and instance profile names 64, policy names 128.
    "aws:iam/role:Role": { max: 64, doc: "IAM role names" },
    "aws:iam/policy:Policy": { max: 128, doc: "IAM managed policy names" },
    "aws:iam/rolePolicy:RolePolicy": { max: 128, doc: "IAM inline policy names" },
    // ECR CreateRepository: repositoryName 2-256.
    "aws:ecr/repository:Repository": { max: 256, doc: "ECR repository names" },
    "aws:ecs/cluster:Cluster": { max: 255, doc: "ECS cluster names" },
    "aws:ecs/service:Service": { max: 255, doc: "ECS service names" },
    "aws:ecs/taskDefinition:TaskDefinition": { max: 255, doc: "ECS task definition families" },
    "aws:ec2/securityGroup:SecurityGroup": { max: 255, doc: "EC2 security group names" },
    "aws:cloudwatch/logGroup:LogGroup": { max: 512, doc: "CloudWatch log group names" },
    "aws:kms/alias:Alias": { max: 256, doc: "KMS alias names" },
    // EKS CreateNodegroup: nodegroupName 1-63; CreateCluster: name 1-100.
    "aws:eks/nodeGroup:NodeGroup": { max: 63, doc: "EKS node group names" },
    "aws:eks/cluster:Cluster": { max: 100, doc: "EKS cluster names" },
    "aws:codebuild/project:Project": { max: 150, doc: "CodeBuild project names" },
    // S3: bucket names 3-63.
    "aws:s3/bucket:Bucket": { max: 63, doc: "S3 bucket names" },
    // Kubernetes: Namespaces and Services are DNS-1123/1035 labels (63); most objects DNS-1123 subdomains (253).
    "kubernetes:core/v1:Namespace": { max: 63, doc: "Kubernetes namespace names" },
    "kubernetes:core/v1:Service": { max: 63, doc: "Kubernetes Service names" },
  };

/**
 * The service-named resources whose limit binds first, per target: the longest service name is
 * the limit less the auto-name suffix and the word the program appends.
 */
export const SERVICE_NAMED_RESOURCES = [
  { target: "ecs", type: "aws:lb/targetGroup:TargetGroup", suffix: "-tg" },
  { target: "ecs", type: "aws:iam/role:Role", suffix: "-execution" },
] as const;

/** The longest service name a target's resources can carry. */
export function maxServiceNameLength(target: ServiceConfig["target"]): number | undefined {
  const bounds = SERVICE_NAMED_RESOURCES.filter((r) => r.target === target).map(
    (r) => PHYSICAL_NAME_LIMITS[r.type].max - AUTONAME_SUFFIX_LENGTH - r.suffix.length,
  );
  return bounds.length ? Math.min(...bounds) : undefined;
}

/**
 * ECR CreateRepository's repositoryName pattern: path components of lowercase letters and digits
 * joined by single `.`, `_` or `-`. A DNS label may hold `--`; ECR refuses it.
 */
export const ECR_REPOSITORY_NAME = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;

/** `a.b.c.d/n` → whether any bit below the prefix is set (AWS rejects such a CIDR: "is malformed"). */
export function hostBitsSet(cidr: string): boolean {
  const [address, prefix] = cidr.split("/");
  const value = address.split(".").reduce((acc, octet) => acc * 256 + Number(octet), 0);
  const hostBits = 32 - Number(prefix);
  return hostBits > 0 && value % 2 ** hostBits !== 0;
}

/** The network address of a CIDR: `10.0.0.1/16` → `10.0.0.0/16`. */
export function networkOf(cidr: string): string {
  const [address, prefix] = cidr.split("/");
  const value = address.split(".").reduce((acc, octet) => acc * 256 + Number(octet), 0);
  const size = 2 ** (32 - Number(prefix));
  const network = value - (value % size);
  const octets = [24, 16, 8, 0].map((shift) => Math.floor(network / 2 ** shift) % 256);
  return `${octets.join(".")}/${prefix}`;
}

/** Every CIDR the configuration holds, with its key path. */
function cidrsOf(c: Parameters<ConfigRule>[0]): [PropertyKey[], string][] {
  return [
    [["network", "cidr"], c.network.cidr],
    ...c.eks.publicAccessCidrs.map((v, i): [PropertyKey[], string] => [["eks", "publicAccessCidrs", i], v]),
    ...c.ecs.allowedCidrs.map((v, i): [PropertyKey[], string] => [["ecs", "allowedCidrs", i], v]),
    ...c.kubernetes.ingress.allowedCidrs.map((v, i): [PropertyKey[], string] => [
      ["kubernetes", "ingress", "allowedCidrs", i],
      v,
    ]),
    ...c.services.flatMap((s, i) =>
      s.dependencies.flatMap((d, j): [PropertyKey[], string][] =>
        "cidr" in d && d.cidr ? [[["services", i, "dependencies", j, "cidr"], d.cidr]] : [],
      ),
    ),
  ];
}

const zeroSurge = (v: number | string) => v === 0 || v === "0%";

/**
 * The words the program appends to a service's name to name what it creates for it (Kubernetes:
 * `-ns`, `-sa`, tracks `-blue`…, `-svc`, `-preview-svc`, policies, `-ingress`; ECS: roles, task,
 * target group, rule, scaling; `-dns`). A service named `<other>-<word>…` would register a resource
 * under the same name and type as one of the other's: the engine refuses the second.
 */
export const CHILD_NAME_WORDS = [
  "ns",
  "sa",
  "secrets",
  "main",
  "blue",
  "green",
  "stable",
  "canary",
  "svc",
  "preview",
  "default",
  "allow",
  "ingress",
  "dns",
  "logs",
  "execution",
  "task",
  "tasks",
  "to",
  "tg",
  "rule",
  "service",
  "scaling",
  "cpu",
] as const;

/** The other service whose children a service's name would collide with, if any. */
export function collidingService(name: string, others: readonly string[]): string | undefined {
  return others.find(
    (other) =>
      other !== name &&
      name.startsWith(`${other}-`) &&
      (CHILD_NAME_WORDS as readonly string[]).includes(name.slice(other.length + 1).split("-")[0]),
  );
}

export const apiLimitRules: ConfigRule = (c) => {
  const out: ConfigProblem[] = [];
  const push = (path: PropertyKey[], value: unknown, allowed: string) =>
    out.push({ key: keyOf(path), value, allowed });

  for (const [path, cidr] of cidrsOf(c))
    if (hostBitsSet(cidr))
      push(path, cidr, `a network address, ${networkOf(cidr)}: bits below the prefix must be 0`);

  if (c.eks.publicAccessCidrs.length > EKS_MAX_PUBLIC_ACCESS_CIDRS)
    push(
      ["eks", "publicAccessCidrs"],
      `${c.eks.publicAccessCidrs.length} CIDRs`,
      `at most ${EKS_MAX_PUBLIC_ACCESS_CIDRS}, the EKS limit on public access CIDRs`,
    );

  const serviceNames = c.services.map((s) => s.name);
  c.services.forEach((s, i) => {
    const owner = collidingService(s.name, serviceNames);
    if (owner)
      push(
        ["services", i, "name"],
        s.name,
        `a name that is not ${owner}'s name followed by one of the words the program names ${owner}'s resources with (${CHILD_NAME_WORDS.join(", ")}): both would register the same resource`,
      );
    if (
      (RESERVED_NAMESPACES as readonly string[]).includes(s.name) ||
      s.name.startsWith(RESERVED_NAMESPACE_PREFIX)
    )
      push(
        ["services", i, "name"],
        s.name,
        `a name that is not ${RESERVED_NAMESPACES.join(", ")} nor starts with "${RESERVED_NAMESPACE_PREFIX}": each service gets a namespace of its name, and those belong to Kubernetes or the platform's add-ons`,
      );
    if (
      s.strategy.type === "rolling" &&
      zeroSurge(s.strategy.maxSurge) &&
      zeroSurge(s.strategy.maxUnavailable)
    )
      push(
        ["services", i, "strategy"],
        { maxSurge: s.strategy.maxSurge, maxUnavailable: s.strategy.maxUnavailable },
        "maxSurge or maxUnavailable above 0: Kubernetes refuses a rollout that may neither add nor remove a pod",
      );
    // ECS: "The secret name must be unique and not shared with any new or existing environment variables".
    if (s.target === "ecs" && s.healthPath.length > ELB_HEALTH_CHECK_PATH_MAX)
      push(
        ["services", i, "healthPath"],
        `${s.healthPath.length} characters`,
        `a path of at most ${ELB_HEALTH_CHECK_PATH_MAX} characters: the ALB target group's health check path`,
      );
    if (s.target === "ecs")
      for (const name of Object.keys(s.secrets))
        if (Object.hasOwn(s.env, name))
          push(
            ["services", i, "env", name],
            s.env[name],
            `a name not also in secrets (${name} is a secret of this service): ECS refuses a container whose environment and secrets share a name`,
          );
  });

  const maxLength = (target: ServiceConfig["target"]) => maxServiceNameLength(target) ?? Infinity;
  c.services.forEach((s, i) => {
    if (s.name.length > maxLength(s.target))
      push(
        ["services", i, "name"],
        s.name,
        `at most ${maxLength(s.target)} characters for target "${s.target}": ${SERVICE_NAMED_RESOURCES.filter(
          (r) => r.target === s.target,
        )
          .map(
            (r) =>
              `"<name>${r.suffix}" plus Pulumi's ${AUTONAME_SUFFIX_LENGTH}-character suffix must fit the ${PHYSICAL_NAME_LIMITS[r.type].max} characters of ${PHYSICAL_NAME_LIMITS[r.type].doc}`,
          )
          .join("; ")}`,
      );
    if (c.registry.kind === "ecr" && !ECR_REPOSITORY_NAME.test(s.name))
      push(
        ["services", i, "name"],
        s.name,
        "a name without consecutive '-': it names the service's ECR repository, whose components join letters and digits by single separators",
      );
  });

  if (c.usesAws && c.awsRegion !== undefined) {
    const zones = zonesOf(c.awsRegion);
    if (zones === undefined)
      out.push({
        key: "aws:region",
        value: c.awsRegion,
        allowed: `an AWS region: ${Object.keys(AWS_REGION_ZONES).join(", ")}`,
      });
    else if (c.network.azCount > zones)
      push(
        ["network", "azCount"],
        c.network.azCount,
        `at most ${zones}: ${c.awsRegion} has ${zones} availability zones open to an account`,
      );
  }
  const source = c.registry.promotionSource;
  if (source && zonesOf(source.region) === undefined)
    push(
      ["registry", "promotionSource", "region"],
      source.region,
      `an AWS region: ${Object.keys(AWS_REGION_ZONES).join(", ")}`,
    );

  // Node groups: known instance types, and every EKS service's pod fits one group's smallest node.
  const groupShapes: { name: string; smallest: InstanceShape }[] = [];
  c.eks.nodeGroups.forEach((g, i) => {
    const shapes = g.instanceTypes.map((type, j) => {
      const shape = instanceShape(type);
      if (!shape)
        push(
          ["eks", "nodeGroups", i, "instanceTypes", j],
          type,
          `an EC2 instance type of ${describeInstanceTypes()}`,
        );
      return shape;
    });
    if (shapes.every((x) => x !== undefined)) {
      const room = shapes.map(allocatable);
      groupShapes.push({
        name: g.name,
        smallest: {
          vcpus: Math.min(...room.map((r) => r.vcpus)),
          memoryMiB: Math.min(...room.map((r) => r.memoryMiB)),
        },
      });
    }
  });
  if (c.eks.enabled && groupShapes.length === c.eks.nodeGroups.length && groupShapes.length > 0)
    c.services.forEach((s, i) => {
      if (s.target !== "eks") return;
      const fits = groupShapes.some(
        (g) => s.cpu <= g.smallest.vcpus * 1000 && s.memoryMiB <= g.smallest.memoryMiB,
      );
      if (!fits)
        push(
          ["services", i],
          { cpu: s.cpu, memoryMiB: s.memoryMiB },
          `a pod that fits a node: what a node group's smallest instance type leaves for pods is ${groupShapes
            .map(
              (g) =>
                `${g.name} ${Math.floor(g.smallest.vcpus * 1000)}m and ${Math.floor(g.smallest.memoryMiB)} MiB`,
            )
            .join(", ")} (capacity less the EKS AMI's kube-reserved and eviction threshold)`,
        );
    });

  // Keys of a disabled target would be dropped without a word: say so instead.
  if (!c.eks.enabled) {
    const set: [PropertyKey[], unknown][] = [
      [["eks", "nodeGroups"], c.eks.nodeGroups.length ? c.eks.nodeGroups.map((g) => g.name) : undefined],
      [["eks", "endpointPublicAccess"], c.eks.endpointPublicAccess || undefined],
      [["eks", "publicAccessCidrs"], c.eks.publicAccessCidrs.length ? c.eks.publicAccessCidrs : undefined],
    ];
    for (const [path, value] of set)
      if (value !== undefined)
        push(path, value, "nothing while eks.enabled is false: no cluster would use it");
  }
  if (!c.ecs.enabled) {
    const set: [PropertyKey[], unknown][] = [
      [["ecs", "publicLoadBalancer"], c.ecs.publicLoadBalancer || undefined],
      [["ecs", "allowedCidrs"], c.ecs.allowedCidrs.length ? c.ecs.allowedCidrs : undefined],
    ];
    for (const [path, value] of set)
      if (value !== undefined) push(path, value, "nothing while ecs.enabled is false: there is no ALB");
  }

  const groups = new Set<string>();
  c.eks.nodeGroups.forEach((g, i) => {
    if (groups.has(g.name))
      push(["eks", "nodeGroups", i, "name"], g.name, "node group names are unique within the cluster");
    groups.add(g.name);
  });

  const tags = Object.entries(c.tags);
  if (tags.length + PROGRAM_TAG_KEYS.length > AWS_TAG_LIMITS.maxTags)
    push(
      ["tags"],
      `${tags.length} tags`,
      `at most ${AWS_TAG_LIMITS.maxTags - PROGRAM_TAG_KEYS.length}: AWS allows ${AWS_TAG_LIMITS.maxTags} per resource and the program adds ${PROGRAM_TAG_KEYS.join(", ")}`,
    );
  for (const [key, value] of tags) {
    if ((PROGRAM_TAG_KEYS as readonly string[]).includes(key))
      push(
        ["tags", key],
        value,
        `a key other than ${PROGRAM_TAG_KEYS.join(", ")}, which the program sets itself`,
      );
    else if (key.toLowerCase().startsWith(AWS_TAG_LIMITS.reservedPrefix))
      push(
        ["tags", key],
        value,
        `a key not starting with "${AWS_TAG_LIMITS.reservedPrefix}", which AWS reserves`,
      );
    if (key.length === 0 || key.length > AWS_TAG_LIMITS.maxKeyLength)
      push(["tags", key], value, `a key of 1-${AWS_TAG_LIMITS.maxKeyLength} characters`);
    if (value.length > AWS_TAG_LIMITS.maxValueLength)
      push(
        ["tags", key],
        `${value.length} characters`,
        `a value of at most ${AWS_TAG_LIMITS.maxValueLength} characters`,
      );
    if (!AWS_TAG_CHARACTERS.test(key) || !AWS_TAG_CHARACTERS.test(value))
      push(
        ["tags", key],
        value,
        "a key and value of letters, digits, spaces and _ . : / = + - @ only (AWS tag characters)",
      );
  }

  const alarms = operationsOf(c).alarms;
  const range = alarms.periodMinutes * 60 * alarms.evaluationPeriods;
  const rangeLimit =
    alarms.periodMinutes >= 60
      ? CLOUDWATCH_EVALUATION_RANGE.hourOrLongerSeconds
      : CLOUDWATCH_EVALUATION_RANGE.underAnHourSeconds;
  if (range > rangeLimit)
    push(
      ["operations", "alarms", "evaluationPeriods"],
      alarms.evaluationPeriods,
      `at most ${Math.floor(rangeLimit / (alarms.periodMinutes * 60))} with periodMinutes ${alarms.periodMinutes}: CloudWatch refuses an alarm whose periods × period length exceeds ${rangeLimit === CLOUDWATCH_EVALUATION_RANGE.underAnHourSeconds ? "one day (86,400 s) under an hour's period" : "seven days"} (this one is ${range} s)`,
    );

  if (c.eks.enabled && c.eks.nodeGroups.length > EKS_MAX_MANAGED_NODE_GROUPS)
    push(
      ["eks", "nodeGroups"],
      `${c.eks.nodeGroups.length} node groups`,
      `at most ${EKS_MAX_MANAGED_NODE_GROUPS}, EKS's quota of managed node groups per cluster (raise it in Service Quotas first, then this limit)`,
    );
  const ruleBudget = (path: PropertyKey[], cidrs: readonly string[], extra: number, what: string) => {
    for (const family of ["IPv4", "IPv6"] as const) {
      const n = cidrs.filter((x) => x.includes(":") === (family === "IPv6")).length;
      const rules = n * ALB_LISTENER_PORTS + extra;
      if (rules > SECURITY_GROUP_RULES_PER_DIRECTION)
        push(
          path,
          `${n} ${family} CIDRs`,
          `at most ${Math.floor((SECURITY_GROUP_RULES_PER_DIRECTION - extra) / ALB_LISTENER_PORTS)} ${family} CIDRs: ${what} opens 443 and 80 to each, ${rules} inbound rules, and a security group holds ${SECURITY_GROUP_RULES_PER_DIRECTION} per direction and family (VPC quotas); use a prefix list or fewer, wider CIDRs`,
        );
    }
  };
  if (c.ecs.enabled)
    ruleBudget(["ecs", "allowedCidrs"], c.ecs.allowedCidrs, 1, "the ECS ALB's security group");
  if (c.eks.enabled)
    ruleBudget(
      ["kubernetes", "ingress", "allowedCidrs"],
      c.kubernetes.ingress.allowedCidrs,
      0,
      "the security group the load balancer controller gives each Ingress ALB",
    );

  if (c.github) {
    const reviewers = c.github.reviewers.users.length + c.github.reviewers.teams.length;
    if (reviewers > GITHUB_MAX_ENVIRONMENT_REVIEWERS)
      push(
        ["github", "reviewers"],
        `${reviewers} reviewers`,
        `at most ${GITHUB_MAX_ENVIRONMENT_REVIEWERS} users and teams together, GitHub's limit for an environment`,
      );
    const seen = new Map<string, string>();
    const stacks = new Set<string>();
    c.github.stacks.forEach((s, i) => {
      if (stacks.has(s.stack))
        push(["github", "stacks", i, "stack"], s.stack, "each stack once in the promotion order");
      stacks.add(s.stack);
      const other = seen.get(s.environment);
      if (other !== undefined)
        push(
          ["github", "stacks", i, "environment"],
          s.environment,
          `an environment no other stack deploys through (${other} does): each stack writes its own variables and secrets into its environment, so two would overwrite each other`,
        );
      else seen.set(s.environment, s.stack);
    });
  }
  return out;
};
