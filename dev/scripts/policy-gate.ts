// Offline policy gate: evaluates the program for a stack under mocks, runs every policy of the
// pack over what it registers (props wrapped as the analyzer wraps them), prints a table and exits
// 1 on any mandatory violation. Per-stack enforcement and settings come from policy/config/<stack>.json.
import { CommandSpec, runCommand } from "../../src/lib/cli";
import { Finding, readPackConfig, runGate } from "../harness/policy-harness";
import { evaluateProgram, platformStackOf } from "../harness/program";

const SPEC: CommandSpec = {
  usage: "npm run policy:gate --",
  summary:
    "Evaluates a stack offline and runs every policy of the pack over what it registers, with the stack's pack config; exits 1 on a mandatory violation.",
  flags: {
    stack: {
      type: "string",
      value: "NAME",
      description: "the stack (default dev); an application stack with --program apps",
    },
    program: {
      type: "string",
      value: "PROGRAM",
      description: "which program (default platform)",
      choices: ["platform", "bootstrap", "apps"],
    },
  },
};

function printTable(findings: Finding[]): void {
  const rows = findings.map((f) => [
    f.enforcement,
    f.severity ?? "",
    f.policy,
    f.resource ?? "(stack)",
    f.message,
  ]);
  const header = ["enforcement", "severity", "policy", "resource", "message"];
  const widths = header.map((h, i) => Math.min(60, Math.max(h.length, ...rows.map((r) => r[i].length))));
  const line = (cells: string[]) => cells.map((c, i) => (i < 4 ? c.padEnd(widths[i]) : c)).join("  ");
  console.log(line(header));
  for (const r of rows) console.log(line(r));
}

async function main(flags: Record<string, unknown>): Promise<number> {
  const stack = String(flags.stack ?? "dev");
  const program = String(flags.program ?? "platform");
  const evaluation = await evaluateProgram(program, stack, { preview: true });
  // The bootstrap stacks have no per-stack pack config: every rule runs at its default level.
  // An application stack runs with its platform stack's pack config (as its pipelines run it).
  const packConfig =
    program === "bootstrap" ? {} : readPackConfig(program === "apps" ? platformStackOf(stack) : stack);
  const gate = runGate(evaluation.resources, packConfig);
  // A platform stack whose workloads live in application stacks is judged with them (its environment).
  const applications = Object.values((evaluation.outputs.applicationStacks ?? {}) as Record<string, string>);
  const what =
    program === "platform" && applications.length
      ? `environment "${stack}" (platform stack and ${applications.join(", ")})`
      : `${program} stack "${stack}"`;
  console.log(`Policy gate for ${what}: ${evaluation.resources.length} resources, ${gate.checks} checks\n`);
  if (gate.findings.length) printTable(gate.findings);
  const advisory = gate.findings.length - gate.mandatory.length;
  console.log(`\n${gate.mandatory.length} mandatory violation(s), ${advisory} advisory`);
  return gate.mandatory.length > 0 ? 1 : 0;
}

void runCommand(SPEC, ({ flags }) => main(flags));
