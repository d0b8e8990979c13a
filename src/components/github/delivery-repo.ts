/**
 * The repository-level GitHub objects, owned by exactly one stack (`github.manageRepository`):
 * settings, branch protection, Actions permissions, the `preview` environment and the generated
 * workflow files. Files are committed to a `platform/delivery` branch and proposed to the default
 * branch by pull request, because branch protection (admins included) forbids direct pushes.
 *
 * Branch protection rather than rulesets: `enforceAdmins` binds administrators without an
 * organisation-level bypass list to audit, it is available on every plan for private
 * repositories, and the policy pack checks its fields one to one.
 */
import * as github from "@pulumi/github";
import * as pulumi from "@pulumi/pulumi";

export interface DeliveryRepositoryArgs {
  /** Repository name (in the provider's owner). */
  readonly repository: string;
  readonly description?: string;
  /** Branches to protect: `main`, plus `develop` under gitflow. */
  readonly protectedBranches: string[];
  /** Status checks every pull request must pass (derived from the workflow model). */
  readonly requiredChecks: string[];
  /** Approving reviews a pull request needs. @default 1 */
  readonly requiredApprovals?: number;
  /** `owner/repo@*` patterns of the third-party actions the workflows use. */
  readonly allowedActions: string[];
  /** Path → content of the generated workflow and action files. */
  readonly files: Record<string, string>;
  /** Environment pull-request previews and drift detection run in. @default "preview" */
  readonly previewEnvironment?: string;
  /** Keep the repository (archive it) when the stack is destroyed. @default true */
  readonly archiveOnDestroy?: boolean;
}

export const DELIVERY_BRANCH = "platform/delivery";

export class DeliveryRepository extends pulumi.ComponentResource {
  readonly name: pulumi.Output<string>;
  readonly pullRequestNumber: pulumi.Output<number>;

  constructor(name: string, args: DeliveryRepositoryArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:delivery:DeliveryRepository", name, {}, opts);
    const parent = { parent: this };

    const repo = new github.Repository(
      `${name}-repository`,
      {
        name: args.repository,
        description: args.description,
        visibility: "private",
        vulnerabilityAlerts: true,
        securityAndAnalysis: {
          advancedSecurity: { status: "enabled" },
          secretScanning: { status: "enabled" },
          secretScanningPushProtection: { status: "enabled" },
        },
        deleteBranchOnMerge: true,
        allowMergeCommit: false,
        allowRebaseMerge: false,
        allowSquashMerge: true,
        squashMergeCommitTitle: "PR_TITLE",
        squashMergeCommitMessage: "PR_BODY",
        allowAutoMerge: false,
        hasWiki: false,
        archiveOnDestroy: args.archiveOnDestroy ?? true,
      },
      { ...parent, protect: true },
    );

    for (const branch of args.protectedBranches) {
      new github.BranchProtection(
        `${name}-${branch}`,
        {
          repositoryId: repo.nodeId,
          pattern: branch,
          enforceAdmins: true,
          requiredStatusChecks: [{ strict: true, contexts: args.requiredChecks }],
          requiredPullRequestReviews: [
            {
              requiredApprovingReviewCount: args.requiredApprovals ?? 1,
              dismissStaleReviews: true,
              requireCodeOwnerReviews: true,
              requireLastPushApproval: true,
            },
          ],
          requireConversationResolution: true,
          requiredLinearHistory: true,
          allowsForcePushes: false,
          allowsDeletions: false,
        },
        parent,
      );
    }

    new github.WorkflowRepositoryPermissions(
      `${name}-workflow-token`,
      { repository: repo.name, defaultWorkflowPermissions: "read", canApprovePullRequestReviews: false },
      parent,
    );
    new github.ActionsRepositoryPermissions(
      `${name}-actions`,
      {
        repository: repo.name,
        enabled: true,
        allowedActions: "selected",
        shaPinningRequired: true,
        allowedActionsConfig: {
          githubOwnedAllowed: true,
          verifiedAllowed: false,
          patternsAlloweds: args.allowedActions,
        },
      },
      parent,
    );
    new github.IssueLabel(
      `${name}-drift`,
      {
        repository: repo.name,
        name: "drift",
        color: "d93f0b",
        description: "Stack differs from its program",
      },
      parent,
    );
    new github.RepositoryEnvironment(
      `${name}-preview`,
      { repository: repo.name, environment: args.previewEnvironment ?? "preview", canAdminsBypass: false },
      parent,
    );

    const branch = new github.Branch(
      `${name}-delivery-branch`,
      { repository: repo.name, branch: DELIVERY_BRANCH, sourceBranch: "main" },
      parent,
    );
    const files = Object.entries(args.files).map(
      ([path, content]) =>
        new github.RepositoryFile(
          `${name}-${path.replace(/^\.github\//, "").replace(/[^A-Za-z0-9]+/g, "-")}`,
          {
            repository: repo.name,
            branch: branch.branch,
            file: path,
            content,
            commitMessage: `chore(platform): update ${path}`,
            overwriteOnCreate: true,
          },
          parent,
        ),
    );
    const pr = new github.RepositoryPullRequest(
      `${name}-delivery-pr`,
      {
        baseRepository: repo.name,
        baseRef: "main",
        headRef: branch.branch,
        title: "Platform: update delivery workflows",
        body: "Generated by the platform program (`npm run render:workflows` shows the same files). Merge to apply.",
        maintainerCanModify: false,
      },
      { ...parent, dependsOn: files },
    );

    this.name = repo.name;
    this.pullRequestNumber = pr.number;
    this.registerOutputs({ name: this.name, pullRequestNumber: this.pullRequestNumber });
  }
}
