// Offline preview: evaluates a stack's program under mocks (AWS cannot run here) and prints the
// resources it would register as a tree, plus the stack outputs. Exit 1 on invalid config.
import { ConfigError } from "../../src/config";
import { RecordedResource } from "../harness/evaluate";
import { evaluateProgram } from "../harness/program";
import { parseFlags } from "./args";

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2), {
    stack: "dev, staging, production or local",
    program: "platform (default) or bootstrap",
  });
  const stack = flags.stack ?? "dev";
  const program = flags.program ?? "platform";
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

main().catch((err) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
