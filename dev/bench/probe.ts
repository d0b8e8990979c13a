/* eslint-disable @typescript-eslint/no-require-imports -- each mode loads its modules inside the timed window */
// One measurement in a fresh process (so module loading is counted as `pulumi preview` pays it):
//   node probe.js floor                 the SDK modules of the program and an empty mocked program
//   node probe.js stack <name>          one platform stack under mocks
//   node probe.js bootstrap <name>      one bootstrap stack under mocks
//   node probe.js bare <name>           the floor's modules, then the stack's resources registered
//                                       through the core SDK alone (the plan in BENCH_PLAN, bare.ts)
// The stack's config arrives as JSON in BENCH_CONFIG (as the engine hands it over), so the child
// loads what `pulumi preview` would load and nothing else.
// Prints one JSON line: load and evaluation milliseconds, resources, SDK modules loaded.
const started = process.hrtime.bigint();
const ms = (from: bigint) => Number(process.hrtime.bigint() - from) / 1e6;

async function main(): Promise<void> {
  const [mode, stack = "production"] = process.argv.slice(2);
  const config = JSON.parse(process.env.BENCH_CONFIG ?? "{}") as Record<string, unknown>;
  const loadStart = process.hrtime.bigint();
  const { evaluate } = require("../harness/evaluate") as typeof import("../harness/evaluate");
  let build: () => Record<string, unknown>;
  let project = "platform";
  if (mode === "floor") {
    // Loaded exactly as the program's imports load them; the program then registers nothing.
    const { SDK_MODULES } = require("./sdk-modules") as typeof import("./sdk-modules");
    for (const m of SDK_MODULES) require(m);
    build = () => ({});
  } else if (mode === "stack") {
    const { loadStackConfig } = require("../../src/config") as typeof import("../../src/config");
    const { buildPlatform } =
      require("../../src/stack/platform") as typeof import("../../src/stack/platform");
    build = () => buildPlatform(loadStackConfig());
  } else if (mode === "bootstrap") {
    const b = require("../../src/bootstrap/program") as typeof import("../../src/bootstrap/program");
    build = () => b.buildStateBackend(b.loadBootstrapConfig());
    project = "platform-state";
  } else if (mode === "bare") {
    const { SDK_MODULES } = require("./sdk-modules") as typeof import("./sdk-modules");
    for (const m of SDK_MODULES) require(m);
    const { runBarePlan } = require("./bare") as typeof import("./bare");
    const plan = JSON.parse(require("fs").readFileSync(process.env.BENCH_PLAN!, "utf8"));
    build = () => runBarePlan(plan);
  } else throw new Error(`unknown mode ${mode}; allowed: floor, stack, bootstrap, bare`);
  // Stacks captured as the process's limit says: `pulumi preview` captures them too.
  const run = () => evaluate(stack, config, build, { preview: true, project, captureStacks: true });
  const loadMs = ms(loadStart);
  const evalStart = process.hrtime.bigint();
  const evaluation = await run();
  const evalMs = ms(evalStart);
  const { sdkModuleOf } = require("./sdk-modules") as typeof import("./sdk-modules");
  const { registrationDigest } = require("./bare") as typeof import("./bare");
  const sdkModules = [...new Set(Object.keys(require.cache).map(sdkModuleOf).filter(Boolean))].sort();
  process.stdout.write(
    JSON.stringify({
      loadMs,
      evalMs,
      totalMs: ms(started),
      resources: evaluation.resources.length,
      digest: registrationDigest(evaluation.resources),
      sdkModules,
    }) + "\n",
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
