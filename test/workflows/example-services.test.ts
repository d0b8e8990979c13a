// The example services (services/api in Python, services/web in Node) checked exactly as the
// rendered ci.yml checks them: every `run` step of their lint, unit and build jobs, read from the
// YAML, run with bash in the step's working directory with the job's and step's environment.
// Python runs from a venv the install step fills (.tools/services/<name>-venv, rebuilt when the
// requirements change); Node is the machine's, its packages from the service's own `npm ci`.
// Nothing is skipped: a missing toolchain fails the test, in CI as anywhere.
import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import YAML from "yaml";
import { ROOT } from "../../dev/paths";
import { deliveryFiles } from "../../src/workflows";
import { contextFor } from "../helpers/context";
import { RenderedStep, runRenderedStep } from "../helpers/rendered-steps";

interface RenderedJob {
  readonly env?: Record<string, string>;
  readonly steps: RenderedStep[];
}

const ci = YAML.parse(deliveryFiles(contextFor("dev"))[".github/workflows/ci.yml"]) as {
  jobs: Record<string, RenderedJob>;
};

/** The run steps of a service's jobs, in job order, an install repeated by a later job run once. */
function commandsOf(
  service: string,
  checks: string[],
): { job: string; step: RenderedStep; env: Record<string, string> }[] {
  const seen = new Set<string>();
  return checks.flatMap((check) => {
    const job = ci.jobs[`${check}-${service}`];
    assert.ok(job, `ci.yml has no ${check}-${service} job`);
    return job.steps
      .filter((s) => s.run !== undefined)
      .filter((s) => {
        const key = `${s["working-directory"]}\n${s.run}`;
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      })
      .map((step) => ({ job: `${check}-${service}`, step, env: { ...job.env, ...step.env } }));
  });
}

/** Runs one rendered step in the repository (see test/helpers/rendered-steps.ts). */
const runStep = (step: RenderedStep, env: Record<string, string>, pathPrefix?: string): string =>
  runRenderedStep(ROOT, step, env, pathPrefix);

/** A venv for the service, recreated when its requirements file changed since it was filled. */
function serviceVenv(service: string, requirements: string): string {
  const venv = path.join(ROOT, ".tools", "services", `${service}-venv`);
  const stamp = path.join(venv, "requirements.stamp");
  const wanted = fs.readFileSync(requirements, "utf8");
  if (!fs.existsSync(stamp) || fs.readFileSync(stamp, "utf8") !== wanted) {
    fs.rmSync(venv, { recursive: true, force: true });
    execFileSync("python3", ["-m", "venv", venv], { stdio: "inherit" });
  }
  return venv;
}

describe("the example services, checked as the rendered ci.yml checks them", function () {
  this.timeout(600000);

  it("api (Python): installs its pinned tools, then ruff, ruff format, mypy, pytest and the coverage floor pass", () => {
    const requirements = path.join(ROOT, "services", "api", "requirements-dev.txt");
    const venv = serviceVenv("api", requirements);
    const steps = commandsOf("api", ["lint", "unit"]);
    assert.deepEqual(
      steps.map(({ step }) => step.run),
      [
        "python -m pip install --disable-pip-version-check -r requirements-dev.txt",
        "ruff check .",
        "ruff format --check .",
        "mypy .",
        "python -m pytest --cov --cov-report= --junitxml=reports/junit.xml tests/unit",
        'python -m coverage report --show-missing --fail-under="$COVERAGE_THRESHOLD"',
        "python -m coverage xml -o reports/cobertura-coverage.xml",
        steps[7]!.step.run,
      ],
    );
    const summary = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "summary-")), "summary.md");
    const output = steps.map(({ step, env }) =>
      runStep(step, { ...env, GITHUB_STEP_SUMMARY: summary }, path.join(venv, "bin")),
    );
    fs.writeFileSync(path.join(venv, "requirements.stamp"), fs.readFileSync(requirements, "utf8"));
    assert.match(output[4], /10 passed/);
    // The floor the job's env sets, and what the report found.
    assert.equal(steps[5].env.COVERAGE_THRESHOLD, "80");
    assert.match(output[5], /^TOTAL\s.*\s100%$/m);
    // The run's page says what the reports say (the artifact keeps them).
    assert.equal(
      fs.readFileSync(summary, "utf8"),
      "### api (${{ matrix.version }})\n- line coverage: 100.0 % (floor 80 %)\n- tests: 10\n- failures: 0\n- errors: 0\n- skipped: 0\n",
    );
  });

  it("web (Node): npm ci, eslint, tsc, the package's tests under c8 with the floor, and the page's build pass", () => {
    const steps = commandsOf("web", ["lint", "unit", "build"]);
    assert.deepEqual(
      steps.map(({ step }) => step.run),
      [
        "npm ci --no-audit --no-fund",
        "npx --no-install eslint .",
        "npx --no-install tsc --noEmit -p .",
        'npx --yes c8@10.1.3 --check-coverage --lines "$COVERAGE_THRESHOLD" --reporter=text --reporter=cobertura --reports-dir=reports npm test',
        steps[4]!.step.run,
        "npm run build",
      ],
    );
    const summary = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "summary-")), "summary.md");
    const output = steps.map(({ step, env }) => runStep(step, { ...env, GITHUB_STEP_SUMMARY: summary }));
    assert.match(output[3], /# pass 7\n# fail 0/);
    assert.match(output[5], /dist\/index\.html: \d+ bytes/);
    assert.match(
      fs.readFileSync(summary, "utf8"),
      /^### web \(\$\{\{ matrix\.version \}\}\)\n- line coverage: \d+\.\d % \(floor 80 %\)\n$/,
    );
    assert.ok(fs.existsSync(path.join(ROOT, "services", "web", "dist", "index.html")));
  });

  it("fails the coverage floor when the tests reach less than it asks", () => {
    const [unit] = commandsOf("web", ["unit"]).filter(({ step }) => step.name === "Unit tests");
    assert.throws(
      () => runStep(unit.step, { ...unit.env, COVERAGE_THRESHOLD: "100" }),
      /ERROR: Coverage for lines \([\d.]+%\) does not meet global threshold \(100%\)/,
    );
  });
});
