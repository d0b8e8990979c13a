/**
 * `npm run mutation [-- [--static] <folder>…]`: StrykerJS over each mutated folder of targets.json
 * in turn (incremental: only mutants whose code or tests changed run again), then the mutation
 * score of every folder. `--static` also runs static mutants (see stryker.config.mjs). Reports:
 * dev/mutation/reports/<folder>/index.html. Not part of CI (too slow).
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";

const HERE = __dirname;
const ROOT = path.resolve(HERE, "../..");

interface Target {
  readonly mutate: string[];
  readonly spec: string[];
}

type Status =
  | "Killed"
  | "Survived"
  | "NoCoverage"
  | "Timeout"
  | "CompileError"
  | "RuntimeError"
  | "Ignored"
  | "Pending";

interface Report {
  files: Record<string, { mutants: { status: Status; statusReason?: string }[] }>;
}

export interface Score {
  readonly killed: number;
  readonly timeout: number;
  readonly survived: number;
  readonly noCoverage: number;
  readonly errors: number;
  /** Static mutants left out (run with --static). */
  readonly staticIgnored: number;
  /** Other ignored mutants (documentation text, see ignore-docs.mjs). */
  readonly ignored: number;
  /** Detected / valid, percent (Stryker's mutation score); NaN without valid mutants. */
  readonly score: number;
}

/** Stryker's mutation score: (killed + timeout) / (killed + timeout + survived + no coverage). */
export function scoreOf(report: Report): Score {
  const n: Record<Status, number> = {
    Killed: 0,
    Survived: 0,
    NoCoverage: 0,
    Timeout: 0,
    CompileError: 0,
    RuntimeError: 0,
    Ignored: 0,
    Pending: 0,
  };
  let staticIgnored = 0;
  for (const file of Object.values(report.files))
    for (const m of file.mutants) {
      n[m.status]++;
      if (m.status === "Ignored" && /static/i.test(m.statusReason ?? "")) staticIgnored++;
    }
  const detected = n.Killed + n.Timeout;
  const valid = detected + n.Survived + n.NoCoverage;
  return {
    killed: n.Killed,
    timeout: n.Timeout,
    survived: n.Survived,
    noCoverage: n.NoCoverage,
    errors: n.CompileError + n.RuntimeError,
    staticIgnored,
    ignored: n.Ignored - staticIgnored,
    score: valid === 0 ? NaN : (100 * detected) / valid,
  };
}

function main(): void {
  const targets = JSON.parse(fs.readFileSync(path.join(HERE, "targets.json"), "utf8")) as Record<
    string,
    Target
  >;
  const known = Object.keys(targets).filter((k) => k !== "//");
  const { positionals, values } = parseArgs({
    args: process.argv.slice(2),
    options: { static: { type: "boolean", default: false } },
    allowPositionals: true,
    strict: true,
  });
  for (const p of positionals)
    if (!known.includes(p))
      throw new Error(`unknown folder ${JSON.stringify(p)}; allowed: ${known.join(", ")}`);
  const selected = positionals.length ? positionals : known;

  const stryker = path.join(ROOT, "node_modules", "@stryker-mutator", "core", "bin", "stryker.js");
  const rows: string[][] = [];
  let failed = false;
  for (const name of selected) {
    const started = Date.now();
    const run = spawnSync(
      process.execPath,
      [stryker, "run", path.join("dev", "mutation", "stryker.config.mjs")],
      {
        cwd: ROOT,
        env: { ...process.env, MUTATION_TARGET: name, MUTATION_STATIC: values.static ? "1" : "0" },
        stdio: "inherit",
      },
    );
    const seconds = Math.round((Date.now() - started) / 1000);
    const reportFile = path.join(HERE, "reports", name, "mutation.json");
    if (run.status !== 0 || !fs.existsSync(reportFile)) {
      failed = true;
      rows.push([name, "failed", "", "", "", "", "", `${seconds} s`]);
      continue;
    }
    const s = scoreOf(JSON.parse(fs.readFileSync(reportFile, "utf8")) as Report);
    rows.push([
      `${targets[name].mutate[0].replace(/\/\*\*.*$/, "/")}`,
      Number.isNaN(s.score) ? "n/a" : `${s.score.toFixed(1)} %`,
      String(s.killed + s.timeout),
      String(s.survived),
      String(s.noCoverage),
      String(s.staticIgnored),
      String(s.errors + s.ignored),
      `${seconds} s`,
    ]);
  }
  const header = [
    "folder",
    "score",
    "killed",
    "survived",
    "no coverage",
    "static, not run",
    "ignored/errors",
    "time",
  ];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join("  ");
  console.log(`\n${line(header)}\n${line(widths.map((w) => "-".repeat(w)))}\n${rows.map(line).join("\n")}`);
  if (failed) process.exit(1);
}

if (require.main === module) main();
