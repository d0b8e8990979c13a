// The independent scanners as peers of the policy pack: zizmor and checkov over everything the
// program generates — the workflows and composite actions of every committed stack under every
// branch model, and the Kubernetes objects every committed stack declares — with zero findings.
// What they are told to leave alone is in zizmor.yml and .checkov.yml, each with its reason.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { stackConfigFromFile } from "../../src/config";
import { knownStacks } from "../../src/config/stack-files";
import { deliveryFiles } from "../../src/workflows";
import { BRANCH_MODELS, DeliveryContext } from "../../src/workflows/context";
import { contextFor } from "../helpers/context";
import {
  formatCheckov,
  formatZizmor,
  manifestOf,
  runCheckov,
  runZizmor,
  workflowFiles,
  writeTree,
} from "../helpers/scanners";
import { committedStack } from "../helpers/stacks";
import { SEED_ACCOUNTS, SEED_STACKS, SEEDS_DIR, seedPlatformFiles, seedRepositories } from "../helpers/seeds";
import { evaluateStack } from "../../dev/harness/program";

/** The committed stacks that generate workflows: those with a github section. */
const RENDERING_STACKS = knownStacks().filter((s) => stackConfigFromFile(s).github !== undefined);
const MODELS = BRANCH_MODELS;

/**
 * No committed stack asks for integration service containers (the repository has no integration
 * suite), so the job that runs them is rendered once more with every database the model offers.
 */
const withEveryServiceContainer = (ctx: DeliveryContext): DeliveryContext => ({
  ...ctx,
  integrationServices: ["postgres", "mysql", "redis", "mongodb"],
});

/** Every rendering the scanners read, as `<stack>-<model>/` folders of one scratch tree. */
function renderings(): Record<string, string> {
  const files: Record<string, string> = {};
  const add = (folder: string, ctx: DeliveryContext) => {
    for (const [p, content] of Object.entries(workflowFiles(deliveryFiles(ctx))))
      files[`${folder}/${p}`] = content;
  };
  for (const stack of RENDERING_STACKS)
    for (const model of MODELS) add(`${stack}-${model}`, contextFor(stack, model));
  add("dev-gitflow-service-containers", withEveryServiceContainer(contextFor("dev", "gitflow")));
  // The seed teams' own repositories and the platform's beside them (examples/seeds/).
  for (const [name, repo] of Object.entries(seedRepositories()))
    for (const [p, content] of Object.entries(workflowFiles(repo.files)))
      files[`seed-${name}/${p}`] = content;
  for (const [p, content] of Object.entries(workflowFiles(seedPlatformFiles())))
    files[`seed-platform/${p}`] = content;
  return files;
}

describe("the independent scanners", function () {
  this.timeout(180000);
  const scratch: string[] = [];
  const tree = (files: Record<string, string>) => {
    const dir = writeTree(files);
    scratch.push(dir);
    return dir;
  };
  after(() => scratch.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  it("read the workflows of every committed stack that renders them, under every branch model", () => {
    assert.deepEqual(RENDERING_STACKS, ["dev", "production", "staging"]);
    const folders = new Set(Object.keys(renderings()).map((p) => p.split("/")[0]));
    // …the service-container rendering, the five seed repositories and the seeds' platform.
    assert.equal(folders.size, RENDERING_STACKS.length * MODELS.length + 1 + 5 + 1);
  });

  describe("zizmor (offline, default persona)", () => {
    for (const stack of RENDERING_STACKS)
      for (const model of MODELS)
        it(`finds nothing in the ${stack} stack's workflows and composite actions under ${model}`, () => {
          const files = workflowFiles(deliveryFiles(contextFor(stack, model)));
          assert.ok(
            Object.keys(files).some((p) => p.startsWith(".github/actions/")),
            "no composite action",
          );
          assert.deepEqual(runZizmor(tree(files)).map(formatZizmor), []);
        });

    for (const [name, repo] of Object.entries(seedRepositories()))
      it(`finds nothing in the seed team's repository ${repo.ctx.owner}/${repo.ctx.repository} (${name})`, () =>
        assert.deepEqual(runZizmor(tree(workflowFiles(repo.files))).map(formatZizmor), []));
    it("finds nothing in the seeds' platform repository, the executor the seed teams call", () =>
      assert.deepEqual(runZizmor(tree(workflowFiles(seedPlatformFiles()))).map(formatZizmor), []));

    it("finds nothing in the integration job with every service container, each pulled by digest", () => {
      const files = workflowFiles(deliveryFiles(withEveryServiceContainer(contextFor("dev", "gitflow"))));
      assert.match(files[".github/workflows/ci.yml"], /image: postgres:16-alpine@sha256:[0-9a-f]{64}/);
      const dir = tree(files);
      assert.deepEqual(runZizmor(dir).map(formatZizmor), []);
      // At its default persona unpinned-images flags only images without a tag; its pedantic
      // persona also flags a tag without a digest, which is the pin the job promises.
      const pedantic = runZizmor(dir, { persona: "pedantic" }).filter((f) => f.audit === "unpinned-images");
      assert.deepEqual(pedantic.map(formatZizmor), []);
    });

    it("reports what it is there to catch: a service container by tag alone and an unpinned action", () => {
      const dir = tree({
        ".github/workflows/bad.yml": [
          "name: bad",
          "on: push",
          "permissions: {}",
          "jobs:",
          "  test:",
          "    name: test",
          "    runs-on: ubuntu-24.04",
          "    permissions: {}",
          "    services:",
          "      db:",
          "        image: postgres:16-alpine",
          "    steps:",
          "      - name: Check out",
          "        uses: actions/checkout@v4",
          "        with:",
          "          persist-credentials: false",
          "",
        ].join("\n"),
      });
      assert.ok(runZizmor(dir).some((f) => f.audit === "unpinned-uses"));
      assert.ok(runZizmor(dir, { persona: "pedantic" }).some((f) => f.audit === "unpinned-images"));
    });
  });

  describe("checkov", () => {
    it("fails no check on the generated workflows of every stack and model (framework github_actions)", () => {
      const report = runCheckov(tree(renderings()), "github_actions");
      assert.deepEqual(report.failed.map(formatCheckov), []);
      // 10 workflows per rendering, several dozen checks each.
      assert.ok(report.passed > 1000, `only ${report.passed} checks passed: did checkov read the files?`);
    });

    it("fails no check on the Kubernetes objects of every committed stack (framework kubernetes)", async () => {
      const files: Record<string, string> = {};
      let objects = 0;
      for (const stack of knownStacks()) {
        const e = await committedStack(stack);
        const declared = e.resources.filter((r) => r.type.startsWith("kubernetes:") && r.custom);
        objects += declared.length;
        if (declared.length)
          files[path.join(stack, "objects.yaml")] = manifestOf(declared.map((r) => r.inputs));
      }
      // The seed teams' environments: their namespaces and workloads on the shared cluster.
      for (const stack of SEED_STACKS) {
        const e = await evaluateStack(stack, {}, { stackDir: SEEDS_DIR, account: SEED_ACCOUNTS[stack] });
        const declared = e.resources.filter((r) => r.type.startsWith("kubernetes:") && r.custom);
        objects += declared.length;
        files[path.join(`seed-${stack}`, "objects.yaml")] = manifestOf(declared.map((r) => r.inputs));
      }
      assert.ok(
        Object.keys(files).length >= 3,
        `Kubernetes objects in only ${Object.keys(files).join(", ")}`,
      );
      const report = runCheckov(tree(files), "kubernetes");
      assert.deepEqual(report.failed.map(formatCheckov), []);
      assert.ok(
        report.resourceCount >= objects,
        `checkov read ${report.resourceCount} of ${objects} objects`,
      );
    });

    it("reports what it is there to catch: a privileged container running a tag", () => {
      const pod = {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: "bad", namespace: "bad" },
        spec: { containers: [{ name: "app", image: "nginx:latest", securityContext: { privileged: true } }] },
      };
      const ids = runCheckov(tree({ "bad.yaml": manifestOf([pod]) }), "kubernetes").failed.map((f) => f.id);
      assert.ok(ids.includes("CKV_K8S_16"), ids.join(", ")); // privileged
      assert.ok(ids.includes("CKV_K8S_43"), ids.join(", ")); // image not by digest
    });
  });
});
