// Each service's own jobs in ci.yml: the toolchain's setup with its cache, the checks, the
// containers, SAST; the changes job run with real git; the summary job run with real jq; and
// every branch model's rendering under actionlint.
import { strict as assert } from "assert";
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import YAML from "yaml";
import { deliveryFiles, requiredChecks } from "../../src/workflows";
import { BRANCH_MODELS, DeliveryContext, ServiceBuild } from "../../src/workflows/context";
import type { ContainerChoice } from "../../src/workflows/containers";
import { CODEQL_GATE, CODEQL_RESULTS } from "../../src/workflows/toolchains";
import { assertActionlintClean } from "../helpers/actionlint";
import { contextFor } from "../helpers/context";

const ciOf = (ctx: DeliveryContext) => YAML.parse(deliveryFiles(ctx)[".github/workflows/ci.yml"]);
const dev = contextFor("dev");

/** dev's services with `api` given containers and a contract command. */
function withApi(change: Partial<ServiceBuild>): DeliveryContext {
  return {
    ...dev,
    services: dev.services.map((s) =>
      s.name === "api" && s.build ? { ...s, build: { ...s.build, ...change } } : s,
    ),
  };
}

describe("per-service CI (ci.yml)", () => {
  const ci = ciOf(dev);

  it("gives each service with a build its own jobs, and none to the others", () => {
    const ids = Object.keys(ci.jobs).filter((id) => /-(api|web|orders|payments)$/.test(id));
    assert.deepEqual(ids, [
      "lint-api",
      "unit-api",
      "sast-api",
      "lint-web",
      "unit-web",
      "build-web",
      "sast-web",
    ]);
  });

  it("sets up Python with a pip cache keyed by the service's requirements, and runs its matrix", () => {
    const setup = ci.jobs["unit-api"].steps[1];
    assert.match(setup.uses, /^actions\/setup-python@[0-9a-f]{40}$/);
    assert.deepEqual(setup.with, {
      "python-version": "${{ matrix.version }}",
      cache: "pip",
      "cache-dependency-path": "services/api/requirements-dev.txt",
    });
    assert.deepEqual(ci.jobs["unit-api"].strategy.matrix.version, ["3.11", "3.12"]);
    assert.equal(ci.jobs["unit-api"].name, "unit (api, python ${{ matrix.version }})");
    assert.equal(ci.jobs["lint-api"].steps[1].with["python-version"], "3.11");
  });

  it("sets up Node with an npm cache keyed by the service's lock file", () => {
    assert.deepEqual(ci.jobs["lint-web"].steps[1].with, {
      "node-version": "20",
      cache: "npm",
      "cache-dependency-path": "services/web/package-lock.json",
    });
  });

  it("runs every check in the service's directory, with the coverage floor in the unit job's env", () => {
    for (const id of ["lint-api", "unit-api", "lint-web", "unit-web", "build-web"])
      for (const step of ci.jobs[id].steps.filter((s: { run?: string }) => s.run))
        assert.equal(step["working-directory"], `services/${id.split("-")[1]}`, `${id}: ${step.name}`);
    assert.deepEqual(ci.jobs["unit-api"].env, { COVERAGE_THRESHOLD: "80" });
    const floor = ciOf(withApi({ coverage: 95 })).jobs["unit-api"];
    assert.deepEqual(floor.env, { COVERAGE_THRESHOLD: "95" });
  });

  it("scans Python with bandit and Node with CodeQL, which alone uploads to code scanning", () => {
    const bandit = ci.jobs["sast-api"];
    assert.deepEqual(bandit.permissions, { contents: "read" });
    assert.match(bandit.steps.at(-1).run, /pip install .*"bandit==1\.9\.4"\npython -m bandit --recursive \./);
    const codeql = ci.jobs["sast-web"];
    assert.deepEqual(codeql.permissions, { contents: "read", "security-events": "write" });
    assert.deepEqual(
      codeql.steps.slice(1).map((s: { uses: string }) => s.uses.split("@")[0]),
      ["github/codeql-action/init", "github/codeql-action/analyze"],
    );
    assert.equal(codeql.steps[1].with.languages, "javascript-typescript");
  });

  it("runs integration tests with the declared containers, pulled by digest, and contract tests when declared", () => {
    const jobs = ciOf(
      withApi({
        containers: ["postgres", "rabbitmq"],
        commands: {
          ...dev.services[0].build!.commands,
          integration: "python -m pytest tests/integration",
          contract: "python -m pytest tests/contract",
        },
      }),
    ).jobs;
    const integration = jobs["integration-api"];
    assert.deepEqual(Object.keys(integration.services), ["postgres", "rabbitmq"]);
    assert.match(
      integration.services.rabbitmq.image,
      /^rabbitmq:4-management@sha256:06fb591136a49e861e01aaaf9ce45085839ca23c35913d45a1e83519bb9778ca$/,
    );
    assert.match(integration.services.postgres.image, /^postgres:16-alpine@sha256:[0-9a-f]{64}$/);
    // The scheme SQLAlchemy ≥ 1.4 accepts (it refuses `postgres://`), as libpq and psycopg do.
    assert.deepEqual(integration.env, {
      DATABASE_URL: "postgresql://ci:ci@localhost:5432/ci",
      RABBITMQ_URL: "amqp://ci:ci@localhost:5672/",
    });
    assert.equal(integration.steps.at(-1).run, "python -m pytest tests/integration");
    assert.equal(jobs["contract-api"].steps.at(-1).run, "python -m pytest tests/contract");
  });

  it("runs pgvector and Qdrant by the team's digest in the integration job and a Pact broker in the contract job, which publishes to it", () => {
    const pgvector = `pgvector/pgvector:pg16@sha256:${"a".repeat(64)}` as ContainerChoice;
    const qdrant = `qdrant/qdrant:v1.7.4@sha256:${"b".repeat(64)}` as ContainerChoice;
    const broker = `pactfoundation/pact-broker:2.110.0@sha256:${"c".repeat(64)}` as ContainerChoice;
    const jobs = ciOf(
      withApi({
        containers: [pgvector, "redis", qdrant, broker],
        pacts: "build/pacts",
        commands: {
          ...dev.services[0].build!.commands,
          integration: "pytest tests/integration",
          contract: "pytest tests/contract",
        },
      }),
    ).jobs;
    const integration = jobs["integration-api"];
    assert.deepEqual(Object.keys(integration.services), ["pgvector", "redis", "qdrant"]);
    assert.equal(integration.services.pgvector.image, pgvector);
    assert.equal(integration.services.qdrant.image, qdrant);
    assert.deepEqual(integration.services.qdrant.ports, ["6333:6333", "6334:6334"]);
    // The Qdrant image has no curl: bash's /dev/tcp is its health probe.
    assert.match(
      integration.services.qdrant.options,
      /--health-cmd "bash -c ':> \/dev\/tcp\/127\.0\.0\.1\/6333'"/,
    );
    assert.deepEqual(integration.env, {
      DATABASE_URL: "postgresql://ci:ci@localhost:5432/ci",
      REDIS_URL: "redis://localhost:6379",
      QDRANT_URL: "http://localhost:6333",
    });
    const contract = jobs["contract-api"];
    assert.deepEqual(Object.keys(contract.services), ["pact-broker"]);
    assert.equal(contract.services["pact-broker"].image, broker);
    assert.deepEqual(contract.services["pact-broker"].env, {
      PACT_BROKER_PORT: "9292",
      PACT_BROKER_DATABASE_ADAPTER: "sqlite",
      PACT_BROKER_DATABASE_NAME: "/tmp/pact_broker.sqlite3",
    });
    assert.deepEqual(contract.env, { PACT_BROKER_BASE_URL: "http://localhost:9292" });
    assert.deepEqual(
      contract.steps.slice(-2).map((s: { name: string }) => s.name),
      ["Contract tests", "Publish pacts to the broker"],
    );
    assert.deepEqual(contract.steps.at(-1).env, {
      PACTS_DIRECTORY: "build/pacts",
      PACT_BROKER_BASE_URL: "http://localhost:9292",
    });
    assert.equal(contract.steps.at(-1)["working-directory"], "services/api");
  });

  it("gives a contract job without a broker no containers and publishes nothing", () => {
    const contract = ciOf(
      withApi({ commands: { ...dev.services[0].build!.commands, contract: "pytest tests/contract" } }),
    ).jobs["contract-api"];
    assert.equal(contract.services, undefined);
    assert.equal(contract.steps.at(-1).name, "Contract tests");
  });

  it("skips a service's jobs unless the changes job chose it", () => {
    for (const id of ["lint-api", "unit-api", "sast-api"]) {
      assert.deepEqual(ci.jobs[id].needs, ["changes"]);
      assert.equal(ci.jobs[id].if, "contains(fromJSON(needs.changes.outputs.services), 'api')");
    }
  });

  it("requires one check of ci.yml, the summary, which needs every other job and runs whatever they did", () => {
    const summary = ci.jobs["ci-passed"];
    assert.deepEqual(
      summary.needs,
      Object.keys(ci.jobs).filter((id) => id !== "ci-passed"),
    );
    assert.equal(summary.if, "always()");
    assert.deepEqual(requiredChecks(dev).slice(0, 1), ["ci-passed"]);
  });

  describe("the summary job, run with jq", () => {
    const run = (results: Record<string, string>) => {
      const step = ci.jobs["ci-passed"].steps[0];
      const RESULTS = JSON.stringify(
        Object.fromEntries(Object.entries(results).map(([k, r]) => [k, { result: r, outputs: {} }])),
      );
      return execFileSync("bash", ["-e", "-c", step.run], {
        env: { PATH: process.env.PATH, HOME: os.tmpdir(), RESULTS },
        encoding: "utf8",
      });
    };
    it("passes when every job succeeded or was skipped as unchanged", () =>
      assert.match(run({ changes: "success", lint: "success", "unit-api": "skipped" }), /every job passed/));
    for (const [what, results] of [
      ["a job failed", { changes: "success", "unit-api": "failure" }],
      ["a job was cancelled", { changes: "success", "unit-api": "cancelled" }],
      ["the changes job failed and skipped every service", { changes: "failure", "unit-api": "skipped" }],
    ] as const)
      it(`fails when ${what}`, () => assert.throws(() => run(results)));
  });

  describe("the changes job, run with real git", () => {
    let dir: string;
    const git = (...args: string[]) =>
      execFileSync("git", args, {
        cwd: dir,
        env: {
          ...process.env,
          GIT_AUTHOR_NAME: "t",
          GIT_AUTHOR_EMAIL: "t@e",
          GIT_COMMITTER_NAME: "t",
          GIT_COMMITTER_EMAIL: "t@e",
        },
      })
        .toString()
        .trim();
    const commit = (files: Record<string, string>) => {
      for (const [f, c] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
        fs.writeFileSync(path.join(dir, f), c);
      }
      git("add", "-A");
      git("commit", "-qm", "c");
      return git("rev-parse", "HEAD");
    };
    const changed = (event: string, base: string, sha: string): string[] => {
      const step = ci.jobs.changes.steps[1];
      const out = path.join(dir, ".out");
      fs.writeFileSync(out, "");
      execFileSync("bash", ["-e", "-c", step.run], {
        cwd: dir,
        env: {
          ...step.env,
          PATH: process.env.PATH,
          HOME: os.tmpdir(),
          EVENT: event,
          BASE_SHA: event === "pull_request" ? base : "",
          BEFORE: event === "push" ? base : "",
          GITHUB_SHA: sha,
          GITHUB_OUTPUT: out,
        },
      });
      return JSON.parse(
        fs
          .readFileSync(out, "utf8")
          .trim()
          .replace(/^services=/, ""),
      );
    };
    let first: string;
    beforeEach(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), "changes-"));
      git("init", "-qb", "main");
      first = commit({ "services/api/app.py": "1", "services/web/app.js": "1", "README.md": "1" });
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("checks only the service a pull request changed", () =>
      assert.deepEqual(changed("pull_request", first, commit({ "services/web/app.js": "2" })), ["web"]));
    it("checks no service when only the platform changed", () =>
      assert.deepEqual(changed("push", first, commit({ "src/index.ts": "2", "README.md": "2" })), []));
    for (const shared of [
      ".github/workflows/ci.yml",
      ".github/actions/db-migrate/action.yml",
      "services/shared/util.py",
      "services/compose.yml",
    ])
      it(`checks every service when ${shared} changed`, () =>
        assert.deepEqual(changed("push", first, commit({ [shared]: "2" })), ["api", "web"]));
    it("checks every service on a new branch, with nothing to compare with", () =>
      assert.deepEqual(changed("push", "0".repeat(40), commit({ "README.md": "3" })), ["api", "web"]));
  });

  for (const model of BRANCH_MODELS)
    it(`renders clean under actionlint for the ${model} branch model, with containers and contract tests`, () => {
      const ctx = {
        ...withApi({
          containers: ["postgres", "redis", "rabbitmq"],
          commands: { ...dev.services[0].build!.commands, integration: "pytest", contract: "pytest" },
        }),
        branchModel: model,
      };
      assertActionlintClean(deliveryFiles(ctx));
    });

  describe("on a repository whose code scanning accepts no results (private, no Code Security)", () => {
    const closed: DeliveryContext = { ...dev, codeScanning: false };
    const files = deliveryFiles(closed);
    const security = YAML.parse(files[".github/workflows/security.yml"]);
    const ciClosed = YAML.parse(files[".github/workflows/ci.yml"]);

    it("scans with trivy into the job log and fails on HIGH and CRITICAL, uploading nothing", () => {
      const trivy = security.jobs["trivy-fs"];
      assert.deepEqual(trivy.permissions, { contents: "read" });
      assert.deepEqual(
        trivy.steps.map((s: { uses?: string }) => s.uses?.split("@")[0]),
        ["actions/checkout", "aquasecurity/trivy-action"],
      );
      assert.deepEqual(
        [trivy.steps[1].with.format, trivy.steps[1].with.severity, trivy.steps[1].with["exit-code"]],
        ["table", "HIGH,CRITICAL", "1"],
      );
    });

    it("runs CodeQL without its upload and fails the job on its error-level results itself", () => {
      const codeql = ciClosed.jobs["sast-web"];
      assert.deepEqual(codeql.permissions, { contents: "read" });
      assert.deepEqual(codeql.steps[2].with, {
        category: "${{ github.job }}",
        upload: "never",
        output: CODEQL_RESULTS,
      });
      assert.equal(codeql.steps[3].run, CODEQL_GATE);
      assert.equal(codeql.steps[3]["working-directory"], ".");
      // bandit never uploaded: the Python job is the same either way.
      assert.deepEqual(ciClosed.jobs["sast-api"], ci.jobs["sast-api"]);
    });

    it("keeps the required checks: trivy-fs and the SAST jobs still gate the merge", () => {
      assert.deepEqual(requiredChecks(closed), requiredChecks(dev));
    });

    it("renders clean under actionlint", () => assertActionlintClean(files));

    describe("the CodeQL gate, run with bash and jq on SARIF as CodeQL writes it", () => {
      let dir: string;
      beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "codeql-gate-"));
        fs.mkdirSync(path.join(dir, CODEQL_RESULTS));
      });
      afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
      const sarif = (results: object[]) =>
        fs.writeFileSync(
          path.join(dir, CODEQL_RESULTS, "javascript.sarif"),
          JSON.stringify({ version: "2.1.0", runs: [{ tool: { driver: { name: "CodeQL" } }, results }] }),
        );
      const result = (ruleId: string, level?: string) => ({
        ruleId,
        ...(level ? { level } : {}),
        message: { text: `${ruleId} here` },
        locations: [
          { physicalLocation: { artifactLocation: { uri: "src/app.ts" }, region: { startLine: 7 } } },
        ],
      });
      const gate = () => spawnSync("bash", ["-c", CODEQL_GATE], { cwd: dir, encoding: "utf8" });

      it("fails on an error-level result and annotates it where it is", () => {
        sarif([result("js/sql-injection", "error"), result("js/unused-local-variable", "note")]);
        const r = gate();
        assert.equal(r.status, 1, r.stderr);
        assert.deepEqual(r.stdout.trim().split("\n"), [
          "::error file=src/app.ts,line=7::js/sql-injection: js/sql-injection here",
          "CodeQL: 1 error-level result(s)",
        ]);
      });

      it("passes on warnings and notes only (a result without a level is a warning)", () => {
        sarif([result("js/missing-rate-limiting", "warning"), result("js/regex/missing-anchor")]);
        const r = gate();
        assert.equal(r.status, 0, r.stderr);
        assert.equal(r.stdout.trim(), "CodeQL: no error-level result");
      });
    });
  });
});
