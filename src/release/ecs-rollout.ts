/**
 * Truthful ECS deploys. `pulumi up` waits for the service to be steady (`waitForSteadyState`), but
 * when the deployment circuit breaker rolls a bad task definition back, the service is steady
 * again — on the old tasks — and the update succeeds. So after each update the executor reads the
 * service (`DescribeServices`) and passes only when its PRIMARY deployment runs the task definition
 * the stack just recorded and its rollout state is COMPLETED. A rollback fails the release and is
 * reported as one.
 *
 * The ECS API comes in through `EcsApi`; tests judge recorded `DescribeServices` responses.
 */
import { Clock, systemClock } from "./health";
import { runCommand } from "./process";

/** The fields of `DescribeServices` this check reads (AWS CLI / SDK JSON). */
export interface DescribeServicesResponse {
  readonly services?: readonly EcsServiceDescription[];
  readonly failures?: readonly { readonly arn?: string; readonly reason?: string }[];
}

export interface EcsServiceDescription {
  readonly serviceName?: string;
  readonly status?: string;
  readonly taskDefinition?: string;
  readonly deployments?: readonly EcsDeployment[];
  readonly events?: readonly { readonly createdAt?: string | number; readonly message?: string }[];
}

export interface EcsDeployment {
  readonly id?: string;
  /** PRIMARY (the one the service converges to), ACTIVE (draining) or INACTIVE. */
  readonly status?: string;
  readonly taskDefinition?: string;
  readonly desiredCount?: number;
  readonly runningCount?: number;
  readonly failedTasks?: number;
  /** COMPLETED, FAILED or IN_PROGRESS (only services with the ECS deployment controller). */
  readonly rolloutState?: string;
  readonly rolloutStateReason?: string;
}

export interface EcsApi {
  describeService(cluster: string, service: string): Promise<DescribeServicesResponse>;
}

/** What one read of the service says about the release. */
export type EcsRolloutVerdict =
  | { readonly kind: "completed"; readonly detail: string }
  /** Still rolling: read again. */
  | { readonly kind: "inProgress"; readonly detail: string }
  /** The circuit breaker (or anyone) made another task definition primary: the release did not happen. */
  | { readonly kind: "rolledBack"; readonly detail: string }
  /** The service is missing, or the new deployment failed without a rollback. */
  | { readonly kind: "failed"; readonly detail: string };

/** Events whose message tells why a deployment failed or was rolled back. */
const TELLING_EVENT = /circuit breaker|rolling back|rolled back|failed|unable|unhealthy/i;

/** The newest telling event messages, newest first, for the error message. */
function tellingEvents(service: EcsServiceDescription, limit = 3): string[] {
  return [...(service.events ?? [])]
    .filter((e) => e.message && TELLING_EVENT.test(e.message))
    .sort((a, b) => Number(new Date(b.createdAt ?? 0)) - Number(new Date(a.createdAt ?? 0)))
    .slice(0, limit)
    .map((e) => e.message as string);
}

const revision = (arn: string | undefined) => arn?.split("/").pop() ?? "no task definition";

/**
 * Judges one `DescribeServices` answer against the task definition the stack recorded:
 * completed only when the PRIMARY deployment runs it with rollout state COMPLETED.
 */
export function judgeEcsRollout(
  expectedTaskDefinition: string,
  response: DescribeServicesResponse,
): EcsRolloutVerdict {
  const service = response.services?.[0];
  if (!service || service.status === "INACTIVE" || service.status === "DRAINING") {
    const why = response.failures?.[0]?.reason ?? service?.status ?? "not found";
    return { kind: "failed", detail: `the ECS service is not running (${why})` };
  }
  const deployments = service.deployments ?? [];
  const primary = deployments.find((d) => d.status === "PRIMARY");
  const events = tellingEvents(service);
  const context = events.length ? `; latest events: ${events.join(" | ")}` : "";
  if (!primary) return { kind: "failed", detail: `the service has no PRIMARY deployment${context}` };
  const expected = revision(expectedTaskDefinition);
  if (primary.taskDefinition !== expectedTaskDefinition) {
    const failed = deployments.find(
      (d) => d.taskDefinition === expectedTaskDefinition && d.rolloutState === "FAILED",
    );
    return {
      kind: "rolledBack",
      detail:
        `the deployment circuit breaker rolled ${expected} back: the primary deployment runs ` +
        `${revision(primary.taskDefinition)} (${primary.rolloutState ?? "no rollout state"})` +
        (failed?.rolloutStateReason ? `; ${failed.rolloutStateReason}` : "") +
        context,
    };
  }
  const counts = `${primary.runningCount ?? 0}/${primary.desiredCount ?? 0} tasks running`;
  switch (primary.rolloutState) {
    case "COMPLETED":
      return { kind: "completed", detail: `${expected} completed, ${counts}` };
    case "IN_PROGRESS":
      return {
        kind: "inProgress",
        detail: `${expected} in progress, ${counts}, ${primary.failedTasks ?? 0} failed tasks`,
      };
    case "FAILED":
      return {
        kind: "failed",
        detail: `${expected} failed: ${primary.rolloutStateReason ?? "no reason given"}${context}`,
      };
    default:
      // The ECS deployment controller always reports a rollout state; anything else is not ours.
      return {
        kind: "failed",
        detail: `${expected} has rollout state ${JSON.stringify(primary.rolloutState)}; the service must use the ECS deployment controller`,
      };
  }
}

/** Thrown when the circuit breaker rolled the release back. */
export class EcsRolledBack extends Error {
  constructor(message: string) {
    super(message);
    this.name = "EcsRolledBack";
  }
}

export interface EcsRolloutPolicy {
  /** Pause between reads while the rollout is in progress, ms. @default 10000 */
  readonly intervalMs: number;
  /** Give up this long after the first read, ms. @default 600000 (a stuck rollout) */
  readonly deadlineMs: number;
}

export const DEFAULT_ECS_ROLLOUT: EcsRolloutPolicy = { intervalMs: 10_000, deadlineMs: 600_000 };

/** Where the service is and what it must run. */
export interface EcsRolloutTarget {
  readonly cluster: string;
  readonly service: string;
  readonly taskDefinition: string;
}

/**
 * Reads the service until its rollout is judged: resolves when completed; rejects with
 * `EcsRolledBack` on a rollback, and with an Error when it failed or is still in progress at the
 * deadline (a stuck rollout).
 */
export async function verifyEcsRollout(
  api: EcsApi,
  target: EcsRolloutTarget,
  policy: EcsRolloutPolicy = DEFAULT_ECS_ROLLOUT,
  clock: Clock = systemClock,
): Promise<string> {
  const start = clock.now();
  for (;;) {
    const verdict = judgeEcsRollout(
      target.taskDefinition,
      await api.describeService(target.cluster, target.service),
    );
    const where = `ECS service ${target.service}`;
    if (verdict.kind === "completed") return `${where}: ${verdict.detail}`;
    if (verdict.kind === "rolledBack") throw new EcsRolledBack(`${where}: ${verdict.detail}`);
    if (verdict.kind === "failed") throw new Error(`${where}: ${verdict.detail}`);
    if (clock.now() - start + policy.intervalMs > policy.deadlineMs)
      throw new Error(`${where} is stuck: still ${verdict.detail} after ${policy.deadlineMs / 1000} s`);
    await clock.sleep(policy.intervalMs);
  }
}

/** `aws ecs describe-services` with the job's credentials and region. */
export const awsCliEcsApi: EcsApi = {
  async describeService(cluster, service) {
    const out = await runCommand("aws", [
      "ecs",
      "describe-services",
      "--cluster",
      cluster,
      "--services",
      service,
      "--output",
      "json",
    ]);
    return JSON.parse(out) as DescribeServicesResponse;
  },
};
