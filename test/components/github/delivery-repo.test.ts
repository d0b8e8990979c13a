import { strict as assert } from "assert";
import { Evaluation } from "../../../dev/harness/evaluate";
import { DeliveryRepository, DeliveryRepositoryArgs } from "../../../src/components/github/delivery-repo";
import { GithubPlan, planFeatures, Visibility } from "../../../src/config/github-plan";
import { evaluateComponent } from "../../helpers/components";

function repositoryArgs(plan: GithubPlan, visibility: Visibility, licensed: boolean): DeliveryRepositoryArgs {
  return {
    repository: "shop",
    protectedBranches: ["main"],
    requiredChecks: ["lint"],
    requiredApprovals: 1,
    allowedActions: ["actions/checkout@*"],
    files: { ".github/CODEOWNERS": "* @acme-shop/platform-leads\n" },
    previewEnvironment: "preview",
    features: planFeatures(plan, visibility, licensed),
  };
}

const repositoryOf = (e: Evaluation) => e.get("github:index/repository:Repository", "repo-repository").inputs;

describe("DeliveryRepository per plan", function () {
  this.timeout(60000);

  it("turns Advanced Security, secret scanning and push protection on for a private repository of a licensed owner", async () => {
    const e = await evaluateComponent(
      () => new DeliveryRepository("repo", repositoryArgs("enterprise", "private", true)),
    );
    const repo = repositoryOf(e);
    assert.equal(repo.visibility, "private");
    assert.equal(repo.vulnerabilityAlerts, true);
    assert.deepEqual(repo.securityAndAnalysis, {
      advancedSecurity: { status: "enabled" },
      secretScanning: { status: "enabled" },
      secretScanningPushProtection: { status: "enabled" },
    });
  });

  it("asks nothing of security analysis on a private Team repository without the licence, and keeps vulnerability alerts", async () => {
    const e = await evaluateComponent(
      () => new DeliveryRepository("repo", repositoryArgs("team", "private", false)),
    );
    const repo = repositoryOf(e);
    assert.equal(repo.securityAndAnalysis, undefined);
    assert.equal(repo.vulnerabilityAlerts, true);
    assert.deepEqual(
      e.ofType("github:index/branchProtection:BranchProtection").map((p) => p.inputs.pattern),
      ["main"],
    );
  });

  it("makes a public repository on GitHub Free public, with free secret scanning and push protection and no Advanced Security setting", async () => {
    const e = await evaluateComponent(
      () => new DeliveryRepository("repo", repositoryArgs("free", "public", false)),
    );
    const repo = repositoryOf(e);
    assert.equal(repo.visibility, "public");
    assert.deepEqual(repo.securityAndAnalysis, {
      secretScanning: { status: "enabled" },
      secretScanningPushProtection: { status: "enabled" },
    });
  });
});
