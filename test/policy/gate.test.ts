import { strict as assert } from "assert";
import { evaluate } from "../../dev/harness/evaluate";
import { readPackConfig, runGate } from "../../dev/harness/policy-harness";
import { insecureProgram, INSECURE_RULES } from "../fixtures/insecure-program";
import { committedStack } from "../helpers/stacks";
import { evaluateProgram, platformStackOf } from "../../dev/harness/program";

describe("offline policy gate", function () {
  this.timeout(60000);

  for (const stack of ["dev", "staging", "production", "local"]) {
    it(`passes the ${stack} stack with zero mandatory violations`, async () => {
      // As npm run policy:gate does: in the stack's own account, whose ECR registry its pack config approves.
      const e = await evaluateProgram("platform", stack, { preview: true });
      const gate = runGate(e.resources, readPackConfig(stack));
      assert.deepEqual(
        gate.mandatory.map((f) => `${f.policy} ${f.resource}: ${f.message}`),
        [],
      );
      assert.ok(gate.checks > (stack === "local" ? 5 : 50), `only ${gate.checks} checks ran`);
    });
  }

  for (const stack of ["shop-local", "storefront-local"]) {
    it(`passes the application stack ${stack} with zero mandatory violations under its platform's pack config`, async () => {
      const e = await evaluateProgram("apps", stack, { preview: true });
      const gate = runGate(e.resources, readPackConfig(platformStackOf(stack)));
      assert.deepEqual(
        gate.mandatory.map((f) => `${f.policy} ${f.resource}: ${f.message}`),
        [],
      );
      assert.ok(gate.checks > 50, `only ${gate.checks} checks ran`);
    });
  }

  it("fails production's internet-facing ALB and public Ingress without the stack's policy config", async () => {
    const e = await committedStack("production", { preview: true });
    const gate = runGate(e.resources, {});
    assert.deepEqual(gate.mandatory.map((f) => `${f.policy} ${f.resource}`).sort(), [
      "lb-ingress-disallow-unapproved-internet-facing web-ingress",
      "lb-loadbalancer-disallow-unapproved-internet-facing ecs-alb",
    ]);
  });

  it("holds dev's short log retention as advisory and disables ALB deletion protection there", async () => {
    const e = await evaluateProgram("platform", "dev", { preview: true });
    const withDefaults = runGate(e.resources, {});
    const retention = withDefaults.findings.filter(
      (f) => f.policy === "cloudwatch-loggroup-configure-retention",
    );
    // Flow logs, EKS control plane, ECS exec, the ECS service's, and the CI runners' build logs.
    assert.equal(retention.length, 5);
    assert.ok(retention.every((f) => f.enforcement === "advisory"));
    const withConfig = runGate(e.resources, readPackConfig("dev"));
    assert.deepEqual(
      withConfig.findings.map((f) => f.policy),
      [],
    );
  });

  it("rejects the insecure fixture program naming every expected rule", async () => {
    const e = await evaluate("insecure", { "aws:region": "eu-west-1" }, insecureProgram, { preview: true });
    const gate = runGate(e.resources);
    const failed = new Set(gate.mandatory.map((f) => f.policy));
    assert.deepEqual(
      INSECURE_RULES.filter((r) => !failed.has(r)),
      [],
    );
  });

  it("fixes a remediable violation instead of failing when the stack's config asks for remediate", async () => {
    const e = await evaluate("insecure", { "aws:region": "eu-west-1" }, insecureProgram, { preview: true });
    const gate = runGate(e.resources, { "ecr-repository-enable-scan-on-push": "remediate" });
    const scan = gate.findings.filter((f) => f.policy === "ecr-repository-enable-scan-on-push");
    assert.deepEqual(
      scan.map((f) => [f.enforcement, f.resource, f.message]),
      [["remediate", "mutable", "remediated automatically"]],
    );
  });
});
