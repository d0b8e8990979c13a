import { strict as assert } from "assert";
import { ResourceValidationPolicy, StackValidationPolicy, unknownCheckingProxy } from "@pulumi/policy";
import { evaluateStack, stackAccount } from "../../dev/harness/program";
import { checkResource, checkStack, readPackConfig, runGate } from "../../dev/harness/policy-harness";
import { policies } from "../../policy/policies";
import { parseStackConfig, policyPackSettings } from "../../src/config";
import { projectConfigValues, readStackConfig, toRuntimeConfig } from "../../src/config/stack-files";
import { releaseRuleset } from "./fixtures";

const rule = (name: string) => policies.find((p) => p.name === name)!;
const messages = (name: string, props: Record<string, any>, config: Record<string, unknown> = {}) =>
  checkResource(rule(name) as ResourceValidationPolicy, "github:index/repository:Repository", props, {
    config,
  }).map((f) => f.message);

const scanning = {
  secretScanning: { status: "enabled" },
  secretScanningPushProtection: { status: "enabled" },
};

describe("the GitHub rules accept what the plan allows and nothing else", () => {
  describe("github-repository-require-private", () => {
    it("accepts a public repository only in a stack whose policy config allows public ones", () => {
      assert.deepEqual(messages("github-repository-require-private", { visibility: "public" }), [
        "visibility is public",
      ]);
      assert.deepEqual(
        messages("github-repository-require-private", { visibility: "public" }, { allowPublic: true }),
        [],
      );
    });
  });

  describe("github-repository-enable-security-features", () => {
    const name = "github-repository-enable-security-features";

    it("asks a private repository without the Advanced Security licence only for vulnerability alerts", () => {
      const unlicensed = { visibility: "private", vulnerabilityAlerts: true };
      assert.deepEqual(messages(name, unlicensed, { advancedSecurity: false }), []);
      assert.deepEqual(
        messages(name, { ...unlicensed, vulnerabilityAlerts: false }, { advancedSecurity: false }),
        ["vulnerabilityAlerts is not true"],
      );
      assert.deepEqual(messages(name, unlicensed), [
        "securityAndAnalysis.secretScanning is not enabled",
        "securityAndAnalysis.secretScanningPushProtection is not enabled",
      ]);
    });

    it("asks a public repository for secret scanning and push protection, which are free there, licence or not", () => {
      const open = { visibility: "public", vulnerabilityAlerts: true };
      assert.deepEqual(messages(name, open, { advancedSecurity: false }), [
        "securityAndAnalysis.secretScanning is not enabled",
        "securityAndAnalysis.secretScanningPushProtection is not enabled",
      ]);
      assert.deepEqual(
        messages(name, { ...open, securityAndAnalysis: scanning }, { advancedSecurity: false }),
        [],
      );
    });
  });

  describe("github-environment-require-reviewers", () => {
    const name = "github-environment-require-reviewers";
    const check = (props: Record<string, any>, config: Record<string, unknown> = {}) =>
      checkResource(
        rule(name) as ResourceValidationPolicy,
        "github:index/repositoryEnvironment:RepositoryEnvironment",
        props,
        { config },
      ).map((f) => f.message);
    const gatedByTags = {
      environment: "production",
      canAdminsBypass: false,
      deploymentBranchPolicy: { protectedBranches: false, customBranchPolicies: true },
    };

    it("accepts production without reviewers where a release-tag ruleset gates it, and only there", () => {
      assert.deepEqual(check(gatedByTags, { gate: "releaseTagRuleset" }), []);
      assert.deepEqual(check(gatedByTags), ["no reviewers", "preventSelfReview is not true"]);
    });

    it("still refuses admin bypass and deployments from any ref under a release-tag ruleset", () => {
      assert.deepEqual(
        check({ environment: "production", canAdminsBypass: true }, { gate: "releaseTagRuleset" }),
        ["canAdminsBypass is not false", "no deploymentBranchPolicy restricting the refs that may deploy"],
      );
    });
  });

  describe("github-ruleset-restrict-release-tags", () => {
    const policy = rule("github-ruleset-restrict-release-tags") as StackValidationPolicy;
    const resources = (props: Record<string, any>[]) =>
      props.map((p, i) => ({
        type: "github:index/repositoryRuleset:RepositoryRuleset",
        name: `ruleset-${i}`,
        urn: `urn:pulumi:test::p::github:index/repositoryRuleset:RepositoryRuleset::ruleset-${i}`,
        props: unknownCheckingProxy(p),
        dependencies: [],
        propertyDependencies: {},
        opts: {},
      })) as any[];
    const found = (props: Record<string, any>[], config: Record<string, unknown> = {}) =>
      checkStack(policy, resources(props), { config }).map((f) => f.message);

    it("requires a release-tag ruleset in a stack gated by one", () => {
      assert.deepEqual(found([], { required: true }), ["no tag ruleset guards the release tags"]);
      assert.deepEqual(found([releaseRuleset], { required: true }), []);
      assert.deepEqual(found([]), []);
    });

    it("refuses a tag ruleset that is not enforced, lets tags move, or has no team to release", () => {
      assert.deepEqual(
        found([
          {
            ...releaseRuleset,
            enforcement: "disabled",
            rules: { creation: true, deletion: true },
            bypassActors: [],
          },
        ]),
        [
          "ruleset release-tags-production: enforcement is disabled",
          "ruleset release-tags-production: rules.update is not true",
          "ruleset release-tags-production: no bypass actors: nobody could release",
        ],
      );
    });
  });
});

describe("the offline gate on a private repository of the Team plan", function () {
  this.timeout(120000);

  it("passes production's ruleset-gated shape only with the policy settings its plan implies", async () => {
    const github = structuredClone(readStackConfig("production")["platform:github"]) as Record<string, any>;
    Object.assign(github, { plan: "team", reviewers: { teams: ["platform-leads"] } });
    delete github.waitTimerMinutes;
    const e = await evaluateStack(
      "production",
      { "platform:github": github },
      { preview: true, account: stackAccount("production") },
    );
    const committed = readPackConfig("production");
    const mandatory = (config: Record<string, any>) =>
      runGate(e.resources, config).mandatory.map((f) => `${f.policy}: ${f.message}`);
    assert.deepEqual(mandatory(committed), [
      "github-environment-require-reviewers: no reviewers",
      "github-environment-require-reviewers: preventSelfReview is not true",
    ]);
    const runtime = toRuntimeConfig({ ...readStackConfig("production"), "platform:github": github });
    const config = parseStackConfig("production", projectConfigValues(runtime, "platform"), "eu-west-1");
    const implied = policyPackSettings(config);
    assert.deepEqual(implied["github-environment-require-reviewers"], { gate: "releaseTagRuleset" });
    assert.deepEqual(implied["github-ruleset-restrict-release-tags"], { required: true });
    const withPlan = { ...committed };
    for (const [name, settings] of Object.entries(implied))
      withPlan[name] = {
        ...(typeof committed[name] === "object" ? (committed[name] as object) : {}),
        ...settings,
      };
    assert.deepEqual(mandatory(withPlan), []);
  });
});
