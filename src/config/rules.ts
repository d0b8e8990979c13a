/**
 * The rules that tie configuration keys together, one function per area, each
 * `(config) => ConfigProblem[]` and pure. `crossFieldProblems` runs them all, in the order of
 * `CROSS_FIELD_RULES`, after the schema has parsed the keys one by one.
 */
import { opensToInternet } from "../../policy/lib/address-coverage";
import { own } from "../lib/own";
import { BranchModel, deploySource, integrationBranches } from "../workflows/context";
import { addonImageRules } from "./addon-image-rules";
import { dnsRules } from "./dns";
import { canarySplit } from "../components/kubernetes/app-spec";
import { apiLimitRules } from "./api-limits";
import { achievableWeights, weightAchieved } from "./canary";
import { keyLocation } from "./backend";
import { VPC_CNI_VERSIONS } from "./aws-catalog";
import { dependencyProblems } from "./dependency-rules";
import { planFeatures } from "./github-plan";
import { migrationProblems } from "./migrations";
import { pipelineScriptRules } from "./pipeline-scripts";
import { promotionProblems } from "./promotion";
import { runnerRules } from "./runner-rules";
import { serviceBuildRules } from "./service-build-rules";
import { operationsProblems } from "./operations";
import { releaseBudgetRules } from "./release-budget";
import { commandRules } from "./command-rules";
import { GithubConfig, MIN_KUBERNETES_VERSION, ServiceConfig, StackConfig } from "./schema";
import { ConfigProblem, ConfigRule, keyOf, problem } from "./problem";

// The problem vocabulary lives in a leaf module the area files import; re-exported for callers.
export { ConfigProblem, ConfigRule, keyOf } from "./problem";

/** Production survives an AZ failure, is protected and has reviewers. */
export const productionRules: ConfigRule = (c) => {
  if (c.environment !== "production") return [];
  const out: ConfigProblem[] = [];
  if (c.usesAws && c.network.azCount < 3)
    out.push(
      problem(["network", "azCount"], c.network.azCount, "production spans at least 3 availability zones"),
    );
  if (c.usesAws && c.network.natGateways !== "perAz")
    out.push(
      problem(
        ["network", "natGateways"],
        c.network.natGateways,
        'production needs "perAz" so one AZ failing does not cut egress',
      ),
    );
  if (!c.protect)
    out.push(
      problem(["protect"], false, "production resources are always protected; remove the key or set true"),
    );
  // Someone must be able to look at, and in an incident take over, the production cluster.
  for (const kind of ["onCall", "breakGlass"] as const)
    if (c.eks.enabled && c.eks.access[kind].length === 0)
      out.push(
        problem(
          ["eks", "access", kind],
          [],
          kind === "onCall"
            ? "at least one IAM role the on-call engineers assume: production's cluster is read through it (objects, events, logs)"
            : "at least one IAM role for break-glass administration of production's cluster",
        ),
      );
  if (c.github && c.github.reviewers.users.length + c.github.reviewers.teams.length === 0)
    out.push(
      problem(
        ["github", "reviewers"],
        c.github.reviewers,
        "production needs at least one reviewer login or team slug",
      ),
    );
  return out;
};

/** A stack with AWS resources has a region, and the local stack has none. */
export const awsRules: ConfigRule = (c) => {
  const out: ConfigProblem[] = [];
  if (c.environment === "local" && c.usesAws)
    out.push(
      problem(
        ["environment"],
        c.environment,
        'the "local" environment creates no AWS resources: set eks.enabled=false, ecs.enabled=false and registry.kind="ghcr"',
      ),
    );
  if (c.usesAws && !c.awsRegion)
    out.push({
      key: "aws:region",
      value: undefined,
      allowed: "required when the stack creates AWS resources, e.g. us-east-1",
    });
  // The deploy role manages buckets named `<project>-<stack>-*`; a stack named "state" would
  // reach the bootstrap's state bucket (`platform-state-<account>-<region>`).
  if (c.usesAws && RESERVED_STACK_NAMES.includes(c.stack))
    out.push({
      key: "(stack name)",
      value: c.stack,
      allowed: `any name but ${RESERVED_STACK_NAMES.join(", ")}: its bucket prefix is the state backend's`,
    });
  return out;
};

/** Stack names whose `<project>-<stack>-` resource prefix belongs to something else. */
export const RESERVED_STACK_NAMES = ["state"];

/** Outside production the VPC still spans 2 AZs; its prefix leaves room for the subnets. */
export const networkRules: ConfigRule = (c) => {
  const out: ConfigProblem[] = [];
  if (c.environment !== "production" && c.usesAws && c.network.azCount < 2)
    out.push(problem(["network", "azCount"], c.network.azCount, "at least 2 availability zones"));
  const prefix = Number(c.network.cidr.split("/")[1]);
  if (prefix < 16 || prefix > 24)
    out.push(problem(["network", "cidr"], c.network.cidr, "a VPC prefix between /16 and /24"));
  return out;
};

/** GHCR images live under an owner. */
export const registryRules: ConfigRule = (c) =>
  c.registry.kind === "ghcr" && !c.registry.ghcrOwner
    ? [problem(["registry", "ghcrOwner"], undefined, 'required when registry.kind is "ghcr"')]
    : [];

function versionAtLeast(version: string, minimum: string): boolean {
  const [a, b] = version.split(".").map(Number);
  const [x, y] = minimum.split(".").map(Number);
  return a > x || (a === x && b >= y);
}

/** A supported version, a private or CIDR-restricted endpoint, and sane node groups. */
export const eksRules: ConfigRule = (c) => {
  const out: ConfigProblem[] = [];
  if (c.eks.enabled) {
    if (!versionAtLeast(c.eks.version, MIN_KUBERNETES_VERSION))
      out.push(
        problem(["eks", "version"], c.eks.version, `a supported version, ${MIN_KUBERNETES_VERSION} or newer`),
      );
    if (c.eks.endpointPublicAccess && c.eks.publicAccessCidrs.length === 0)
      out.push(
        problem(
          ["eks", "publicAccessCidrs"],
          c.eks.publicAccessCidrs,
          "a public endpoint needs explicit allowed CIDRs",
        ),
      );
    if (c.eks.nodeGroups.length === 0)
      out.push(problem(["eks", "nodeGroups"], c.eks.nodeGroups, "at least one node group"));
    // The add-on enforces every NetworkPolicy; a version EKS lacks fails the up.
    if (
      versionAtLeast(c.eks.version, MIN_KUBERNETES_VERSION) &&
      !c.eks.vpcCniVersion &&
      !own(VPC_CNI_VERSIONS, c.eks.version)
    )
      out.push(
        problem(
          ["eks", "vpcCniVersion"],
          undefined,
          `the vpc-cni add-on version for Kubernetes ${c.eks.version} (pinned here for ${Object.keys(VPC_CNI_VERSIONS).join(", ")}): aws eks describe-addon-versions --addon-name vpc-cni --kubernetes-version ${c.eks.version}`,
        ),
      );
  }
  // By coverage, as the policy pack judges it: 0.0.0.0/1 with 128.0.0.0/1 is the whole internet too.
  if (opensToInternet(c.eks.publicAccessCidrs))
    out.push(
      problem(
        ["eks", "publicAccessCidrs"],
        c.eks.publicAccessCidrs,
        "specific networks that together do not cover the whole internet",
      ),
    );
  c.eks.nodeGroups.forEach((g, i) => {
    if (!(g.minSize <= g.desiredSize && g.desiredSize <= g.maxSize))
      out.push(
        problem(
          ["eks", "nodeGroups", i],
          { minSize: g.minSize, desiredSize: g.desiredSize, maxSize: g.maxSize },
          "minSize ≤ desiredSize ≤ maxSize",
        ),
      );
  });
  return out;
};

/** The ALB serves HTTPS by host name, and reaches the internet only to listed CIDRs. */
export const ecsRules: ConfigRule = (c) => {
  const out: ConfigProblem[] = [];
  if (c.ecs.enabled) {
    if (c.ecs.publicLoadBalancer && c.ecs.allowedCidrs.length === 0)
      out.push(
        problem(
          ["ecs", "allowedCidrs"],
          c.ecs.allowedCidrs,
          "an internet-facing ALB needs explicit allowed CIDRs",
        ),
      );
  }
  if (!c.ecs.publicLoadBalancer && opensToInternet(c.ecs.allowedCidrs))
    out.push(
      problem(
        ["ecs", "allowedCidrs"],
        c.ecs.allowedCidrs,
        "networks that together do not cover the whole internet, or ecs.publicLoadBalancer=true",
      ),
    );
  return out;
};

/**
 * Fargate CPU (millicores) → allowed memory (MiB), from the ECS task size table ("Task CPU and
 * memory", Amazon ECS developer guide): 0.25 vCPU takes 512 MiB, 1 GB or 2 GB; 0.5-4 vCPU 1 GB
 * steps; 8 vCPU 16-60 GB in 4 GB steps; 16 vCPU 32-120 GB in 8 GB steps (Linux, platform 1.4.0).
 */
export const FARGATE_MEMORY: Record<number, number[]> = {
  250: [512, 1024, 2048],
  500: range(1024, 4096, 1024),
  1000: range(2048, 8192, 1024),
  2000: range(4096, 16384, 1024),
  4000: range(8192, 30720, 1024),
  8000: range(16384, 61440, 4096),
  16000: range(32768, 122880, 8192),
};

/** `512, 1024, 2048` for a short list, `1024-4096 in steps of 1024` for a range. */
function describeSizes(sizes: readonly number[]): string {
  return sizes.length <= 3
    ? sizes.join(", ")
    : `${sizes[0]}-${sizes[sizes.length - 1]} in steps of ${sizes[1] - sizes[0]}`;
}

function range(from: number, to: number, step: number): number[] {
  const out: number[] = [];
  for (let v = from; v <= to; v += step) out.push(v);
  return out;
}

/** An ECS service deploys rolling on a Fargate size. */
function ecsServiceProblems(s: ServiceConfig, i: number): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  if (s.secretsAs !== undefined)
    out.push(
      problem(
        ["services", i, "secretsAs"],
        s.secretsAs,
        "nothing on ECS: its tasks get secrets as environment variables only (the task definition's secrets); the key is for EKS services",
      ),
    );
  if (s.strategy.type === "canary")
    out.push(
      problem(
        ["services", i, "strategy", "type"],
        s.strategy.type,
        'ECS services deploy with "rolling" (circuit breaker with rollback) or "blueGreen" (ECS\'s own: test traffic, the executor\'s smoke test, then production, the old revision kept for bakeMinutes)',
      ),
    );
  const allowed = FARGATE_MEMORY[s.cpu];
  if (!allowed)
    out.push(
      problem(
        ["services", i, "cpu"],
        s.cpu,
        `a Fargate size in millicores: ${Object.keys(FARGATE_MEMORY).join(", ")}`,
      ),
    );
  else if (!allowed.includes(s.memoryMiB))
    out.push(
      problem(
        ["services", i, "memoryMiB"],
        s.memoryMiB,
        `for cpu ${s.cpu}: one of ${describeSizes(allowed)}`,
      ),
    );
  return out;
}

/** A canary service steps through increasing weights to 100 on replicas an HPA does not touch. */
/** `bakeMinutes` is ECS's: on EKS the idle colour simply stays until the next release. */
function bakeProblems(s: ServiceConfig, i: number): ConfigProblem[] {
  if (s.target !== "eks" || s.strategy.type !== "blueGreen" || s.strategy.bakeMinutes === undefined)
    return [];
  return [
    problem(
      ["services", i, "strategy", "bakeMinutes"],
      s.strategy.bakeMinutes,
      "nothing on EKS: the idle colour keeps the previous release until the next one (remove the key)",
    ),
  ];
}

function canaryServiceProblems(s: ServiceConfig, i: number): ConfigProblem[] {
  if (s.strategy.type !== "canary") return [];
  const out: ConfigProblem[] = [];
  if (s.autoscaling)
    out.push(
      problem(
        ["services", i, "autoscaling"],
        s.autoscaling,
        "canary splits traffic by replica ratio, which an autoscaler would undo; remove autoscaling",
      ),
    );
  if (s.replicas < 2)
    out.push(
      problem(
        ["services", i, "replicas"],
        s.replicas,
        "at least 2 for canary: with 1 pod the canary track runs nothing until weight 100",
      ),
    );
  const steps = s.strategy.steps;
  const increasing = steps.every((w, j) => w > 0 && w <= 100 && (j === 0 || w > steps[j - 1]));
  if (steps.length === 0 || !increasing || steps[steps.length - 1] !== 100)
    out.push(
      problem(
        ["services", i, "strategy", "steps"],
        steps,
        "weights strictly increasing within 1-100 and ending at 100, e.g. [10, 25, 50, 100]",
      ),
    );
  else if (s.replicas >= 2) {
    // The split is by pods: a weight the replicas cannot carry would run another share than it says.
    const unreachable = steps.filter((w) => !weightAchieved(s.replicas, w));
    if (unreachable.length)
      out.push(
        problem(
          ["services", i, "strategy", "steps"],
          steps,
          `weights ${s.replicas} replicas can carry (each canary pod is ${Math.round(100 / s.replicas)} % of the traffic): ${achievableWeights(s.replicas).join(", ")} and 100; ${unreachable.join(", ")} would run ${unreachable.map((w) => `${Math.round((100 * canarySplit(s.replicas, w).canary) / s.replicas)} %`).join(", ")}`,
        ),
      );
  }
  return out;
}

/** Each service has a unique name, a target the stack has and settings that target can run. */
export const serviceRules: ConfigRule = (c) => {
  const out: ConfigProblem[] = [];
  const names = new Set<string>();
  c.services.forEach((s, i) => {
    if (names.has(s.name)) out.push(problem(["services", i, "name"], s.name, "service names are unique"));
    names.add(s.name);
    if (s.target === "ecs" && !c.ecs.enabled)
      out.push(
        problem(["services", i, "target"], s.target, 'target "ecs" needs ecs.enabled=true; or use "eks"'),
      );
    if (s.target === "eks" && !c.eks.enabled && !c.kubernetes.kubeconfig)
      out.push(
        problem(
          ["services", i, "target"],
          s.target,
          'target "eks" needs eks.enabled=true or kubernetes.kubeconfig',
        ),
      );
    if (s.target === "ecs") out.push(...ecsServiceProblems(s, i));
    out.push(...bakeProblems(s, i));
    if (s.target === "eks" && Object.keys(s.secrets).length > 0 && !c.kubernetes.secretStore)
      out.push(
        problem(
          ["services", i, "secrets"],
          Object.keys(s.secrets),
          "Kubernetes services resolve secrets through kubernetes.secretStore; set it",
        ),
      );
    if (s.autoscaling && s.autoscaling.minReplicas > s.autoscaling.maxReplicas)
      out.push(problem(["services", i, "autoscaling"], s.autoscaling, "minReplicas ≤ maxReplicas"));
    out.push(...canaryServiceProblems(s, i));
  });
  return out;
};

/**
 * Every release belongs to a service, and a canary weight is one of its steps. A service without
 * a release is being onboarded: its registry and pipeline exist, its workload appears with the
 * first digest its deploy releases (src/release/executor.ts).
 */
export const releaseRules: ConfigRule = (c) => {
  const out: ConfigProblem[] = [];
  const names = new Set(c.services.map((s) => s.name));
  for (const s of c.services) {
    const release = own(c.releases, s.name);
    if (
      release &&
      s.strategy.type === "canary" &&
      release.canaryWeight !== undefined &&
      release.canaryWeight !== 0 &&
      !s.strategy.steps.includes(release.canaryWeight)
    )
      out.push(
        problem(
          ["releases", s.name, "canaryWeight"],
          release.canaryWeight,
          `0 or one of the steps ${JSON.stringify(s.strategy.steps)}`,
        ),
      );
  }
  for (const name of Object.keys(c.releases))
    if (!names.has(name))
      out.push(
        problem(
          ["releases", name],
          c.releases[name],
          `a release for a configured service (${[...names].join(", ") || "none"})`,
        ),
      );
  return out;
};

/** The stack is listed with its environment; only a non-local stack with code owners manages the repository. */
/** A registry pull credential is GHCR's, and EKS pods get it through the External Secrets store. */
export const pullCredentialRules: ConfigRule = (c) => {
  const arn = c.registry.pullCredentialsSecretArn;
  if (!arn) return [];
  if (c.registry.kind !== "ghcr")
    return [
      problem(
        ["registry", "pullCredentialsSecretArn"],
        arn,
        'only with registry.kind "ghcr" (ECR pulls with the task and node roles)',
      ),
    ];
  if (c.services.some((s) => s.target === "eks") && !c.kubernetes.secretStore)
    return [
      problem(
        ["kubernetes", "secretStore"],
        undefined,
        "a ClusterSecretStore name: EKS pods pull private GHCR images through a Secret the External Secrets store syncs from registry.pullCredentialsSecretArn",
      ),
    ];
  return [];
};

/**
 * One repository the stack deploys from: the platform's (`github`) or an application's
 * (`applications[i].github`), with the branch model its mapping is a preset of and the key its
 * problems are reported under.
 */
interface RepositoryView {
  readonly gh: Pick<
    GithubConfig,
    | "stacks"
    | "manageRepository"
    | "codeOwners"
    | "plan"
    | "visibility"
    | "advancedSecurity"
    | "waitTimerMinutes"
    | "reviewers"
  >;
  readonly branchModel: BranchModel;
  readonly at: readonly PropertyKey[];
}

/** The repository lists this stack with its environment, maps stacks to its own branches, in promotion order. */
function repositoryProblems(c: StackConfig, { gh, branchModel, at }: RepositoryView): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  const own = gh.stacks.find((s) => s.stack === c.stack);
  if (!own && c.environment !== "local")
    out.push(problem([...at, "stacks"], gh.stacks, `must list this stack ("${c.stack}")`));
  else if (own && own.environment !== c.environment)
    out.push(problem([...at, "stacks"], own, `this stack deploys to the "${c.environment}" environment`));
  // An explicit mapping deploys from the model's integration branches: those are the ones the
  // pipelines protect, run pull-request CI for and build on.
  const branches = integrationBranches(branchModel);
  gh.stacks.forEach((s, i) => {
    const from = s.deployFrom;
    if (from && "branch" in from && !branches.includes(from.branch))
      out.push(
        problem(
          [...at, "stacks", i, "deployFrom", "branch"],
          from.branch,
          `an integration branch of branchModel ${branchModel}: ${branches.join(", ")} (or { tag: "v*.*.*" })`,
        ),
      );
  });
  const sources = gh.stacks.map((s) => deploySource(branchModel, s));
  const firstTagged = sources.findIndex((d) => d.kind === "tag");
  if (firstTagged >= 0 && sources.slice(firstTagged).some((d) => d.kind === "branch"))
    out.push(
      problem(
        [...at, "stacks"],
        gh.stacks.map((s) => s.stack),
        "stacks in promotion order: every stack deployed from a branch before the tag-deployed ones (a release promotes what the last branch stack runs)",
      ),
    );
  if (gh.manageRepository && c.environment === "local")
    out.push(problem([...at, "manageRepository"], true, "the local stack cannot own the repository"));
  if (gh.manageRepository && gh.codeOwners.length === 0)
    out.push(
      problem(
        [...at, "codeOwners"],
        [],
        "at least one team slug: branch protection requires code-owner reviews, and without owners it requires none",
      ),
    );
  return out;
}

/** A key as its own problems' messages name another: without the project prefix. */
const dotted = (path: readonly PropertyKey[]): string => keyOf(path).replace(/^[^:]+:/, "");

/** Every repository the stack deploys from: the platform's, then each application's own. */
function repositoriesOf(c: StackConfig): RepositoryView[] {
  return [
    ...(c.github ? [{ gh: c.github, branchModel: c.branchModel, at: ["github"] }] : []),
    ...c.applications.map((a, i) => ({
      gh: a.github,
      branchModel: a.github.branchModel,
      at: ["applications", i, "github"],
    })),
  ];
}

export const githubRules: ConfigRule = (c) => repositoriesOf(c).flatMap((v) => repositoryProblems(c, v));

/**
 * What the stack asks of GitHub exists on the owner's plan (`planFeatures`), or is replaced by
 * what does: a feature the plan lacks is refused here, by key, rather than created and failing at
 * apply. GitHub Free has no environments or protection on private repositories at all (one problem
 * says so); without environment reviewers (Team, private), a tag-deployed stack's reviewer teams
 * guard its release tags through a ruleset instead, which users cannot be bypass actors of, and a
 * branch-deployed stack is gated by its branch's protection.
 */
export const githubPlanRules: ConfigRule = (c) =>
  repositoriesOf(c).flatMap((v) => repositoryPlanProblems(c, v));

function repositoryPlanProblems(c: StackConfig, { gh, branchModel, at }: RepositoryView): ConfigProblem[] {
  const features = planFeatures(gh.plan, gh.visibility, gh.advancedSecurity);
  if (!features.environments)
    return [
      problem(
        [...at, "plan"],
        gh.plan,
        `a private repository on GitHub Free has no environments, environment secrets, deployment policies, branch protection or rulesets, which every stack deploys through: "team" or "enterprise", or ${dotted([...at, "visibility"])} "public"`,
      ),
    ];
  const out: ConfigProblem[] = [];
  if (gh.advancedSecurity && gh.visibility === "public")
    out.push(
      problem(
        [...at, "advancedSecurity"],
        true,
        "public repositories get secret scanning and push protection without a licence, and have no Advanced Security setting: remove the key",
      ),
    );
  const own = gh.stacks.find((s) => s.stack === c.stack);
  if (features.environmentReviewers || !own) return out;
  const where = `on a private repository of the "${gh.plan}" plan (environment protection rules other than deployment policies need "enterprise")`;
  if (gh.waitTimerMinutes > 0)
    out.push(
      problem([...at, "waitTimerMinutes"], gh.waitTimerMinutes, `no wait timers ${where}: remove the key`),
    );
  const source = deploySource(branchModel, own);
  const { users, teams } = gh.reviewers;
  if (source.kind === "tag" && users.length > 0)
    out.push(
      problem(
        [...at, "reviewers", "users"],
        users,
        `no environment reviewers ${where}; this stack deploys from ${source.pattern} tags, which a ruleset lets only ${dotted([...at, "reviewers", "teams"])} create, and users cannot be ruleset bypass actors: name teams instead`,
      ),
    );
  if (source.kind === "branch" && users.length + teams.length > 0)
    out.push(
      problem(
        [...at, "reviewers"],
        gh.reviewers,
        `no environment reviewers ${where}; this stack deploys from branch "${source.branch}", whose branch protection (approving reviews by code owners) is the gate: remove the key`,
      ),
    );
  return out;
}

/**
 * Applications with repositories of their own: one repository each, none the platform's; their
 * pipelines call this repository's reusable workflows at a pinned commit, act on application
 * stacks with the platform's state backend, and pull from a registry the stack can serve.
 */
export const applicationRules: ConfigRule = (c) => {
  const out: ConfigProblem[] = [];
  if (c.applications.length === 0) return out;
  const platformRepo = c.github && `${c.github.owner}/${c.github.repository}`.toLowerCase();
  const seenNames = new Set<string>();
  const seenRepos = new Set<string>();
  c.applications.forEach((a, i) => {
    const repo = `${a.github.owner}/${a.github.repository}`.toLowerCase();
    if (seenNames.has(a.name))
      out.push(problem(["applications", i, "name"], a.name, "a name no other application has"));
    if (repo === platformRepo || seenRepos.has(repo))
      out.push(
        problem(
          ["applications", i, "github", "repository"],
          `${a.github.owner}/${a.github.repository}`,
          "a repository of its own: neither the platform's (github) nor another application's (the platform's own services name no declared application)",
        ),
      );
    seenNames.add(a.name);
    seenRepos.add(repo);
    out.push(...executorReachProblems(c, a, i));
    if (!c.services.some((s) => s.application === a.name))
      out.push(
        problem(
          ["applications", i, "name"],
          a.name,
          "an application some service of this stack names in services[].application (declare it only in the stacks it deploys to)",
        ),
      );
    out.push(...applicationRegistryProblems(c, a.registry, ["applications", i, "registry"]));
  });
  if (!c.applicationStacks)
    out.push(
      problem(
        ["applicationStacks"],
        c.applicationStacks,
        "true: an application with a repository of its own deploys its application stacks, never the platform stack",
      ),
    );
  if (!c.github)
    out.push(
      problem(
        ["github"],
        undefined,
        "the platform's repository, whose reusable workflows the applications' repositories call and whose state backend their stacks use",
      ),
    );
  else if (c.github.previousExecutorCommit && c.github.previousExecutorCommit === c.github.executorCommit)
    out.push(
      problem(
        ["github", "previousExecutorCommit"],
        c.github.previousExecutorCommit,
        "the commit executorCommit replaced, or nothing: it is executorCommit itself",
      ),
    );
  else if (!c.github.executorCommit)
    out.push(
      problem(
        ["github", "executorCommit"],
        undefined,
        "the full commit SHA of this repository that the applications' workflows call (build-image, deploy-service, rollback-service) and their deploy roles trust",
      ),
    );
  return out;
};

/**
 * The application's repository can call the platform's reusable workflows: GitHub shares those of a
 * private (or internal) repository only with private repositories of the same owner ("Sharing
 * actions and workflows from your private repository": never with public ones); a public
 * platform repository shares them with every repository.
 */
function executorReachProblems(
  c: StackConfig,
  a: StackConfig["applications"][number],
  i: number,
): ConfigProblem[] {
  const platform = c.github;
  if (!platform || platform.visibility === "public") return [];
  const out: ConfigProblem[] = [];
  if (a.github.owner.toLowerCase() !== platform.owner.toLowerCase())
    out.push(
      problem(
        ["applications", i, "github", "owner"],
        a.github.owner,
        `"${platform.owner}", the owner of the platform's ${platform.visibility} repository: GitHub shares a private repository's reusable workflows only with repositories of its own owner (or make the platform's repository public)`,
      ),
    );
  if (a.github.visibility === "public")
    out.push(
      problem(
        ["applications", i, "github", "visibility"],
        "public",
        `"private" or "internal": a public repository cannot call the reusable workflows of the platform's ${platform.visibility} repository`,
      ),
    );
  return out;
}

function applicationRegistryProblems(
  c: StackConfig,
  registry: StackConfig["applications"][number]["registry"],
  at: readonly PropertyKey[],
): ConfigProblem[] {
  if (!registry) return [];
  const out: ConfigProblem[] = [];
  if (registry.kind === "ecr" && c.registry.kind !== "ecr")
    out.push(
      problem(
        [...at, "kind"],
        "ecr",
        'the stack\'s registry.kind "ecr" (its repositories take the stack\'s lifecycle and account settings), or "ghcr"',
      ),
    );
  if (registry.kind === "ghcr" && !registry.ghcrOwner)
    out.push(problem([...at, "ghcrOwner"], undefined, 'required when kind is "ghcr"'));
  if (registry.pullCredentialsSecretArn && registry.kind !== "ghcr")
    out.push(
      problem(
        [...at, "pullCredentialsSecretArn"],
        registry.pullCredentialsSecretArn,
        'only with kind "ghcr" (ECR pulls with the task and node roles)',
      ),
    );
  if (
    registry.kind === "ghcr" &&
    registry.pullCredentialsSecretArn &&
    c.services.some((s) => s.target === "eks") &&
    !c.kubernetes.secretStore
  )
    out.push(
      problem(
        ["kubernetes", "secretStore"],
        undefined,
        "a ClusterSecretStore name: EKS pods pull private GHCR images through a Secret the External Secrets store syncs from the registry's pullCredentialsSecretArn",
      ),
    );
  return out;
}

/** A stack GitHub deploys needs shared state, and its secrets provider must fit the backend. */
export const backendRules: ConfigRule = (c) => {
  if (!c.github) return [];
  const { backend, secrets } = c.github;
  if (!backend)
    return [
      problem(
        ["github", "backend"],
        undefined,
        'CI jobs need shared state: { kind: "s3", bucket, region, stateKeyArn } from the bootstrap stack, or { kind: "cloud", organization }',
      ),
    ];
  const out: ConfigProblem[] = [];
  if (backend.kind === "s3" && keyLocation(backend.stateKeyArn).region !== backend.region)
    out.push(
      problem(
        ["github", "backend", "stateKeyArn"],
        backend.stateKeyArn,
        `S3 encrypts only with a key in the bucket's region (${backend.region})`,
      ),
    );
  if (backend.kind === "cloud" && backend.tokenType !== "organization" && !backend.scope)
    out.push(
      problem(
        ["github", "backend", "scope"],
        undefined,
        `a ${backend.tokenType === "team" ? "team name" : "user login"} for tokenType "${backend.tokenType}"`,
      ),
    );
  if (backend.kind === "cloud" && backend.tokenType === "organization" && backend.scope)
    out.push(
      problem(
        ["github", "backend", "scope"],
        backend.scope,
        'nothing: tokenType "organization" takes no scope',
      ),
    );
  if (secrets.provider === "service" && backend.kind !== "cloud")
    out.push(
      problem(
        ["github", "secrets", "provider"],
        "service",
        'passphrase or awskms: "service" keys exist only in Pulumi Cloud',
      ),
    );
  return out;
};

/**
 * Every cross-key rule, by area, in the order their problems are reported. Built on first use, not
 * at load: the area modules import `keyOf` from here, and whichever of them a process loads first
 * (the workflows, the stack layers) would otherwise still be loading, its rule `undefined` here.
 */
export function crossFieldRules(): readonly ConfigRule[] {
  return [
    operationsProblems,
    productionRules,
    awsRules,
    networkRules,
    registryRules,
    eksRules,
    ecsRules,
    dnsRules,
    serviceRules,
    apiLimitRules,
    dependencyProblems,
    releaseRules,
    releaseBudgetRules,
    pullCredentialRules,
    commandRules,
    githubRules,
    githubPlanRules,
    applicationRules,
    backendRules,
    migrationProblems,
    pipelineScriptRules,
    promotionProblems,
    runnerRules,
    addonImageRules,
    serviceBuildRules,
  ];
}

/** The problems every rule finds; empty when the configuration is consistent. */
export function crossFieldProblems(c: StackConfig): ConfigProblem[] {
  return crossFieldRules().flatMap((rule) => rule(c));
}
