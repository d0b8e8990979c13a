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
  /** Reviewer logins and team slugs; empty means no approval gate. @default none */
  readonly reviewers?: { users: string[]; teams: string[] };
  /** Minutes to wait before a deployment proceeds. @default 0 */
  readonly waitTimerMinutes?: number;
  /** Plain variables (role ARNs, names, URLs). */
  readonly variables: Record<string, pulumi.Input<string>>;
  /** Secrets, each from Pulumi secret config. @default {} */
  readonly secrets?: Record<string, pulumi.Output<string>>;
  /** Variables this stack writes into other environments (e.g. its preview role into `preview`). @default {} */
  readonly foreignVariables?: { environment: string; name: string; value: pulumi.Input<string> }[];
  /** Repository-level variables this stack owns (names must be unique to the stack). @default {} */
  readonly repositoryVariables?: Record<string, pulumi.Input<string>>;
}

export class DeliveryEnvironment extends pulumi.ComponentResource {
  readonly environment: pulumi.Output<string>;

  constructor(name: string, args: DeliveryEnvironmentArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:delivery:DeliveryEnvironment", name, {}, opts);
    const parent = { parent: this };
    const users = (args.reviewers?.users ?? []).map((username) =>
      github.getUserOutput({ username }, parent).id.apply(Number),
    );
    const teams = (args.reviewers?.teams ?? []).map((slug) =>
      github.getTeamOutput({ slug }, parent).id.apply(Number),
    );
    const gated = users.length + teams.length > 0;

    const env = new github.RepositoryEnvironment(
      `${name}-environment`,
      {
        repository: args.repository,
        environment: args.environment,
        reviewers: gated ? [{ users, teams }] : undefined,
        preventSelfReview: gated ? true : undefined,
        canAdminsBypass: false,
        waitTimer: args.waitTimerMinutes || undefined,
        deploymentBranchPolicy: { protectedBranches: false, customBranchPolicies: true },
      },
      parent,
    );
    new github.RepositoryEnvironmentDeploymentPolicy(
      `${name}-deployment-policy`,
      {
        repository: args.repository,
        environment: env.environment,
        ...(args.source.kind === "tag"
          ? { tagPattern: args.source.pattern }
          : { branchPattern: args.source.branch }),
      },
      parent,
    );
    for (const [variableName, value] of Object.entries(args.variables)) {
      new github.ActionsEnvironmentVariable(
        `${name}-${variableName.toLowerCase()}`,
        { repository: args.repository, environment: env.environment, variableName, value },
        parent,
      );
    }
    for (const [secretName, value] of Object.entries(args.secrets ?? {})) {
      new github.ActionsEnvironmentSecret(
        `${name}-${secretName.toLowerCase()}`,
        { repository: args.repository, environment: env.environment, secretName, plaintextValue: value },
        parent,
      );
    }
    for (const v of args.foreignVariables ?? []) {
      new github.ActionsEnvironmentVariable(
        `${name}-${v.environment}-${v.name.toLowerCase()}`,
        { repository: args.repository, environment: v.environment, variableName: v.name, value: v.value },
        parent,
      );
    }
    for (const [variableName, value] of Object.entries(args.repositoryVariables ?? {})) {
      new github.ActionsVariable(
        `${name}-repo-${variableName.toLowerCase()}`,
        { repository: args.repository, variableName, value },
        parent,
      );
    }
    this.environment = env.environment;
    this.registerOutputs({ environment: this.environment });
  }
}
