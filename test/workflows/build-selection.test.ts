// Which services a build-deploy run builds, decided by the rendered selection step itself, run
// with bash, real git and real jq against a repository whose history is made in the test.
import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import YAML from "yaml";
import { deliveryFiles } from "../../src/workflows";
import { BUILD_DEPLOY_FILE } from "../../src/workflows/build-selection";
import { DeliveryContext } from "../../src/workflows/context";
import { contextFor } from "../helpers/context";

const ZERO = "0".repeat(40);

/** A git repository in a temp directory; `commit` writes files and returns the new commit. */
function repository() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "build-selection-"));
  const git = (...args: string[]) =>
    execFileSync("git", args, {
      cwd: dir,
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: "t",
        GIT_AUTHOR_EMAIL: "t@example.com",
        GIT_COMMITTER_NAME: "t",
        GIT_COMMITTER_EMAIL: "t@example.com",
      },
    })
      .toString()
      .trim();
  git("init", "-q", "-b", "main");
  return {
    dir,
    commit(files: Record<string, string>): string {
      for (const [file, content] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
        fs.writeFileSync(path.join(dir, file), content);
      }
      git("add", "-A");
      git("commit", "-q", "-m", "change");
      return git("rev-parse", "HEAD");
    },
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

/** The rendered build-deploy.yml of `ctx` and its selection step. */
function rendered(ctx: DeliveryContext) {
  const file = deliveryFiles(ctx)[BUILD_DEPLOY_FILE];
  const workflow = YAML.parse(file);
  return {
    file,
    workflow,
    step: workflow.jobs.select.steps[1] as { run: string; env: Record<string, string> },
  };
}

/** Runs the selection step in `dir` as GitHub would for the event; returns the selected services. */
function select(
  dir: string,
  step: { run: string; env: Record<string, string> },
  event: { name: string; before?: string; sha: string; chosen?: string },
): string[] {
  const output = path.join(dir, "..", `${path.basename(dir)}-output`);
  fs.writeFileSync(output, "");
  execFileSync("bash", ["-e", "-c", step.run], {
    cwd: dir,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      PATH: process.env.PATH,
      HOME: os.tmpdir(),
      GITHUB_OUTPUT: output,
      GITHUB_SHA: event.sha,
      SERVICES: step.env.SERVICES,
      WORKFLOW_FILE: step.env.WORKFLOW_FILE,
      BUILD_FILE: step.env.BUILD_FILE,
      SHARED_PATTERN: step.env.SHARED_PATTERN,
      EVENT: event.name,
      BEFORE: event.before ?? "",
      CHOSEN: event.chosen ?? "",
    },
  });
  const line = fs.readFileSync(output, "utf8").trim();
  fs.rmSync(output);
  assert.match(line, /^services=\[.*\]$/);
  return JSON.parse(line.slice("services=".length));
}

describe("build selection (build-deploy.yml)", () => {
  const ctx = contextFor("dev");
  const withCart: DeliveryContext = {
    ...ctx,
    services: [...ctx.services, { ...ctx.services[0], name: "cart" }],
  };
  let repo: ReturnType<typeof repository>;
  let first: string;
  beforeEach(() => {
    repo = repository();
    first = repo.commit({
      [BUILD_DEPLOY_FILE]: rendered(ctx).file,
      ...Object.fromEntries(ctx.services.map((s) => [`services/${s.name}/Dockerfile`, "FROM scratch\n"])),
    });
  });
  afterEach(() => repo.remove());

  it("builds only the services whose directory the push changed", () => {
    const sha = repo.commit({ "services/api/main.py": "print(1)\n", "README.md": "x\n" });
    assert.deepEqual(select(repo.dir, rendered(ctx).step, { name: "push", before: first, sha }), ["api"]);
    const next = repo.commit({ "services/web/a": "1", "services/orders/b": "2" });
    assert.deepEqual(select(repo.dir, rendered(ctx).step, { name: "push", before: sha, sha: next }), [
      "web",
      "orders",
    ]);
  });

  it("builds every service when a shared build file changes: build-image.yml, services/shared/, a file directly under services/", () => {
    const names = ctx.services.map((s) => s.name);
    for (const shared of [
      ".github/workflows/build-image.yml",
      "services/shared/lib.py",
      "services/compose.yml",
    ]) {
      const before = repo.commit({ "README.md": shared });
      const sha = repo.commit({ [shared]: `${Date.now()}\n` });
      assert.deepEqual(select(repo.dir, rendered(ctx).step, { name: "push", before, sha }), names, shared);
    }
  });

  it("rebuilds a service when a shared package it is built from changes, with the repository root as the image's context (seed 001)", () => {
    const shared: DeliveryContext = {
      ...ctx,
      services: ctx.services.map((s) =>
        s.name === "api" && s.build ? { ...s, build: { ...s.build, sharedPaths: ["shared"] } } : s,
      ),
    };
    const sha = repo.commit({ "shared/agents/base.py": "x = 1\n" });
    assert.deepEqual(select(repo.dir, rendered(shared).step, { name: "push", before: first, sha }), ["api"]);
    assert.ok(rendered(shared).workflow.on.push.paths.includes("shared/**"));
    assert.deepEqual(
      {
        context: rendered(shared).workflow.jobs["build-api"].with.context,
        dockerfile: rendered(shared).workflow.jobs["build-api"].with.dockerfile,
      },
      { context: ".", dockerfile: "services/api/Dockerfile" },
    );
  });

  it("builds an application at the repository root on any change (seed 002)", () => {
    const root: DeliveryContext = {
      ...ctx,
      services: [{ ...ctx.services[0], build: { ...ctx.services[0].build!, path: "." } }],
    };
    const sha = repo.commit({ "app/main.py": "print(2)\n" });
    assert.deepEqual(select(repo.dir, rendered(root).step, { name: "push", before: first, sha }), ["api"]);
    assert.equal(rendered(root).workflow.jobs["build-api"].with.context, ".");
    assert.ok(rendered(root).workflow.on.push.paths.includes("**"));
  });

  it("builds a service from the source directory its build names", () => {
    const moved: DeliveryContext = {
      ...ctx,
      services: ctx.services.map((s) =>
        s.name === "web" && s.build ? { ...s, build: { ...s.build, path: "frontend/web" } } : s,
      ),
    };
    const sha = repo.commit({ "frontend/web/src/app.js": "1\n", "services/web/stale": "x\n" });
    assert.deepEqual(select(repo.dir, rendered(moved).step, { name: "push", before: first, sha }), ["web"]);
    assert.ok(rendered(moved).workflow.on.push.paths.includes("frontend/web/**"));
    assert.equal(rendered(moved).workflow.jobs["build-web"].with.context, "frontend/web");
    assert.equal(rendered(moved).workflow.jobs["build-web"].with.dockerfile, "Dockerfile");
    const build = YAML.parse(deliveryFiles(moved)[".github/workflows/build-image.yml"]).jobs[
      "build-amd64"
    ].steps.find((s: { id?: string }) => s.id === "build");
    assert.equal(build.with.context, "${{ inputs.context }}");
    assert.equal(build.with.file, "${{ inputs.context }}/${{ inputs.dockerfile }}");
  });

  it("builds a new service when the regenerated workflow adds its jobs, and nothing else", () => {
    // The pull request adding the service's code and config merges first: no job builds it yet.
    const code = repo.commit({ "services/cart/Dockerfile": "FROM scratch\n" });
    assert.deepEqual(select(repo.dir, rendered(ctx).step, { name: "push", before: first, sha: code }), []);
    // Then the owning stack's pull request with the regenerated workflows.
    const workflows = repo.commit({ [BUILD_DEPLOY_FILE]: rendered(withCart).file });
    assert.deepEqual(
      select(repo.dir, rendered(withCart).step, { name: "push", before: code, sha: workflows }),
      ["cart"],
    );
  });

  it("builds every service when the push's before is unknown, and what a dispatch chooses", () => {
    const sha = repo.commit({ "docs/x.md": "x\n" });
    const all = ctx.services.map((s) => s.name);
    assert.deepEqual(select(repo.dir, rendered(ctx).step, { name: "push", before: ZERO, sha }), all);
    assert.deepEqual(
      select(repo.dir, rendered(ctx).step, { name: "push", before: "f".repeat(40), sha }),
      all,
      "a force push's before is not in the history",
    );
    assert.deepEqual(select(repo.dir, rendered(ctx).step, { name: "push", before: first, sha }), []);
    assert.deepEqual(
      select(repo.dir, rendered(ctx).step, { name: "workflow_dispatch", sha, chosen: "all" }),
      all,
    );
    assert.deepEqual(
      select(repo.dir, rendered(ctx).step, { name: "workflow_dispatch", sha, chosen: "web" }),
      ["web"],
    );
  });

  it("gates each build job on the selection, which runs on pushes to the workflow file too", () => {
    const { workflow } = rendered(ctx);
    assert.ok(workflow.on.push.paths.includes(BUILD_DEPLOY_FILE));
    assert.deepEqual(workflow.on.workflow_dispatch.inputs.service.options, [
      "all",
      ...ctx.services.map((s) => s.name),
    ]);
    assert.deepEqual(workflow.jobs.select.steps[0].with["fetch-depth"], 0);
    for (const s of ctx.services) {
      assert.deepEqual(workflow.jobs[`build-${s.name}`].needs, ["select"]);
      assert.equal(
        workflow.jobs[`build-${s.name}`].if,
        `contains(fromJSON(needs.select.outputs.services), '${s.name}')`,
      );
    }
  });
});
