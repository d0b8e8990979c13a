// The three branch models, each coherent: where CI runs, which branch or tag deploys each stack
// (the environments' deployment policies), what branch protection guards, and where builds go.
import { strict as assert } from "assert";
import YAML from "yaml";
import { planDeploymentPolicy } from "../../src/components/github/delivery-environment";
import { deliveryFiles } from "../../src/workflows";
import {
  BranchModel,
  ciPushBranches,
  deploySource,
  DeliveryStack,
  imageSourceStack,
  integrationBranches,
  promotionSource,
} from "../../src/workflows/context";
import { contextFor } from "../helpers/context";

const STACKS: DeliveryStack[] = [
  { stack: "dev", environment: "development" },
  { stack: "staging", environment: "staging" },
  { stack: "production", environment: "production" },
];

const CASES: [BranchModel, { protect: string[]; push: string[]; deploys: Record<string, object> }][] = [
  [
    "gitflow",
    {
      protect: ["develop", "main"],
      push: ["hotfix/**"],
      deploys: {
        dev: { branchPattern: "develop" },
        staging: { branchPattern: "main" },
        production: { tagPattern: "v*.*.*" },
      },
    },
  ],
  [
    "trunk",
    {
      protect: ["main"],
      push: ["**", "!main"],
      deploys: {
        dev: { branchPattern: "main" },
        staging: { branchPattern: "main" },
        production: { tagPattern: "v*.*.*" },
      },
    },
  ],
  [
    "environment",
    {
      protect: ["develop", "staging", "main"],
      push: ["hotfix/**"],
      deploys: {
        dev: { branchPattern: "develop" },
        staging: { branchPattern: "staging" },
        production: { tagPattern: "v*.*.*" },
      },
    },
  ],
];

describe("branch models", () => {
  for (const [model, expected] of CASES)
    describe(model, () => {
      it(`protects ${expected.protect.join(", ")} and runs CI on pull requests to them`, () => {
        assert.deepEqual(integrationBranches(model), expected.protect);
        const ci = YAML.parse(
          deliveryFiles({ ...contextFor("dev"), branchModel: model })[".github/workflows/ci.yml"],
        );
        assert.deepEqual(ci.on.pull_request, {
          branches: model === "gitflow" ? [...expected.protect, "release/**"] : expected.protect,
        });
        assert.deepEqual(ci.on.push, { branches: expected.push });
        assert.deepEqual(ciPushBranches(model), expected.push);
      });

      it("lets each environment deploy from its branch or the release tags only", () => {
        assert.deepEqual(
          Object.fromEntries(STACKS.map((s) => [s.stack, planDeploymentPolicy(deploySource(model, s))])),
          expected.deploys,
        );
      });

      it("promotes to production the images of the last branch-deployed stack, which built them itself", () => {
        assert.equal(promotionSource(model, STACKS)?.stack, "staging");
        assert.equal(imageSourceStack(model, STACKS, STACKS[2])?.stack, "staging");
      });

      it("builds and deploys on pushes to the branches that deploy, each build into its branch's first environment", () => {
        const deploy = YAML.parse(
          deliveryFiles({ ...contextFor("dev"), branchModel: model })[".github/workflows/build-deploy.yml"],
        );
        const deploying = Object.values(expected.deploys).flatMap((p) =>
          "branchPattern" in p ? [(p as { branchPattern: string }).branchPattern] : [],
        );
        assert.deepEqual(deploy.on.push.branches, [...new Set(deploying)]);
        const env = deploy.jobs["build-api"].with.environment as string;
        for (const [stack, policy] of Object.entries(expected.deploys))
          if ("branchPattern" in policy)
            assert.ok(
              env.includes(
                `github.ref == 'refs/heads/${(policy as { branchPattern: string }).branchPattern}'`,
              ),
              `${stack}: ${env}`,
            );
      });
    });

  it("sends a hotfix to production through the same gates: CI on its pushes, a pull request into a protected branch, staging's deployment, the release tag", () => {
    for (const model of ["gitflow", "environment"] as const) {
      assert.ok(ciPushBranches(model).includes("hotfix/**"));
      // No environment deploys from a hotfix branch: only the protected branches and the release tags do.
      for (const s of STACKS) {
        const source = deploySource(model, s);
        assert.ok(source.kind === "tag" || integrationBranches(model).includes(source.branch));
      }
    }
  });
});
