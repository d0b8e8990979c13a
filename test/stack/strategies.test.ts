import { strict as assert } from "assert";
import { diffEvaluations } from "../../dev/harness/evaluate";
import { evaluateStack } from "../../dev/harness/program";
import { readStackConfig } from "../../src/config/stack-files";
import { committedStack } from "../helpers/stacks";

describe("release changes", function () {
  this.timeout(60000);
  const releases = () => structuredClone(readStackConfig("dev")["platform:releases"]) as Record<string, any>;

  it("a blue/green flip changes only the selectors of the main and preview Services", async () => {
    const before = await committedStack("dev");
    const r = releases();
    // The flip as the workflow performs it: the tested idle colour becomes active, images stay put.
    r.web = { digest: r.web.idleDigest, idleDigest: r.web.digest, activeColor: "green" };
    const after = await evaluateStack("dev", { "platform:releases": r });
    assert.deepEqual(diffEvaluations(before, after), [
      { type: "kubernetes:core/v1:Service", name: "web-svc", changed: ["spec"] },
      { type: "kubernetes:core/v1:Service", name: "web-preview-svc", changed: ["spec"] },
    ]);
    assert.equal(
      after.get("kubernetes:core/v1:Service", "web-svc").inputs.spec.selector["platform.io/track"],
      "green",
    );
    assert.equal(
      after.get("kubernetes:core/v1:Service", "web-preview-svc").inputs.spec.selector["platform.io/track"],
      "blue",
    );
  });

  it("a canary weight step changes only the replica counts of the stable and canary Deployments", async () => {
    const before = await committedStack("dev");
    const r = releases();
    r.orders.canaryWeight = 50;
    const after = await evaluateStack("dev", { "platform:releases": r });
    assert.deepEqual(diffEvaluations(before, after), [
      { type: "kubernetes:apps/v1:Deployment", name: "orders-stable", changed: ["spec"] },
      { type: "kubernetes:apps/v1:Deployment", name: "orders-canary", changed: ["spec"] },
    ]);
    const spec = (n: string) => after.get("kubernetes:apps/v1:Deployment", n).inputs.spec;
    assert.deepEqual([spec("orders-stable").replicas, spec("orders-canary").replicas], [2, 2]);
    const beforeSpec = before.get("kubernetes:apps/v1:Deployment", "orders-stable").inputs.spec;
    assert.deepEqual({ ...spec("orders-stable"), replicas: 0 }, { ...beforeSpec, replicas: 0 });
  });

  it("a new rolling release changes only the image of that service's Deployment", async () => {
    const before = await committedStack("dev");
    const r = releases();
    r.api.digest = "sha256:" + "a".repeat(64);
    const after = await evaluateStack("dev", { "platform:releases": r });
    assert.deepEqual(diffEvaluations(before, after), [
      { type: "kubernetes:apps/v1:Deployment", name: "api-main", changed: ["spec"] },
    ]);
    assert.equal(
      after.get("kubernetes:apps/v1:Deployment", "api-main").inputs.spec.template.spec.containers[0].image,
      `123456789012.dkr.ecr.eu-west-1.amazonaws.com/platform-dev/api@sha256:${"a".repeat(64)}`,
    );
  });
});
