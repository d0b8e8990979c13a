/**
 * Turns raw stack configuration into a `StackConfig`, or one `ConfigError` listing every problem.
 * Each problem names the key (`platform:services[1].strategy.steps`), the value it got and what is
 * allowed, so a user can fix the stack file without reading this code.
 */
import { z } from "zod";
import { keyLocation } from "./backend";
import { migrationProblems } from "./migrations";
import { GithubConfig, MIN_KUBERNETES_VERSION, PROJECT, StackConfig, stackConfigSchema } from "./schema";

export interface ConfigProblem {
  /** Full config key path, e.g. `platform:eks.publicAccessCidrs`. */
  readonly key: string;
  /** The value found (undefined when absent). */
  readonly value: unknown;
  /** What is allowed. */
  readonly allowed: string;
}

export class ConfigError extends Error {
  constructor(
    readonly stack: string,
    readonly problems: readonly ConfigProblem[],
  ) {
    super(
      `Invalid configuration for stack "${stack}" (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
        problems.map((p) => `  - ${p.key}: got ${show(p.value)}; ${p.allowed}`).join("\n"),
    );
    this.name = "ConfigError";
  }
}

function show(value: unknown): string {
  if (value === undefined) return "nothing";
  const text = JSON.stringify(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

/** `["services", 1, "port"]` → `platform:services[1].port`. */
export function keyOf(path: readonly PropertyKey[]): string {
  let key = `${PROJECT}:`;
  path.forEach((part, i) => {
    if (typeof part === "number") key += `[${part}]`;
    else key += i === 0 ? String(part) : `.${String(part)}`;
  });
  return key;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v: any = root;
  for (const part of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = v[part as any];
  }
  return v;
}

function fromZodIssue(raw: unknown, issue: z.core.$ZodIssue): ConfigProblem[] {
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((k) => ({
      key: keyOf([...issue.path, k]),
      value: valueAt(raw, [...issue.path, k]),
      allowed: `unknown key; allowed here: ${allowedKeysAt(issue.path).join(", ")}`,
    }));
  }
  if (issue.code === "invalid_union" && issue.path.at(-1) === "strategy") {
    return [
      {
        key: keyOf(issue.path),
        value: valueAt(raw, issue.path),
        allowed: 'type must be one of "rolling", "blueGreen", "canary"',
      },
    ];
  }
  return [{ key: keyOf(issue.path), value: valueAt(raw, issue.path), allowed: issue.message }];
}

/** The keys a strict object in the schema accepts at `path` (unwrapping defaults, arrays and records). */
export function allowedKeysAt(path: readonly PropertyKey[]): string[] {
  let node: any = stackConfigSchema;
  // Defaults and optionals wrap the schema; a union's keys are those of all its variants.
  const unwrap = () => {
    while (node?._zod?.def?.innerType) node = node._zod.def.innerType;
    if (node?._zod?.def?.type === "union") {
      const shapes = node._zod.def.options.map((o: any) => o?._zod?.def?.shape ?? {});
      node = { _zod: { def: { type: "object", shape: Object.assign({}, ...shapes) } } };
    }
  };
  unwrap();
  for (const part of path) {
    const def = node?._zod?.def;
    if (def?.type === "object") node = def.shape[part as string];
    else if (def?.type === "array") node = def.element;
    else if (def?.type === "record") node = def.valueType;
    else return [];
    unwrap();
  }
  const shape = node?._zod?.def?.shape;
  return shape ? Object.keys(shape) : [];
}

/** Parses and validates; throws one ConfigError naming every problem. Pure: no Pulumi runtime. */
export function parseStackConfig(
  stack: string,
  raw: Record<string, unknown>,
  awsRegion?: string,
): StackConfig {
  const parsed = stackConfigSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(
      stack,
      parsed.error.issues.flatMap((i) => fromZodIssue(raw, i)),
    );
  }
  const c = parsed.data;
  const usesAws = c.eks.enabled || c.ecs.enabled || c.registry.kind === "ecr";
  const config: StackConfig = {
    ...c,
    stack,
    protect: c.protect ?? c.environment === "production",
    usesAws,
    awsRegion,
  };
  const problems = [...crossFieldProblems(config), ...migrationProblems(config)];
  if (problems.length > 0) throw new ConfigError(stack, problems);
  return config;
}

function versionAtLeast(version: string, minimum: string): boolean {
  const [a, b] = version.split(".").map(Number);
  const [x, y] = minimum.split(".").map(Number);
  return a > x || (a === x && b >= y);
}

/** Rules that tie keys together; each returns the problems it finds. */
export function crossFieldProblems(c: StackConfig): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  const add = (path: PropertyKey[], value: unknown, allowed: string) =>
    out.push({ key: keyOf(path), value, allowed });

  if (c.environment === "production") {
    if (c.usesAws && c.network.azCount < 3)
      add(["network", "azCount"], c.network.azCount, "production spans at least 3 availability zones");
    if (c.usesAws && c.network.natGateways !== "perAz")
      add(
        ["network", "natGateways"],
        c.network.natGateways,
        'production needs "perAz" so one AZ failing does not cut egress',
      );
    if (!c.protect)
      add(["protect"], false, "production resources are always protected; remove the key or set true");
    if (c.github && c.github.reviewers.users.length + c.github.reviewers.teams.length === 0)
      add(
        ["github", "reviewers"],
        c.github.reviewers,
        "production needs at least one reviewer login or team slug",
      );
  } else if (c.usesAws && c.network.azCount < 2) {
    add(["network", "azCount"], c.network.azCount, "at least 2 availability zones");
  }
  if (c.environment === "local" && c.usesAws) {
    add(
      ["environment"],
      c.environment,
      'the "local" environment creates no AWS resources: set eks.enabled=false, ecs.enabled=false and registry.kind="ghcr"',
    );
  }
  if (c.usesAws && !c.awsRegion) {
    out.push({
      key: "aws:region",
      value: undefined,
      allowed: "required when the stack creates AWS resources, e.g. us-east-1",
    });
  }
  const prefix = Number(c.network.cidr.split("/")[1]);
  if (prefix < 16 || prefix > 24)
    add(["network", "cidr"], c.network.cidr, "a VPC prefix between /16 and /24");

  if (c.registry.kind === "ghcr" && !c.registry.ghcrOwner)
    add(["registry", "ghcrOwner"], undefined, 'required when registry.kind is "ghcr"');

  if (c.eks.enabled) {
    if (!versionAtLeast(c.eks.version, MIN_KUBERNETES_VERSION))
      add(["eks", "version"], c.eks.version, `a supported version, ${MIN_KUBERNETES_VERSION} or newer`);
    if (c.eks.endpointPublicAccess && c.eks.publicAccessCidrs.length === 0)
      add(
        ["eks", "publicAccessCidrs"],
        c.eks.publicAccessCidrs,
        "a public endpoint needs explicit allowed CIDRs",
      );
    if (c.eks.nodeGroups.length === 0)
      add(["eks", "nodeGroups"], c.eks.nodeGroups, "at least one node group");
  }
  c.eks.publicAccessCidrs.forEach((cidr, i) => {
    if (cidr.endsWith("/0"))
      add(["eks", "publicAccessCidrs", i], cidr, "a specific network, never the whole internet");
  });
  c.eks.nodeGroups.forEach((g, i) => {
    if (!(g.minSize <= g.desiredSize && g.desiredSize <= g.maxSize))
      add(
        ["eks", "nodeGroups", i],
        { minSize: g.minSize, desiredSize: g.desiredSize, maxSize: g.maxSize },
        "minSize ≤ desiredSize ≤ maxSize",
      );
  });

  if (c.ecs.enabled) {
    if (!c.ecs.certificateArn)
      add(["ecs", "certificateArn"], undefined, "required when ecs.enabled: the ALB serves HTTPS only");
    if (!c.ecs.domain)
      add(["ecs", "domain"], undefined, "required when ecs.enabled: services are routed by host name");
    if (c.ecs.publicLoadBalancer && c.ecs.allowedCidrs.length === 0)
      add(["ecs", "allowedCidrs"], c.ecs.allowedCidrs, "an internet-facing ALB needs explicit allowed CIDRs");
  }
  c.ecs.allowedCidrs.forEach((cidr, i) => {
    if (cidr.endsWith("/0") && !c.ecs.publicLoadBalancer)
      add(["ecs", "allowedCidrs", i], cidr, "0.0.0.0/0 only with ecs.publicLoadBalancer=true");
  });

  const names = new Set<string>();
  c.services.forEach((s, i) => {
    if (names.has(s.name)) add(["services", i, "name"], s.name, "service names are unique");
    names.add(s.name);
    if (s.target === "ecs" && !c.ecs.enabled)
      add(["services", i, "target"], s.target, 'target "ecs" needs ecs.enabled=true; or use "eks"');
    if (s.target === "eks" && !c.eks.enabled && !c.kubernetes.kubeconfig)
      add(
        ["services", i, "target"],
        s.target,
        'target "eks" needs eks.enabled=true or kubernetes.kubeconfig',
      );
    if (s.target === "ecs") {
      if (s.strategy.type !== "rolling")
        add(
          ["services", i, "strategy", "type"],
          s.strategy.type,
          'ECS services deploy with "rolling" (circuit breaker with rollback)',
        );
      const allowed = FARGATE_MEMORY[s.cpu];
      if (!allowed)
        add(
          ["services", i, "cpu"],
          s.cpu,
          `a Fargate size in millicores: ${Object.keys(FARGATE_MEMORY).join(", ")}`,
        );
      else if (!allowed.includes(s.memoryMiB))
        add(
          ["services", i, "memoryMiB"],
          s.memoryMiB,
          `for cpu ${s.cpu}: one of ${allowed[0]}-${allowed[allowed.length - 1]} in steps of 1024 (or 512 at 250m)`,
        );
    }
    if (s.target === "eks" && Object.keys(s.secrets).length > 0 && !c.kubernetes.secretStore)
      add(
        ["services", i, "secrets"],
        Object.keys(s.secrets),
        "Kubernetes services resolve secrets through kubernetes.secretStore; set it",
      );
    if (s.autoscaling && s.autoscaling.minReplicas > s.autoscaling.maxReplicas)
      add(["services", i, "autoscaling"], s.autoscaling, "minReplicas ≤ maxReplicas");
    if (s.autoscaling && s.strategy.type === "canary")
      add(
        ["services", i, "autoscaling"],
        s.autoscaling,
        "canary splits traffic by replica ratio, which an autoscaler would undo; remove autoscaling",
      );
    if (s.strategy.type === "canary") {
      const steps = s.strategy.steps;
      const increasing = steps.every((w, j) => w > 0 && w <= 100 && (j === 0 || w > steps[j - 1]));
      if (steps.length === 0 || !increasing || steps[steps.length - 1] !== 100)
        add(
          ["services", i, "strategy", "steps"],
          steps,
          "weights strictly increasing within 1-100 and ending at 100, e.g. [10, 25, 50, 100]",
        );
    }
    const release = c.releases[s.name];
    if (!release) {
      add(
        ["releases", s.name, "digest"],
        undefined,
        "every service needs a release digest (sha256:…); the build workflow sets it",
      );
    } else if (
      s.strategy.type === "canary" &&
      release.canaryWeight !== 0 &&
      !s.strategy.steps.includes(release.canaryWeight)
    ) {
      add(
        ["releases", s.name, "canaryWeight"],
        release.canaryWeight,
        `0 or one of the steps ${JSON.stringify(s.strategy.steps)}`,
      );
    }
  });
  for (const name of Object.keys(c.releases)) {
    if (!names.has(name))
      add(
        ["releases", name],
        c.releases[name],
        `a release for a configured service (${[...names].join(", ") || "none"})`,
      );
  }

  if (c.github) {
    const own = c.github.stacks.find((s) => s.stack === c.stack);
    if (!own && c.environment !== "local")
      add(["github", "stacks"], c.github.stacks, `must list this stack ("${c.stack}")`);
    else if (own && own.environment !== c.environment)
      add(["github", "stacks"], own, `this stack deploys to the "${c.environment}" environment`);
    if (c.github.manageRepository && c.environment === "local")
      add(["github", "manageRepository"], true, "the local stack cannot own the repository");
    if (c.github.manageRepository && c.github.codeOwners.length === 0)
      add(
        ["github", "codeOwners"],
        [],
        "at least one team slug: branch protection requires code-owner reviews, and without owners it requires none",
      );
    out.push(...backendProblems(c.github));
  }
  return out;
}

/** A stack GitHub deploys needs shared state, and its secrets provider must fit the backend. */
function backendProblems(gh: GithubConfig): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  const add = (path: PropertyKey[], value: unknown, allowed: string) =>
    out.push({ key: keyOf(["github", ...path]), value, allowed });
  const { backend, secrets } = gh;
  if (!backend) {
    add(
      ["backend"],
      undefined,
      'CI jobs need shared state: { kind: "s3", bucket, region, stateKeyArn } from the bootstrap stack, or { kind: "cloud", organization }',
    );
    return out;
  }
  if (backend.kind === "s3" && keyLocation(backend.stateKeyArn).region !== backend.region)
    add(
      ["backend", "stateKeyArn"],
      backend.stateKeyArn,
      `S3 encrypts only with a key in the bucket's region (${backend.region})`,
    );
  if (backend.kind === "cloud" && backend.tokenType !== "organization" && !backend.scope)
    add(
      ["backend", "scope"],
      undefined,
      `a ${backend.tokenType === "team" ? "team name" : "user login"} for tokenType "${backend.tokenType}"`,
    );
  if (backend.kind === "cloud" && backend.tokenType === "organization" && backend.scope)
    add(["backend", "scope"], backend.scope, 'nothing: tokenType "organization" takes no scope');
  if (secrets.provider === "service" && backend.kind !== "cloud")
    add(
      ["secrets", "provider"],
      "service",
      'passphrase or awskms: "service" keys exist only in Pulumi Cloud',
    );
  return out;
}

/** Fargate CPU (millicores) → allowed memory (MiB). */
export const FARGATE_MEMORY: Record<number, number[]> = {
  250: [512, 1024, 2048],
  500: range(1024, 4096, 1024),
  1000: range(2048, 8192, 1024),
  2000: range(4096, 16384, 1024),
  4000: range(8192, 30720, 1024),
};

function range(from: number, to: number, step: number): number[] {
  const out: number[] = [];
  for (let v = from; v <= to; v += step) out.push(v);
  return out;
}
