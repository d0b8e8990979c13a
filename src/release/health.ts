/**
 * The health gate: poll a URL until it has answered healthy enough times in a row, or fail when
 * the deadline passes first. Time is injected so tests don't wait.
 */
import { HEALTH_GATE_MINUTES } from "../config/release-limits";

/** One answer of the service. */
export interface ProbeResult {
  readonly healthy: boolean;
  /** What was seen, for the error message: `200`, `503`, `ECONNREFUSED`, … */
  readonly detail: string;
}

export interface HealthProber {
  /** One request; `headers` go with it (the blue/green test rule matches one). */
  probe(url: string, timeoutMs: number, headers?: Readonly<Record<string, string>>): Promise<ProbeResult>;
}

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export interface GatePolicy {
  /** Consecutive healthy answers that pass the gate. @default 5 */
  readonly passes: number;
  /** Pause between probes, ms. @default 2000 */
  readonly intervalMs: number;
  /** Give up this long after the first probe, ms. @default 120000 */
  readonly deadlineMs: number;
  /** One probe's own time limit, ms. @default 5000 */
  readonly probeTimeoutMs: number;
}

export const DEFAULT_GATE: GatePolicy = {
  passes: 5,
  intervalMs: 2000,
  deadlineMs: HEALTH_GATE_MINUTES * 60_000,
  probeTimeoutMs: 5000,
};

/** Any 2xx is healthy; redirects are not followed (a health endpoint answers itself). */
export const httpProber: HealthProber = {
  async probe(url, timeoutMs, headers) {
    try {
      const res = await fetch(url, {
        redirect: "manual",
        signal: AbortSignal.timeout(timeoutMs),
        ...(headers ? { headers: { ...headers } } : {}),
      });
      await res.body?.cancel();
      return { healthy: res.status >= 200 && res.status < 300, detail: String(res.status) };
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code;
      return { healthy: false, detail: cause ?? (err instanceof Error ? err.name : String(err)) };
    }
  },
};

/**
 * Resolves once `policy.passes` probes in a row were healthy; an unhealthy answer starts the count
 * again. Rejects when the deadline passes first, naming the URL and the last answer.
 */
export async function waitHealthy(
  url: string,
  prober: HealthProber,
  policy: GatePolicy = DEFAULT_GATE,
  clock: Clock = systemClock,
  headers?: Readonly<Record<string, string>>,
): Promise<void> {
  const start = clock.now();
  let inARow = 0;
  let last: ProbeResult | undefined;
  for (;;) {
    last = await prober.probe(url, policy.probeTimeoutMs, headers);
    inARow = last.healthy ? inARow + 1 : 0;
    if (inARow >= policy.passes) return;
    if (clock.now() - start + policy.intervalMs > policy.deadlineMs) break;
    await clock.sleep(policy.intervalMs);
  }
  throw new Error(
    `${url} was not healthy ${policy.passes} times in a row within ${policy.deadlineMs} ms ` +
      `(${inARow} in a row at the end; last answer ${last.detail})`,
  );
}
