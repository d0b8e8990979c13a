/**
 * How a release moves a service, as data: the sequence of config changes (each followed by
 * `pulumi up`) and health gates for its strategy, and the change that restores the last good
 * release. src/release/executor.ts executes plans; tests check them.
 */
import { ReleasePins, ReleaseState } from "./state";

export { ReleasePins } from "./state";

export type ReleaseStep =
  | { kind: "apply"; pins: ReleasePins; why: string }
  /**
   * Health checks through the named target before going on; with `watch`, then the metric gate
   * (src/operations/metric-gate.ts): the service's real error rate and latency for a window.
   */
  | { kind: "gate"; target: "service" | "preview"; why: string; watch?: true };

export type StrategySpec = { type: "rolling" } | { type: "blueGreen" } | { type: "canary"; steps: number[] };

/**
 * The steps of releasing `digest` from `current`. A service never released (`current`
 * undefined) is created at the digest — both colours for blueGreen, the stable track for canary —
 * and smoke-tested: there is no old version to shift traffic from.
 */
export function planRelease(
  strategy: StrategySpec,
  current: ReleasePins | undefined,
  digest: string,
): ReleaseStep[] {
  if (!current)
    return [
      { kind: "apply", pins: { digest }, why: `first release: create the workload at ${digest}` },
      { kind: "gate", target: "service", why: "smoke-test the new service" },
    ];
  switch (strategy.type) {
    case "rolling":
      return [
        {
          kind: "apply",
          pins: { ...current, digest },
          why: "roll the Deployment / ECS service to the new digest",
        },
        // Every Pod or task runs the new digest now: its error rate and latency are the release's,
        // and a regression rolls it back like a canary step's.
        {
          kind: "gate",
          target: "service",
          why: "smoke-test the service, then watch its error rate and latency",
          watch: true,
        },
      ];
    case "blueGreen": {
      const active = current.activeColor ?? "blue";
      const idle = active === "blue" ? "green" : "blue";
      return [
        { kind: "apply", pins: { ...current, idleDigest: digest }, why: `deploy the idle colour (${idle})` },
        { kind: "gate", target: "preview", why: `smoke-test ${idle} through its preview Service` },
        {
          kind: "apply",
          pins: { ...current, activeColor: idle, digest, idleDigest: current.digest },
          why: `flip the Service to ${idle}; ${active} keeps the previous release`,
        },
        {
          kind: "gate",
          target: "service",
          why: "smoke-test the service after the flip, then watch its error rate and latency",
          watch: true,
        },
      ];
    }
    case "canary":
      return [
        ...strategy.steps
          .filter((w) => w < 100)
          .flatMap((weight): ReleaseStep[] => [
            {
              kind: "apply",
              pins: { ...current, canaryDigest: digest, canaryWeight: weight },
              why: `shift ${weight}% to the canary`,
            },
            {
              kind: "gate",
              target: "service",
              why: `hold at ${weight}%: check health, then watch error rate and latency`,
              watch: true,
            },
          ]),
        {
          kind: "apply",
          pins: { ...current, digest, canaryDigest: digest, canaryWeight: 0 },
          why: "promote: the stable track runs the new digest",
        },
        { kind: "gate", target: "service", why: "smoke-test after promotion" },
      ];
  }
}

/**
 * Back to what ran before the last change (`rollback --to previous`): the recorded previous pins,
 * then a smoke test. What runs now becomes the previous release, so a second rollback undoes it.
 */
export function planRollback(current: ReleaseState): ReleaseStep[] {
  if (!current.previous) throw new Error("no previous release is recorded");
  return [
    {
      kind: "apply",
      pins: current.previous,
      why: `re-apply the previous release (${current.previous.digest})`,
    },
    { kind: "gate", target: "service", why: "smoke-test the service" },
  ];
}
