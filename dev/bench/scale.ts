// Scaling in one warm process (run with --expose-gc): production's config with N services cloned
// from its own four, evaluated in interleaved rounds (0, 10, 50, 200, 0, 10, …) after a full GC,
// so machine drift and leftover garbage fall on every size alike. The per-service cost of a size
// is the median over rounds of (t(N) − t(0)) / N within the same round: pairing cancels the drift
// that a small N would otherwise drown in. Prints one JSON line.
import { evaluate } from "../harness/evaluate";
import { program } from "../harness/program";
import { readStackConfig } from "../../src/config/stack-files";

export const SIZES = [0, 10, 50, 200];

/** Production's config with `n` services cloned from its own four (each strategy and target). */
export function scaledConfig(n: number): Record<string, unknown> {
  const base = readStackConfig("production");
  const services = base["platform:services"] as Record<string, unknown>[];
  const releases = base["platform:releases"] as Record<string, Record<string, unknown>>;
  const names = services.map((s) => String(s.name));
  const out = Array.from({ length: n }, (_, i) => ({
    ...services[i % services.length],
    name: `svc-${i}`,
    port: 9000 + i,
  }));
  const rel = Object.fromEntries(out.map((s, i) => [s.name, releases[names[i % names.length]]]));
  return { ...base, "platform:services": out, "platform:releases": rel };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const rounds = Number(process.argv[2]) || 5;
  const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
  const configs = SIZES.map(scaledConfig);
  const times = SIZES.map(() => [] as number[]);
  const resources = SIZES.map(() => 0);
  for (const config of configs) await evaluate("production", config, program, { preview: true }); // warm
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < SIZES.length; i++) {
      gc();
      const start = process.hrtime.bigint();
      resources[i] = (await evaluate("production", configs[i], program, { preview: true })).resources.length;
      times[i].push(Number(process.hrtime.bigint() - start) / 1e6);
    }
  }
  const perService = (i: number) =>
    SIZES[i] === 0 ? 0 : median(times[i].map((t, r) => (t - times[0][r]) / SIZES[i]));
  process.stdout.write(
    JSON.stringify(
      SIZES.map((services, i) => ({
        services,
        ms: median(times[i]),
        resources: resources[i],
        perServiceMs: perService(i),
      })),
    ) + "\n",
  );
}

if (require.main === module)
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
