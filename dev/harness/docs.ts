/** Markdown tables generated from code, so the README cannot drift from what the program does. */
import * as fs from "fs";
import { isStackPolicy, policies } from "../../policy/policies";
import { OUTPUT_CONTRACT } from "../../src/stack/outputs";
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

/** The figures of the committed `bench/results.json` and what they say about the targets. */
export function benchSection(): string {
  const file = BENCH_RESULTS;
  const r = JSON.parse(fs.readFileSync(file, "utf8"));
  const prod = r.stacks.production;
  const budget = Math.round(0.3 * r.floor.wallMs);
  const perResource = (prod.evalMs / prod.resources).toFixed(1);
  const [p10, p50, p200] = r.scaling.points;
  const rows = [
    ["floor: the program's SDK modules + an empty mocked program", `${r.floor.wallMs} ms`, "1.00×"],
    ...["dev", "staging", "production"].map((s) => [
      `${s} (${r.stacks[s].resources} resources: load ${r.stacks[s].loadMs} ms + evaluation ${r.stacks[s].evalMs} ms)`,
      `${r.stacks[s].wallMs} ms`,
      `${r.stacks[s].ratioToFloor.toFixed(2)}× floor`,
    ]),
    [
      "production evaluation without the SDK's per-promise stack capture (diagnostic)",
      `${r.sdkStackCapture.evalMsWithoutStacks} ms`,
      `against ${r.sdkStackCapture.evalMs} ms`,
    ],
    [
      "entry: compiled JavaScript / ts-node transpile-only / ts-node type-checking",
      `${r.entry.compiledJs} / ${r.entry.tsNodeTranspileOnly} / ${r.entry.tsNodeTypeCheck ?? "–"} ms`,
      `1 / ${(r.entry.tsNodeTranspileOnly / r.entry.compiledJs).toFixed(1)} / ${r.entry.tsNodeTypeCheck ? (r.entry.tsNodeTypeCheck / r.entry.compiledJs).toFixed(1) : "–"}×`,
    ],
    [
      `scaling, warm: ${p10.services} / ${p50.services} / ${p200.services} services (${p10.resources} / ${p50.resources} / ${p200.resources} resources)`,
      `${p10.ms} / ${p50.ms} / ${p200.ms} ms`,
      `${p10.perServiceMs} / ${p50.perServiceMs} / ${p200.perServiceMs} ms per service: ${r.scaling.perServiceRatio200to10.toFixed(2)}× from 10 to 200`,
    ],
    [
      `policy gate, production: ${r.policyGate.checks} checks (${r.policyGate.pairs} resource × policy pairs)`,
      `${r.policyGate.gateMs} ms (first run ${r.policyGate.firstRunMs} ms)`,
      `${r.policyGate.checksPerSecond} checks/s (first run ${r.policyGate.checksPerSecondFirstRun}), ${r.policyGate.pairsPerSecond} pairs/s`,
    ],
    [
      "unit suite (mocha, tools already built)",
      r.suite ? `${(r.suite.wallMs / 1000).toFixed(1)} s` : "–",
      "",
    ],
    [
      "real engine: pulumi preview of the local stack",
      r.realEngine.available ? `${r.realEngine.previewLocalMs} ms` : "n/a",
      r.realEngine.available ? "" : "see End-to-end tests, tier 2",
    ],
  ];
  const met = (ok: boolean) => (ok ? "met" : "**not met**");
  return [
    `Machine: ${r.machine.cpu}, ${r.machine.cores} cores, ${r.machine.memoryGiB} GiB, Node ${r.machine.node}; ${r.machine.date.slice(0, 10)}; median of ${r.machine.runs} runs.`,
    "",
    table(["figure", "time", "ratio / rate"], rows),
    "",
    `- Production ≤ 1.3× floor: ${met(prod.ratioToFloor <= 1.3)} (${prod.ratioToFloor.toFixed(2)}×). The budget above the floor is ${budget} ms; production spends ${prod.wallMs - r.floor.wallMs} ms there: about ${prod.loadMs - r.floor.loadMs} ms loading its own modules and ${prod.evalMs} ms registering ${prod.resources} resources (${perResource} ms each, ${r.sdkStackCapture.evalMs - r.sdkStackCapture.evalMsWithoutStacks} ms of it the SDK's per-promise stack capture).`,
    `- Per-service cost within ±20 % from 10 to 200 services: ${met(Math.abs(r.scaling.perServiceRatio200to10 - 1) <= 0.2)} (${r.scaling.perServiceRatio200to10.toFixed(2)}×).`,
    `- Policy gate ≥ 20 000 checks/s: ${met(r.policyGate.checksPerSecond >= 20000)} (${r.policyGate.checksPerSecond} warm, ${r.policyGate.checksPerSecondFirstRun} on the first, cold run).`,
    `- Unit suite < 60 s: ${r.suite ? `${met(r.suite.wallMs < 60000)} (${(r.suite.wallMs / 1000).toFixed(1)} s)` : "not measured (--quick)"}.`,
  ].join("\n");
}

/** Every generated README section by marker name. */
export function generatedSections(): Record<string, string> {
  return {
    outputs: outputsTable(),
    policies: policyTable(),
    remediations: remediationList(),
    bench: benchSection(),
  };
}
