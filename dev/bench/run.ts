// `npm run bench`: how fast the program is where users feel it, as figures and ratios measured in
// one run on one machine (machines here are noisy; compare within a run, not across runs).
// Writes bench/results.json. Flags: --runs N (default 5), --quick (skips the unit suite and the
// type-checking ts-node run), --out FILE (write the JSON elsewhere).
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { evaluate } from "../harness/evaluate";
import { runGate } from "../harness/policy-harness";
import { program } from "../harness/program";
import { readStackConfig } from "../../src/config/stack-files";
import { BENCH_RESULTS, ROOT } from "../paths";
import { benchRows, benchTargets } from "../harness/docs";
import { startControlPlane } from "../cluster/control-plane";
import {
  LocalWorkspaceDir,
  missingEngineBinaries,
  policyPackArgs,
  pulumiCommand,
} from "../engine/local-engine";
import { barePlan } from "./bare";

interface Probe {
  loadMs: number;
  evalMs: number;
  totalMs: number;
  wallMs: number;
  resources: number;
  digest: string;
  sdkModules: string[];
}

const args = process.argv.slice(2);
const RUNS = Number(args[args.indexOf("--runs") + 1]) || 5;
const QUICK = args.includes("--quick");
const OUT = args.includes("--out") ? path.resolve(args[args.indexOf("--out") + 1]) : undefined;
const PROBE = path.join(__dirname, "probe.js");

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const round = (x: number, digits = 0) => Number(x.toFixed(digits));

/** One fresh process per run, so module loading is measured as `pulumi preview` pays it. */
function probe(
  mode: string,
  stack: string,
  config: Record<string, unknown>,
  runner: string[] = [],
  env: Record<string, string> = {},
): Probe {
  const start = process.hrtime.bigint();
  // Compiled probe, or (with a ts-node runner) the TypeScript source the way `pulumi preview` loads it.
  const script = runner.some((r) => r.startsWith("ts-node"))
    ? path.join(ROOT, "dev", "bench", "probe.ts")
    : PROBE;
  const out = spawnSync(process.execPath, [...runner, script, mode, stack], {
    cwd: ROOT,
    env: { ...process.env, ...env, BENCH_CONFIG: JSON.stringify(config) },
    encoding: "utf8",
  });
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
  if (out.status !== 0) throw new Error(`probe ${mode} ${stack} failed:\n${out.stderr}`);
  return { ...(JSON.parse(out.stdout.trim().split("\n").pop()!) as Omit<Probe, "wallMs">), wallMs };
}

interface ProbeSpec {
  readonly key: string;
  readonly mode: string;
  readonly stack: string;
  readonly config: Record<string, unknown>;
  readonly runner?: string[];
  readonly env?: Record<string, string>;
}

/**
 * Runs every spec `runs` times, interleaved (a, b, c, a, b, c, …), so drift of the machine falls
 * on all of them alike, and returns the medians per spec.
 */
function interleaved(specs: ProbeSpec[], runs: number) {
  const all = new Map<string, Probe[]>(specs.map((s) => [s.key, []]));
  for (let r = 0; r < runs; r++)
    for (const s of specs) all.get(s.key)!.push(probe(s.mode, s.stack, s.config, s.runner, s.env));
  return Object.fromEntries(
    specs.map((s) => {
      const ps = all.get(s.key)!;
      return [
        s.key,
        {
          wallMs: round(median(ps.map((p) => p.wallMs))),
          loadMs: round(median(ps.map((p) => p.loadMs))),
          evalMs: round(median(ps.map((p) => p.evalMs))),
          resources: ps[0].resources,
          sdkModules: ps[0].sdkModules,
          digest: ps[0].digest,
        },
      ];
    }),
  );
}

async function realEngine(): Promise<Record<string, unknown>> {
  // The engine as the tier and `npm run local` run it: the registry-built CLI and provider, the
  // program inline (no language host), the pack through the analyzer shim (dev/engine).
  const missing = missingEngineBinaries();
  if (missing.length)
    return {
      available: false,
      reason: `needs ${missing.join(", ")} in .tools/bin (npm run setup:tools builds them)`,
    };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-engine-"));
  // A live control plane: with none, the provider's waits on an unreachable API server would be
  // most of what is measured.
  const cp = await startControlPlane({ dir: path.join(dir, "control-plane") });
  try {
    const ws = new LocalWorkspaceDir({ dir: path.join(dir, "workspace"), kubeconfig: cp.kubeconfig });
    const stack = await ws.stack();
    const quiet = { onOutput: () => undefined };
    const timed = async (f: () => Promise<unknown>) => {
      const start = process.hrtime.bigint();
      await f();
      return Number(process.hrtime.bigint() - start) / 1e6;
    };
    const precompiled = policyPackArgs("local");
    const typescriptPack = { ...precompiled, policyPacks: [path.join(ROOT, "policy")] };
    // The TypeScript pack (type-checked by the policy runtime at every load) against the
    // precompiled one, interleaved, on the empty stack; then an up, and previews with nothing to do.
    // The platform stack keeps no workload: the application stack shop-local (api, orders) is the
    // one a team's deploy previews and updates, after the platform's up.
    const shop = await ws.appStack("shop-local");
    const previews: Record<string, number[]> = {
      "preview, TypeScript pack": [],
      "preview, precompiled pack": [],
      "platform up, precompiled pack": [],
      "application shop-local: preview, precompiled pack": [],
      "application shop-local: up, precompiled pack": [],
      "application shop-local: no-change preview, precompiled pack": [],
      "no-change preview, precompiled pack": [],
    };
    const runs = Math.min(RUNS, 2);
    for (let i = 0; i < runs; i++) {
      previews["preview, TypeScript pack"].push(
        await timed(() => stack.preview({ ...typescriptPack, ...quiet })),
      );
      previews["preview, precompiled pack"].push(
        await timed(() => stack.preview({ ...precompiled, ...quiet })),
      );
    }
    previews["platform up, precompiled pack"].push(await timed(() => stack.up({ ...precompiled, ...quiet })));
    for (let i = 0; i < runs; i++)
      previews["application shop-local: preview, precompiled pack"].push(
        await timed(() => shop.preview({ ...precompiled, ...quiet })),
      );
    previews["application shop-local: up, precompiled pack"].push(
      await timed(() => shop.up({ ...precompiled, ...quiet })),
    );
    for (let i = 0; i < runs; i++) {
      previews["no-change preview, precompiled pack"].push(
        await timed(() => stack.preview({ ...precompiled, ...quiet, expectNoChanges: true })),
      );
      previews["application shop-local: no-change preview, precompiled pack"].push(
        await timed(() => shop.preview({ ...precompiled, ...quiet, expectNoChanges: true })),
      );
    }
    await shop.destroy(quiet);
    await stack.destroy(quiet);
    const medians = Object.fromEntries(Object.entries(previews).map(([k, v]) => [k, round(median(v))]));
    return {
      available: true,
      cli: (await pulumiCommand()).version?.toString() ?? null,
      baseline: "preview, TypeScript pack",
      previews: medians,
      target: {
        ratio: round(medians["preview, precompiled pack"] / medians["preview, TypeScript pack"], 2),
        noChangePreviewMs: medians["no-change preview, precompiled pack"],
        // The target for an application stack's real preview: 3 s warm.
        applicationPreviewMs: medians["application shop-local: no-change preview, precompiled pack"],
      },
    };
  } finally {
    await cp.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const results: Record<string, any> = {
    machine: {
      cpu: os.cpus()[0]?.model ?? "unknown",
      cores: os.cpus().length,
      memoryGiB: round(os.totalmem() / 2 ** 30, 1),
      node: process.version,
      platform: `${os.platform()} ${os.release()}`,
      date: new Date().toISOString(),
      runs: RUNS,
    },
  };
  const production = readStackConfig("production");

  // 1. Limits, under the two runtimes a program meets: plain node, and `pulumi preview`'s
  // (@pulumi/pulumi/cmd/run loads source-map-support/register, so every captured stack frame of
  // the SDK is source-mapped). For each: the floor (SDK modules, nothing registered), and per stack
  // a bare program registering the same resources through the core SDK alone (bare.ts), checked to
  // register the same URNs, parents, providers and dependencies. Each run a fresh process, all
  // interleaved. `--stack-trace-limit` is the lever `runtime.options.nodeargs` passes to the program.
  const stacks = QUICK ? ["production"] : ["dev", "staging", "production"];
  const planDir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-plans-"));
  const plans: Record<string, string> = {};
  for (const stack of stacks) {
    const evaluation = await evaluate(stack, readStackConfig(stack), program, { preview: true });
    plans[stack] = path.join(planDir, `${stack}.json`);
    fs.writeFileSync(plans[stack], JSON.stringify(barePlan(evaluation.resources)));
  }
  const RUNTIMES: Record<string, string[]> = { node: [], preview: ["-r", "source-map-support/register"] };
  const LIMITS = [0, 1, 3];
  const m = interleaved(
    [
      ...Object.entries(RUNTIMES).flatMap(([rt, runner]) => [
        { key: `${rt}:floor`, mode: "floor", stack: "production", config: production, runner },
        ...stacks.flatMap((stack) => [
          { key: `${rt}:${stack}`, mode: "stack", stack, config: readStackConfig(stack), runner },
          {
            key: `${rt}:bare:${stack}`,
            mode: "bare",
            stack,
            config: readStackConfig(stack),
            runner,
            env: { BENCH_PLAN: plans[stack] },
          },
        ]),
      ]),
      ...LIMITS.map((limit) => ({
        key: `preview:production:limit${limit}`,
        mode: "stack",
        stack: "production",
        config: production,
        runner: [...RUNTIMES.preview, `--stack-trace-limit=${limit}`],
      })),
    ],
    RUNS,
  );
  fs.rmSync(planDir, { recursive: true, force: true });
  results.limits = {};
  for (const rt of Object.keys(RUNTIMES)) {
    const floor = m[`${rt}:floor`];
    const out: Record<string, any> = { floor: { ...floor, sdkModules: undefined, digest: undefined } };
    for (const stack of stacks) {
      const program_ = m[`${rt}:${stack}`];
      const bare = m[`${rt}:bare:${stack}`];
      if (program_.digest !== bare.digest)
        throw new Error(
          `the bare program of ${stack} registers other resources than the stack (${bare.digest} ≠ ${program_.digest})`,
        );
      const outsideFloor = program_.sdkModules.filter((x) => !floor.sdkModules.includes(x));
      if (outsideFloor.length)
        throw new Error(`stack ${stack} loads SDK modules the floor does not: ${outsideFloor.join(", ")}`);
      out[stack] = {
        ...program_,
        sdkModules: undefined,
        digest: undefined,
        bare: { wallMs: bare.wallMs, loadMs: bare.loadMs, evalMs: bare.evalMs },
        ratioToFloor: round(program_.wallMs / floor.wallMs, 2),
        ratioToBare: round(program_.wallMs / bare.wallMs, 2),
        evalRatioToBare: round(program_.evalMs / bare.evalMs, 2),
      };
    }
    results.limits[rt] = out;
  }
  results.stackTraceLimit = Object.fromEntries([
    ["default", { wallMs: m["preview:production"].wallMs, evalMs: m["preview:production"].evalMs }],
    ...LIMITS.map((limit) => {
      const x = m[`preview:production:limit${limit}`];
      return [
        String(limit),
        {
          wallMs: x.wallMs,
          evalMs: x.evalMs,
          evalRatio: round(x.evalMs / m["preview:production"].evalMs, 2),
        },
      ];
    }),
  ]);

  // 2. how the entry point is loaded: ts-node type-checking (pulumi's default), transpile-only, compiled.
  const entry = interleaved(
    [
      {
        key: "transpileOnly",
        mode: "stack",
        stack: "production",
        config: production,
        runner: ["-r", "ts-node/register/transpile-only"],
      },
      ...(QUICK
        ? []
        : [
            {
              key: "typeCheck",
              mode: "stack",
              stack: "production",
              config: production,
              runner: ["-r", "ts-node/register"],
            },
          ]),
    ],
    Math.min(RUNS, 3),
  );
  results.entry = {
    compiledJs: results.limits.node.production.wallMs,
    tsNodeTranspileOnly: entry.transpileOnly.wallMs,
    ...(entry.typeCheck ? { tsNodeTypeCheck: entry.typeCheck.wallMs } : {}),
  };

  // 3. scaling: warm, in one process with interleaved sizes (bench/scale.ts).
  const rounds = String(Math.max(RUNS, 7));
  const scale = spawnSync(process.execPath, ["--expose-gc", path.join(__dirname, "scale.js"), rounds], {
    cwd: ROOT,
    encoding: "utf8",
  });
  if (scale.status !== 0) throw new Error(`scaling run failed:\n${scale.stderr}`);
  const sizes = JSON.parse(scale.stdout.trim()) as {
    services: number;
    ms: number;
    resources: number;
    perServiceMs: number;
  }[];
  const [base, ...points] = sizes;
  results.scaling = {
    baseMs: round(base.ms),
    baseResources: base.resources,
    points: points.map((p) => ({
      services: p.services,
      ms: round(p.ms),
      resources: p.resources,
      perServiceMs: round(p.perServiceMs, 2),
    })),
  };
  const first = results.scaling.points[0];
  const last = results.scaling.points[results.scaling.points.length - 1];
  results.scaling.perServiceRatio200to10 = round(last.perServiceMs / first.perServiceMs, 2);

  // 4. policy gate over production: checks per second and the whole gate.
  const gateStart = process.hrtime.bigint();
  const evaluation = await evaluate("production", production, program, { preview: true });
  const evalMs = Number(process.hrtime.bigint() - gateStart) / 1e6;
  const gateTimes: number[] = [];
  let checks = 0;
  let pairs = 0;
  // The gate is cheap: many runs make its warm median steady; the first run is the cold one.
  for (let i = 0; i < Math.max(RUNS, 30); i++) {
    const start = process.hrtime.bigint();
    ({ checks, pairs } = runGate(evaluation.resources, {}));
    gateTimes.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  const gateMs = median(gateTimes);
  results.policyGate = {
    resources: evaluation.resources.length,
    checks,
    pairs,
    gateMs: round(gateMs, 1),
    firstRunMs: round(gateTimes[0], 1),
    checksPerSecond: round(checks / (gateMs / 1000)),
    checksPerSecondFirstRun: round(checks / (gateTimes[0] / 1000)),
    pairsPerSecond: round(pairs / (gateMs / 1000)),
    totalMs: round(evalMs + gateMs),
  };

  // 5. the suite, as CI runs it (tools already built), and as it ran while its stack evaluations
  // captured stacks (EVALUATE_CAPTURE_STACKS, see harness/evaluate.ts), interleaved.
  if (!QUICK) {
    const suite = (env: Record<string, string>) => {
      const start = process.hrtime.bigint();
      execFileSync(path.join(ROOT, "node_modules", ".bin", "mocha"), [], {
        cwd: ROOT,
        stdio: "ignore",
        env: { ...process.env, ...env },
      });
      return Number(process.hrtime.bigint() - start) / 1e6;
    };
    const now: number[] = [];
    const capturing: number[] = [];
    for (let i = 0; i < Math.min(RUNS, 2); i++) {
      capturing.push(suite({ EVALUATE_CAPTURE_STACKS: "1" }));
      now.push(suite({}));
    }
    results.suite = {
      wallMs: round(median(now)),
      capturingStacksMs: round(median(capturing)),
      ratio: round(median(now) / median(capturing), 2),
    };
  }

  // 6. the real engine, when its tools exist here.
  results.realEngine = await realEngine();

  const out = OUT ?? BENCH_RESULTS;
  fs.writeFileSync(out, JSON.stringify(results, null, 2) + "\n");
  print(results, path.relative(ROOT, out));
}

function print(r: Record<string, any>, out: string): void {
  const rows = benchRows(r);
  const w = [0, 1].map((i) => Math.max(...rows.map((row) => row[i].length)));
  console.log(
    `${r.machine.cpu}, ${r.machine.cores} cores, ${r.machine.memoryGiB} GiB, node ${r.machine.node}; median of ${r.machine.runs}\n`,
  );
  for (const [a, b, c] of rows) console.log(`${a.padEnd(w[0])}  ${b.padStart(w[1])}  ${c}`);
  console.log(`\n${benchTargets(r).join("\n")}\n\nwritten: ${out}`);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
