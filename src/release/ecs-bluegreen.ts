/**
 * ECS's native blue/green, driven by the release executor. `pulumi up` registers the new task
 * definition and hands ECS the deployment (no `waitForSteadyState`); ECS starts the new (green)
 * revision behind the alternate target group, moves the test listener rule to it and pauses
 * (`POST_TEST_TRAFFIC_SHIFT`, a PAUSE hook). The executor finds that pause, smoke-tests green
 * through the test rule (the service's host with `TEST_TRAFFIC_HEADER`), then continues — ECS
 * moves production traffic and keeps blue for the bake — or rolls back. It waits for the
 * deployment's end: SUCCESSFUL passes; a rollback by ECS (circuit breaker, alarm, the pause's
 * timeout) or by the executor fails the release as rolled back.
 *
 * The ECS API comes in through `EcsDeploymentsApi`; tests judge recorded responses
 * (ListServiceDeployments, DescribeServiceDeployments).
 */
import { Clock, systemClock } from "./health";
import { EcsRolledBack } from "./ecs-rollout";
import { runCommand } from "./process";

/** The fields of a `DescribeServiceDeployments` service deployment this driver reads. */
export interface EcsServiceDeployment {
  readonly serviceDeploymentArn?: string;
  /** PENDING, IN_PROGRESS, SUCCESSFUL, STOPPED, STOP_REQUESTED, ROLLBACK_REQUESTED, ROLLBACK_IN_PROGRESS, ROLLBACK_SUCCESSFUL, ROLLBACK_FAILED */
  readonly status?: string;
  readonly statusReason?: string;
  readonly lifecycleStage?: string;
  readonly lifecycleHookDetails?: readonly {
    readonly hookId?: string;
    readonly targetType?: string;
    readonly status?: string;
  }[];
  readonly createdAt?: string | number;
}

export interface EcsDeploymentsApi {
  /** The service's deployments created at or after `since`, newest first (ListServiceDeployments). */
  listServiceDeployments(cluster: string, service: string, since: Date): Promise<readonly string[]>;
  describeServiceDeployment(arn: string): Promise<EcsServiceDeployment | undefined>;
  continueServiceDeployment(arn: string, hookId: string, action: "CONTINUE" | "ROLLBACK"): Promise<void>;
}

/** What one read of the deployment says. */
export type BlueGreenVerdict =
  | { readonly kind: "waiting"; readonly detail: string }
  /** Paused for the executor: test traffic reaches green. */
  | { readonly kind: "test"; readonly hookId: string; readonly detail: string }
  | { readonly kind: "completed"; readonly detail: string }
  | { readonly kind: "rolledBack"; readonly detail: string }
  | { readonly kind: "failed"; readonly detail: string };

const ROLLED_BACK = ["ROLLBACK_REQUESTED", "ROLLBACK_IN_PROGRESS", "ROLLBACK_SUCCESSFUL"];

/** Judges one read of the deployment the release started. */
export function judgeBlueGreen(d: EcsServiceDeployment): BlueGreenVerdict {
  const status = d.status ?? "UNKNOWN";
  const stage = d.lifecycleStage ? ` at ${d.lifecycleStage}` : "";
  const reason = d.statusReason ? `: ${d.statusReason}` : "";
  if (status === "SUCCESSFUL")
    return { kind: "completed", detail: "green serves production, blue's bake ended" };
  if (ROLLED_BACK.includes(status))
    return { kind: "rolledBack", detail: `ECS rolled the deployment back (${status}${stage})${reason}` };
  if (status === "ROLLBACK_FAILED" || status === "STOPPED" || status === "STOP_REQUESTED")
    return { kind: "failed", detail: `the deployment ended ${status}${stage}${reason}` };
  const paused = (d.lifecycleHookDetails ?? []).find(
    (h) => h.targetType === "PAUSE" && h.status === "AWAITING_ACTION" && h.hookId,
  );
  if (paused) return { kind: "test", hookId: paused.hookId!, detail: `paused${stage} for the smoke test` };
  return { kind: "waiting", detail: `${status}${stage}` };
}

export interface BlueGreenPolicy {
  /** Pause between reads, ms. @default 10000 */
  readonly intervalMs: number;
  /** Give up this long after the update, ms: the bake plus the deployment's own minutes. */
  readonly deadlineMs: number;
}

export interface BlueGreenTarget {
  readonly cluster: string;
  readonly service: string;
  /** When the executor's update started: the deployment it caused is the newest created since. */
  readonly since: Date;
}

/**
 * Drives the deployment the update started through its pause to its end. `smokeTest` probes
 * green through the test rule; it rejecting rolls the deployment back. Resolves with what
 * happened; rejects with `EcsRolledBack` when the release was rolled back, with an Error otherwise.
 */
export async function driveBlueGreen(
  api: EcsDeploymentsApi,
  target: BlueGreenTarget,
  smokeTest: () => Promise<void>,
  policy: BlueGreenPolicy,
  clock: Clock = systemClock,
  log: (line: string) => void = () => undefined,
): Promise<string> {
  const where = `ECS service ${target.service}`;
  const start = clock.now();
  let tested = false;
  for (;;) {
    const [arn] = await api.listServiceDeployments(target.cluster, target.service, target.since);
    const deployment = arn ? await api.describeServiceDeployment(arn) : undefined;
    const verdict: BlueGreenVerdict = deployment
      ? judgeBlueGreen(deployment)
      : { kind: "waiting", detail: "no deployment started yet" };
    if (verdict.kind === "completed") return `${where}: ${verdict.detail}`;
    if (verdict.kind === "rolledBack") throw new EcsRolledBack(`${where}: ${verdict.detail}`);
    if (verdict.kind === "failed") throw new Error(`${where}: ${verdict.detail}`);
    if (verdict.kind === "test" && arn && !tested) {
      tested = true;
      log(`• smoke-test the green revision of ${target.service} through its test listener rule`);
      try {
        await smokeTest();
      } catch (err) {
        await api.continueServiceDeployment(arn, verdict.hookId, "ROLLBACK");
        const why = err instanceof Error ? err.message : String(err);
        throw new EcsRolledBack(`${where}: the green revision failed its smoke test, rolled back: ${why}`);
      }
      log(`✓ green answers; ECS moves production traffic to it and keeps blue for the bake`);
      await api.continueServiceDeployment(arn, verdict.hookId, "CONTINUE");
      continue;
    }
    if (clock.now() - start + policy.intervalMs > policy.deadlineMs)
      throw new Error(`${where} is stuck: still ${verdict.detail} after ${policy.deadlineMs / 1000} s`);
    await clock.sleep(policy.intervalMs);
  }
}

/** The ECS deployment API through the AWS CLI, with the job's credentials and region. */
export const awsCliEcsDeployments: EcsDeploymentsApi = {
  async listServiceDeployments(cluster, service, since) {
    const out = await runCommand("aws", [
      "ecs",
      "list-service-deployments",
      "--cluster",
      cluster,
      "--service",
      service,
      "--created-at",
      `after=${since.toISOString()}`,
      "--output",
      "json",
    ]);
    const list = (JSON.parse(out).serviceDeployments ?? []) as {
      serviceDeploymentArn?: string;
      createdAt?: string | number;
    }[];
    return list
      .sort((a, b) => Number(new Date(b.createdAt ?? 0)) - Number(new Date(a.createdAt ?? 0)))
      .flatMap((d) => (d.serviceDeploymentArn ? [d.serviceDeploymentArn] : []));
  },
  async describeServiceDeployment(arn) {
    const out = await runCommand("aws", [
      "ecs",
      "describe-service-deployments",
      "--service-deployment-arns",
      arn,
      "--output",
      "json",
    ]);
    return (JSON.parse(out).serviceDeployments ?? [])[0] as EcsServiceDeployment | undefined;
  },
  async continueServiceDeployment(arn, hookId, action) {
    await runCommand("aws", [
      "ecs",
      "continue-service-deployment",
      "--service-deployment-arn",
      arn,
      "--hook-id",
      hookId,
      "--action",
      action,
    ]);
  },
};
