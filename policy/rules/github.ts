import { asArray, resourceRule, stackRule } from "../lib/rule";
import { SECRET_NAME, SECRET_VALUE } from "./ecs";

const REPO = "github:index/repository:Repository";
const PROTECTION = "github:index/branchProtection:BranchProtection";
const RULESET = "github:index/repositoryRuleset:RepositoryRuleset";

export const githubRules = [
  resourceRule(
    {
      name: "github-repository-require-private",
      types: [REPO],
      anchors: ["CKV_GIT_1", "AVD-GIT-0001"],
      summary:
        "Repositories are private unless the stack allows public ones (its policy config says so where github.visibility is public).",
      severity: "high",
      remediation:
        'Set visibility = "private" (or "internal"), or, for a stack whose github.visibility is "public", allowPublic in policy/config/<stack>.json.',
      config: {
        allowPublic: {
          type: "boolean",
          default: false,
          description: "This stack may manage public repositories (github.visibility: public).",
        },
      },
    },
    (p, { config }) =>
      config.allowPublic ||
      p.visibility === "private" ||
      p.visibility === "internal" ||
      (p.visibility === undefined && p.private === true)
        ? []
        : [`visibility is ${p.visibility ?? "public"}`],
  ),
  resourceRule(
    {
      name: "github-repository-enable-security-features",
      types: [REPO],
      anchors: ["CKV_GIT_3", "AVD-GIT-0003"],
      summary:
        "Repositories have vulnerability alerts on, and secret scanning and push protection wherever they exist: public repositories, and private ones of an owner licensed for Advanced Security.",
      severity: "high",
      remediation:
        'Set vulnerabilityAlerts = true and securityAndAnalysis.{secretScanning,secretScanningPushProtection}.status = "enabled"; for a private repository without the licence (github.advancedSecurity: false), advancedSecurity = false in policy/config/<stack>.json.',
      config: {
        advancedSecurity: {
          type: "boolean",
          default: true,
          description:
            "The owner licenses Advanced Security for private repositories (github.advancedSecurity), so they can scan for secrets.",
        },
        unlicensedRepositories: {
          type: "array",
          items: { type: "string" },
          default: [],
          description:
            "Private repositories of owners without the licence (an application's github.advancedSecurity: false) in a stack whose others have it.",
        },
      },
    },
    (p, { config }) => {
      // GitHub's default visibility, as the provider's, is public.
      const isPublic = (p.visibility ?? (p.private === true ? "private" : "public")) === "public";
      const licensed =
        config.advancedSecurity === true &&
        !(config.unlicensedRepositories as string[]).includes(String(p.name));
      const scans = isPublic || licensed;
      return [
        ...(p.vulnerabilityAlerts === true ? [] : ["vulnerabilityAlerts is not true"]),
        ...(scans ? ["secretScanning", "secretScanningPushProtection"] : [])
          .filter((k) => p.securityAndAnalysis?.[k]?.status !== "enabled")
          .map((k) => `securityAndAnalysis.${k} is not enabled`),
      ];
    },
  ),
  resourceRule(
    {
      name: "github-branchprotection-require-reviews",
      types: [PROTECTION],
      anchors: [
        "CKV_GIT_5",
        "CKV_GITHUB_19",
        "CKV_GITHUB_11",
        "CKV_GITHUB_13",
        "Scorecard Branch-Protection",
      ],
      summary: "Protected branches need approving reviews, dismiss stale ones and require code owners.",
      severity: "high",
      remediation:
        "Set requiredPullRequestReviews = [{ requiredApprovingReviewCount ≥ minimum, dismissStaleReviews: true, requireCodeOwnerReviews: true }].",
      config: {
        minimumApprovals: {
          type: "number",
          default: 1,
          description: "Fewest approving reviews a pull request may need.",
        },
      },
    },
    (p, { config }) => {
      const r = asArray(p.requiredPullRequestReviews)[0] as any;
      if (!r) return ["no pull request reviews are required"];
      return [
        ...((r.requiredApprovingReviewCount ?? 1) < config.minimumApprovals
          ? [
              `requiredApprovingReviewCount is ${r.requiredApprovingReviewCount}; at least ${config.minimumApprovals}`,
            ]
          : []),
        ...(r.dismissStaleReviews === true ? [] : ["dismissStaleReviews is not true"]),
        ...(r.requireCodeOwnerReviews === true ? [] : ["requireCodeOwnerReviews is not true"]),
      ];
    },
  ),
  resourceRule(
    {
      name: "github-branchprotection-disallow-bypass",
      types: [PROTECTION],
      anchors: ["CKV_GITHUB_10", "CKV_GITHUB_5", "CKV_GITHUB_18", "Scorecard Branch-Protection"],
      summary: "Protection binds admins too, and the branch can be neither force-pushed nor deleted.",
      severity: "high",
      remediation: "Set enforceAdmins = true, allowsForcePushes = false, allowsDeletions = false.",
    },
    (p) => [
      ...(p.enforceAdmins === true ? [] : ["enforceAdmins is not true"]),
      ...(p.allowsForcePushes === true ? ["allowsForcePushes is true"] : []),
      ...(p.allowsDeletions === true ? ["allowsDeletions is true"] : []),
    ],
  ),
  resourceRule(
    {
      name: "github-branchprotection-require-status-checks",
      types: [PROTECTION],
      anchors: ["CKV_GITHUB_14", "CKV_GITHUB_20", "Scorecard Branch-Protection"],
      summary: "Protected branches require strict, named status checks.",
      severity: "medium",
      remediation: "Set requiredStatusChecks = [{ strict: true, contexts: [<CI job names>] }].",
    },
    (p) => {
      const c = asArray(p.requiredStatusChecks)[0] as any;
      if (!c) return ["no status checks are required"];
      return [
        ...(c.strict === true ? [] : ["requiredStatusChecks.strict is not true"]),
        ...(asArray(c.contexts).length ? [] : ["requiredStatusChecks.contexts is empty"]),
      ];
    },
  ),
  resourceRule(
    {
      name: "github-branchprotection-require-history-hygiene",
      types: [PROTECTION],
      anchors: ["CKV_GITHUB_8", "CKV_GITHUB_16"],
      summary: "Protected branches keep a linear history and require conversations resolved.",
      severity: "low",
      remediation: "Set requiredLinearHistory = true and requireConversationResolution = true.",
    },
    (p) =>
      ["requiredLinearHistory", "requireConversationResolution"]
        .filter((k) => p[k] !== true)
        .map((k) => `${k} is not true`),
  ),
  stackRule(
    {
      name: "github-repository-missing-branch-protection",
      anchors: ["CKV2_GIT_1"],
      summary: "Every managed repository protects its default branch.",
      severity: "high",
      remediation: "Add a BranchProtection (or a ruleset) for the default branch.",
    },
    (resources) => {
      const guards = resources.filter((r) => r.type === PROTECTION || r.type === RULESET);
      const guarded = new Set(guards.flatMap((g) => g.dependencies.map((d) => d.urn)));
      // Dependencies settle it without reading values that are unknown during preview.
      if (resources.every((r) => r.type !== REPO || guarded.has(r.urn))) return [];
      const guardedNames = new Set(guards.map((g) => String(g.props.repository ?? g.props.repositoryId)));
      return resources
        .filter((r) => r.type === REPO && !guarded.has(r.urn) && !guardedNames.has(String(r.props.name)))
        .map((r) => ({
          urn: r.urn,
          message: `repository ${r.props.name ?? r.name} has no branch protection`,
        }));
    },
  ),
  resourceRule(
    {
      name: "github-environment-require-reviewers",
      types: ["github:index/repositoryEnvironment:RepositoryEnvironment"],
      anchors: ["Z secrets-outside-env", "GitHub docs: deployment protection rules"],
      summary:
        "Protected environments (production) need reviewers who cannot approve themselves (or, where the plan has no environment reviewers, a release-tag ruleset: gate releaseTagRuleset), no admin bypass, and a deployment branch policy.",
      severity: "critical",
      remediation:
        'Set reviewers (users/teams), preventSelfReview = true, canAdminsBypass = false and a deployment branch policy (protected branches or custom branch and tag policies); on a private repository of the "team" plan, gate = "releaseTagRuleset" in policy/config/<stack>.json and a ruleset on the release tags (github-ruleset-restrict-release-tags).',
      config: {
        protectedEnvironments: {
          type: "array",
          items: { type: "string" },
          default: ["production"],
          description: "Environment names that must be gated.",
        },
        gate: {
          type: "string",
          enum: ["reviewers", "releaseTagRuleset"],
          default: "reviewers",
          description:
            "What gates a protected environment: its reviewers, or (no environment reviewers on the plan) a ruleset on its release tags.",
        },
        releaseTagRulesetRepositories: {
          type: "array",
          items: { type: "string" },
          default: [],
          description:
            "Repositories whose protected environments a release-tag ruleset gates (an application on a plan without environment reviewers) in a stack whose others use reviewers.",
        },
      },
    },
    (p, { config }) => {
      if (!(config.protectedEnvironments as string[]).includes(p.environment)) return [];
      const byReviewers =
        config.gate !== "releaseTagRuleset" &&
        !(config.releaseTagRulesetRepositories as string[]).includes(String(p.repository));
      const reviewers = asArray(p.reviewers).flatMap((r: any) => [
        ...asArray(r?.users),
        ...asArray(r?.teams),
      ]);
      return [
        ...(!byReviewers || reviewers.length ? [] : ["no reviewers"]),
        ...(!byReviewers || p.preventSelfReview === true ? [] : ["preventSelfReview is not true"]),
        ...(p.canAdminsBypass === false ? [] : ["canAdminsBypass is not false"]),
        ...(p.deploymentBranchPolicy?.protectedBranches === true ||
        p.deploymentBranchPolicy?.customBranchPolicies === true
          ? []
          : ["no deploymentBranchPolicy restricting the refs that may deploy"]),
      ];
    },
  ),
  stackRule(
    {
      name: "github-ruleset-restrict-release-tags",
      anchors: ["Z secrets-outside-env", "GitHub docs: rulesets (tag rules)"],
      summary:
        "Tag rulesets are active and let only teams create, move or delete the tags they guard; a stack gated by its release tags (required) has one.",
      severity: "critical",
      remediation:
        'Add a RepositoryRuleset with target "tag", enforcement "active", conditions.refName.includes the release tags, rules creation, update and deletion, and the reviewer teams (actorType "Team") as its only bypass actors.',
      config: {
        required: {
          type: "boolean",
          default: false,
          description:
            "The stack's protected environment is gated by a release-tag ruleset (the plan has no environment reviewers).",
        },
        requiredFor: {
          type: "array",
          items: { type: "string" },
          default: [],
          description:
            "Repositories whose protected environment a release-tag ruleset gates (github-environment-require-reviewers' releaseTagRulesetRepositories): each has one.",
        },
      },
    },
    (resources, config) => {
      const tagRulesets = resources.filter((r) => r.type === RULESET && r.props.target === "tag");
      const findings: { urn?: string; message: string }[] = tagRulesets.flatMap((r) => {
        const rules = r.props.rules ?? {};
        const actors = asArray(r.props.bypassActors) as any[];
        const problems = [
          ...(r.props.enforcement === "active" ? [] : [`enforcement is ${r.props.enforcement}`]),
          ...["creation", "update", "deletion"]
            .filter((k) => rules[k] !== true)
            .map((k) => `rules.${k} is not true`),
          ...(actors.length ? [] : ["no bypass actors: nobody could release"]),
          ...actors
            .filter((a) => a?.actorType !== "Team")
            .map((a) => `bypass actor ${a?.actorType} is not a team of reviewers`),
        ];
        return problems.map((m) => ({ urn: r.urn, message: `ruleset ${r.props.name ?? r.name}: ${m}` }));
      });
      if (config.required && tagRulesets.length === 0)
        findings.push({ message: "no tag ruleset guards the release tags" });
      for (const repository of asArray(config.requiredFor) as string[])
        if (!tagRulesets.some((r) => r.props.repository === repository))
          findings.push({ message: `no tag ruleset guards the release tags of ${repository}` });
      return findings;
    },
  ),
  resourceRule(
    {
      name: "github-actionssecret-disallow-plaintext-literals",
      types: [
        "github:index/actionsSecret:ActionsSecret",
        "github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret",
      ],
      anchors: ["CKV_GIT_4", "AVD-GIT-0002"],
      summary:
        "Actions secrets carry no recognisable credential literal (Pulumi unwraps secrets for policies, so the program reads values only from secret config).",
      severity: "critical",
      remediation: "Read the value from Pulumi secret config (config.requireSecret) or pass encryptedValue.",
    },
    (p) =>
      SECRET_VALUE.test(String(p.plaintextValue ?? "")) && !p.encryptedValue
        ? ["plaintextValue holds a credential literal"]
        : [],
  ),
  resourceRule(
    {
      name: "github-actionsvariable-disallow-secret-values",
      types: [
        "github:index/actionsVariable:ActionsVariable",
        "github:index/actionsEnvironmentVariable:ActionsEnvironmentVariable",
      ],
      anchors: ["GitHub docs: variables are not secret"],
      summary: "Actions variables hold no secrets: they are readable by anyone with repository read access.",
      severity: "high",
      remediation: "Store the value as an Actions secret instead.",
    },
    (p) =>
      SECRET_NAME.test(String(p.variableName)) || SECRET_VALUE.test(String(p.value))
        ? [`variable ${p.variableName} looks like a secret`]
        : [],
  ),
  resourceRule(
    {
      name: "github-workflowpermissions-require-read-only",
      types: ["github:index/workflowRepositoryPermissions:WorkflowRepositoryPermissions"],
      anchors: ["Scorecard Token-Permissions", "GitHub hardening guide"],
      summary: "The default GITHUB_TOKEN is read-only and Actions cannot approve pull requests.",
      severity: "high",
      remediation: 'Set defaultWorkflowPermissions = "read" and canApprovePullRequestReviews = false.',
    },
    (p) => [
      ...(p.defaultWorkflowPermissions === "read"
        ? []
        : [`defaultWorkflowPermissions is ${p.defaultWorkflowPermissions ?? "write"}`]),
      ...(p.canApprovePullRequestReviews === false ? [] : ["canApprovePullRequestReviews is not false"]),
    ],
  ),
  resourceRule(
    {
      name: "github-actionspermissions-restrict-actions",
      types: ["github:index/actionsRepositoryPermissions:ActionsRepositoryPermissions"],
      anchors: ["Z unpinned-uses (org-level twin)"],
      summary: "Only selected or local actions may run.",
      severity: "medium",
      remediation: 'Set allowedActions = "selected" with allowedActionsConfig, or "local_only".',
    },
    (p) =>
      p.enabled === false || ["selected", "local_only"].includes(p.allowedActions)
        ? []
        : [`allowedActions is ${p.allowedActions ?? "all"}`],
  ),
];
