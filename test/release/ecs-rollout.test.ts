import { strict as assert } from "assert";
import {
  DescribeServicesResponse,
  EcsApi,
  EcsDeployment,
  EcsRolledBack,
  judgeEcsRollout,
  verifyEcsRollout,
} from "../../src/release/ecs-rollout";
import { Clock } from "../../src/release/health";

const FAMILY = "arn:aws:ecs:eu-west-1:111111111111:task-definition/platform-dev-api";
const OLD_TD = `${FAMILY}:41`;
const NEW_TD = `${FAMILY}:42`;

/** `aws ecs describe-services` output, trimmed to the fields ECS returns for a rolling service. */
function described(
  deployments: Record<string, unknown>[],
  events: { message: string; createdAt: string }[] = [],
): DescribeServicesResponse {
  return {
    services: [
      {
        serviceName: "api",
        status: "ACTIVE",
        taskDefinition: (deployments.find((d) => d.status === "PRIMARY")?.taskDefinition as string) ?? "",
        deployments: deployments as EcsDeployment[],
        events,
      },
    ],
    failures: [],
  };
}

const primary = (taskDefinition: string, rolloutState: string, extra: Record<string, unknown> = {}) => ({
  id: `ecs-svc/${taskDefinition.endsWith("42") ? "2222" : "1111"}`,
  status: "PRIMARY",
  taskDefinition,
  desiredCount: 2,
  runningCount: rolloutState === "COMPLETED" ? 2 : 1,
  failedTasks: 0,
  rolloutState,
  rolloutStateReason:
    rolloutState === "COMPLETED"
      ? "ECS deployment ecs-svc/2222 completed."
      : "ECS deployment ecs-svc/2222 in progress.",
  ...extra,
});

/** Recorded responses: what the service looks like after `pulumi up` in each case. */
const RESPONSES = {
  completed: described(
    [primary(NEW_TD, "COMPLETED")],
    [{ message: "(service api) has reached a steady state.", createdAt: "2026-11-23T10:05:00Z" }],
  ),
  // The circuit breaker failed ecs-svc/2222 and started a deployment of the last completed one.
  rolledBack: described(
    [
      primary(OLD_TD, "IN_PROGRESS", { id: "ecs-svc/3333" }),
      {
        id: "ecs-svc/2222",
        status: "ACTIVE",
        taskDefinition: NEW_TD,
        desiredCount: 0,
        runningCount: 0,
        failedTasks: 6,
        rolloutState: "FAILED",
        rolloutStateReason: "ECS deployment circuit breaker: tasks failed to start.",
      },
    ],
    [
      {
        message: "(service api) rolling back to deployment ecs-svc/1111.",
        createdAt: "2026-11-23T10:06:00Z",
      },
      {
        message: "(service api) (deployment ecs-svc/2222) deployment failed: tasks failed to start.",
        createdAt: "2026-11-23T10:05:58Z",
      },
      { message: "(service api) has started 1 tasks: (task 9f1c).", createdAt: "2026-11-23T10:01:00Z" },
    ],
  ),
  // Rolled back and steady again on the old tasks: what `waitForSteadyState` reports as success.
  rolledBackAndSteady: described(
    [primary(OLD_TD, "COMPLETED", { id: "ecs-svc/3333" })],
    [
      { message: "(service api) has reached a steady state.", createdAt: "2026-11-23T10:09:00Z" },
      {
        message: "(service api) rolling back to deployment ecs-svc/1111.",
        createdAt: "2026-11-23T10:06:00Z",
      },
    ],
  ),
  stuck: described([primary(NEW_TD, "IN_PROGRESS"), { ...primary(OLD_TD, "COMPLETED"), status: "ACTIVE" }]),
  failedWithoutRollback: described([
    primary(NEW_TD, "FAILED", {
      rolloutStateReason: "ECS deployment circuit breaker: tasks failed to start.",
    }),
  ]),
  missing: {
    services: [],
    failures: [{ arn: "arn:aws:ecs:eu-west-1:111111111111:service/c/api", reason: "MISSING" }],
  },
} satisfies Record<string, DescribeServicesResponse>;

describe("ECS rollout verification", () => {
  it("passes only when the primary deployment runs the recorded task definition with rollout COMPLETED", () => {
    assert.deepEqual(judgeEcsRollout(NEW_TD, RESPONSES.completed), {
      kind: "completed",
      detail: "platform-dev-api:42 completed, 2/2 tasks running",
    });
  });

  it("reports a circuit-breaker rollback, naming the task definition it returned to and why", () => {
    assert.deepEqual(judgeEcsRollout(NEW_TD, RESPONSES.rolledBack), {
      kind: "rolledBack",
      detail:
        "the deployment circuit breaker rolled platform-dev-api:42 back: the primary deployment runs platform-dev-api:41 (IN_PROGRESS); " +
        "ECS deployment circuit breaker: tasks failed to start.; latest events: (service api) rolling back to deployment ecs-svc/1111. | " +
        "(service api) (deployment ecs-svc/2222) deployment failed: tasks failed to start.",
    });
  });

  it("does not take a service steady again on its old tasks for a completed release", () => {
    const verdict = judgeEcsRollout(NEW_TD, RESPONSES.rolledBackAndSteady);
    assert.equal(verdict.kind, "rolledBack");
    assert.match(verdict.detail, /runs platform-dev-api:41 \(COMPLETED\)/);
    // The very same answer is a completed release of the old task definition.
    assert.equal(judgeEcsRollout(OLD_TD, RESPONSES.rolledBackAndSteady).kind, "completed");
  });

  it("keeps reading while the rollout is in progress", () => {
    assert.deepEqual(judgeEcsRollout(NEW_TD, RESPONSES.stuck), {
      kind: "inProgress",
      detail: "platform-dev-api:42 in progress, 1/2 tasks running, 0 failed tasks",
    });
  });

  it("fails a deployment that failed without a rollback and a service that is missing", () => {
    assert.deepEqual(judgeEcsRollout(NEW_TD, RESPONSES.failedWithoutRollback), {
      kind: "failed",
      detail: "platform-dev-api:42 failed: ECS deployment circuit breaker: tasks failed to start.",
    });
    assert.deepEqual(judgeEcsRollout(NEW_TD, RESPONSES.missing), {
      kind: "failed",
      detail: "the ECS service is not running (MISSING)",
    });
  });

  describe("verifyEcsRollout", () => {
    const clock = (): Clock & { slept: number[] } => {
      let now = 0;
      const slept: number[] = [];
      return { now: () => now, sleep: async (ms) => void (slept.push(ms), (now += ms)), slept };
    };
    /** An ECS API answering the given responses in turn (the last one from then on). */
    const api = (...answers: DescribeServicesResponse[]): EcsApi & { calls: string[] } => {
      const calls: string[] = [];
      return {
        calls,
        describeService: async (cluster, service) => {
          calls.push(`${cluster} ${service}`);
          return answers[Math.min(calls.length - 1, answers.length - 1)];
        },
      };
    };
    const target = {
      cluster: "arn:aws:ecs:eu-west-1:111111111111:cluster/platform-dev-ecs",
      service: "api",
      taskDefinition: NEW_TD,
    };
    const policy = { intervalMs: 10_000, deadlineMs: 60_000 };

    it("reads the service until the rollout completes", async () => {
      const ecs = api(RESPONSES.stuck, RESPONSES.stuck, RESPONSES.completed);
      const c = clock();
      assert.equal(
        await verifyEcsRollout(ecs, target, policy, c),
        "ECS service api: platform-dev-api:42 completed, 2/2 tasks running",
      );
      assert.deepEqual(ecs.calls, Array(3).fill(`${target.cluster} api`));
      assert.deepEqual(c.slept, [10_000, 10_000]);
    });

    it("rejects a rollback at once with EcsRolledBack", async () => {
      const ecs = api(RESPONSES.rolledBack);
      await assert.rejects(verifyEcsRollout(ecs, target, policy, clock()), (err: Error) => {
        assert.ok(err instanceof EcsRolledBack);
        assert.match(
          err.message,
          /^ECS service api: the deployment circuit breaker rolled platform-dev-api:42 back/,
        );
        return true;
      });
      assert.equal(ecs.calls.length, 1);
    });

    it("calls a rollout still in progress at the deadline stuck", async () => {
      const ecs = api(RESPONSES.stuck);
      await assert.rejects(
        verifyEcsRollout(ecs, target, policy, clock()),
        (err: Error) =>
          !(err instanceof EcsRolledBack) &&
          err.message ===
            "ECS service api is stuck: still platform-dev-api:42 in progress, 1/2 tasks running, 0 failed tasks after 60 s",
      );
      assert.equal(ecs.calls.length, 7, "a read at 0, 10, … 60 s");
    });
  });
});
