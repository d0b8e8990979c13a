/** Markdown tables generated from code, so the README cannot drift from what the program does. */
import * as fs from "fs";
import { isStackPolicy, policies } from "../../policy/policies";
import { OUTPUT_CONTRACT } from "../../src/stack/outputs";
import { stackConfigFromFile } from "../../src/config";
import { deliveryContext } from "../../src/stack/delivery";
import { workflows } from "../../src/workflows";
import {
  DEFAULT_STEP_SECONDS,
  JOB_START_SECONDS,
  pipelineEstimate,
  STEP_COSTS,
} from "../../src/workflows/critical-path";
import { BENCH_RESULTS } from "../paths";

function table(header: string[], rows: string[][]): string {
  const esc = (s: string) => s.replace(/\|/g, "\\|");
  return [
    `| ${header.join(" | ")} |`,
    `|${header.map(() => "---").join("|")}|`,
    ...rows.map((r) => `| ${r.map(esc).join(" | ")} |`),
  ].join("\n");
}

export function outputsTable(): string {
  return table(
    ["output", "type", "secret", "meaning"],
    Object.entries(OUTPUT_CONTRACT).map(([name, s]) => [
      `\`${name}\``,
      s.type,
      s.secret ? "yes" : "no",
      s.description,
    ]),
  );
}

/** One row per rule: what the README's policy table shows. */
export function policyTable(): string {
  return table(
    ["policy", "kind", "severity", "enforcement", "anchors", "settings (default)", "auto-fix"],
    policies.map((p) => {
      const schema = p.configSchema?.properties ?? {};
      const settings = Object.entries(schema).map(
        ([k, v]) => `\`${k}\` (${JSON.stringify((v as { default?: unknown }).default)})`,
      );
      return [
        `\`${p.name}\``,
        isStackPolicy(p) ? "stack" : "resource",
        p.severity ?? "",
        p.enforcementLevel ?? "advisory",
        p.anchors.join(", "),
        settings.join(", "),
        (p as { fix?: unknown }).fix ? "yes" : "",
      ];
    }),
  );
}

/** Why each automatic fix is safe to apply unattended. */
export function remediationList(): string {
  return policies
    .filter((p) => (p as { fix?: unknown }).fix)
    .map((p) => `- \`${p.name}\`: ${(p as unknown as { fix: { why: string } }).fix.why}`)
    .join("\n");
}

/** The benchmark's figures as rows: what, time, ratio or rate. Shared by `npm run bench` and the README. */
export function benchRows(r: any): string[][] {
  const limitRows = (rt: string, label: string) => {
    const l = r.limits[rt];
    const stacks = ["dev", "staging", "production"].filter((s) => l[s]);
    return [
      [`${label}: floor (the program's SDK modules, nothing registered)`, `${l.floor.wallMs} ms`, "1.00×"],
      ...stacks.map((s) => [
        `${label}: ${s}, ${l[s].resources} resources (load ${l[s].loadMs} + evaluation ${l[s].evalMs} ms) / its bare program (evaluation ${l[s].bare.evalMs} ms)`,
        `${l[s].wallMs} / ${l[s].bare.wallMs} ms`,
        `${l[s].ratioToFloor.toFixed(2)}× floor, ${l[s].ratioToBare.toFixed(2)}× bare (evaluation ${l[s].evalRatioToBare.toFixed(2)}×)`,
      ]),
    ];
  };
  const limits = r.stackTraceLimit;
  return [
    ...limitRows("node", "plain node"),
    ...limitRows("preview", "preview runtime"),
    [
      "preview runtime, production evaluation at --stack-trace-limit 10 (node's default) / 3 / 1 (Pulumi.yaml's) / 0",
      `${limits.default.evalMs} / ${limits["3"].evalMs} / ${limits["1"].evalMs} / ${limits["0"].evalMs} ms`,
      `1 / ${limits["3"].evalRatio.toFixed(2)} / ${limits["1"].evalRatio.toFixed(2)} / ${limits["0"].evalRatio.toFixed(2)}×`,
    ],
    [
      "entry: compiled JavaScript / ts-node transpile-only / ts-node type-checking",
      `${r.entry.compiledJs} / ${r.entry.tsNodeTranspileOnly} / ${r.entry.tsNodeTypeCheck ?? "–"} ms`,
      `1 / ${(r.entry.tsNodeTranspileOnly / r.entry.compiledJs).toFixed(1)} / ${r.entry.tsNodeTypeCheck ? (r.entry.tsNodeTypeCheck / r.entry.compiledJs).toFixed(1) : "–"}×`,
    ],
    (() => {
      const [p10, p50, p200] = r.scaling.points;
      return [
        `scaling, warm: ${p10.services} / ${p50.services} / ${p200.services} services (${p10.resources} / ${p50.resources} / ${p200.resources} resources)`,
        `${p10.ms} / ${p50.ms} / ${p200.ms} ms`,
        `${p10.perServiceMs} / ${p50.perServiceMs} / ${p200.perServiceMs} ms per service: ${r.scaling.perServiceRatio200to10.toFixed(2)}× from 10 to 200`,
      ];
    })(),
    [
      `policy gate, production: ${r.policyGate.checks} checks (${r.policyGate.pairs} resource × policy pairs)`,
      `${r.policyGate.gateMs} ms (first run ${r.policyGate.firstRunMs} ms)`,
      `${r.policyGate.checksPerSecond} checks/s (first run ${r.policyGate.checksPerSecondFirstRun}), ${r.policyGate.pairsPerSecond} pairs/s`,
    ],
    [
      "suite (mocha, tools built) / as it was with stack capture in evaluations",
      r.suite
        ? `${(r.suite.wallMs / 1000).toFixed(1)} / ${(r.suite.capturingStacksMs / 1000).toFixed(1)} s`
        : "–",
      r.suite ? `${r.suite.ratio.toFixed(2)}×` : "not measured (--quick)",
    ],
    ...engineRows(r.realEngine),
  ];
}

function engineRows(e: any): string[][] {
  if (!e.available) return [["real engine, local stack", "n/a", e.reason ?? ""]];
  return Object.entries(e.previews as Record<string, number>).map(([what, ms]) => [
    `real engine, local stack: ${what}`,
    `${ms} ms`,
    `${(ms / e.previews[e.baseline]).toFixed(2)}× ${e.baseline}`,
  ]);
}

/** The benchmark's targets and whether this run met them. */
export function benchTargets(r: any): string[] {
  const met = (ok: boolean) => (ok ? "met" : "**not met**");
  const out: string[] = [];
  for (const [rt, label] of [
    ["node", "plain node"],
    ["preview", "the preview runtime"],
  ]) {
    const p = r.limits[rt].production;
    out.push(
      `- Production evaluation ≤ 1.05× its bare program under ${label}: ${met(p.evalRatioToBare <= 1.05)} (${p.evalRatioToBare.toFixed(2)}×; whole process ${p.ratioToBare.toFixed(2)}× bare, ${p.ratioToFloor.toFixed(2)}× floor).`,
    );
  }
  out.push(
    `- Per-service cost within ±20 % from 10 to 200 services: ${met(Math.abs(r.scaling.perServiceRatio200to10 - 1) <= 0.2)} (${r.scaling.perServiceRatio200to10.toFixed(2)}×).`,
    `- Policy gate ≥ 20 000 checks/s: ${met(r.policyGate.checksPerSecond >= 20000)} (${r.policyGate.checksPerSecond} warm, ${r.policyGate.checksPerSecondFirstRun} on the first, cold run).`,
    `- Suite ≤ 0.5× its time with stack capture: ${r.suite ? `${met(r.suite.ratio <= 0.5)} (${r.suite.ratio.toFixed(2)}×)` : "not measured (--quick)"}.`,
  );
  if (r.realEngine.available && r.realEngine.target)
    out.push(
      `- Real local preview ≤ 0.6× the transpile-only preview: ${met(r.realEngine.target.ratio <= 0.6)} (${r.realEngine.target.ratio.toFixed(2)}×).`,
    );
  if (r.realEngine.available && r.realEngine.target?.noChangePreviewMs !== undefined)
    out.push(
      `- Real no-change preview of the local stack ≤ 3 s: ${met(r.realEngine.target.noChangePreviewMs <= 3000)} (${(r.realEngine.target.noChangePreviewMs / 1000).toFixed(1)} s).`,
      ...(r.realEngine.target.applicationPreviewMs !== undefined
        ? [
            `- Real no-change preview of an application stack (shop-local) ≤ 3 s: ${met(r.realEngine.target.applicationPreviewMs <= 3000)} (${(r.realEngine.target.applicationPreviewMs / 1000).toFixed(1)} s).`,
          ]
        : []),
    );
  return out;
}

/** The figures of the committed `bench/results.json` and what they say about the targets. */
export function benchSection(): string {
  const r = JSON.parse(fs.readFileSync(BENCH_RESULTS, "utf8"));
  return [
    `Machine: ${r.machine.cpu}, ${r.machine.cores} cores, ${r.machine.memoryGiB} GiB, Node ${r.machine.node}; ${r.machine.date.slice(0, 10)}; median of ${r.machine.runs} runs.`,
    "",
    table(["figure", "time", "ratio / rate"], benchRows(r)),
    "",
    ...benchTargets(r),
  ].join("\n");
}

/**
 * The pipelines' critical paths, estimated from the workflow model (src/workflows/critical-path.ts)
 * for the committed repository-owning stack under each branch model.
 */
export function pipelineSection(): string {
  const rows: string[][] = [];
  for (const model of ["gitflow", "trunk"] as const) {
    const config = stackConfigFromFile("dev");
    const all = workflows({ ...deliveryContext(config, config.github!), branchModel: model });
    // A pull request into main, and its merge: the push to main.
    for (const [event, what] of [
      ["pull_request", "pull request into main"],
      ["push", "merge into main"],
    ]) {
      const [longest, ...rest] = pipelineEstimate(event, all, "main");
      rows.push([
        `${model}: ${what}`,
        `${(longest.seconds / 60).toFixed(1)} min`,
        `${longest.workflow}: ${longest.path.join(" → ")}${rest.length ? `; then ${rest.map((r) => `${r.workflow} ${(r.seconds / 60).toFixed(1)}`).join(", ")}` : ""}`,
      ]);
    }
  }
  const costs = STEP_COSTS.map((c) => `${c.what} ${c.seconds} s`).join("; ");
  return [
    table(["event", "critical path", "longest workflow: jobs (the others in minutes)"], rows),
    "",
    `Per job: ${JOB_START_SECONDS} s to start. Per step: ${costs}; any other step ${DEFAULT_STEP_SECONDS} s. Approvals and wait timers are not counted, nor are job conditions evaluated (a job skipped on that branch still counts: the figures err long).`,
  ].join("\n");
}

/** Every generated README section by marker name. */
export function generatedSections(): Record<string, string> {
  return {
    outputs: outputsTable(),
    policies: policyTable(),
    remediations: remediationList(),
    bench: benchSection(),
    pipelines: pipelineSection(),
  };
}
