// What a new user meets first: each Pulumi project runs its own program, the commands of the
// getting-started guide do what it says, and nothing secret that the local flow writes can be committed.
import { strict as assert } from "assert";
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import YAML from "yaml";
import { diffEvaluations } from "../../dev/harness/evaluate";
import { evaluateApplicationStack } from "../../dev/harness/program";
import { ROOT } from "../../dev/paths";
import { readStackConfig } from "../../src/config/stack-files";

/**
 * The program the Node.js language host runs for a project: `main` of Pulumi.yaml, relative to
 * the project; without it, the `main` of the nearest package.json up from the project directory.
 */
function programOf(projectDir: string): string {
  const project = YAML.parse(fs.readFileSync(path.join(projectDir, "Pulumi.yaml"), "utf8"));
  if (project.main) return path.resolve(projectDir, project.main);
  for (let dir = projectDir; ; dir = path.dirname(dir)) {
    const pkg = path.join(dir, "package.json");
    if (fs.existsSync(pkg))
      return path.resolve(dir, JSON.parse(fs.readFileSync(pkg, "utf8")).main ?? "index.js");
    if (path.dirname(dir) === dir) return path.join(projectDir, "index.js");
  }
}

describe("the repository as a new user meets it", function () {
  this.timeout(120000);

  it("runs each Pulumi project's own program, never the platform's from a parent directory", () => {
    const projects = execFileSync("git", ["ls-files", "*Pulumi.yaml", "**/Pulumi.yaml"], {
      cwd: ROOT,
      encoding: "utf8",
    })
      .trim()
      .split("\n")
      .map((f) => path.dirname(path.join(ROOT, f)));
    assert.deepEqual(projects.map((p) => path.relative(ROOT, p) || ".").sort(), [
      ".",
      "apps",
      "bootstrap",
      "examples/consumer",
    ]);
    for (const dir of projects) assert.equal(programOf(dir), path.join(dir, "index.ts"), dir);
  });

  it("keeps the local stack's kubeconfig and state out of git", () => {
    const ignored = (file: string) =>
      spawnSync("git", ["check-ignore", "-q", file], { cwd: ROOT }).status === 0;
    const { kubeconfig } = readStackConfig("local")["platform:kubernetes"] as { kubeconfig: string };
    assert.ok(ignored(kubeconfig), kubeconfig);
    assert.ok(ignored(".pulumi-state/.pulumi/meta.yaml"));
    assert.ok(!ignored("Pulumi.local.yaml"));
  });

  it("flips blue/green with the getting-started guide's commands in exactly the two Service selectors", async () => {
    const guide = fs.readFileSync(path.join(ROOT, "docs", "getting-started.md"), "utf8");
    const sets = [
      ...guide.matchAll(
        /^pulumi config set --stack storefront-local --path 'apps:releases\.(\w+)\.(\w+)' (\S+)$/gm,
      ),
    ];
    assert.ok(sets.length >= 3, "the guide shows the flip as config commands");
    const releases: Record<string, any> = {};
    for (const [, service, key, value] of sets) releases[service] = { ...releases[service], [key]: value };
    const before = (await evaluateApplicationStack("storefront-local")).application;
    const after = (
      await evaluateApplicationStack("storefront-local", { overrides: { "apps:releases": releases } })
    ).application;
    assert.deepEqual(diffEvaluations(before, after), [
      { type: "kubernetes:core/v1:Service", name: "web-svc", changed: ["spec"] },
      { type: "kubernetes:core/v1:Service", name: "web-preview-svc", changed: ["spec"] },
    ]);
    assert.equal(
      after.get("kubernetes:core/v1:Service", "web-svc").inputs.spec.selector["platform.io/track"],
      "green",
    );
  });
});
