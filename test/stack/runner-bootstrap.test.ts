import { strict as assert } from "assert";
import { Evaluation, RecordedResource } from "../../dev/harness/evaluate";
import { stackConfigFromFile } from "../../src/config";
import { runnerLabelsTemplate } from "../../src/config/runners";
import { bootstrapTargets, needsBootstrap } from "../../src/stack/runner-bootstrap";
import { runnerCli } from "../../src/stack/runner-cli";
import { committedStack } from "../helpers/stacks";

/** A provider reference (`<urn>::<id>`) as the provider's URN. */
const providerUrn = (ref: string) => ref.slice(0, ref.lastIndexOf("::"));

/**
 * What `pulumi up --target` applies: each target, and (a targeted component brings its children)
 * every resource under one.
 */
function targeted(e: Evaluation, targets: readonly string[]): RecordedResource[] {
  const byUrn = new Map(e.resources.map((r) => [r.urn, r]));
  const under = (r: RecordedResource): boolean =>
    targets.includes(r.urn) || (r.parent !== undefined && byUrn.has(r.parent) && under(byUrn.get(r.parent)!));
  return e.resources.filter(under);
}

describe("the runner bootstrap (a targeted up before the first up on the runner)", function () {
  this.timeout(120000);

  for (const stack of ["dev", "staging", "production"])
    describe(`of the ${stack} stack`, () => {
      let e: Evaluation;
      let targets: string[];
      before(async () => {
        e = await committedStack(stack);
        targets = bootstrapTargets(stackConfigFromFile(stack));
      });

      it("targets resources the program registers", () => {
        const urns = new Set(e.resources.map((r) => r.urn));
        assert.deepEqual(
          targets.filter((t) => !urns.has(t)),
          [],
        );
      });

      it("is complete on its own: nothing it applies depends on, or runs with a provider, it leaves out", () => {
        const applied = targeted(e, targets);
        const inside = new Set(applied.map((r) => r.urn));
        const stackUrn = e.resources.find((r) => r.type === "pulumi:pulumi:Stack")?.urn;
        const outside = applied.flatMap((r) =>
          [...r.dependencies, ...(r.provider ? [providerUrn(r.provider)] : [])]
            .filter((d) => d !== stackUrn && !inside.has(d))
            .map((d) => `${r.urn} → ${d}`),
        );
        assert.deepEqual(outside, []);
      });

      it("creates the runner, its network, the CI roles and the stack's environment, and nothing that needs the private endpoints", () => {
        const types = new Set(targeted(e, targets).map((r) => r.type));
        for (const t of [
          "aws:codebuild/project:Project",
          "aws:codebuild/webhook:Webhook",
          "aws:ec2/vpc:Vpc",
          "aws:iam/role:Role",
          "github:index/repositoryEnvironment:RepositoryEnvironment",
          "github:index/actionsVariable:ActionsVariable",
        ])
          assert.ok(types.has(t), t);
        for (const t of [...types]) assert.ok(!t.startsWith("kubernetes:"), t);
        assert.ok(!types.has("aws:eks/cluster:Cluster"));
      });
    });

  it("runs once: until the stack has published the labels of its CodeBuild runner", () => {
    const dev = stackConfigFromFile("dev");
    assert.equal(needsBootstrap(dev, undefined), true);
    assert.equal(needsBootstrap(dev, '["ubuntu-24.04"]'), true);
    assert.equal(needsBootstrap(dev, runnerLabelsTemplate(dev)), false);
    assert.equal(
      needsBootstrap({ ...dev, ci: { runner: { kind: "self-hosted", labels: ["vpc"] } } }, undefined),
      false,
    );
  });

  it("is driven by `npm run runner`, which reads the committed stack file", () => {
    assert.deepEqual(runnerCli(["labels", "--stack", "dev"], {}), [
      'labels=["codebuild-platform-dev-runner-{0}-{1}"]',
      "bootstrap=true",
    ]);
    assert.deepEqual(
      runnerCli(["labels", "--stack", "dev"], {
        PUBLISHED_LABELS: '["codebuild-platform-dev-runner-{0}-{1}"]',
      })[1],
      "bootstrap=false",
    );
    assert.deepEqual(runnerCli(["targets", "--stack", "dev"]).slice(0, 2), [
      "--target=urn:pulumi:dev::platform::pulumi:providers:aws::aws",
      "--target=urn:pulumi:dev::platform::pulumi:providers:github::github",
    ]);
    assert.throws(() => runnerCli(["up", "--stack", "dev"]), /unknown command "up": labels or targets/);
  });
});
