// Every service's release fits the job that runs it, so a release is never cut off between a
// step and its restore. The budget's arithmetic follows the executor's plans (checked here).
import { strict as assert } from "assert";
import YAML from "yaml";
import { ConfigError, parseStackConfig, ServiceConfig } from "../../src/config";
import {
  DEPLOY_JOB_TIMEOUT_MINUTES,
  HEALTH_GATE_MINUTES,
  releaseMinutes,
  releaseShape,
} from "../../src/config/release-budget";
import { readStackConfig } from "../../src/config/stack-files";
import { DEFAULT_GATE } from "../../src/release/health";
import { planRelease } from "../../src/release/plan";
import { planStrategyOf } from "../../src/release/executor";
import { deliveryFiles } from "../../src/workflows";
import { contextFor } from "../helpers/context";

function productionValues(): Record<string, any> {
  const out: Record<string, any> = {};
  for (const [k, v] of Object.entries(readStackConfig("production")))
    if (k.startsWith("platform:")) out[k.slice(9)] = structuredClone(v);
  return out;
}

function problems(values: Record<string, any>): string[] {
  try {
    parseStackConfig("production", values, "eu-west-1");
    return [];
  } catch (e) {
    assert.ok(e instanceof ConfigError, String(e));
    return e.problems.filter((p) => p.allowed.includes("fits")).map((p) => `${p.key}: ${p.allowed}`);
  }
}

const ORDERS = 2; // production's canary service

describe("the release budget", () => {
  it("counts the ups, health gates and metric watches the executor plans for each strategy", () => {
    const D = `sha256:${"a".repeat(64)}`;
    const N = `sha256:${"b".repeat(64)}`;
    for (const strategy of [
      { type: "rolling" as const },
      { type: "blueGreen" as const },
      { type: "canary" as const, steps: [10, 20, 50, 100] },
      { type: "canary" as const, steps: [100] },
    ]) {
      const plan = planRelease(strategy, { digest: D }, N);
      assert.deepEqual(
        releaseShape({ strategy } as ServiceConfig),
        {
          applies: plan.filter((s) => s.kind === "apply").length,
          gates: plan.filter((s) => s.kind === "gate").length,
          watched: plan.filter((s) => s.kind === "gate" && s.watch).length,
        },
        strategy.type,
      );
    }
  });

  it("counts ECS's own blue/green as the executor runs it: one update, the smoke test at ECS's pause and the production gate, and the bake", () => {
    const svc = { target: "ecs", strategy: { type: "blueGreen", bakeMinutes: 7 } } as ServiceConfig;
    const plan = planRelease(
      planStrategyOf(svc),
      { digest: `sha256:${"a".repeat(64)}` },
      `sha256:${"b".repeat(64)}`,
    );
    assert.deepEqual(releaseShape(svc), {
      applies: plan.filter((s) => s.kind === "apply").length,
      // The green smoke test runs inside the update's verification, at ECS's pause.
      gates: plan.filter((s) => s.kind === "gate").length + 1,
      watched: plan.filter((s) => s.kind === "gate" && s.watch).length,
      bakeMinutes: 7,
    });
    assert.equal(
      releaseMinutes(svc, 10) -
        releaseMinutes({ ...svc, strategy: { type: "blueGreen", bakeMinutes: 0 } }, 10),
      7,
    );
  });

  it("holds the numbers the deploy job and the health gate really use", () => {
    const deploy = YAML.parse(
      deliveryFiles(contextFor("production"))[".github/workflows/deploy-service.yml"],
    );
    assert.equal(deploy.jobs.deploy["timeout-minutes"], DEPLOY_JOB_TIMEOUT_MINUTES);
    assert.equal(DEFAULT_GATE.deadlineMs, HEALTH_GATE_MINUTES * 60_000);
  });

  it("admits production's committed canary: 3 watches of 10 minutes, 4 gates and 5 ups come to 48 minutes", () => {
    const values = productionValues();
    assert.deepEqual(problems(values), []);
    assert.equal(releaseMinutes({ strategy: values.services[ORDERS].strategy } as ServiceConfig, 10), 48);
  });

  it("refuses a canary whose steps and windows outlast the deploy job, saying what adds up", () => {
    const values = productionValues();
    values.services[ORDERS].strategy.steps = [10, 20, 30, 40, 50, 100];
    assert.deepEqual(problems(values), [
      "platform:services[2].strategy: a release that fits the deploy job's 60 minutes; this one can take 76: 6 health gates × 2, 5 metric watches × 10 (operations.gate.windowMinutes), 7 ups (the restore included) × 2; cut off, the release would stop without restoring: use fewer canary steps, a shorter window or a shorter post-deploy timeout",
    ]);
  });

  it("counts the post-deploy checks' timeout, and a CodeBuild runner's shorter build timeout", () => {
    const withChecks = productionValues();
    withChecks.services[ORDERS].postDeploy = { command: "python smoke.py", timeoutSeconds: 900 };
    assert.equal(problems(withChecks).length, 1);
    assert.match(problems(withChecks)[0], /can take 63: .*post-deploy checks 15/);

    const shortRunner = productionValues();
    shortRunner.ci.runner.timeoutMinutes = 40;
    assert.deepEqual(
      problems(shortRunner).map((p) => p.split(";")[0]),
      [
        "platform:services[2].strategy: a release that fits the CodeBuild runner's 40 minutes (ci.runner.timeoutMinutes)",
      ],
    );
  });
});
