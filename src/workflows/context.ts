/**
 * What the pipelines are generated from: the owning stack's view of the repository, its stacks
 * in promotion order and its services. Branch-model rules live here, once, so triggers and the
 * environments' deployment policies cannot disagree.
 */
import type { ContainerChoice } from "./containers";
import type { CheckKind, ToolchainName } from "./toolchains";

/**
 * gitflow (develop → main → tags, release/* and hotfix/* branches), trunk (main → tags) and
 * environment (a branch per environment: develop → dev, staging → staging, tags → production,
 * seed 002's model).
 */
export const BRANCH_MODELS = ["gitflow", "trunk", "environment"] as const;
export type BranchModel = (typeof BRANCH_MODELS)[number];

/** How a service is built and tested, its defaults resolved (config `services[].build`). */
export interface ServiceBuild {
  /** Source directory relative to the repository root, e.g. `services/api`. */
  readonly path: string;
  /** Other directories it is built from (a shared package): their changes select it too. @default [] */
  readonly sharedPaths?: readonly string[];
  readonly toolchain: ToolchainName;
  /** Unit-matrix versions; the first runs every other job. */
  readonly versions: string[];
  /** Every check's command: the service's own or its toolchain's default. */
  readonly commands: Partial<Record<CheckKind, string>>;
  /** Line coverage floor, percent. */
  readonly coverage: number;
  /** Its CI containers: official images by name, publishers' images by digest. */
  readonly containers: readonly ContainerChoice[];
  /** Where the contract tests write pacts, relative to `path`, when a Pact broker container takes them. */
  readonly pacts?: string;
  /** The Dockerfile, relative to `path`. */
  readonly dockerfile: string;
  /** The image's architectures, each built on its hosted runner. @default ["amd64"] */
  readonly architectures?: readonly ("amd64" | "arm64")[];
}

export interface DeliveryStack {
  /** Pulumi stack name, e.g. `staging`. */
  readonly stack: string;
  /** GitHub environment the stack deploys through, e.g. `staging`. */
  readonly environment: string;
  /** What deploys it, when not the branch model's preset (config `github.stacks[].deployFrom`). */
  readonly deployFrom?: { readonly branch: string } | { readonly tag: string };
}

export interface DeliveryService {
  readonly name: string;
  /**
   * The application whose stack (`<application>-<stack>` in apps/) holds the service's workload,
   * when the stacks keep their workloads in application stacks; its deploys, releases and
   * rollbacks queue on that stack alone. Absent: the platform stack holds it.
   */
  readonly application?: string;
  readonly target: "eks" | "ecs";
  readonly strategy: "rolling" | "blueGreen" | "canary";
  /** Canary weights, increasing, ending at 100. */
  readonly canarySteps: number[];
  readonly healthPath: string;
  /** How CI builds and tests it; without it, ci.yml has no jobs of the service's own. */
  readonly build?: ServiceBuild;
  // No migrations here: deploy-service.yml reads each stack's own when it releases
  // (`release -- migrations`), so no workflow carries one environment's into another's.
}

export interface DeliveryContext {
  readonly owner: string;
  readonly repository: string;
  readonly branchModel: BranchModel;
  readonly stacks: DeliveryStack[];
  readonly services: DeliveryService[];
  readonly registryKind: "ecr" | "ghcr";
  /**
   * Every registry kind the executor's reusable workflows serve: the platform's and its
   * applications' (`applications[].registry`). @default [registryKind]
   */
  readonly registryKinds?: readonly ("ecr" | "ghcr")[];
  readonly nodeVersions: string[];
  readonly coverageThreshold: number;
  readonly integrationServices: ("postgres" | "redis" | "mysql" | "mongodb")[];
  readonly contractTests: boolean;
  /** Stacks use the passphrase secrets provider, so jobs need PULUMI_CONFIG_PASSPHRASE. */
  readonly passphraseSecrets: boolean;
  /**
   * Where the stacks' state lives. S3: AWS credentials reach it, and `up` also exports to the
   * bucket. Pulumi Cloud: jobs exchange their GitHub OIDC token for a Pulumi access token first.
   */
  readonly backend: WorkflowBackend;
  /** Team slugs that own the platform code (`.github/CODEOWNERS`). */
  readonly codeOwners: string[];
  /**
   * The stack that owns the repository-level objects (`github.manageRepository`), whose jobs mint
   * GitHub tokens that may also write the repository's files, pull request and labels.
   */
  readonly owningStack: string;
  /**
   * Whether the repository's code scanning accepts results (`PlanFeatures.codeScanning`): where it
   * does not, scanners report in the job log and fail the job themselves instead of uploading SARIF.
   */
  readonly codeScanning: boolean;
  /**
   * Set for an application's own repository: it has no program of its own (no lint, unit or
   * infrastructure jobs), and its builds, deploys and rollbacks call the platform repository's
   * reusable workflows at this commit. Unset for the platform's repository.
   */
  readonly executor?: ExecutorRef;
}

/**
 * The platform repository's commit an application's repository runs its deploys with: its
 * workflows call that repository's reusable workflows at `commit`, which check the executor out
 * at the same commit (config `github.executorCommit`).
 */
export interface ExecutorRef {
  readonly owner: string;
  readonly repository: string;
  readonly commit: string;
  /** The platform's build workflow for this application's registry kind (see buildImageFile). */
  readonly buildImage: BuildImageFile;
  /** The platform's deploy and rollback workflows read packages (some repository uses GHCR): callers grant it. */
  readonly packagesRead: boolean;
}

export type BuildImageFile = "build-image.yml" | "build-image-ecr.yml" | "build-image-ghcr.yml";
/** The reusable workflows an application's repository may call in the platform's. */
export type ExecutorWorkflow = BuildImageFile | "deploy-service.yml" | "rollback-service.yml";

/**
 * The reusable workflow building into `kind`: build-image.yml for the platform's own registry
 * kind, build-image-<kind>.yml for the other when an application uses it (a called job can hold
 * only the permissions its caller grants, so ECR and GHCR builds cannot share one file).
 */
export function buildImageFile(platformKind: "ecr" | "ghcr", kind: "ecr" | "ghcr"): BuildImageFile {
  return kind === platformKind ? "build-image.yml" : `build-image-${kind}.yml`;
}

/** `owner/repo/.github/workflows/<file>@<commit>`: the `job_workflow_ref` claim of its jobs, too. */
export function executorWorkflowRef(ex: ExecutorRef, file: ExecutorWorkflow): string {
  return `${ex.owner}/${ex.repository}/.github/workflows/${file}@${ex.commit}`;
}

/** Where a job calls a reusable workflow: this repository's copy, or the platform's at the pinned commit. */
export function reusableWorkflow(
  ctx: Pick<DeliveryContext, "executor">,
  file: ExecutorWorkflow,
): `./.github/workflows/${string}.yml` | `${string}/.github/workflows/${string}.yml@${string}` {
  if (!ctx.executor) return `./.github/workflows/${file}`;
  return `${executorWorkflowRef(ctx.executor, file) as `${string}/.github/workflows/${string}.yml@${string}`} # platform executor`;
}

export type WorkflowBackend =
  | { readonly kind: "s3" }
  | {
      readonly kind: "cloud";
      readonly url: string;
      readonly organization: string;
      readonly tokenType: "organization" | "team" | "personal";
      readonly scope?: string;
    };

/** Tags that release to production. */
export const RELEASE_TAG = "v*.*.*";
/** The environment pull-request previews run in (its own OIDC subject, read-only roles). */
export const PREVIEW_ENVIRONMENT = "preview";

/** The branch whose reviewed code production previews and drift checks run (both branch models). */
export const RELEASE_BRANCH = "main";

/**
 * Where a stack's previews and drift checks run. A production stack's preview role can decrypt
 * production secrets, so it gets an environment of its own, `preview-<stack>`, that only
 * `RELEASE_BRANCH` may use: a pull request's code never runs with it. Other stacks share
 * `preview`, which pull requests use.
 */
export function previewEnvironmentOf(s: DeliveryStack): string {
  return s.environment === "production" ? `${PREVIEW_ENVIRONMENT}-${s.stack}` : PREVIEW_ENVIRONMENT;
}

/** Whether pull requests preview this stack (everything but production, see previewEnvironmentOf). */
export const previewedOnPullRequests = (s: DeliveryStack): boolean => s.environment !== "production";

/** The long-lived branches: pull requests target them, and branch protection guards each. */
export const integrationBranches = (model: BranchModel): string[] =>
  model === "gitflow"
    ? ["develop", "main"]
    : model === "environment"
      ? ["develop", "staging", "main"]
      : ["main"];

/**
 * Branches whose pull requests run CI: the protected ones, and under gitflow release/* too, which
 * take stabilisation fixes by pull request before their own pull request into main.
 */
export const ciPullRequestBranches = (model: BranchModel): string[] => [
  ...integrationBranches(model),
  ...(model === "gitflow" ? ["release/**"] : []),
];

/**
 * Branches whose pushes run CI: under trunk every branch but the protected ones (short-lived
 * branches get feedback before their pull request); otherwise hotfix/*, so an urgent fix is
 * checked from its first push. The protected integration branches change only by pull request,
 * and their protection requires the branch to be up to date (`strict`), so the pull request's CI
 * already ran on exactly what the merge produces: running it again on the push would repeat it.
 * A gitflow release/* branch is checked by its pull request into main: a push trigger on release
 * branches reads, to zizmor and to a reviewer, as a publishing workflow, and ci.yml publishes nothing.
 */
export function ciPushBranches(model: BranchModel): string[] {
  if (model === "trunk") return ["**", ...integrationBranches(model).map((b) => `!${b}`)];
  return ["hotfix/**"];
}

/** Where a stack's deployments come from: a branch or the release tags. */
export type DeploySource = { kind: "branch"; branch: string } | { kind: "tag"; pattern: string };

export function deploySource(model: BranchModel, s: DeliveryStack): DeploySource {
  if (s.deployFrom)
    return "branch" in s.deployFrom
      ? { kind: "branch", branch: s.deployFrom.branch }
      : { kind: "tag", pattern: RELEASE_TAG };
  if (s.environment === "production") return { kind: "tag", pattern: RELEASE_TAG };
  if (model !== "trunk" && s.environment === "development") return { kind: "branch", branch: "develop" };
  if (model === "environment" && s.environment === "staging") return { kind: "branch", branch: "staging" };
  return { kind: "branch", branch: "main" };
}

/** The branches some stack deploys from, in promotion order: where build-deploy.yml runs on push. */
export function deployBranches(model: BranchModel, stacks: readonly DeliveryStack[]): string[] {
  const branches = stacks
    .map((s) => deploySource(model, s))
    .flatMap((d) => (d.kind === "branch" ? [d.branch] : []));
  return [...new Set(branches)];
}

/**
 * The stack whose images release tags promote to the tagged stacks: the last one, in promotion
 * order, that deploys from a branch (staging, by default). Only it publishes its registry map.
 */
export function promotionSource(
  model: BranchModel,
  stacks: readonly DeliveryStack[],
): DeliveryStack | undefined {
  return [...stacks].reverse().find((s) => deploySource(model, s).kind === "branch");
}

/**
 * The stack whose registry holds the images a stack deploys: for a tagged stack the promotion
 * source; for a branch stack the first stack its branch deploys, whose registry the build pushes
 * to (itself, or under trunk dev for staging). A stack other than itself must grant it pull.
 */
export function imageSourceStack(
  model: BranchModel,
  stacks: readonly DeliveryStack[],
  stack: DeliveryStack,
): DeliveryStack | undefined {
  const source = deploySource(model, stack);
  if (source.kind === "tag") return promotionSource(model, stacks);
  return stacks.find((s) => JSON.stringify(deploySource(model, s)) === JSON.stringify(source));
}

/** `if:` condition true when the run's ref deploys this stack. */
export function refCondition(source: DeploySource): string {
  return source.kind === "tag"
    ? "startsWith(github.ref, 'refs/tags/v')"
    : `github.ref == 'refs/heads/${source.branch}'`;
}

/** Upper-case suffix for per-stack variable names (`AWS_PREVIEW_ROLE_ARN_DEV`). */
export const varSuffix = (stack: string) => stack.toUpperCase().replace(/[^A-Z0-9]/g, "_");
