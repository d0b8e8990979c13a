import { strict as assert } from "assert";
import {
  GithubPlan,
  planFeatures,
  policyPackSettings,
  releaseTagRefPattern,
  stackConfigFromFile,
  usesReleaseRuleset,
  Visibility,
} from "../../src/config";
import { ConfigError, parseStackConfig } from "../../src/config/validate";
import { readStackConfig } from "../../src/config/stack-files";
import { deploySource } from "../../src/workflows/context";
import { policies } from "../../policy/policies";
import { readPackConfig } from "../../dev/harness/policy-harness";

type Row = [
  plan: GithubPlan,
  visibility: Visibility,
  licensed: boolean,
  environments: boolean,
  reviewers: boolean,
  protection: boolean,
  scanning: boolean,
  advancedSecuritySetting: boolean,
];

// plan, visibility, licence → environments, environment reviewers, branch protection and rulesets,
// secret scanning and push protection, the advancedSecurity setting
const FEATURES: Row[] = [
  ["free", "public", false, true, true, true, true, false],
  ["free", "public", true, true, true, true, true, false],
  ["free", "private", false, false, false, false, false, false],
  ["free", "private", true, false, false, false, false, false],
  ["team", "public", false, true, true, true, true, false],
  ["team", "public", true, true, true, true, true, false],
  ["team", "private", false, true, false, true, false, false],
  ["team", "private", true, true, false, true, true, true],
  ["enterprise", "public", false, true, true, true, true, false],
  ["enterprise", "public", true, true, true, true, true, false],
  ["enterprise", "private", false, true, true, true, false, false],
  ["enterprise", "private", true, true, true, true, true, true],
];

describe("what a GitHub plan offers a repository", () => {
  for (const [plan, visibility, licensed, environments, reviewers, protection, scanning, setting] of FEATURES)
    it(`gives a ${visibility} repository on ${plan}${licensed ? " with the Advanced Security licence" : ""} environments ${environments}, reviewers ${reviewers}, protection ${protection}, scanning ${scanning}, the licence setting ${setting}`, () =>
      assert.deepEqual(planFeatures(plan, visibility, licensed), {
        plan,
        visibility,
        environments,
        environmentReviewers: reviewers,
        branchProtection: protection,
        rulesets: protection,
        secretScanning: scanning,
        // Code scanning takes results where secret scanning runs: public, or the licence held.
        codeScanning: scanning,
        advancedSecuritySetting: setting,
      }));

  it("replaces reviewers by a release ruleset only for a tag-deployed stack with reviewer teams on a plan without environment reviewers", () => {
    const team = planFeatures("team", "private", false);
    const enterprise = planFeatures("enterprise", "private", false);
    const tag = deploySource("gitflow", { stack: "production", environment: "production" });
    const branch = deploySource("gitflow", { stack: "staging", environment: "staging" });
    const teams = { users: [], teams: ["platform-leads"] };
    assert.equal(usesReleaseRuleset(team, tag, teams), true);
    assert.equal(usesReleaseRuleset(enterprise, tag, teams), false);
    assert.equal(usesReleaseRuleset(team, branch, teams), false);
    assert.equal(usesReleaseRuleset(team, tag, { users: ["octocat"], teams: [] }), false);
    assert.equal(releaseTagRefPattern({ kind: "tag", pattern: "v*.*.*" }), "refs/tags/v*");
  });
});

/** The committed stack's values without the `platform:` prefix. */
function values(stack: string): Record<string, any> {
  const out: Record<string, any> = {};
  for (const [k, v] of Object.entries(readStackConfig(stack)))
    if (k.startsWith("platform:")) out[k.slice(9)] = structuredClone(v);
  return out;
}

/** The problems the configuration error lists, as printed; [] when accepted. */
function problems(stack: string, change: (v: Record<string, any>) => void): string[] {
  const v = values(stack);
  change(v);
  try {
    parseStackConfig(stack, v, "eu-west-1");
    return [];
  } catch (e) {
    assert.ok(e instanceof ConfigError, String(e));
    return e.message.split("\n").slice(1);
  }
}

const TEAM_WHERE =
  'on a private repository of the "team" plan (environment protection rules other than deployment policies need "enterprise")';

const CASES: [when: string, stack: string, change: (v: Record<string, any>) => void, expected: string[]][] = [
  [
    "the github section names no plan",
    "dev",
    (v) => delete v.github.plan,
    [
      `  - platform:github.plan: got nothing; required: the owner's GitHub plan, "free", "team" or "enterprise" (what the repository can have depends on it)`,
    ],
  ],
  [
    "the plan is not one of GitHub's",
    "dev",
    (v) => (v.github.plan = "pro"),
    ['  - platform:github.plan: got "pro"; must be "free", "team" or "enterprise"'],
  ],
  [
    "a private repository is on GitHub Free, whatever else the stack asks for",
    "production",
    (v) => (v.github.plan = "free"),
    [
      '  - platform:github.plan: got "free"; a private repository on GitHub Free has no environments, environment secrets, deployment policies, branch protection or rulesets, which every stack deploys through: "team" or "enterprise", or github.visibility "public"',
    ],
  ],
  [
    "a public repository is on GitHub Free with reviewers and a wait timer",
    "production",
    (v) => Object.assign(v.github, { plan: "free", visibility: "public", advancedSecurity: false }),
    [],
  ],
  [
    "production on a private Team repository keeps its reviewer login and wait timer, and production spans 2 AZs",
    "production",
    (v) => {
      v.github.plan = "team";
      v.network.azCount = 2;
    },
    [
      `  - platform:github.reviewers.users: got ["release-captain"]; no environment reviewers ${TEAM_WHERE}; this stack deploys from v*.*.* tags, which a ruleset lets only github.reviewers.teams create, and users cannot be ruleset bypass actors: name teams instead`,
      `  - platform:github.waitTimerMinutes: got 10; no wait timers ${TEAM_WHERE}: remove the key`,
      "  - platform:network.azCount: got 2; production spans at least 3 availability zones",
    ],
  ],
  [
    "production on a private Team repository has reviewer teams only and no wait timer",
    "production",
    (v) => {
      v.github.plan = "team";
      v.github.reviewers = { teams: ["platform-leads"] };
      delete v.github.waitTimerMinutes;
    },
    [],
  ],
  [
    "staging on a private Team repository has reviewers",
    "staging",
    (v) => {
      v.github.plan = "team";
      v.github.reviewers = { users: ["octocat"] };
    },
    [
      `  - platform:github.reviewers: got {"users":["octocat"],"teams":[]}; no environment reviewers ${TEAM_WHERE}; this stack deploys from branch "main", whose branch protection (approving reviews by code owners) is the gate: remove the key`,
    ],
  ],
  [
    "a public repository claims the Advanced Security licence",
    "dev",
    (v) => (v.github.visibility = "public"),
    [
      "  - platform:github.advancedSecurity: got true; public repositories get secret scanning and push protection without a licence, and have no Advanced Security setting: remove the key",
    ],
  ],
  [
    "the visibility is neither private nor public",
    "dev",
    (v) => (v.github.visibility = "internal"),
    ['  - platform:github.visibility: got "internal"; Invalid option: expected one of "private"|"public"'],
  ],
];

describe("plan-aware configuration", () => {
  for (const [when, stack, change, expected] of CASES)
    it(`${expected.length ? "refuses" : "accepts"} ${stack} when ${when}`, () =>
      assert.deepEqual(problems(stack, change), expected));

  it("has every committed stack of one repository state the same plan, visibility and licence", () => {
    const facts = new Map<string, string[]>();
    for (const stack of ["dev", "staging", "production"]) {
      const gh = stackConfigFromFile(stack).github!;
      const key = `${gh.owner}/${gh.repository}`;
      facts.set(key, [...(facts.get(key) ?? []), `${gh.plan} ${gh.visibility} ${gh.advancedSecurity}`]);
    }
    for (const [repository, stated] of facts)
      assert.equal(new Set(stated).size, 1, `${repository}: ${stated.join(" / ")}`);
  });

  it("keeps each committed stack's policy config in step with what its plan implies", () => {
    for (const stack of ["dev", "staging", "production"]) {
      const config = stackConfigFromFile(stack);
      const pack = readPackConfig(stack);
      for (const [rule, settings] of Object.entries(policyPackSettings(config))) {
        const policy = policies.find((p) => p.name === rule);
        assert.ok(policy, rule);
        const entry = pack[rule];
        for (const [key, expected] of Object.entries(settings)) {
          const given = typeof entry === "object" ? (entry as Record<string, unknown>)[key] : undefined;
          const fallback: unknown = (policy.configSchema?.properties?.[key] as { default?: unknown }).default;
          assert.deepEqual(given ?? fallback, expected, `${stack}: ${rule}.${key}`);
        }
      }
    }
  });
});
