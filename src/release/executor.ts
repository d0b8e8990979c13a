/**
 * Executes release plans (src/release/plan.ts) against a stack: each apply step writes the pins as
 * stack config and runs `pulumi up`; each gate waits for the service to answer healthy. The last
 * good release is recorded before the first change, and a failed step re-applies it.
 *
 * Everything outside this process comes in through small interfaces (the Pulumi CLI, a health
 * prober, a port-forwarder, a clock), so the order of operations is tested by calling these
 * functions; src/release/cli.ts wires in the real ones.
 */
import * as fs from "fs";
import { ServiceConfig, StackConfig } from "../config";
import { Clock, DEFAULT_GATE, GatePolicy, HealthProber, systemClock, waitHealthy } from "./health";
import { planRelease, planRollback, ReleasePins, ReleaseStep } from "./plan";
import { inClusterService, PortForwarder } from "./port-forward";
import { PulumiCli, UpOptions } from "./pulumi-cli";

export interface ReleaseDeps {
  readonly pulumi: PulumiCli;
  readonly prober: HealthProber;
  readonly forwarder: PortForwarder;
  /** @default the system clock */
  readonly clock?: Clock;
  /** @default DEFAULT_GATE (5 healthy answers in a row, 2 s apart, within 2 minutes) */
  readonly gate?: GatePolicy;
  /** Progress lines. @default console.error */
  readonly log?: (line: string) => void;
  /** Policy pack of each `up`. @default `policy` with `policy/config/<stack>.json` */
  readonly policyPack?: (stack: string) => UpOptions;
}

/** The stack being released and its validated configuration. */
export interface ReleaseTarget {
  readonly stack: string;
  readonly config: Pick<StackConfig, "services" | "releases">;
}

/** What deploy writes before its first change and rollback reads. */
export interface ReleaseRecord {
  readonly stack: string;
  readonly service: string;
  /** The pins that ran before the release. */
  readonly lastGood: ReleasePins;
  /** Deploy already re-applied lastGood after a failed step. */
  readonly rolledBack: boolean;
}

/** Release config keys, in the order they are written. */
const PIN_KEYS = ["digest", "activeColor", "idleDigest", "canaryDigest", "canaryWeight"] as const;
/** Keys whose absence means "same as digest": applying pins without them removes them. */
const OPTIONAL_PINS = new Set<keyof ReleasePins>(["idleDigest", "canaryDigest"]);

const DIGEST = /^sha256:[a-f0-9]{64}$/;

const defaultPolicyPack = (stack: string): UpOptions => ({
  policyPack: "policy",
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
 * The pins running now: the committed release config with the digest and colour the stack last
 * deployed (its `releaseDigests` / `activeColors` outputs) carried forward.
 */
export async function currentPins(
  pulumi: PulumiCli,
  target: ReleaseTarget,
  service: string,
): Promise<ReleasePins> {
  const base = target.config.releases[service];
  if (!base) throw new Error(`stack ${target.stack} has no releases.${service} config`);
  const outputs = await pulumi.outputs(target.stack);
  return {
    ...base,
    digest: mapOutput(outputs, "releaseDigests")?.[service] ?? base.digest,
    activeColor: (mapOutput(outputs, "activeColors")?.[service] ??
      base.activeColor) as ReleasePins["activeColor"],
  };
}

/** Writes the pins as `releases.<service>.*` config: each set key, and removes optional keys left unset. */
export async function writePins(
  pulumi: PulumiCli,
  stack: string,
  service: string,
  pins: Partial<ReleasePins>,
  removeUnset = true,
): Promise<void> {
  const set: Record<string, string | number> = {};
  const remove: string[] = [];
  for (const key of PIN_KEYS) {
    const value = pins[key];
    if (value !== undefined) set[`releases.${service}.${key}`] = value;
    else if (removeUnset && OPTIONAL_PINS.has(key)) remove.push(`releases.${service}.${key}`);
  }
  await pulumi.setConfig(stack, set);
  await pulumi.removeConfig(stack, remove);
}

/** Carries every service's running digest and colour from the stack outputs into its config. */
export async function restore(deps: ReleaseDeps, target: ReleaseTarget): Promise<void> {
  const outputs = await deps.pulumi.outputs(target.stack);
  for (const svc of target.config.services) {
    await writePins(
      deps.pulumi,
      target.stack,
      svc.name,
      {
        digest: mapOutput(outputs, "releaseDigests")?.[svc.name],
        activeColor: mapOutput(outputs, "activeColors")?.[svc.name] as ReleasePins["activeColor"],
      },
      false,
    );
  }
}

export interface DeployRequest {
  readonly service: string;
  /** `sha256:…` digest to release. */
  readonly digest: string;
  /** Where the last good release is recorded (the caller's path; rollback reads it). */
  readonly recordPath: string;
}

/**
 * Runs the service's strategy. On a failed step it re-applies the last good release, marks the
 * record rolled back and rethrows. Resolves with the pins the stack runs at the end.
 */
export async function deploy(
  deps: ReleaseDeps,
  target: ReleaseTarget,
  request: DeployRequest,
): Promise<ReleasePins> {
  const svc = serviceOf(target.config, request.service);
  if (!DIGEST.test(request.digest))
    throw new Error(
      `--digest ${JSON.stringify(request.digest)} is not a sha256 digest (sha256: and 64 hex digits)`,
    );
  const lastGood = await currentPins(deps.pulumi, target, svc.name);
  const record: ReleaseRecord = { stack: target.stack, service: svc.name, lastGood, rolledBack: false };
  writeRecord(request.recordPath, record);

  const plan = planRelease(svc.strategy, lastGood, request.digest);
  let running = lastGood;
  try {
    for (const step of plan) {
      await runStep(deps, target, svc, step);
      if (step.kind === "apply") running = step.pins;
    }
    return running;
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    log(deps)(`✗ ${why}`);
    try {
      for (const step of planRollback(lastGood)) await runStep(deps, target, svc, step);
    } catch (rollbackErr) {
      throw new Error(
        `release of ${svc.name} failed (${why}) and re-applying the last good release failed too: ${
          rollbackErr instanceof Error ? rollbackErr.message : String(rollbackErr)
        }`,
      );
    }
    writeRecord(request.recordPath, { ...record, rolledBack: true });
    throw new Error(`release of ${svc.name} failed and was rolled back: ${why}`);
  }
}

export interface RollbackRequest {
  readonly service: string;
  readonly recordPath: string;
}

/** Re-applies the recorded last good release, unless deploy already did. */
export async function rollback(
  deps: ReleaseDeps,
  target: ReleaseTarget,
  request: RollbackRequest,
): Promise<void> {
  const svc = serviceOf(target.config, request.service);
  const record = readRecord(request.recordPath);
  if (record.stack !== target.stack || record.service !== svc.name)
    throw new Error(
      `${request.recordPath} records ${record.service} on ${record.stack}, not ${svc.name} on ${target.stack}`,
    );
  if (record.rolledBack) {
    log(deps)(`• ${svc.name} was already rolled back by deploy; nothing to do`);
    return;
  }
  for (const step of planRollback(record.lastGood)) await runStep(deps, target, svc, step);
  writeRecord(request.recordPath, { ...record, rolledBack: true });
}

const log = (deps: ReleaseDeps) => deps.log ?? ((line: string) => console.error(line));

async function runStep(deps: ReleaseDeps, target: ReleaseTarget, svc: ServiceConfig, step: ReleaseStep) {
  log(deps)(`• ${step.why}`);
  if (step.kind === "apply") {
    await writePins(deps.pulumi, target.stack, svc.name, step.pins);
    await deps.pulumi.up(target.stack, (deps.policyPack ?? defaultPolicyPack)(target.stack));
  } else {
    await gate(deps, target.stack, svc, step.target);
  }
}

/** Health-checks the service (or its preview Service) through a port-forward when it is in-cluster. */
async function gate(deps: ReleaseDeps, stack: string, svc: ServiceConfig, target: "service" | "preview") {
  const outputs = await deps.pulumi.outputs(stack);
  const url = mapOutput(outputs, target === "preview" ? "previewUrls" : "serviceUrls")?.[svc.name];
  if (!url) throw new Error(`stack ${stack} has no ${target} URL for ${svc.name}`);
  const check = (base: string) =>
    waitHealthy(
      `${base.replace(/\/$/, "")}${svc.healthPath}`,
      deps.prober,
      deps.gate ?? DEFAULT_GATE,
      deps.clock ?? systemClock,
    );
  const ref = inClusterService(url);
  if (!ref) return check(url);
  const kubeconfig = await deps.pulumi.secretOutput(stack, "kubeconfig");
  if (kubeconfig === undefined || kubeconfig === null)
    throw new Error(`stack ${stack} has no kubeconfig output to reach ${url}`);
  const forward = await deps.forwarder.open(
    ref,
    typeof kubeconfig === "string" ? kubeconfig : JSON.stringify(kubeconfig),
  );
  try {
    await check(forward.url);
  } finally {
    await forward.close();
  }
}

export function writeRecord(file: string, record: ReleaseRecord): void {
  fs.writeFileSync(file, JSON.stringify(record, null, 2) + "\n", { mode: 0o600 });
}

export function readRecord(file: string): ReleaseRecord {
  if (!fs.existsSync(file))
    throw new Error(
      `no release record at ${file}: deploy writes it before its first change, so none means deploy changed nothing`,
    );
  const record = JSON.parse(fs.readFileSync(file, "utf8")) as Partial<ReleaseRecord>;
  if (
    typeof record.stack !== "string" ||
    typeof record.service !== "string" ||
    typeof record.lastGood?.digest !== "string"
  )
    throw new Error(`${file} is not a release record (stack, service, lastGood.digest)`);
  return {
    stack: record.stack,
    service: record.service,
    lastGood: record.lastGood,
    rolledBack: record.rolledBack === true,
  };
}
