/**
 * How long a release may take, against the job that runs it: the deploy job of deploy-service.yml
 * stops at `DEPLOY_JOB_TIMEOUT_MINUTES` (GitHub's `timeout-minutes`), and a CodeBuild runner's
 * build at the same (the runner project's `buildTimeout`). A release cut off there stops between
 * steps and never restores the service's recorded release. So the worst case of each service's
 * release — every health gate to its deadline, every metric watch for its window, the post-deploy
 * checks to their timeout, and an `up` for each step plus the restore — must fit.
 */
import type { ConfigProblem, ConfigRule } from "./problem";
import { keyOf } from "./problem";
import { operationsOf } from "./operations";
import { isEcsBlueGreen } from "./applications";
import { DEFAULT_BAKE_MINUTES, type ServiceConfig } from "./schema";

// The limits themselves live in a module that imports nothing: the workflows and the runner
// read them without loading the config rules (an import ring left a rule undefined).
import { DEPLOY_JOB_TIMEOUT_MINUTES, HEALTH_GATE_MINUTES, UP_ALLOWANCE_MINUTES } from "./release-limits";
export { DEPLOY_JOB_TIMEOUT_MINUTES, HEALTH_GATE_MINUTES, UP_ALLOWANCE_MINUTES };

/** The steps of a service's release, as src/release/plan.ts plans them (a test keeps them equal). */
export function releaseShape(svc: Pick<ServiceConfig, "strategy" | "target">): {
  applies: number;
  gates: number;
  watched: number;
  /** Minutes ECS bakes a blue/green release, which the executor waits out. @default 0 */
  bakeMinutes?: number;
} {
  const s = svc.strategy;
  switch (s.type) {
    case "rolling":
      return { applies: 1, gates: 1, watched: 1 };
    case "blueGreen":
      // ECS's own blue/green is one update: the executor smoke-tests green at ECS's pause, then
      // production after the switch, and waits out the bake.
      return isEcsBlueGreen(svc)
        ? { applies: 1, gates: 2, watched: 1, bakeMinutes: s.bakeMinutes ?? DEFAULT_BAKE_MINUTES }
        : { applies: 2, gates: 2, watched: 1 };
    case "canary": {
      const steps = s.steps.filter((w) => w < 100).length;
      return { applies: steps + 1, gates: steps + 1, watched: steps };
    }
  }
}

/** The worst-case minutes of a service's release with `windowMinutes` watches, restore included. */
export function releaseMinutes(
  svc: Pick<ServiceConfig, "strategy" | "postDeploy" | "target">,
  windowMinutes: number,
): number {
  const shape = releaseShape(svc);
  return (
    (shape.bakeMinutes ?? 0) +
    shape.gates * HEALTH_GATE_MINUTES +
    shape.watched * windowMinutes +
    (svc.postDeploy ? svc.postDeploy.timeoutSeconds / 60 : 0) +
    (shape.applies + 1) * UP_ALLOWANCE_MINUTES
  );
}

/** Each service's release fits the deploy job (and the CodeBuild build) that runs it. */
export const releaseBudgetRules: ConfigRule = (c) => {
  const { windowMinutes } = operationsOf(c).gate;
  // On CodeBuild runners the build stops at the runner's own timeout when that comes first.
  const runner = c.ci.runner;
  const limit =
    runner?.kind === "codebuild"
      ? Math.min(DEPLOY_JOB_TIMEOUT_MINUTES, runner.timeoutMinutes)
      : DEPLOY_JOB_TIMEOUT_MINUTES;
  const by =
    limit < DEPLOY_JOB_TIMEOUT_MINUTES
      ? `the CodeBuild runner's ${limit} minutes (ci.runner.timeoutMinutes)`
      : `the deploy job's ${limit} minutes`;
  const out: ConfigProblem[] = [];
  c.services.forEach((svc, i) => {
    const minutes = releaseMinutes(svc, windowMinutes);
    if (minutes <= limit) return;
    const shape = releaseShape(svc);
    out.push({
      key: keyOf(["services", i, "strategy"]),
      value: svc.strategy,
      allowed:
        `a release that fits ${by}; this one can take ` +
        `${Math.ceil(minutes)}: ${shape.bakeMinutes ? `ECS's bake ${shape.bakeMinutes} (strategy.bakeMinutes), ` : ""}${shape.gates} health gates × ${HEALTH_GATE_MINUTES}, ${shape.watched} metric watches × ` +
        `${windowMinutes} (operations.gate.windowMinutes)` +
        (svc.postDeploy ? `, post-deploy checks ${svc.postDeploy.timeoutSeconds / 60}` : "") +
        `, ${shape.applies + 1} ups (the restore included) × ${UP_ALLOWANCE_MINUTES}; ` +
        "cut off, the release would stop without restoring: use fewer canary steps, a shorter window or a shorter post-deploy timeout",
    });
  });
  return out;
};
