/**
 * What the owner's GitHub plan offers a repository of a given visibility, in one pure function:
 * validation refuses what a stack asks for and the plan lacks, the GitHub components create only
 * what it has (or its replacement), and the policy pack is configured to expect the same shapes.
 *
 * GitHub's documentation, as of this writing:
 * - Environments, environment secrets and deployment branches (and tag) policies: every plan for
 *   public repositories; GitHub Pro, Team or Enterprise for private ones. Required reviewers and
 *   wait timers ("other deployment protection rules"): public repositories on every plan, private
 *   ones on GitHub Enterprise only.
 *   https://docs.github.com/en/actions/reference/environments ("Managing environments for deployment")
 * - Protected branches: public repositories on GitHub Free, public and private on Pro, Team and
 *   Enterprise. https://docs.github.com/en/repositories/configuring-branches-and-merges-in-your-repository/managing-protected-branches/about-protected-branches
 * - Rulesets: the same availability.
 *   https://docs.github.com/en/repositories/configuring-branches-and-merges-in-your-repository/managing-rulesets/about-rulesets
 * - Secret scanning and push protection: free on public repositories; on private ones a purchased
 *   GitHub Secret Protection / Advanced Security licence, sold to Team and Enterprise plans.
 *   https://docs.github.com/en/code-security/securing-your-organization/understanding-your-organizations-exposure-to-leaked-secrets/choosing-github-secret-protection
 * - Dependabot (vulnerability) alerts: every plan and visibility.
 */
import { deploySource, DeploySource } from "../workflows/context";
import type { StackConfig } from "./schema";

export const GITHUB_PLANS = ["free", "team", "enterprise"] as const;
export type GithubPlan = (typeof GITHUB_PLANS)[number];
export const VISIBILITIES = ["private", "public"] as const;
export type Visibility = (typeof VISIBILITIES)[number];

/** The repository features a plan offers at a visibility. */
export interface PlanFeatures {
  readonly plan: GithubPlan;
  readonly visibility: Visibility;
  /** Environments, environment secrets and deployment branch and tag policies. */
  readonly environments: boolean;
  /** Required reviewers and wait timers on an environment. */
  readonly environmentReviewers: boolean;
  /** Branch protection rules. */
  readonly branchProtection: boolean;
  /** Repository rulesets (branches and tags). */
  readonly rulesets: boolean;
  /** Secret scanning and push protection. */
  readonly secretScanning: boolean;
  /**
   * `securityAndAnalysis.advancedSecurity` can be set: a private repository of a licensed owner.
   * Public repositories have no such setting (their scanning is free).
   */
  readonly advancedSecuritySetting: boolean;
  /**
   * Code scanning accepts results (SARIF uploads, CodeQL's upload): every public repository, and a
   * private or internal one whose owner holds the GitHub Code Security licence ("For private and
   * internal repositories, code scanning is available when GitHub Advanced Security features are
   * enabled", GitHub Docs, Uploading a SARIF file to GitHub). Elsewhere an upload fails the job
   * with "Code scanning is not enabled for this repository".
   */
  readonly codeScanning: boolean;
}

/** What `plan` offers a `visibility` repository, `advancedSecurity` saying whether the owner holds the licence. */
export function planFeatures(
  plan: GithubPlan,
  visibility: Visibility,
  advancedSecurity: boolean,
): PlanFeatures {
  const isPublic = visibility === "public";
  const paid = plan !== "free";
  // The licence is sold to Team and Enterprise owners only; on Free it cannot exist.
  const licensed = advancedSecurity && paid;
  return {
    plan,
    visibility,
    environments: isPublic || paid,
    environmentReviewers: isPublic || plan === "enterprise",
    branchProtection: isPublic || paid,
    rulesets: isPublic || paid,
    secretScanning: isPublic || licensed,
    advancedSecuritySetting: !isPublic && licensed,
    codeScanning: isPublic || licensed,
  };
}

/**
 * What stands in for environment reviewers on a stack whose plan has none: a tag-deployed stack
 * with reviewer teams gets a ruleset that lets only those teams create, move or delete its
 * release tags, so only its reviewers can release.
 */
export function usesReleaseRuleset(
  features: PlanFeatures,
  source: DeploySource,
  reviewers: { readonly users: readonly string[]; readonly teams: readonly string[] },
): boolean {
  return !features.environmentReviewers && source.kind === "tag" && reviewers.teams.length > 0;
}

/**
 * The ref pattern the release ruleset guards: every tag starting like the release pattern
 * (`refs/tags/v*` for `v*.*.*`), because the workflows treat any `refs/tags/v…` ref as a release.
 */
export function releaseTagRefPattern(source: Extract<DeploySource, { kind: "tag" }>): string {
  return `refs/tags/${source.pattern.split("*")[0]}*`;
}

/**
 * The policy pack's settings a stack's GitHub facts imply. A resource rule sees one resource, not
 * the stack's configuration, so `policy/config/<stack>.json` states them (or leaves the rule's
 * default where it is the same); a test keeps every committed stack's file in step with this.
 */
export function policyPackSettings(config: StackConfig): Record<string, Record<string, unknown>> {
  const gh = config.github;
  if (!gh) return {};
  const features = planFeatures(gh.plan, gh.visibility, gh.advancedSecurity);
  const own = gh.stacks.find((s) => s.stack === config.stack);
  const ruleset =
    own !== undefined && usesReleaseRuleset(features, deploySource(config.branchModel, own), gh.reviewers);
  return {
    "github-repository-require-private": { allowPublic: features.visibility === "public" },
    "github-repository-enable-security-features": {
      advancedSecurity: features.visibility === "public" || features.secretScanning,
    },
    "github-environment-require-reviewers": {
      gate: features.environmentReviewers ? "reviewers" : "releaseTagRuleset",
    },
    "github-ruleset-restrict-release-tags": { required: ruleset },
  };
}
