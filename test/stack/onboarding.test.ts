// Onboarding a service in one config block: added without a release, it gets its registry and its
// pipeline jobs, no workload, and the stack passes the policy pack; its first deploy creates the
// workload (test/release/executor.test.ts, "a service never released").
import { strict as assert } from "assert";
import { Evaluation } from "../../dev/harness/evaluate";
import { evaluateStack, stackAccount } from "../../dev/harness/program";
import { readPackConfig, runGate } from "../../dev/harness/policy-harness";
import { parseStackConfig } from "../../src/config";
import { readStackConfig } from "../../src/config/stack-files";
import { deliveryContext } from "../../src/stack/delivery";
import { deliveryFiles } from "../../src/workflows";

/** dev's services plus `cart` (ECS) and `search` (EKS), with no release for either. */
const NEW_SERVICES = [
  { name: "cart", port: 8080, target: "ecs" },
  { name: "search", port: 8080, target: "eks", strategy: { type: "blueGreen" } },
];

describe("onboarding a service", function () {
  this.timeout(120_000);
  let e: Evaluation;
  const committed = readStackConfig("dev");
  const services = [...(committed["platform:services"] as object[]), ...NEW_SERVICES];
  before(async () => {
    // In dev's own account, as the gate evaluates it: dev's pack config approves that account's ECR.
    e = await evaluateStack(
      "dev",
      { "platform:services": services },
      { preview: true, account: stackAccount("dev") },
    );
  });

  it("creates the new services' repositories and exports their registry URLs", () => {
    const repositories = e.ofType("aws:ecr/repository:Repository").map((r) => r.inputs.name);
    assert.ok(repositories.includes("platform-dev/cart"), repositories.join(", "));
    assert.ok(repositories.includes("platform-dev/search"), repositories.join(", "));
    const urls = e.outputs.registryUrls as Record<string, string>;
    assert.deepEqual(Object.keys(urls).sort(), ["api", "cart", "orders", "payments", "search", "web"]);
  });

  it("creates no workload for them until their first release", () => {
    const named = (prefix: string) =>
      e.resources.filter((r) => r.name.startsWith(`${prefix}-`)).map((r) => r.type);
    assert.deepEqual(named("cart"), []);
    assert.deepEqual(named("search"), []);
    assert.deepEqual(Object.keys(e.outputs.serviceUrls as object).sort(), [
      "api",
      "orders",
      "payments",
      "web",
    ]);
    assert.deepEqual(Object.keys(e.outputs.releases as object).sort(), ["api", "orders", "payments", "web"]);
    assert.ok(
      e.resources.some((r) => r.name === "payments-service"),
      "released services keep theirs",
    );
  });

  it("passes the policy pack with zero mandatory violations", () => {
    const gate = runGate(e.resources, readPackConfig("dev"));
    assert.deepEqual(
      gate.mandatory.map((f) => `${f.policy} ${f.resource}`),
      [],
    );
  });

  it("gives them build and deploy jobs in the generated pipeline", () => {
    const values: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(committed)) if (k.startsWith("platform:")) values[k.slice(9)] = v;
    const config = parseStackConfig("dev", { ...values, services }, "eu-west-1");
    const file = deliveryFiles(deliveryContext(config, config.github!))[".github/workflows/build-deploy.yml"];
    for (const job of ["build-cart:", "deploy-cart-dev:", "build-search:", "deploy-search-dev:"])
      assert.ok(file.includes(`\n  ${job}\n`), job);
  });
});
