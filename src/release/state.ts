/**
 * The running release of every service, as the stack records it.
 *
 * Where it lives: in the stack's own state, as its `releases` output. Every writer (a service's
 * deploy, the tag release, infra-up, a rollback) reads that output for *all* services, writes it
 * into the runner's stack config, changes only its own service and runs `pulumi up`, which
 * records the result in the same place. The state is what the stack actually runs, it is
 * versioned and backed up with the rest of the stack (S3 versioning, `state-backups/`), and only
 * a successful `pulumi up` changes it: a committed file would need a pipeline that pushes to a
 * protected branch, and Pulumi ESC is a hosted service not every backend has. The committed
 * `releases` config only seeds a service the stack has never deployed.
 */
import { isEcsBlueGreen } from "../config/applications";
import { own } from "../lib/own";
import { z } from "zod";
import { RELEASE_PIN_DEFAULTS, ReleaseConfig, ServiceConfig } from "../config";

/** What one release runs: the pins of its strategy. */
export interface ReleasePins {
  readonly digest: string;
  /** blueGreen: colour the main Service selects. */
  readonly activeColor?: "blue" | "green";
  /** blueGreen: what the idle colour runs (the previous release after a flip). */
  readonly idleDigest?: string;
  /** canary: what the canary track runs. */
  readonly canaryDigest?: string;
  /** canary: the canary track's share, percent. */
  readonly canaryWeight?: number;
}

/** A service's recorded release: what runs now and what ran before the last change. */
export interface ReleaseState extends ReleasePins {
  readonly previous?: ReleasePins;
}

const digest = z.string().regex(/^sha256:[a-f0-9]{64}$/);
const pinsSchema = z.strictObject({
  digest,
  activeColor: z.enum(["blue", "green"]).optional(),
  idleDigest: digest.optional(),
  canaryDigest: digest.optional(),
  canaryWeight: z.number().int().min(0).max(100).optional(),
});
const stateSchema = pinsSchema.extend({ previous: pinsSchema.optional() });
const outputSchema = z.record(z.string(), stateSchema);

/** Config keys of a release, in the order the executor writes them. */
export const PIN_KEYS = ["digest", "activeColor", "idleDigest", "canaryDigest", "canaryWeight"] as const;

/** The pins a strategy uses; the others are dropped so the record says only what runs. */
/**
 * The strategy whose pins a service's release records: its own, except ECS's blue/green, which
 * the stack records as a rolling release (ECS, not the stack, knows which colour serves).
 */
export function pinStrategyOf(
  service: Pick<ServiceConfig, "strategy" | "target">,
): ServiceConfig["strategy"]["type"] {
  return isEcsBlueGreen(service) ? "rolling" : service.strategy.type;
}

export function strategyPins(strategy: ServiceConfig["strategy"]["type"], pins: ReleasePins): ReleasePins {
  switch (strategy) {
    case "rolling":
      return { digest: pins.digest };
    case "blueGreen":
      return {
        digest: pins.digest,
        activeColor: pins.activeColor ?? RELEASE_PIN_DEFAULTS.activeColor,
        ...(pins.idleDigest ? { idleDigest: pins.idleDigest } : {}),
      };
    case "canary":
      return {
        digest: pins.digest,
        ...(pins.canaryDigest ? { canaryDigest: pins.canaryDigest } : {}),
        canaryWeight: pins.canaryWeight ?? RELEASE_PIN_DEFAULTS.canaryWeight,
      };
  }
}

/** The `releases` output of a stack: each service's pins of its strategy and what ran before. */
export function releasesOutput(
  services: readonly ServiceConfig[],
  releases: Readonly<Record<string, ReleaseConfig>>,
): Record<string, ReleaseState> {
  const out: Record<string, ReleaseState> = {};
  for (const service of services) {
    const release = own(releases, service.name);
    if (!release) continue;
    const type = pinStrategyOf(service);
    out[service.name] = {
      ...strategyPins(type, release),
      ...(release.previous ? { previous: strategyPins(type, release.previous) } : {}),
    };
  }
  return out;
}

/**
 * Reads a stack's `releases` output. `{}` when the stack was never deployed or predates the
 * output; anything else that is not a release record is an error, never a guess.
 */
export function parseReleasesOutput(value: unknown): Record<string, ReleaseState> {
  if (value === undefined || value === null) return {};
  const parsed = outputSchema.safeParse(value);
  if (!parsed.success)
    throw new Error(
      `the stack's releases output is not a release record: ${parsed.error.issues
        .map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`)
        .join("; ")}`,
    );
  return parsed.data;
}
