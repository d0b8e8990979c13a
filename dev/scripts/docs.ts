// Regenerates the generated sections of the reference pages (between `<!-- generated:NAME -->`
// markers; dev/docs/pages.ts says which page holds which) from the code: the outputs contract,
// the policy table and its automatic fixes, the pipelines' critical paths, every config key of
// the stack file with the API limits, and the benchmark figures. `--check` fails when any page
// is stale, naming it.
import * as fs from "fs";
import * as prettier from "prettier";
import { fillSections, GENERATED_PAGES, pagePath } from "../docs/pages";

const check = process.argv.includes("--check");

async function main(): Promise<void> {
  const stale: string[] = [];
  for (const page of GENERATED_PAGES) {
    const file = pagePath(page);
    const before = fs.readFileSync(file, "utf8");
    const bodies = Object.fromEntries(Object.entries(page.sections).map(([name, make]) => [name, make()]));
    // Format like `prettier --write` would, so generated tables and format:check agree.
    const options = (await prettier.resolveConfig(file)) ?? {};
    const after = await prettier.format(fillSections(page.file, before, bodies), {
      ...options,
      parser: "markdown",
    });
    if (after === before) continue;
    stale.push(page.file);
    if (!check) fs.writeFileSync(file, after);
  }
  if (check && stale.length) {
    console.error(`generated sections are stale in ${stale.join(", ")}: run npm run docs`);
    process.exit(1);
  }
  console.log(
    check
      ? `generated sections are current (${GENERATED_PAGES.map((p) => p.file).join(", ")})`
      : stale.length
        ? `generated sections updated in ${stale.join(", ")}`
        : "generated sections were current",
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
