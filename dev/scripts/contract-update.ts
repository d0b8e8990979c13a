// Writes contract/outputs.json from outputs.ts. Run it when adding an output on purpose; the
// outputs test fails on removals and renames whatever this file says.
import * as fs from "fs";
import * as path from "path";
import { OUTPUT_CONTRACT } from "../../src/stack/outputs";
import { CONTRACT_FILE } from "../paths";

const file = CONTRACT_FILE;
const contract = Object.fromEntries(
  Object.entries(OUTPUT_CONTRACT).map(([name, s]) => [name, { type: s.type, secret: s.secret }]),
);
fs.writeFileSync(file, JSON.stringify(contract, null, 2) + "\n");
console.log(`wrote ${path.relative(process.cwd(), file)} (${Object.keys(contract).length} outputs)`);
