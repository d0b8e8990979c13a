import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import YAML from "yaml";
import { deliveryFiles } from "../../src/workflows";
import { contextFor } from "../helpers/context";

const SHA = "0123456789abcdef0123456789abcdef01234567";
const DIGEST = `sha256:${"c".repeat(64)}`;
const RUN = "https://github.com/acme-shop/shop/actions/runs/99";

/** Runs a rendered step's script with bash, a stand-in `gh` that records its calls, and real jq. */
function runStep(step: { run: string; env: Record<string, string> }, env: Record<string, string>) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "deployment-step-"));
  try {
    fs.writeFileSync(
      path.join(dir, "gh"),
      [
        "#!/usr/bin/env bash",
        `n=$(ls "${dir}"/call-*.json 2>/dev/null | wc -l)`,
        `printf '%s\\n' "$@" > "${dir}/call-$n.json"`,
        `if [[ " $* " == *" --input - "* ]]; then cat > "${dir}/body-$n.json"; fi`,
        'if [[ " $* " == *" --jq .id "* ]]; then echo 42; fi',
      ].join("\n"),
      { mode: 0o755 },
    );
    const output = path.join(dir, "output");
    fs.writeFileSync(output, "");
    assert.deepEqual(
      Object.keys(env).sort(),
      Object.keys(step.env).sort(),
      "the test sets every env the step declares",
    );
    execFileSync("bash", ["-e", "-c", step.run], {
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        HOME: dir,
        PATH: `${dir}:${process.env.PATH}`,
        GITHUB_SHA: SHA,
        GITHUB_REPOSITORY: "acme-shop/shop",
        GITHUB_OUTPUT: output,
        SERVICE: "api",
        STACK: "staging",
        ...env,
      },
    });
    const calls = fs
      .readdirSync(dir)
      .filter((f) => f.startsWith("call-"))
      .sort()
      .map((f) => fs.readFileSync(path.join(dir, f), "utf8").trim().split("\n"));
    const body = fs.existsSync(path.join(dir, "body-0.json"))
      ? JSON.parse(fs.readFileSync(path.join(dir, "body-0.json"), "utf8"))
      : undefined;
    return { calls, body, output: fs.readFileSync(output, "utf8") };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

for (const model of ["gitflow", "trunk"] as const)
  describe(`GitHub deployments as the release record, under ${model}`, () => {
    let wf: Record<string, any>;
    beforeEach(() => {
      const files = deliveryFiles(contextFor("dev", model));
      wf = Object.fromEntries(
        ["deploy-service", "build-deploy", "release"].map((n) => [
          n,
          YAML.parse(files[`.github/workflows/${n}.yml`]),
        ]),
      );
    });
    const step = (name: string) => wf["deploy-service"].jobs.deploy.steps.find((s: any) => s.name === name);

    it("records the deployment once the image is promoted, and its outcome after the release (which restores on failure), before notifying", () => {
      const names: string[] = wf["deploy-service"].jobs.deploy.steps.map((s: any) => s.name);
      assert.deepEqual(names.slice(names.indexOf("Promote the image into this stack's registry")), [
        "Promote the image into this stack's registry",
        "Record the deployment on GitHub",
        "Read the service's migrations in this stack",
        "Database migrations (backup, apply, validate)",
        "Release with the service's strategy",
        "Record the deployment's outcome on GitHub",
        "Count the failed run for the platform alarm",
        "Notify Slack",
      ]);
      assert.equal(
        step("Record the deployment's outcome on GitHub").if,
        "always() && steps.deployment.outputs.id != ''",
      );
    });

    it("gives the deploy job, and every job calling it, deployments: write", () => {
      assert.deepEqual(wf["deploy-service"].jobs.deploy.permissions, {
        contents: "read",
        "id-token": "write",
        deployments: "write",
      });
      const callers = [
        ...Object.values<any>(wf["build-deploy"].jobs),
        ...Object.values<any>(wf.release.jobs),
      ].filter((j) => j.uses === "./.github/workflows/deploy-service.yml");
      assert.equal(callers.length, 12, "4 services × (2 branch stacks + production)");
      for (const j of callers) assert.equal(j.permissions.deployments, "write", j.name);
    });

    it("creates the deployment with task deploy:<service>, the run's commit, no required contexts or auto-merge, and a payload", () => {
      const record = step("Record the deployment on GitHub");
      const { calls, body, output } = runStep(record, {
        GH_TOKEN: "t",
        ENVIRONMENT: "staging",
        DIGEST,
        RUN_URL: RUN,
      });
      assert.deepEqual(body, {
        ref: SHA,
        task: "deploy:api",
        environment: "staging",
        auto_merge: false,
        required_contexts: [],
        payload: { service: "api", digest: DIGEST, stack: "staging" },
        description: `api ${DIGEST} to staging`,
      });
      assert.deepEqual(calls, [
        ["api", "--method", "POST", "repos/acme-shop/shop/deployments", "--input", "-", "--jq", ".id"],
        [
          "api",
          "--method",
          "POST",
          "repos/acme-shop/shop/deployments/42/statuses",
          "-f",
          "state=in_progress",
          "-f",
          `log_url=${RUN}`,
          "-F",
          "auto_inactive=false",
          "--silent",
        ],
      ]);
      assert.equal(output, "id=42\n");
    });

    it("records success only when the whole job succeeded, failure otherwise, with the environment URL when there is one and the release's reason when it was rolled back", () => {
      const outcome = step("Record the deployment's outcome on GitHub");
      const post = (state: string, url?: string, reason?: string) => [
        "api",
        "--method",
        "POST",
        "repos/acme-shop/shop/deployments/42/statuses",
        "-f",
        `state=${state}`,
        "-f",
        `log_url=${RUN}`,
        "-F",
        "auto_inactive=false",
        ...(url ? ["-f", `environment_url=${url}`] : []),
        ...(reason ? ["-f", `description=${reason}`] : []),
        "--silent",
      ];
      const ROLLED_BACK =
        "rolled back by the ECS circuit breaker: release of api failed and was rolled back: …";
      const cases: [jobStatus: string, url: string, reason: string, expected: string[]][] = [
        ["success", "https://staging.example.com", "", post("success", "https://staging.example.com")],
        ["failure", "", "", post("failure")],
        ["failure", "", ROLLED_BACK, post("failure", undefined, ROLLED_BACK)],
        ["cancelled", "", "", post("failure")],
      ];
      for (const [jobStatus, url, reason, expected] of cases)
        assert.deepEqual(
          runStep(outcome, {
            GH_TOKEN: "t",
            DEPLOYMENT_ID: "42",
            JOB_STATUS: jobStatus,
            ENVIRONMENT_URL: url,
            REASON: reason,
            RUN_URL: RUN,
          }).calls,
          [expected],
          jobStatus,
        );
    });

    it("starts each release with a job checking staging's deployment of the tagged commit, which the release needs", () => {
      const jobs = wf.release.jobs;
      for (const service of ["api", "web", "orders", "payments"]) {
        const verify = jobs[`verify-${service}`];
        assert.equal(verify.name, `staging deployed (${service})`);
        assert.deepEqual(verify.permissions, { contents: "read", deployments: "read" });
        assert.equal(verify.needs, undefined);
        assert.deepEqual(verify.steps.at(-1).env, {
          GH_TOKEN: "${{ github.token }}",
          ENVIRONMENT: "staging",
          SERVICE: service,
        });
        assert.equal(
          verify.steps.at(-1).run,
          'npm run -s release:verify -- --environment "$ENVIRONMENT" --service "$SERVICE" --sha "$GITHUB_SHA"',
        );
        assert.equal(
          verify.steps.some((s: any) => s.with?.cache),
          false,
          "no cache on a release tag",
        );
        assert.deepEqual(jobs[`release-${service}-production`].needs, [`verify-${service}`]);
      }
    });
  });
