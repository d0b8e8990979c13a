import { strict as assert } from "assert";
import {
  DeliveryEnvironment,
  DeliveryEnvironmentArgs,
} from "../../../src/components/github/delivery-environment";
import { GithubPlan, planFeatures } from "../../../src/config/github-plan";
import { DeploySource } from "../../../src/workflows/context";
import { evaluateComponent } from "../../helpers/components";

const TAG: DeploySource = { kind: "tag", pattern: "v*.*.*" };
const MAIN: DeploySource = { kind: "branch", branch: "main" };
const RULESET = "github:index/repositoryRuleset:RepositoryRuleset";
const ENVIRONMENT = "github:index/repositoryEnvironment:RepositoryEnvironment";

function environmentArgs(
  plan: GithubPlan,
  source: DeploySource,
  reviewers: { users: string[]; teams: string[] },
  waitTimerMinutes = 0,
): DeliveryEnvironmentArgs {
  return {
    repository: "shop",
    environment: source.kind === "tag" ? "production" : "staging",
    source,
    reviewers,
    waitTimerMinutes,
    variables: {},
    secrets: {},
    foreignVariables: [],
    repositoryVariables: {},
    stack: source.kind === "tag" ? "production" : "staging",
    features: planFeatures(plan, "private", false),
  };
}

const evaluateEnvironment = (args: DeliveryEnvironmentArgs) =>
  evaluateComponent(() => new DeliveryEnvironment(args.environment, args), args.stack);

describe("DeliveryEnvironment per plan", function () {
  this.timeout(60000);

  it("gates a tag-deployed stack on Enterprise by its environment's reviewers and wait timer, with no ruleset", async () => {
    const e = await evaluateEnvironment(
      environmentArgs("enterprise", TAG, { users: ["release-captain"], teams: ["platform-leads"] }, 10),
    );
    const env = e.get(ENVIRONMENT, "production-environment").inputs;
    assert.deepEqual(env.reviewers, [{ users: [1015], teams: [2014] }]);
    assert.equal(env.preventSelfReview, true);
    assert.equal(env.waitTimer, 10);
    assert.deepEqual(e.ofType(RULESET), []);
  });

  it("replaces a tag-deployed stack's reviewer teams on a private Team repository by a ruleset only they can release through", async () => {
    const e = await evaluateEnvironment(
      environmentArgs("team", TAG, { users: [], teams: ["platform-leads"] }),
    );
    const env = e.get(ENVIRONMENT, "production-environment").inputs;
    assert.equal(env.reviewers, undefined);
    assert.equal(env.preventSelfReview, undefined);
    assert.equal(env.waitTimer, undefined);
    assert.equal(env.canAdminsBypass, false);
    assert.deepEqual(env.deploymentBranchPolicy, { protectedBranches: false, customBranchPolicies: true });
    const ruleset = e.get(RULESET, "production-release-tags");
    assert.equal(ruleset.parent, e.get("platform:delivery:DeliveryEnvironment", "production").urn);
    assert.deepEqual(ruleset.inputs, {
      name: "release-tags-production",
      repository: "shop",
      target: "tag",
      enforcement: "active",
      conditions: { refName: { includes: ["refs/tags/v*"], excludes: [] } },
      rules: { creation: true, update: true, deletion: true },
      bypassActors: [{ actorId: 2014, actorType: "Team", bypassMode: "always" }],
    });
    assert.equal(
      e.get(
        "github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy",
        "production-deployment-policy",
      ).inputs.tagPattern,
      "v*.*.*",
    );
  });

  it("creates no ruleset for a branch-deployed stack on a private Team repository", async () => {
    const e = await evaluateEnvironment(environmentArgs("team", MAIN, { users: [], teams: [] }));
    assert.deepEqual(e.ofType(RULESET), []);
    assert.equal(e.get(ENVIRONMENT, "staging-environment").inputs.reviewers, undefined);
  });
});
