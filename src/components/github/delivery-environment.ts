/**
 * One stack's GitHub environment and everything in it: reviewers (logins and team slugs resolved
 * to the numeric ids the API takes), self-review and admin bypass blocked, the deployment branch
 * or tag policy of the branch model, variables from the stack's outputs and secrets from secret
 * config only. Every stack owns exactly these objects, so stacks never manage the same one.
 */
import * as github from "@pulumi/github";
import * as pulumi from "@pulumi/pulumi";
import { DeploySource } from "../../workflows/context";

export interface DeliveryEnvironmentArgs {
  readonly repository: string;
  /** Environment name (`development`, `staging`, `production`). */
  readonly environment: string;
  /** Where deployments to this environment may come from. */
  readonly source: DeploySource;
  /** Reviewer logins and team slugs; both empty means no approval gate. */
  readonly reviewers: { users: string[]; teams: string[] };
  /** Minutes to wait before a deployment proceeds; 0 for none. */
  readonly waitTimerMinutes: number;
  /** Plain variables (role ARNs, names, URLs). */
  readonly variables: Record<string, pulumi.Input<string>>;
  /** Secrets, each from Pulumi secret config. */
  readonly secrets: Record<string, pulumi.Output<string>>;
  /** Variables this stack writes into other environments (e.g. its preview role into `preview`). */
  readonly foreignVariables: { environment: string; name: string; value: pulumi.Input<string> }[];
  /** Repository-level variables this stack owns (names must be unique to the stack). */
  readonly repositoryVariables: Record<string, pulumi.Input<string>>;
  /**
   * A previews-and-drift environment of this stack's own (production: `preview-<stack>`), open only
   * to `branch`, so pull requests never run with its credentials. Unset: the stack's previews use
   * the shared `preview` environment the owning stack creates.
   */
  readonly ownPreviewEnvironment?: { readonly name: string; readonly branch: string };
}

/**
 * The environment's protection: reviewers (numeric ids) with self-review prevented when there
 * are any, no admin bypass, the wait timer when positive, deployments only from custom policies.
 */
export function planEnvironment(
  repository: string,
  environment: string,
  reviewers: { users: pulumi.Input<number>[]; teams: pulumi.Input<number>[] },
  waitTimerMinutes: number,
) {
  const gated = reviewers.users.length + reviewers.teams.length > 0;
  return {
    repository,
    environment,
    reviewers: gated ? [reviewers] : undefined,
    preventSelfReview: gated ? true : undefined,
    canAdminsBypass: false,
    waitTimer: waitTimerMinutes || undefined,
    deploymentBranchPolicy: { protectedBranches: false, customBranchPolicies: true },
  };
}

/** The one branch or tag pattern deployments may come from. */
export function planDeploymentPolicy(
  source: DeploySource,
): { tagPattern: string } | { branchPattern: string } {
  return source.kind === "tag" ? { tagPattern: source.pattern } : { branchPattern: source.branch };
}

/** Reviewer logins and team slugs as the numeric ids the API takes. */
export function resolveReviewers(
  reviewers: { users: string[]; teams: string[] },
  opts: pulumi.InvokeOptions,
): { users: pulumi.Output<number>[]; teams: pulumi.Output<number>[] } {
  return {
    users: reviewers.users.map((username) => github.getUserOutput({ username }, opts).id.apply(Number)),
    teams: reviewers.teams.map((slug) => github.getTeamOutput({ slug }, opts).id.apply(Number)),
  };
}

/** The environment's variables and secrets, the variables it writes elsewhere and its repository variables. */
export function createEnvironmentValues(
  name: string,
  environment: pulumi.Input<string>,
  args: DeliveryEnvironmentArgs,
  opts: pulumi.CustomResourceOptions,
): void {
  const repository = args.repository;
  for (const [variableName, value] of Object.entries(args.variables))
    new github.ActionsEnvironmentVariable(
      `${name}-${variableName.toLowerCase()}`,
      { repository, environment, variableName, value },
      opts,
    );
  for (const [secretName, value] of Object.entries(args.secrets))
    new github.ActionsEnvironmentSecret(
      `${name}-${secretName.toLowerCase()}`,
      { repository, environment, secretName, plaintextValue: value },
      opts,
    );
  const ownPreview = createOwnPreviewEnvironment(name, args, opts);
  for (const v of args.foreignVariables)
    new github.ActionsEnvironmentVariable(
      `${name}-${v.environment}-${v.name.toLowerCase()}`,
      {
        repository,
        environment:
          ownPreview && v.environment === args.ownPreviewEnvironment?.name ? ownPreview : v.environment,
        variableName: v.name,
        value: v.value,
      },
      opts,
    );
  for (const [variableName, value] of Object.entries(args.repositoryVariables))
    new github.ActionsVariable(
      `${name}-repo-${variableName.toLowerCase()}`,
      { repository, variableName, value },
      opts,
    );
}

/** The stack's own preview environment, if it has one: no reviewers, no admin bypass, one branch only. */
export function createOwnPreviewEnvironment(
  name: string,
  args: DeliveryEnvironmentArgs,
  opts: pulumi.CustomResourceOptions,
): pulumi.Output<string> | undefined {
  const own = args.ownPreviewEnvironment;
  if (!own) return undefined;
  const env = new github.RepositoryEnvironment(
    `${name}-${own.name}`,
    {
      repository: args.repository,
      environment: own.name,
      canAdminsBypass: false,
      deploymentBranchPolicy: { protectedBranches: false, customBranchPolicies: true },
    },
    opts,
  );
  new github.RepositoryEnvironmentDeploymentPolicy(
    `${name}-${own.name}-policy`,
    { repository: args.repository, environment: env.environment, branchPattern: own.branch },
    opts,
  );
  return env.environment;
}

export class DeliveryEnvironment extends pulumi.ComponentResource {
  readonly environment: pulumi.Output<string>;

  constructor(name: string, args: DeliveryEnvironmentArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:delivery:DeliveryEnvironment", name, {}, opts);
    const parent = { parent: this };
    const reviewers = resolveReviewers(args.reviewers, parent);
    const env = new github.RepositoryEnvironment(
      `${name}-environment`,
      planEnvironment(args.repository, args.environment, reviewers, args.waitTimerMinutes),
      parent,
    );
    new github.RepositoryEnvironmentDeploymentPolicy(
      `${name}-deployment-policy`,
      { repository: args.repository, environment: env.environment, ...planDeploymentPolicy(args.source) },
      parent,
    );
    createEnvironmentValues(name, env.environment, args, parent);
    this.environment = env.environment;
    this.registerOutputs({ environment: this.environment });
  }
}
