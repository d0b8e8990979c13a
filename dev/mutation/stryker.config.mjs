// StrykerJS for one mutated folder at a time; run through `npm run mutation` (dev/mutation/run.ts),
// which sets MUTATION_TARGET to a key of targets.json and prints the scores.
import { readFileSync } from "node:fs";
import process from "node:process";
import { fileURLToPath, URL } from "node:url";

const targets = JSON.parse(readFileSync(new URL("./targets.json", import.meta.url), "utf8"));
const name = process.env.MUTATION_TARGET;
const target = targets[name];
if (!target || name === "//")
  throw new Error(
    `MUTATION_TARGET=${JSON.stringify(name)}; allowed: ${Object.keys(targets)
      .filter((k) => k !== "//")
      .join(", ")}`,
  );

const out = `dev/mutation/reports/${name}`;

// The sandbox copies no native tools (.tools is large and may be a link): tests use the checkout's.
process.env.TOOLS_BIN ??= fileURLToPath(new URL("../../.tools/bin", import.meta.url));

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: "npm",
  testRunner: "mocha",
  mutate: target.mutate,
  plugins: ["@stryker-mutator/*", "./dev/mutation/ignore-docs.mjs"],
  ignorers: target.ignorers ?? [],
  mochaOptions: {
    config: ".mocharc.json",
    spec: target.spec,
    ignore: target.ignore ?? [],
  },
  // Each test records the mutants it reaches, so a mutant runs only the tests that cover it.
  coverageAnalysis: "perTest",
  // Shared 2-core machine: one test process (MUTATION_CONCURRENCY=2 when the machine is yours).
  concurrency: Number(process.env.MUTATION_CONCURRENCY ?? 1),
  // Static mutants (code run while a module loads: zod schemas, rule tables) need a fresh test
  // process each and every spec of the folder; about 10 s apiece here. MUTATION_STATIC=1 runs them.
  ignoreStatic: process.env.MUTATION_STATIC !== "1",
  incremental: true,
  incrementalFile: `${out}/incremental.json`,
  reporters: ["progress", "clear-text", "html", "json"],
  clearTextReporter: { reportMutants: false, reportTests: false, reportScoreTable: true },
  htmlReporter: { fileName: `${out}/index.html` },
  jsonReporter: { fileName: `${out}/mutation.json` },
  tempDirName: "dev/mutation/.tmp",
  ignorePatterns: ["/.tools", "/bin", "/coverage", "/scratch", "/dev/bench/out", "/dev/mutation/reports"],
  timeoutMS: 10000,
  dryRunTimeoutMinutes: 10,
  thresholds: { high: 80, low: 60, break: null },
};
