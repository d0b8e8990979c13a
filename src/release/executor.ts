/**
 * Executes release plans (src/release/plan.ts) against a stack: each apply step writes every
 * service's release as stack config — the others exactly as the stack recorded them (see
 * src/release/state.ts), the released one with what ran before as `previous` — and runs
 * `pulumi up`; each gate waits for the service to answer healthy. A failed step restores the
 * service's recorded release.
 *
 * Everything outside this process comes in through small interfaces (the Pulumi CLI, a health
 * prober, a port-forwarder, a clock), so the order of operations is tested by calling these
 * functions; src/release/cli.ts wires in the real ones.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import { POLICY_PACK_DIR } from "../lib/policy-pack";
import { own } from "../lib/own";
import { ServiceConfig, StackConfig } from "../config";
import {
  DEFAULT_ECS_ROLLOUT,
  EcsApi,
  EcsRolledBack,
  EcsRolloutPolicy,
  verifyEcsRollout,
} from "./ecs-rollout";
import { driveBlueGreen, EcsDeploymentsApi } from "./ecs-bluegreen";
import { TEST_TRAFFIC_HEADER } from "../components/aws/ecs-service";
import { DEFAULT_BAKE_MINUTES } from "../config/schema";
import { isEcsBlueGreen } from "../config/applications";
import { Clock, DEFAULT_GATE, GatePolicy, HealthProber, systemClock, waitHealthy } from "./health";
import { GateReport } from "../operations/metric-gate";
import { planRelease, planRollback, ReleaseStep, StrategySpec } from "./plan";
import { inClusterService, PortForwarder } from "./port-forward";
import { PulumiCli, UpOptions } from "./pulumi-cli";
import {
  parseReleasesOutput,
  PIN_KEYS,
  ReleasePins,
  releasesOutput,
  ReleaseState,
  pinStrategyOf,
  strategyPins,
} from "./state";

export interface ReleaseDeps {
  readonly pulumi: PulumiCli;
  readonly prober: HealthProber;
  readonly forwarder: PortForwarder;
  /** Reads ECS services after each update of an ECS service; releasing one without it is refused. */
  readonly ecs?: EcsApi;
  /** @default DEFAULT_ECS_ROLLOUT (a read every 10 s, stuck after 10 minutes) */
  readonly ecsRollout?: EcsRolloutPolicy;
  /** Drives ECS blue/green deployments through their pause; releasing such a service without it is refused. */
  readonly ecsDeployments?: EcsDeploymentsApi;
  /** @default the system clock */
  readonly clock?: Clock;
  /** @default DEFAULT_GATE (5 healthy answers in a row, 2 s apart, within 2 minutes) */
  readonly gate?: GatePolicy;
  /**
   * The metric gate after each canary step and blue/green flip (src/operations/gate.ts): watches
   * the service's real error rate and latency and reports. @default none (health checks only)
   */
  readonly metricGate?: (stack: string, svc: ServiceConfig) => Promise<GateReport>;
  /** Every metric gate's report, for the job summary and Slack. @default none */
  readonly onGateReport?: (service: string, step: string, report: GateReport) => void;
  /**
   * Runs a service's `postDeploy` command (bash, the environment given, killed at the timeout);
   * rejects when it fails. @default bash in `APPLICATION_DIR` (else this process's working directory), output to stderr
   */
  readonly runCheck?: (
    command: string,
    env: Readonly<Record<string, string>>,
    timeoutMs: number,
  ) => Promise<void>;
  /** Progress lines. @default console.error */
  readonly log?: (line: string) => void;
  /** Policy pack of each `up`. @default `policy` with `policy/config/<stack>.json` */
  readonly policyPack?: (stack: string) => UpOptions;
}

/** The stack being released and its validated configuration. */
export interface ReleaseTarget {
  readonly stack: string;
  /**
   * `kubernetes.kubeconfig` names the kubeconfig of a cluster the stack did not create (the local
   * stack): the gates reach in-cluster Services with it when the stack has no `kubeconfig` output.
   */
  readonly config: Pick<StackConfig, "services" | "releases"> & {
    readonly kubernetes?: { readonly kubeconfig?: string };
  };
}

const DIGEST = /^sha256:[a-f0-9]{64}$/;

const defaultPolicyPack = (stack: string): UpOptions => ({
  policyPack: POLICY_PACK_DIR,
  policyPackConfig: `policy/config/${stack}.json`,
});

type OutputMap = Record<string, string> | undefined;
const mapOutput = (outputs: Record<string, unknown>, name: string): OutputMap =>
  (outputs[name] ?? undefined) as OutputMap;

function serviceOf(config: ReleaseTarget["config"], name: string | undefined): ServiceConfig {
  const svc = config.services.find((s) => s.name === name);
  if (!svc)
    throw new Error(
      `unknown service ${JSON.stringify(name)}; configured: ${config.services.map((s) => s.name).join(", ") || "none"}`,
    );
  return svc;
}

/**
 * The release every service runs, as the stack recorded it (its `releases` output). A service the
 * stack has never deployed starts from its committed `releases` config; a stack deployed before
 * the `releases` output existed carries its `releaseDigests` / `activeColors` forward.
 */
export async function recordedReleases(
  pulumi: PulumiCli,
  target: ReleaseTarget,
): Promise<Record<string, ReleaseState>> {
  const outputs = await pulumi.outputs(target.stack);
  const recorded = parseReleasesOutput(outputs.releases);
  const seeded = releasesOutput(target.config.services, target.config.releases);
  const out: Record<string, ReleaseState> = {};
  for (const svc of target.config.services) {
    const legacyDigest = own(mapOutput(outputs, "releaseDigests"), svc.name);
    const legacyColor = own(mapOutput(outputs, "activeColors"), svc.name) as ReleasePins["activeColor"];
    const state =
      own(recorded, svc.name) ??
      (legacyDigest
        ? strategyPins(pinStrategyOf(svc), {
            ...own(seeded, svc.name),
            digest: legacyDigest,
            activeColor: legacyColor ?? own(seeded, svc.name)?.activeColor,
          })
        : own(seeded, svc.name));
    if (state) out[svc.name] = state;
  }
  return out;
}

/** `releases.<service>.<key>` and `releases.<service>.previous.<key>` config for one service's state. */
function releaseConfig(service: string, state: ReleaseState) {
  const set: Record<string, string | number> = {};
  const remove: string[] = [];
  for (const [prefix, pins] of [
    [`releases.${service}`, state],
    [`releases.${service}.previous`, state.previous],
  ] as const) {
    if (!pins) continue;
    for (const key of PIN_KEYS) {
      const value = pins[key];
      if (value !== undefined) set[`${prefix}.${key}`] = value;
      else remove.push(`${prefix}.${key}`);
    }
  }
  if (!state.previous) remove.push(`releases.${service}.previous`);
  return { set, remove };
}

/**
 * Writes every service's release into the stack config `pulumi up` deploys: each key the state
 * has, and removes each it lacks (and the whole release of each `unreleased` service the record
 * lacks), so config says exactly what the record says.
 */
export async function writeReleases(
  pulumi: PulumiCli,
  stack: string,
  states: Readonly<Record<string, ReleaseState>>,
  unreleased: readonly string[] = [],
): Promise<void> {
  const set: Record<string, string | number> = {};
  // A service never released has no release config at all: `up` creates no workload for it.
  const remove: string[] = unreleased.filter((s) => !own(states, s)).map((s) => `releases.${s}`);
  for (const [service, state] of Object.entries(states)) {
    const one = releaseConfig(service, state);
    Object.assign(set, one.set);
    remove.push(...one.remove);
  }
  await pulumi.setConfig(stack, set);
  await pulumi.removeConfig(stack, remove);
}

/** Carries every service's recorded release into the stack config (infra-up runs this before `up`). */
export async function restore(deps: ReleaseDeps, target: ReleaseTarget): Promise<void> {
  await writeReleases(
    deps.pulumi,
    target.stack,
    await recordedReleases(deps.pulumi, target),
    serviceNames(target),
  );
}

const serviceNames = (target: ReleaseTarget) => target.config.services.map((s) => s.name);

export interface DeployRequest {
  readonly service: string;
  /** `sha256:…` digest to release. */
  readonly digest: string;
}

const pinsOf = ({ previous: _previous, ...pins }: ReleaseState): ReleasePins => pins;
const withoutPrevious = (state: ReleaseState | undefined): ReleasePins | undefined =>
  state ? pinsOf(state) : undefined;

/**
 * Runs the service's strategy — or, for a service never released (being onboarded), creates its
 * workload at the digest. Every other service keeps its recorded release; this one records
 * what ran before as `previous` from the first change on. On a failed step the service's recorded
 * release is re-applied exactly as it was, and the error is rethrown. Resolves with the release
 * the stack runs at the end.
 */
export async function deploy(
  deps: ReleaseDeps,
  target: ReleaseTarget,
  request: DeployRequest,
): Promise<ReleaseState> {
  const svc = serviceOf(target.config, request.service);
  if (!DIGEST.test(request.digest))
    throw new Error(
      `--digest ${JSON.stringify(request.digest)} is not a sha256 digest (sha256: and 64 hex digits)`,
    );
  const states = await recordedReleases(deps.pulumi, target);
  const current = own(states, svc.name);
  const plan = planRelease(planStrategyOf(svc), current, request.digest);
  return runPlan(deps, target, svc, states, plan, withoutPrevious(current), { postDeploy: true });
}

export interface RollbackRequest {
  readonly service: string;
  /** `previous`, or a `sha256:…` digest to redeploy through the service's strategy. */
  readonly to: string;
}

/**
 * On demand: `previous` re-applies what ran before the service's last change (and records what
 * runs now as its previous); a digest is redeployed through the service's strategy. Other
 * services keep their recorded releases; a failed step restores this one as it was.
 */
export async function rollback(
  deps: ReleaseDeps,
  target: ReleaseTarget,
  request: RollbackRequest,
): Promise<ReleaseState> {
  const svc = serviceOf(target.config, request.service);
  if (request.to !== "previous") {
    if (!DIGEST.test(request.to))
      throw new Error(
        `--to ${JSON.stringify(request.to)} is neither "previous" nor a sha256 digest (sha256: and 64 hex digits)`,
      );
    return deploy(deps, target, { service: svc.name, digest: request.to });
  }
  const states = await recordedReleases(deps.pulumi, target);
  const current = own(states, svc.name);
  if (!current)
    throw new Error(
      `${svc.name} on ${target.stack} has never been released: there is nothing to roll back to; deploy a digest first`,
    );
  if (!current.previous)
    throw new Error(
      `${svc.name} on ${target.stack} has no previous release recorded: it has run ${current.digest} since the stack first recorded it; redeploy a chosen digest with --to sha256:…`,
    );
  return runPlan(deps, target, svc, states, planRollback(current), withoutPrevious(current));
}

/**
 * Applies a plan to one service: each apply writes every service's release (the others as
 * recorded, this one with `previous`) and runs `pulumi up`; each gate waits for health. A failure
 * restores the service's release as it was before the plan and rethrows.
 */
async function runPlan(
  deps: ReleaseDeps,
  target: ReleaseTarget,
  svc: ServiceConfig,
  states: Readonly<Record<string, ReleaseState>>,
  plan: ReleaseStep[],
  previous: ReleasePins | undefined,
  options: { postDeploy?: boolean } = {},
): Promise<ReleaseState> {
  const before = own(states, svc.name);
  let running: ReleaseState | undefined = before;
  try {
    for (const step of plan) {
      log(deps)(`• ${step.why}`);
      if (step.kind === "gate") {
        await gate(deps, target, svc, step.target);
        if (step.watch && deps.metricGate) await watchMetrics(deps, target.stack, svc, step.why);
        continue;
      }
      running = { ...strategyPins(pinStrategyOf(svc), step.pins), ...(previous ? { previous } : {}) };
      const since = new Date((deps.clock ?? systemClock).now());
      await apply(deps, target, { ...states, [svc.name]: running });
      if (svc.target === "ecs") await verifyEcs(deps, target, svc, since);
    }
    if (!running) throw new Error(`the plan for ${svc.name} applies nothing`);
    if (options.postDeploy && svc.postDeploy) await postDeployChecks(deps, target, svc, svc.postDeploy);
    return running;
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    const rolledBackBy: ReleaseFailure["rolledBackBy"] =
      err instanceof EcsRolledBack ? "circuitBreaker" : "executor";
    log(deps)(`✗ ${why}`);
    log(deps)(
      before
        ? `• restore ${svc.name} as it was (${before.digest})`
        : `• remove ${svc.name} again: it had never been released`,
    );
    try {
      await apply(deps, target, states);
    } catch (restoreErr) {
      throw new Error(
        `release of ${svc.name} failed (${why}) and restoring its release failed too: ${
          restoreErr instanceof Error ? restoreErr.message : String(restoreErr)
        }; the stack records ${running?.digest ?? "no release"} with previous ${previous?.digest ?? "none"}: run the rollback workflow with "previous"`,
      );
    }
    throw new ReleaseFailure(`release of ${svc.name} failed and was rolled back: ${why}`, rolledBackBy);
  }
}

/**
 * A release that failed and was rolled back: by the ECS deployment circuit breaker (the stack
 * was then restored to match) or after a failed step or gate.
 */
export class ReleaseFailure extends Error {
  constructor(
    message: string,
    readonly rolledBackBy: "circuitBreaker" | "executor",
  ) {
    super(message);
    this.name = "ReleaseFailure";
  }
}

/**
 * The metric gate of one step: the report goes to the log and to `onGateReport` whatever it says;
 * a failed one throws, and the plan's catch rolls the service back.
 */
async function watchMetrics(deps: ReleaseDeps, stack: string, svc: ServiceConfig, step: string) {
  const report = await deps.metricGate!(stack, svc);
  log(deps)(`${report.passed ? "✓" : "✗"} metric gate, ${report.source}: ${report.summary}`);
  deps.onGateReport?.(svc.name, step, report);
  if (!report.passed) throw new Error(`metric gate (${report.source}): ${report.summary}`);
}

/**
 * After an update of an ECS service: its PRIMARY deployment must run the task definition the
 * stack now records, rollout COMPLETED (see ecs-rollout.ts); `waitForSteadyState` alone passes a
 * circuit-breaker rollback.
 */
async function verifyEcs(
  deps: ReleaseDeps,
  release: ReleaseTarget,
  svc: ServiceConfig,
  since: Date,
): Promise<void> {
  const stack = release.stack;
  const outputs = await deps.pulumi.outputs(stack);
  const cluster = outputs.ecsClusterArn;
  const taskDefinition = own(mapOutput(outputs, "taskDefinitionArns"), svc.name);
  if (typeof cluster !== "string" || !taskDefinition)
    throw new Error(`stack ${stack} records no ECS cluster or task definition for ${svc.name}`);
  if (svc.strategy.type === "blueGreen") {
    if (!deps.ecsDeployments)
      throw new Error(
        `${svc.name} deploys blue/green on ECS, and this executor has no ECS deployments API to drive it`,
      );
    const bake = svc.strategy.bakeMinutes ?? DEFAULT_BAKE_MINUTES;
    const done = await driveBlueGreen(
      deps.ecsDeployments,
      { cluster, service: svc.name, since },
      () => gate(deps, release, svc, "service", { [TEST_TRAFFIC_HEADER.name]: TEST_TRAFFIC_HEADER.value }),
      {
        intervalMs: deps.ecsRollout?.intervalMs ?? DEFAULT_ECS_ROLLOUT.intervalMs,
        // ECS's own minutes (as for a rolling update) and the bake it waits out.
        deadlineMs: (deps.ecsRollout?.deadlineMs ?? DEFAULT_ECS_ROLLOUT.deadlineMs) + bake * 60_000,
      },
      deps.clock ?? systemClock,
      log(deps),
    );
    log(deps)(`✓ ${done}`);
    return;
  }
  if (!deps.ecs)
    throw new Error(`${svc.name} runs on ECS, and this executor has no ECS API to verify its rollout`);
  const done = await verifyEcsRollout(
    deps.ecs,
    { cluster, service: svc.name, taskDefinition },
    deps.ecsRollout ?? DEFAULT_ECS_ROLLOUT,
    deps.clock ?? systemClock,
  );
  log(deps)(`✓ ${done}`);
}

async function apply(
  deps: ReleaseDeps,
  target: ReleaseTarget,
  states: Readonly<Record<string, ReleaseState>>,
) {
  await writeReleases(deps.pulumi, target.stack, states, serviceNames(target));
  await deps.pulumi.up(target.stack, (deps.policyPack ?? defaultPolicyPack)(target.stack));
}

const log = (deps: ReleaseDeps) => deps.log ?? ((line: string) => console.error(line));

/** Health-checks the service (or its preview Service) through a port-forward when it is in-cluster. */
async function gate(
  deps: ReleaseDeps,
  release: ReleaseTarget,
  svc: ServiceConfig,
  target: "service" | "preview",
  headers?: Readonly<Record<string, string>>,
) {
  await reach(deps, release, svc, target, (base) =>
    waitHealthy(
      `${base.replace(/\/$/, "")}${svc.healthPath}`,
      deps.prober,
      deps.gate ?? DEFAULT_GATE,
      deps.clock ?? systemClock,
      headers,
    ),
  );
}

/**
 * The plan a service's release follows: its strategy's, except ECS's own blue/green, which is one
 * update the executor drives through ECS's pause (ecs-bluegreen.ts) and records as a rolling
 * release does (ECS, not the stack, knows which colour serves).
 */
export function planStrategyOf(svc: Pick<ServiceConfig, "strategy" | "target">): StrategySpec {
  if (isEcsBlueGreen(svc)) return { type: "rolling" };
  return svc.strategy;
}

/** The team's post-deploy command against the released service; its failure fails the release. */
async function postDeployChecks(
  deps: ReleaseDeps,
  release: ReleaseTarget,
  svc: ServiceConfig,
  check: NonNullable<ServiceConfig["postDeploy"]>,
) {
  log(deps)(`• run ${svc.name}'s post-deploy checks: ${check.command}`);
  await reach(deps, release, svc, "service", (url) =>
    (deps.runCheck ?? bashCheck)(
      check.command,
      { SERVICE_URL: url.replace(/\/$/, ""), SERVICE: svc.name, STACK: release.stack },
      check.timeoutSeconds * 1000,
    ),
  );
  log(deps)(`✓ ${svc.name}'s post-deploy checks passed`);
}

/** `bash -c command` with the job's environment and `env`, output to stderr, killed at the timeout. */
export function bashCheck(
  command: string,
  env: Readonly<Record<string, string>>,
  timeoutMs: number,
): Promise<void> {
  return new Promise((resolve, reject) => {
    // In the application's checkout: beside the executor when an application's repository called
    // the deploy (deploy-service.yml sets APPLICATION_DIR), else this directory.
    const child = spawn("bash", ["-c", command], {
      cwd: process.env.APPLICATION_DIR || undefined,
      env: { ...process.env, ...env },
      stdio: ["ignore", process.stderr, process.stderr],
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else
        reject(
          new Error(
            signal === "SIGKILL"
              ? `post-deploy checks did not finish within ${timeoutMs / 1000} s`
              : `post-deploy checks exited ${code ?? signal}`,
          ),
        );
    });
  });
}

/**
 * Calls `use` with a URL of the service (or its preview Service) this job can reach: the URL
 * itself, or a port-forward to it when it is in-cluster, closed afterwards.
 */
async function reach(
  deps: ReleaseDeps,
  release: ReleaseTarget,
  svc: ServiceConfig,
  target: "service" | "preview",
  use: (url: string) => Promise<void>,
) {
  const stack = release.stack;
  const outputs = await deps.pulumi.outputs(stack);
  const url = own(mapOutput(outputs, target === "preview" ? "previewUrls" : "serviceUrls"), svc.name);
  if (!url) throw new Error(`stack ${stack} has no ${target} URL for ${svc.name}`);
  const ref = inClusterService(url);
  if (!ref) return use(url);
  const kubeconfigFile = release.config.kubernetes?.kubeconfig;
  const kubeconfig =
    (await deps.pulumi.secretOutput(stack, "kubeconfig")) ??
    (kubeconfigFile ? fs.readFileSync(kubeconfigFile, "utf8") : undefined);
  if (kubeconfig === undefined || kubeconfig === null)
    throw new Error(
      `stack ${stack} has no kubeconfig output, and no kubernetes.kubeconfig in its config, to reach ${url}`,
    );
  const forward = await deps.forwarder.open(
    ref,
    typeof kubeconfig === "string" ? kubeconfig : JSON.stringify(kubeconfig),
  );
  try {
    await use(forward.url);
  } finally {
    await forward.close();
  }
}
