// Onboarding a service from a few choices (npm run service:init): its block in each environment's
// stack file, what the choices pull in said before anything is written, and a skeleton whose
// generated CI checks pass as generated: ci.yml's lint and unit steps for the new service, read
// from the rendered YAML and run with bash in a copy of the repository, as the runner runs them.
import "../helpers/context";
import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import YAML from "yaml";
import { ROOT } from "../../dev/paths";
import { planService, ServiceRequest, writeService } from "../../dev/scaffold/service";
import { serviceBuild } from "../../src/stack/delivery";
import { deliveryFiles } from "../../src/workflows";
import { contextFor } from "../helpers/context";
import { runRenderedStep } from "../helpers/rendered-steps";

const STACKS = ["dev", "staging", "production"];

/** A copy of the repository's stack files, where the scaffold writes. */
function scratchRoot(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "service-init-"));
  for (const stack of [...STACKS, "local"])
    fs.copyFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), path.join(root, `Pulumi.${stack}.yaml`));
  return root;
}

/** ci.yml's run steps of the service's lint and unit jobs, in order. */
function ciSteps(name: string, toolchain: "python" | "node") {
  const dev = contextFor("dev");
  const build = serviceBuild(name, {
    toolchain,
    sharedPaths: [],
    commands: {},
    coverage: 80,
    containers: [],
    dockerfile: "Dockerfile",
  });
  const ctx = {
    ...dev,
    services: [...dev.services, { ...dev.services[0], name, application: undefined, build }],
  };
  const ci = YAML.parse(deliveryFiles(ctx)[".github/workflows/ci.yml"]);
  const seen = new Set<string>();
  return ["lint", "unit"].flatMap((check) => {
    const job = ci.jobs[`${check}-${name}`];
    return (job.steps as any[])
      .filter((s) => s.run !== undefined && !seen.has(s.run) && seen.add(s.run))
      .map((step) => ({ step, env: { ...job.env, ...step.env } as Record<string, string> }));
  });
}

const run = (root: string, step: any, env: Record<string, string>, pathPrefix?: string): string =>
  runRenderedStep(root, step, env, pathPrefix);

const billing: ServiceRequest = {
  name: "billing",
  toolchain: "python",
  target: "eks",
  strategy: "rolling",
  port: 8080,
  database: true,
};

describe("onboarding a service (npm run service:init)", function () {
  this.timeout(600_000);
  const roots: string[] = [];
  after(() => roots.forEach((r) => fs.rmSync(r, { recursive: true, force: true })));

  it("plans its block for each environment, replicas growing toward production, a database secret in each stack's account", () => {
    const plan = planService(billing, STACKS, ROOT);
    assert.deepEqual(
      plan.edits.map((e) => [e.stack, e.service.replicas, e.secret]),
      [
        ["dev", 1, "arn:aws:secretsmanager:eu-west-1:111111111111:secret:dev/billing/database-url-AbCdEf"],
        [
          "staging",
          2,
          "arn:aws:secretsmanager:eu-west-1:222222222222:secret:staging/billing/database-url-AbCdEf",
        ],
        [
          "production",
          3,
          "arn:aws:secretsmanager:eu-west-1:333333333333:secret:production/billing/database-url-AbCdEf",
        ],
      ],
    );
    assert.deepEqual(plan.edits[0].service, {
      name: "billing",
      port: 8080,
      target: "eks",
      replicas: 1,
      strategy: { type: "rolling" },
      build: { toolchain: "python" },
      secrets: { DATABASE_URL: plan.edits[0].secret },
    });
  });

  it("says what the choices pull in before writing: the secrets to create, the store, the add-on and its image", () => {
    const { pulls } = planService(billing, STACKS, ROOT);
    const dev = pulls.filter((p) => p.startsWith("dev: "));
    assert.match(dev[0], /^dev: create the secret holding billing's database URL/);
    assert.ok(
      dev.some((p) =>
        /platform:eks\.addons\.images\.externalSecrets: required because service billing has secrets/.test(p),
      ),
      dev.join("\n"),
    );
    assert.ok(
      dev.some((p) => /kubernetes\.secretStore; set it/.test(p)),
      dev.join("\n"),
    );
    // Nothing about the service's directory: it is written with the stack files.
    assert.ok(!pulls.some((p) => /\.build/.test(p)), pulls.join("\n"));
  });

  it("refuses a name a stack has already, before writing anything", () => {
    assert.throws(
      () => planService({ ...billing, name: "api" }, STACKS, ROOT),
      /Pulumi\.dev\.yaml has a service named api already/,
    );
  });

  it("writes the stack files keeping their comments, leaves the local stack alone, and the skeleton under services/", () => {
    const root = scratchRoot();
    roots.push(root);
    const before = fs.readFileSync(path.join(root, "Pulumi.dev.yaml"), "utf8");
    const written = writeService(planService(billing, STACKS, root), "billing", root);
    assert.deepEqual(written.slice(0, 3), [
      "Pulumi.dev.yaml",
      "Pulumi.staging.yaml",
      "Pulumi.production.yaml",
    ]);
    const after = fs.readFileSync(path.join(root, "Pulumi.dev.yaml"), "utf8");
    for (const comment of before.split("\n").filter((l) => l.trim().startsWith("#")))
      assert.ok(after.includes(comment), comment);
    assert.match(
      after,
      /# billing: create its database URL secret, then replace this ARN with it\.\n\s+- name: billing/,
    );
    const services = YAML.parse(after).config["platform:services"] as { name: string }[];
    assert.equal(services.at(-1)!.name, "billing");
    assert.equal(
      fs.readFileSync(path.join(root, "Pulumi.local.yaml"), "utf8"),
      fs.readFileSync(path.join(ROOT, "Pulumi.local.yaml"), "utf8"),
    );
    assert.ok(written.includes(path.join("services", "billing", "app", "main.py")));
  });

  it("writes a Python skeleton whose generated lint and unit checks pass: ruff, ruff format, mypy, pytest with the coverage floor", () => {
    const root = scratchRoot();
    roots.push(root);
    writeService(planService(billing, STACKS, root), "billing", root);
    const steps = ciSteps("billing", "python");
    assert.deepEqual(
      steps.slice(0, 5).map(({ step }) => step.run),
      [
        "python -m pip install --disable-pip-version-check -r requirements-dev.txt",
        "ruff check .",
        "ruff format --check .",
        "mypy .",
        "python -m pytest --cov --cov-report= --junitxml=reports/junit.xml tests/unit",
      ],
    );
    // The example service's pins, so its venv (filled by the example services' test) serves.
    const requirements = fs.readFileSync(
      path.join(root, "services", "billing", "requirements-dev.txt"),
      "utf8",
    );
    assert.equal(
      requirements,
      fs.readFileSync(path.join(ROOT, "services", "api", "requirements-dev.txt"), "utf8"),
    );
    const shared = path.join(ROOT, ".tools", "services", "api-venv");
    const stamp = path.join(shared, "requirements.stamp");
    let venv = shared;
    if (!fs.existsSync(stamp) || fs.readFileSync(stamp, "utf8") !== requirements) {
      venv = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "billing-venv-")), "venv");
      roots.push(path.dirname(venv));
      execFileSync("python3", ["-m", "venv", venv]);
    }
    const summary = path.join(root, "summary.md");
    const out = steps.map(({ step, env }) =>
      run(root, step, { ...env, GITHUB_STEP_SUMMARY: summary }, path.join(venv, "bin")),
    );
    assert.match(out[4], /3 passed/);
    assert.match(out[5], /^TOTAL\s.*\s100%$/m);
  });

  it("writes a Node skeleton whose generated lint and unit checks pass: npm ci, eslint, tsc, node --test under c8 with the floor", () => {
    const root = scratchRoot();
    roots.push(root);
    const request: ServiceRequest = { ...billing, name: "ledger", toolchain: "node", database: false };
    writeService(planService(request, STACKS, root), "ledger", root);
    const steps = ciSteps("ledger", "node");
    assert.equal(steps[0].step.run, "npm ci --no-audit --no-fund");
    const summary = path.join(root, "summary.md");
    const out = steps.map(({ step, env }) => run(root, step, { ...env, GITHUB_STEP_SUMMARY: summary }));
    assert.match(out.join("\n"), /# pass 3\n# fail 0/);
  });
});
