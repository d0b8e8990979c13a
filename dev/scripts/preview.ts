// Offline preview: evaluates a stack's program under mocks (AWS cannot run here) and prints the
// resources it would register as a tree, plus the stack outputs. Exit 1 on invalid config.
import { RecordedResource } from "../harness/evaluate";
import { evaluateProgram } from "../harness/program";
import { CommandSpec, runCommand } from "../../src/lib/cli";

const SPEC: CommandSpec = {
  usage: "npm run preview --",
  summary:
    "Evaluates a stack's program offline (AWS and GitHub mocked) and prints the resources it would register as a tree, then its outputs.",
  flags: {
    stack: { type: "string", value: "NAME", description: "the stack file to read (default dev)" },
    program: {
      type: "string",
      value: "PROGRAM",
      description: "which program (default platform)",
      choices: ["platform", "bootstrap", "apps"],
    },
  },
};

async function main(flags: Record<string, unknown>): Promise<void> {
  const stack = String(flags.stack ?? "dev");
  const program = String(flags.program ?? "platform");
  const e = await evaluateProgram(program, stack, { preview: true });
  const children = new Map<string | undefined, RecordedResource[]>();
  for (const r of e.resources) children.set(r.parent, [...(children.get(r.parent) ?? []), r]);
  const lines: string[] = [];
  const walk = (parent: string | undefined, depth: number) => {
    for (const r of children.get(parent) ?? []) {
      lines.push(`${"  ".repeat(depth)}+ ${r.type}  ${r.name}${r.protect ? "  [protected]" : ""}`);
      walk(r.urn, depth + 1);
    }
  };
  walk(undefined, 0);
  // Top-level resources are parented to the stack, which the mock never registers.
  const stackUrn = e.resources.find((r) => r.parent && !e.resources.some((x) => x.urn === r.parent))?.parent;
  if (stackUrn) walk(stackUrn, 0);
  console.log(`Previewing ${program} stack "${stack}" (offline, AWS mocked):\n`);
  console.log(lines.join("\n"));
  console.log(`\n${e.resources.length} resources to create\n\nOutputs:`);
  for (const [k, v] of Object.entries(e.outputs))
    console.log(`  ${k}: ${k === "kubeconfig" && v ? "[secret]" : JSON.stringify(v)}`);
}

void runCommand(SPEC, ({ flags }) => main(flags));
