// Offline preview: evaluates a stack's program under mocks (AWS and GitHub cannot run here) and
// prints the resources it would register as a tree, then the stack outputs. It says what it is
// doing while it evaluates; --service narrows the tree to one service, --details shows each
// resource's inputs (secrets masked, unknowns as such), and --policy runs the pack inline with
// the stack's pack config and says where a finding is approved.
import YAML from "yaml";
import { RecordedResource } from "../harness/evaluate";
import { Finding, readPackConfig, runGate } from "../harness/policy-harness";
import { evaluateProgram, platformStackOf } from "../harness/program";
import { CommandSpec, runCommand, UsageError } from "../../src/lib/cli";

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
    service: { type: "string", value: "NAME", description: "show only this service's resources" },
    details: { type: "boolean", description: "show each resource's inputs (secrets masked)" },
    policy: { type: "boolean", description: "run the policy pack with the stack's pack config, inline" },
  },
};

/** Pulumi's wire markers: a secret's signature and the unknown value of a preview. */
const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** Inputs as the engine receives them, with secrets masked and unknowns said. */
export function shownInputs(raw: unknown): unknown {
  if (raw === UNKNOWN) return "(known after apply)";
  if (Array.isArray(raw)) return raw.map(shownInputs);
  if (raw && typeof raw === "object") {
    const o = raw as Record<string, unknown>;
    if (o[SECRET_SIG] === "1b47061264138c4ac30d75fd1eb44270") return "[secret]";
    if (o[SECRET_SIG] !== undefined) return shownInputs(o.value ?? o.uri ?? o.urn ?? "(resource)");
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, shownInputs(v)]));
  }
  return raw;
}

/** The resources of one service: named after it (`<service>` or `<service>-…`), with their children and ancestors. */
export function ofService(resources: readonly RecordedResource[], service: string): Set<string> {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const own = resources.filter((r) => r.name === service || r.name.startsWith(`${service}-`));
  const kept = new Set<string>(own.map((r) => r.urn));
  let grew = true;
  while (grew) {
    grew = false;
    for (const r of resources)
      if (r.parent && kept.has(r.parent) && !kept.has(r.urn) && own.some((o) => r.urn.includes(o.name))) {
        kept.add(r.urn);
        grew = true;
      }
  }
  for (const urn of [...kept]) {
    let parent = byUrn.get(urn)?.parent;
    while (parent && byUrn.has(parent) && !kept.has(parent)) {
      kept.add(parent);
      parent = byUrn.get(parent)?.parent;
    }
  }
  return kept;
}

function findingLine(f: Finding): string {
  return `  [${f.enforcement}] ${f.policy} ${f.resource ?? "(stack)"}: ${f.message}`;
}

async function main(flags: Record<string, unknown>): Promise<number> {
  const stack = String(flags.stack ?? "dev");
  const program = String(flags.program ?? "platform");
  const started = Date.now();
  process.stderr.write(
    `Evaluating the ${program} program for stack "${stack}" (offline, AWS and GitHub mocked)…\n`,
  );
  const ticker = setInterval(
    () => process.stderr.write(`  … ${Math.round((Date.now() - started) / 1000)} s\n`),
    2000,
  );
  const e = await evaluateProgram(program, stack, { preview: true }).finally(() => clearInterval(ticker));
  process.stderr.write(`Evaluated in ${((Date.now() - started) / 1000).toFixed(1)} s.\n\n`);

  const service = flags.service === undefined ? undefined : String(flags.service);
  const shown = service ? ofService(e.resources, service) : undefined;
  if (shown && shown.size === 0)
    throw new UsageError(
      `--service ${service}: no resource of the ${program} stack "${stack}" is named after it`,
    );
  const children = new Map<string | undefined, RecordedResource[]>();
  for (const r of e.resources) children.set(r.parent, [...(children.get(r.parent) ?? []), r]);
  const lines: string[] = [];
  const walk = (parent: string | undefined, depth: number) => {
    for (const r of children.get(parent) ?? []) {
      if (shown && !shown.has(r.urn)) continue;
      lines.push(`${"  ".repeat(depth)}+ ${r.type}  ${r.name}${r.protect ? "  [protected]" : ""}`);
      if (flags.details && r.custom)
        for (const line of YAML.stringify(shownInputs(r.rawInputs?.toJavaScript?.() ?? r.inputs), {
          lineWidth: 0,
        })
          .trimEnd()
          .split("\n"))
          lines.push(`${"  ".repeat(depth + 2)}${line}`);
      walk(r.urn, depth + 1);
    }
  };
  walk(undefined, 0);
  // Top-level resources are parented to the stack, which the mock never registers.
  const stackUrn = e.resources.find((r) => r.parent && !e.resources.some((x) => x.urn === r.parent))?.parent;
  if (stackUrn) walk(stackUrn, 0);
  console.log(`Previewing ${program} stack "${stack}"${service ? `, service ${service}` : ""}:\n`);
  console.log(lines.join("\n"));
  console.log(`\n${shown ? shown.size : e.resources.length} resources to create\n\nOutputs:`);
  for (const [k, v] of Object.entries(e.outputs))
    console.log(`  ${k}: ${k === "kubeconfig" && v ? "[secret]" : JSON.stringify(v)}`);
  if (!flags.policy) return 0;

  const packStack = program === "apps" ? platformStackOf(stack) : stack;
  const gate = runGate(e.resources, program === "bootstrap" ? {} : readPackConfig(packStack));
  console.log(
    `\nPolicy pack: ${gate.checks} checks, ${gate.mandatory.length} mandatory violation(s), ${gate.findings.length - gate.mandatory.length} advisory`,
  );
  for (const f of gate.findings) console.log(findingLine(f));
  if (gate.findings.length)
    console.log(
      `\nA finding is fixed in the program or its config; a deliberate exception is approved in policy/config/${packStack}.json (the rule's enforcement or settings), which the platform team's CODEOWNERS review.`,
    );
  return gate.mandatory.length ? 1 : 0;
}

if (require.main === module) void runCommand(SPEC, ({ flags }) => main(flags));
