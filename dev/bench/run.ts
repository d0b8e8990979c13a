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
import { BENCH_RESULTS, ROOT, TOOLS_BIN } from "../paths";

interface Probe {
  loadMs: number;
  evalMs: number;
  totalMs: number;
  wallMs: number;
  resources: number;
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
function probe(mode: string, stack: string, config: Record<string, unknown>, runner: string[] = []): Probe {
  const start = process.hrtime.bigint();
  // Compiled probe, or (with a ts-node runner) the TypeScript source the way `pulumi preview` loads it.
  const script = runner.includes("-r") ? path.join(ROOT, "dev", "bench", "probe.ts") : PROBE;
  const out = spawnSync(process.execPath, [...runner, script, mode, stack], {
    cwd: ROOT,
    env: { ...process.env, BENCH_CONFIG: JSON.stringify(config) },
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
}

/**
 * Runs every spec `runs` times, interleaved (a, b, c, a, b, c, …), so drift of the machine falls
 * on all of them alike, and returns the medians per spec.
 */
function interleaved(specs: ProbeSpec[], runs: number) {
  const all = new Map<string, Probe[]>(specs.map((s) => [s.key, []]));
  for (let r = 0; r < runs; r++)
    for (const s of specs) all.get(s.key)!.push(probe(s.mode, s.stack, s.config, s.runner));
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
        },
      ];
    }),
  );
}

function realEngine(): Record<string, unknown> {
  const pathWithTools = `${TOOLS_BIN}${path.delimiter}${process.env.PATH}`;
  const env = { ...process.env, PATH: pathWithTools };
  const cliVersion = spawnSync("pulumi", ["version"], { env, encoding: "utf8" }).stdout?.trim() || null;
  const missing = ["pulumi-language-nodejs", "pulumi-resource-kubernetes"].filter(
    (b) => !spawnSync("sh", ["-c", `command -v ${b}`], { env, encoding: "utf8" }).stdout.trim(),
  );
  if (!cliVersion || missing.length)
    return {
      available: false,
      cli: cliVersion,
      reason: `needs ${[...(cliVersion ? [] : ["pulumi"]), ...missing].join(", ")} on PATH (see README: End-to-end tests, tier 2)`,
    };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-engine-"));
  const run = (...a: string[]) =>
    execFileSync("pulumi", [...a, "--non-interactive"], {
      cwd: ROOT,
      env: {
        ...env,
        PULUMI_BACKEND_URL: `file://${dir}`,
        PULUMI_CONFIG_PASSPHRASE: "bench",
        PULUMI_SKIP_UPDATE_CHECK: "true",
      },
      encoding: "utf8",
    });
  try {
    run("stack", "select", "--create", "local");
    const start = process.hrtime.bigint();
    run("preview", "--stack", "local");
    return {
      available: true,
      cli: cliVersion,
      previewLocalMs: round(Number(process.hrtime.bigint() - start) / 1e6),
    };
  } finally {
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

  // 1. floor and stacks, each run a fresh process, interleaved; plus the diagnostic run of
  // production with V8 capturing no stack frames, which shows what @pulumi/pulumi's per-promise
  // stack capture (runtime/debuggable.js) costs. The program itself never runs that way.
  const m = interleaved(
    [
      { key: "floor", mode: "floor", stack: "production", config: production },
      ...["dev", "staging", "production"].map((stack) => ({
        key: stack,
        mode: "stack",
        stack,
        config: readStackConfig(stack),
      })),
      {
        key: "noStacks",
        mode: "stack",
        stack: "production",
        config: production,
        runner: ["--stack-trace-limit=0"],
      },
    ],
    RUNS,
  );
  const floor = m.floor;
  results.floor = { ...floor, sdkModules: undefined };
  results.stacks = {};
  for (const stack of ["dev", "staging", "production"]) {
    const outsideFloor = m[stack].sdkModules.filter((x) => !floor.sdkModules.includes(x));
    if (outsideFloor.length)
      throw new Error(`stack ${stack} loads SDK modules the floor does not: ${outsideFloor.join(", ")}`);
    results.stacks[stack] = {
      ...m[stack],
      sdkModules: undefined,
      ratioToFloor: round(m[stack].wallMs / floor.wallMs, 2),
    };
  }
  results.sdkStackCapture = {
    evalMs: results.stacks.production.evalMs,
    evalMsWithoutStacks: m.noStacks.evalMs,
  };

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
    compiledJs: results.stacks.production.wallMs,
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

  // 5. the unit suite, as CI runs it (tools already built).
  if (!QUICK) {
    const start = process.hrtime.bigint();
    execFileSync(path.join(ROOT, "node_modules", ".bin", "mocha"), [], { cwd: ROOT, stdio: "ignore" });
    results.suite = { wallMs: round(Number(process.hrtime.bigint() - start) / 1e6) };
  }

  // 6. the real engine, when its tools exist here.
  results.realEngine = realEngine();

  const out = OUT ?? BENCH_RESULTS;
  fs.writeFileSync(out, JSON.stringify(results, null, 2) + "\n");
  print(results, path.relative(ROOT, out));
}

function print(r: Record<string, any>, out: string): void {
  const rows: [string, string, string][] = [
    ["floor (SDK modules + empty mocked program)", `${r.floor.wallMs} ms`, "1.00×"],
    ...(["dev", "staging", "production"] as const).map((s): [string, string, string] => [
      `${s}: ${r.stacks[s].resources} resources (load ${r.stacks[s].loadMs} + eval ${r.stacks[s].evalMs} ms)`,
      `${r.stacks[s].wallMs} ms`,
      `${r.stacks[s].ratioToFloor.toFixed(2)}× floor`,
    ]),
    [
      "production eval without the SDK's per-promise stack capture",
      `${r.sdkStackCapture.evalMsWithoutStacks} ms`,
      `vs ${r.sdkStackCapture.evalMs} ms (diagnostic)`,
    ],
    ["entry: compiled JavaScript", `${r.entry.compiledJs} ms`, ""],
    [
      "entry: ts-node transpile-only",
      `${r.entry.tsNodeTranspileOnly} ms`,
      `${(r.entry.tsNodeTranspileOnly / r.entry.compiledJs).toFixed(2)}× compiled`,
    ],
    ...(r.entry.tsNodeTypeCheck
      ? [
          [
            "entry: ts-node type-checking (pulumi's default)",
            `${r.entry.tsNodeTypeCheck} ms`,
            `${(r.entry.tsNodeTypeCheck / r.entry.compiledJs).toFixed(2)}× compiled`,
          ] as [string, string, string],
        ]
      : []),
    [`scaling: 0 services (${r.scaling.baseResources} resources, warm)`, `${r.scaling.baseMs} ms`, ""],
    ...r.scaling.points.map((p: any): [string, string, string] => [
      `scaling: ${p.services} services (${p.resources} resources)`,
      `${p.ms} ms`,
      `${p.perServiceMs} ms/service`,
    ]),
    ["scaling: per-service cost, 200 vs 10", "", `${r.scaling.perServiceRatio200to10.toFixed(2)}×`],
    [
      `policy gate: ${r.policyGate.pairs} resource×policy pairs (type filter included)`,
      "",
      `${r.policyGate.pairsPerSecond} pairs/s`,
    ],
    [
      `policy gate: ${r.policyGate.checks} checks over ${r.policyGate.resources} resources`,
      `${r.policyGate.gateMs} ms`,
      `${r.policyGate.checksPerSecond} checks/s (first run: ${r.policyGate.firstRunMs} ms)`,
    ],
    ["policy gate: evaluation + gate", `${r.policyGate.totalMs} ms`, ""],
    ...(r.suite
      ? [["unit suite (mocha)", `${(r.suite.wallMs / 1000).toFixed(1)} s`, ""] as [string, string, string]]
      : []),
    [
      "real engine: pulumi preview (local stack)",
      r.realEngine.available ? `${r.realEngine.previewLocalMs} ms` : "n/a",
      r.realEngine.available ? "" : r.realEngine.reason,
    ],
  ];
  const w = [0, 1].map((i) => Math.max(...rows.map((row) => row[i].length)));
  console.log(
    `${r.machine.cpu}, ${r.machine.cores} cores, ${r.machine.memoryGiB} GiB, node ${r.machine.node}; median of ${r.machine.runs}\n`,
  );
  for (const [a, b, c] of rows) console.log(`${a.padEnd(w[0])}  ${b.padStart(w[1])}  ${c}`);
  console.log(`\nwritten: ${out}`);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
