import { strict as assert } from "assert";
import {
  driveBlueGreen,
  EcsDeploymentsApi,
  EcsServiceDeployment,
  judgeBlueGreen,
} from "../../src/release/ecs-bluegreen";
import { EcsRolledBack } from "../../src/release/ecs-rollout";
import { Clock } from "../../src/release/health";

const ARN = "arn:aws:ecs:eu-west-1:111111111111:service-deployment/platform-dev/payments/Zx9Kq2mN4pL7";
const HOOK = "ecs-pause-e7tK9G_WRJqNF_EOMjztDXfKenlJuEUVjsNStf4WLKw";

/** A `describe-service-deployments` service deployment, trimmed to the fields ECS returns. */
const deployment = (status: string, extra: Partial<EcsServiceDeployment> = {}): EcsServiceDeployment => ({
  serviceDeploymentArn: ARN,
  status,
  createdAt: "2026-12-07T10:00:05Z",
  ...extra,
});
const paused = deployment("IN_PROGRESS", {
  lifecycleStage: "POST_TEST_TRAFFIC_SHIFT",
  lifecycleHookDetails: [{ hookId: HOOK, targetType: "PAUSE", status: "AWAITING_ACTION" }],
});

/** An ECS deployments API that answers reads from a script and records what the driver did. */
function scripted(reads: (EcsServiceDeployment | undefined)[]) {
  const calls: string[] = [];
  let i = 0;
  const api: EcsDeploymentsApi = {
    async listServiceDeployments(cluster, service, since) {
      calls.push(`list ${cluster} ${service} after ${since.toISOString()}`);
      // Not listed yet: this read is spent on the listing.
      if (reads[Math.min(i, reads.length - 1)]) return [ARN];
      i++;
      return [];
    },
    async describeServiceDeployment(arn) {
      calls.push(`describe ${arn === ARN ? "the deployment" : arn}`);
      return reads[Math.min(i++, reads.length - 1)];
    },
    async continueServiceDeployment(arn, hookId, action) {
      calls.push(`continue ${arn === ARN && hookId === HOOK ? "the pause" : `${arn} ${hookId}`} ${action}`);
    },
  };
  return { api, calls };
}

const clock = (): Clock & { slept: number } => {
  let t = 0;
  const c = {
    slept: 0,
    now: () => t,
    sleep: async (ms: number) => {
      t += ms;
      c.slept += ms;
    },
  };
  return c;
};

const target = { cluster: "platform-dev", service: "payments", since: new Date("2026-12-07T10:00:00Z") };
const policy = { intervalMs: 10_000, deadlineMs: 60_000 };

describe("ECS blue/green, driven by the release executor", () => {
  describe("judging one read of the deployment", () => {
    const cases: [string, EcsServiceDeployment, string][] = [
      [
        "a deployment still scaling green up",
        deployment("IN_PROGRESS", { lifecycleStage: "SCALE_UP" }),
        "waiting",
      ],
      ["a deployment paused after the test traffic shift", paused, "test"],
      [
        "a pause the executor already answered",
        deployment("IN_PROGRESS", {
          lifecycleStage: "POST_TEST_TRAFFIC_SHIFT",
          lifecycleHookDetails: [{ hookId: HOOK, targetType: "PAUSE", status: "SUCCEEDED" }],
        }),
        "waiting",
      ],
      ["a deployment whose bake ended", deployment("SUCCESSFUL"), "completed"],
      [
        "a deployment ECS rolled back",
        deployment("ROLLBACK_SUCCESSFUL", { statusReason: "circuit breaker" }),
        "rolledBack",
      ],
      ["a deployment stopped", deployment("STOPPED"), "failed"],
      ["a rollback that failed", deployment("ROLLBACK_FAILED"), "failed"],
    ];
    for (const [what, read, kind] of cases)
      it(`reads ${what} as ${kind}`, () => assert.equal(judgeBlueGreen(read).kind, kind));

    it("names the pause's hook, which the executor answers", () => {
      assert.deepEqual(judgeBlueGreen(paused), {
        kind: "test",
        hookId: HOOK,
        detail: "paused at POST_TEST_TRAFFIC_SHIFT for the smoke test",
      });
    });
  });

  it("smoke-tests green at the pause, continues, and passes when the bake ends", async () => {
    const { api, calls } = scripted([
      deployment("PENDING"),
      paused,
      deployment("IN_PROGRESS", { lifecycleStage: "BAKE_TIME" }),
      deployment("SUCCESSFUL"),
    ]);
    let tests = 0;
    const done = await driveBlueGreen(api, target, async () => void tests++, policy, clock());
    assert.equal(done, "ECS service payments: green serves production, blue's bake ended");
    assert.equal(tests, 1);
    assert.deepEqual(
      calls.filter((c) => c.startsWith("continue")),
      ["continue the pause CONTINUE"],
    );
    assert.equal(calls[0], "list platform-dev payments after 2026-12-07T10:00:00.000Z");
  });

  it("rolls the deployment back when green fails its smoke test, and fails the release as rolled back", async () => {
    const { api, calls } = scripted([paused]);
    await assert.rejects(
      driveBlueGreen(
        api,
        target,
        async () => {
          throw new Error("https://payments.dev.example.com/health was not healthy 5 times in a row");
        },
        policy,
        clock(),
      ),
      (err: Error) =>
        err instanceof EcsRolledBack &&
        /green revision failed its smoke test, rolled back: https:\/\/payments/.test(err.message),
    );
    assert.deepEqual(
      calls.filter((c) => c.startsWith("continue")),
      ["continue the pause ROLLBACK"],
    );
  });

  it("fails the release as rolled back when ECS rolls it back after the switch (an alarm, the circuit breaker)", async () => {
    const { api } = scripted([
      paused,
      deployment("ROLLBACK_IN_PROGRESS", { statusReason: "alarm payments-5xx in ALARM" }),
    ]);
    await assert.rejects(
      driveBlueGreen(api, target, async () => undefined, policy, clock()),
      (err: Error) =>
        err instanceof EcsRolledBack && /ROLLBACK_IN_PROGRESS\): alarm payments-5xx/.test(err.message),
    );
  });

  it("gives up on a deployment that never reaches its pause or its end, naming where it is", async () => {
    const c = clock();
    const { api } = scripted([deployment("IN_PROGRESS", { lifecycleStage: "SCALE_UP" })]);
    await assert.rejects(
      driveBlueGreen(api, target, async () => undefined, policy, c),
      /ECS service payments is stuck: still IN_PROGRESS at SCALE_UP after 60 s/,
    );
    assert.ok(c.slept <= policy.deadlineMs);
  });

  it("waits for the deployment the update started when ECS has not listed it yet", async () => {
    const { api } = scripted([undefined, undefined, deployment("SUCCESSFUL")]);
    assert.match(await driveBlueGreen(api, target, async () => undefined, policy, clock()), /bake ended/);
  });
});
