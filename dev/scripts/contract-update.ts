// Writes the contracts from the code, on purpose: dev/contract/outputs.json (outputs.ts), the stack
// files' JSON Schema and each committed stack's URNs; their tests fail on anything else.
import * as fs from "fs";
import * as path from "path";
import { OUTPUT_CONTRACT } from "../../src/stack/outputs";
import { CONTRACT_FILE } from "../paths";
import { STACK_SCHEMA_FILE, stackSchemaText } from "../contract/stack-schema";
import {
  contractFile,
  contractStacks,
  evaluateForContract,
  URN_CONTRACT_DIR,
  urnsOf,
} from "../contract/urns";

import { CommandSpec, runCommand } from "../../src/lib/cli";

const SPEC: CommandSpec = {
  usage: "npm run contract:update --",
  summary:
    "Writes the contracts from the code, on purpose: the outputs contract, the stack files' JSON Schema and every committed stack's URNs.",
  flags: {},
};

void runCommand(SPEC, async () => {
  const file = CONTRACT_FILE;
  const contract = Object.fromEntries(
    Object.entries(OUTPUT_CONTRACT).map(([name, s]) => [name, { type: s.type, secret: s.secret }]),
  );
  fs.writeFileSync(file, JSON.stringify(contract, null, 2) + "\n");
  console.log(`wrote ${path.relative(process.cwd(), file)} (${Object.keys(contract).length} outputs)`);

  // The stack files' JSON Schema, for editors (dev/contract/stack-schema.ts).
  fs.writeFileSync(STACK_SCHEMA_FILE, stackSchemaText());
  console.log(`wrote ${path.relative(process.cwd(), STACK_SCHEMA_FILE)}`);

  // The resource-identity contract: every committed stack's URNs (dev/contract/urns.ts).
  fs.mkdirSync(URN_CONTRACT_DIR, { recursive: true });
  for (const { project, stack } of contractStacks()) {
    const urns = urnsOf(await evaluateForContract(project, stack));
    fs.writeFileSync(contractFile(project, stack), urns.join("\n") + "\n");
    console.log(`wrote ${path.relative(process.cwd(), contractFile(project, stack))} (${urns.length} URNs)`);
  }
});
