// Regenerates the README's generated sections (between `<!-- generated:NAME -->` markers) from
// the code: the outputs contract and the policy table. `--check` fails when the README is stale.
import * as fs from "fs";
import * as prettier from "prettier";
import { generatedSections } from "../harness/docs";
import { README } from "../paths";

const readmePath = README;
const check = process.argv.includes("--check");
let readme = fs.readFileSync(readmePath, "utf8");
const before = readme;
for (const [name, body] of Object.entries(generatedSections())) {
  const pattern = new RegExp(`(<!-- generated:${name} -->\\n)[\\s\\S]*?(<!-- /generated:${name} -->)`);
  if (!pattern.test(readme)) throw new Error(`README.md has no <!-- generated:${name} --> section`);
  readme = readme.replace(pattern, `$1${body}\n$2`);
}
async function main(): Promise<void> {
  // Format like `prettier --write` would, so generated tables and format:check agree.
  const options = (await prettier.resolveConfig(readmePath)) ?? {};
  readme = await prettier.format(readme, { ...options, parser: "markdown" });
  report();
}

function report(): void {
  if (check) {
    if (readme !== before) {
      console.error("README.md generated sections are stale: run npm run docs");
      process.exit(1);
    }
    console.log("README.md generated sections are current");
  } else {
    fs.writeFileSync(readmePath, readme);
    console.log("README.md generated sections updated");
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
