import { strict as assert } from "assert";
import YAML from "yaml";
// The config modules first: src/config and src/workflows import each other (a known ring).
import { contextFor } from "../helpers/context";
import { ConfigError, stackConfigFromFile } from "../../src/config";
import { deliveryFiles } from "../../src/workflows";
import { BranchModel, DeliveryStack } from "../../src/workflows/context";

/** The pipelines of dev's services under a branch model and a stack mapping. */
function render(branchModel: BranchModel, stacks: DeliveryStack[]) {
  const files = deliveryFiles({ ...contextFor("dev", branchModel), branchModel, stacks });
  const workflow = (name: string) => {
    const text = files[`.github/workflows/${name}`];
    return text === undefined ? undefined : YAML.parse(text);
  };
  const deploy = workflow("build-deploy.yml");
  const deploys = Object.entries(deploy.jobs)
    .filter(([id]) => id.startsWith("deploy-api-"))
    .map(([id, j]: [string, any]) => `${id.slice("deploy-api-".length)} if ${j.if}`);
  const releases = Object.keys(workflow("release.yml")?.jobs ?? {}).filter((id) =>
    id.startsWith("release-api-"),
  );
  return {
    pushBranches: deploy.on.push.branches,
    deploys,
    releases,
    hasRelease: workflow("release.yml") !== undefined,
  };
}

describe("a team's own branch → environment mapping", () => {
  it("deploys develop to staging and main to production (seed 001), with no release tags", () => {
    const r = render("gitflow", [
      { stack: "staging", environment: "staging", deployFrom: { branch: "develop" } },
      { stack: "production", environment: "production", deployFrom: { branch: "main" } },
    ]);
    assert.deepEqual(r.pushBranches, ["develop", "main"]);
    assert.deepEqual(r.deploys, [
      "staging if github.ref == 'refs/heads/develop'",
      "production if github.ref == 'refs/heads/main'",
    ]);
    assert.equal(r.hasRelease, false);
  });

  it("deploys a branch per environment and production on push to main (seed 002)", () => {
    const r = render("environment", [
      { stack: "dev", environment: "development" },
      { stack: "staging", environment: "staging" },
      { stack: "production", environment: "production", deployFrom: { branch: "main" } },
    ]);
    assert.deepEqual(r.pushBranches, ["develop", "staging", "main"]);
    assert.deepEqual(r.deploys, [
      "dev if github.ref == 'refs/heads/develop'",
      "staging if github.ref == 'refs/heads/staging'",
      "production if github.ref == 'refs/heads/main'",
    ]);
  });

  it("has only staging from main and production from release tags (seed 004)", () => {
    const r = render("trunk", [
      { stack: "staging", environment: "staging", deployFrom: { branch: "main" } },
      { stack: "production", environment: "production", deployFrom: { tag: "v*.*.*" } },
    ]);
    assert.deepEqual(r.pushBranches, ["main"]);
    assert.deepEqual(r.deploys, ["staging if github.ref == 'refs/heads/main'"]);
    assert.deepEqual(r.releases, ["release-api-production"]);
  });

  it("refuses a branch the model does not integrate, and a branch stack after a tag stack, naming both", () => {
    assert.throws(
      () =>
        stackConfigFromFile("staging", undefined, {
          "platform:branchModel": "trunk",
          "platform:github": {
            ...(stackConfigFromFile("staging").github as object),
            backend: undefined,
            stacks: [
              { stack: "production", environment: "production" },
              { stack: "staging", environment: "staging", deployFrom: { branch: "develop" } },
            ],
          },
        }),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError, String(err));
        const keys = err.problems.map((p) => `${p.key}: ${p.allowed}`);
        assert.ok(
          keys.includes(
            'platform:github.stacks[1].deployFrom.branch: an integration branch of branchModel trunk: main (or { tag: "v*.*.*" })',
          ),
          keys.join("\n"),
        );
        assert.ok(
          keys.some((k) => k.startsWith("platform:github.stacks: stacks in promotion order")),
          keys.join("\n"),
        );
        return true;
      },
    );
  });
});
