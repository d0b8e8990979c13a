/**
 * The repository-level GitHub objects, owned by exactly one stack (`github.manageRepository`):
 * settings, branch protection, Actions permissions, the `preview` environment and the generated
 * workflow files. Files are committed to a `platform/delivery` branch and proposed to the default
 * branch by pull request, because branch protection (admins included) forbids direct pushes.
 *
 * Branch protection rather than rulesets: `enforceAdmins` binds administrators without an
 * organisation-level bypass list to audit, it is available wherever rulesets are (public
 * repositories, and private ones on Team and Enterprise), and the policy pack checks its fields
 * one to one. What the owner's plan offers (`planFeatures`) decides the repository's security
 * settings; validation has already refused what the plan lacks.
 */
import * as github from "@pulumi/github";
import * as pulumi from "@pulumi/pulumi";
import { PlanFeatures } from "../../config/github-plan";

export interface DeliveryRepositoryArgs {
  /** Repository name (in the provider's owner). */
  readonly repository: string;
  /** Repository description; none when undefined. */
  readonly description?: string;
  /** Branches to protect: `main`, plus `develop` under gitflow. */
  readonly protectedBranches: string[];
  /** Status checks every pull request must pass (derived from the workflow model). */
  readonly requiredChecks: string[];
  /** Approving reviews a pull request needs (`github.requiredApprovals`). */
  readonly requiredApprovals: number;
  /** `owner/repo@*` patterns of the third-party actions the workflows use. */
  readonly allowedActions: string[];
  /** Path → content of the generated workflow and action files. */
  readonly files: Record<string, string>;
  /**
   * Environment pull-request previews and drift detection run in, and the drift label they use;
   * an application's repository runs neither (its stacks' previews and drift checks run in the
   * platform's). @default none
   */
  readonly previewEnvironment?: string;
  /** What the owner's plan offers the repository at its visibility (`github.plan`, `github.visibility`). */
  readonly features: PlanFeatures;
}

export const DELIVERY_BRANCH = "platform/delivery";

/**
 * Security analysis the plan offers: secret scanning and push protection wherever they exist
 * (public repositories, or private ones of a licensed owner), and the Advanced Security switch
 * only where it exists (private and licensed); nothing a private repository without the licence
 * would refuse at apply.
 */
export function planSecurityAndAnalysis(features: PlanFeatures) {
  if (!features.secretScanning) return undefined;
  return {
    ...(features.advancedSecuritySetting ? { advancedSecurity: { status: "enabled" } } : {}),
    secretScanning: { status: "enabled" },
    secretScanningPushProtection: { status: "enabled" },
  };
}

/**
 * The repository's settings: the configured visibility, vulnerability alerts and the security
 * analysis the plan offers, squash merges only, no wiki, archived (never deleted) when the stack
 * is destroyed.
 */
export function planRepository(repository: string, description: string | undefined, features: PlanFeatures) {
  return {
    name: repository,
    description,
    visibility: features.visibility,
    vulnerabilityAlerts: true,
    securityAndAnalysis: planSecurityAndAnalysis(features),
    deleteBranchOnMerge: true,
    allowMergeCommit: false,
    allowRebaseMerge: false,
    allowSquashMerge: true,
    squashMergeCommitTitle: "PR_TITLE",
    squashMergeCommitMessage: "PR_BODY",
    allowAutoMerge: false,
    hasWiki: false,
    archiveOnDestroy: true,
  };
}

/**
 * Protection of one branch, administrators included: up-to-date required checks, approvals from
 * code owners other than the last pusher, stale approvals dismissed, resolved conversations,
 * linear history, no force pushes or deletion.
 */
export function planBranchProtection(
  repositoryId: pulumi.Input<string>,
  branch: string,
  requiredChecks: string[],
  requiredApprovals: number,
) {
  return {
    repositoryId,
    pattern: branch,
    enforceAdmins: true,
    requiredStatusChecks: [{ strict: true, contexts: requiredChecks }],
    requiredPullRequestReviews: [
      {
        requiredApprovingReviewCount: requiredApprovals,
        dismissStaleReviews: true,
        requireCodeOwnerReviews: true,
        requireLastPushApproval: true,
      },
    ],
    requireConversationResolution: true,
    requiredLinearHistory: true,
    allowsForcePushes: false,
    allowsDeletions: false,
  };
}

/** Actions limited to GitHub's own and the listed patterns, pinned by SHA. */
export function planActionsPermissions(repository: pulumi.Input<string>, allowedActions: string[]) {
  return {
    repository,
    enabled: true,
    allowedActions: "selected",
    shaPinningRequired: true,
    allowedActionsConfig: {
      githubOwnedAllowed: true,
      verifiedAllowed: false,
      patternsAlloweds: allowedActions,
    },
  };
}

/** Logical name of a generated file: `.github/` dropped, every other run of punctuation a `-`. */
export function deliveryFileName(name: string, path: string): string {
  return `${name}-${path.replace(/^\.github\//, "").replace(/[^A-Za-z0-9]+/g, "-")}`;
}

/** Branch protection, workflow token and Actions permissions, the drift label and the preview environment. */
export function createRepositoryGovernance(
  name: string,
  repo: github.Repository,
  args: DeliveryRepositoryArgs,
  opts: pulumi.CustomResourceOptions,
): void {
  for (const branch of args.protectedBranches)
    new github.BranchProtection(
      `${name}-${branch}`,
      planBranchProtection(repo.nodeId, branch, args.requiredChecks, args.requiredApprovals),
      opts,
    );
  new github.WorkflowRepositoryPermissions(
    `${name}-workflow-token`,
    { repository: repo.name, defaultWorkflowPermissions: "read", canApprovePullRequestReviews: false },
    opts,
  );
  new github.ActionsRepositoryPermissions(
    `${name}-actions`,
    planActionsPermissions(repo.name, args.allowedActions),
    opts,
  );
  if (!args.previewEnvironment) return;
  new github.IssueLabel(
    `${name}-drift`,
    { repository: repo.name, name: "drift", color: "d93f0b", description: "Stack differs from its program" },
    opts,
  );
  new github.RepositoryEnvironment(
    `${name}-preview`,
    { repository: repo.name, environment: args.previewEnvironment, canAdminsBypass: false },
    opts,
  );
}

/** The generated files on `DELIVERY_BRANCH` and the pull request proposing them to `main`. */
export function createDeliveryPullRequest(
  name: string,
  repository: pulumi.Input<string>,
  files: Record<string, string>,
  opts: pulumi.CustomResourceOptions,
): github.RepositoryPullRequest {
  const branch = new github.Branch(
    `${name}-delivery-branch`,
    { repository, branch: DELIVERY_BRANCH, sourceBranch: "main" },
    opts,
  );
  const created = Object.entries(files).map(
    ([path, content]) =>
      new github.RepositoryFile(
        deliveryFileName(name, path),
        {
          repository,
          branch: branch.branch,
          file: path,
          content,
          commitMessage: `chore(platform): update ${path}`,
          overwriteOnCreate: true,
        },
        opts,
      ),
  );
  return new github.RepositoryPullRequest(
    `${name}-delivery-pr`,
    {
      baseRepository: repository,
      baseRef: "main",
      headRef: branch.branch,
      title: "Platform: update delivery workflows",
      body: "Generated by the platform program (`npm run render:workflows` shows the same files). Merge to apply.",
      maintainerCanModify: false,
    },
    { ...opts, dependsOn: created },
  );
}

export class DeliveryRepository extends pulumi.ComponentResource {
  readonly name: pulumi.Output<string>;
  readonly pullRequestNumber: pulumi.Output<number>;

  constructor(name: string, args: DeliveryRepositoryArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:delivery:DeliveryRepository", name, {}, opts);
    const parent = { parent: this };
    const repo = new github.Repository(
      `${name}-repository`,
      planRepository(args.repository, args.description, args.features),
      { ...parent, protect: true },
    );
    createRepositoryGovernance(name, repo, args, parent);
    const pr = createDeliveryPullRequest(name, repo.name, args.files, parent);
    this.name = repo.name;
    this.pullRequestNumber = pr.number;
    this.registerOutputs({ name: this.name, pullRequestNumber: this.pullRequestNumber });
  }
}
