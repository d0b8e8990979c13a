import { strict as assert } from "assert";
import YAML from "yaml";
// The config modules first: src/config and src/workflows import each other (a known ring).
import { contextFor } from "../helpers/context";
import { deliveryFiles } from "../../src/workflows";
import { applicationOfChosenService } from "../../src/workflows/rollback";
import { RELEASE_STACK_EXPRESSION } from "../../src/workflows/deploy";
import { evaluateExpression } from "../helpers/expressions";

const inner = (expression: string) => expression.replace(/^\$\{\{\s*|\s*\}\}$/g, "");

describe("pipelines of application stacks", () => {
  const ctx = contextFor("dev");
  const files = deliveryFiles(ctx);
  const workflow = (name: string) => YAML.parse(files[`.github/workflows/${name}`]);

  it("queue a deploy on its application stack, and on the platform stack only for a service without one", () => {
    const deploy = workflow("deploy-service.yml").jobs.deploy;
    assert.equal(deploy.concurrency.group, `pulumi-${RELEASE_STACK_EXPRESSION}`);
    const group = (application: string) =>
      evaluateExpression(inner(RELEASE_STACK_EXPRESSION), { inputs: { application, stack: "dev" } });
    assert.equal(group("shop"), "shop-dev");
    assert.equal(group(""), "dev");
  });

  it("pass each deploy and release its service's application", () => {
    const calls = [
      ...Object.values(workflow("build-deploy.yml").jobs),
      ...Object.values(workflow("release.yml").jobs),
    ].filter((j: any) => j.uses === "./.github/workflows/deploy-service.yml") as any[];
    assert.ok(calls.length >= 8, String(calls.length));
    assert.deepEqual([...new Set(calls.map((c) => c.with.application))], ["shop"]);
  });

  it("queue a rollback on the chosen service's application stack", () => {
    const expression = applicationOfChosenService({
      ...ctx,
      services: ctx.services.map((s) => ({ ...s, application: s.name === "web" ? "storefront" : "shop" })),
    });
    const stackOf = (service: string, stack: string) => {
      const application = evaluateExpression(inner(expression), { inputs: { service } });
      return evaluateExpression(inner(RELEASE_STACK_EXPRESSION), { inputs: { application, stack } });
    };
    assert.equal(stackOf("web", "staging"), "storefront-staging");
    assert.equal(stackOf("api", "dev"), "shop-dev");
    assert.equal(workflow("rollback.yml").jobs.rollback.with.application, applicationOfChosenService(ctx));
    assert.equal(
      workflow("rollback-service.yml").jobs.rollback.concurrency.group,
      `pulumi-${RELEASE_STACK_EXPRESSION}`,
    );
    const withoutApplications = { ...ctx, services: ctx.services.map(({ application: _, ...s }) => s) };
    assert.equal(applicationOfChosenService(withoutApplications), "");
    assert.equal(
      YAML.parse(deliveryFiles(withoutApplications)[".github/workflows/rollback.yml"]).jobs.rollback.with
        .application,
      undefined,
    );
  });

  it("preview every application stack after its platform stack, from its recorded releases, and say which were never deployed", () => {
    const preview = workflow("infra-preview.yml").jobs["preview-dev"];
    const step = preview.steps.find((s: any) => s.id === "preview");
    assert.equal(step.env.APPLICATIONS, "shop");
    const lines = step.run.split("\n");
    const platform = lines.findIndex((l: string) => l.startsWith('pulumi preview --stack "$STACK"'));
    const restore = lines.findIndex((l: string) => l.includes('release -- restore --stack "$app-$STACK"'));
    const app = lines.findIndex((l: string) => l.includes('pulumi preview --stack "$app-$STACK"'));
    assert.ok(platform >= 0 && platform < restore && restore < app, step.run);
    assert.match(lines[app], /--policy-pack-config "\.\.\/policy\/config\/\$STACK\.json"/);
    assert.match(step.run, /not deployed yet, its first deploy creates it/);
  });
});
