// The import rules ESLint enforces (eslint.config.mjs), shown failing on arrows introduced on
// purpose: an area file of the config that imports the rule list back, and a program module that
// imports a CI command-line tool. The real ESLint with the project's config lints the edited text.
import { strict as assert } from "assert";
import { ESLint } from "eslint";
import * as fs from "fs";
import * as path from "path";

const ROOT = path.resolve(__dirname, "../..");

// Under CI=true typescript-eslint infers a single run and parses each file from the program it
// built from disk, so edited text would go unseen: this instance lints the text it is given.
const eslint = new ESLint({
  cwd: ROOT,
  overrideConfig: { languageOptions: { parserOptions: { disallowAutomaticSingleRunInference: true } } },
});

async function lint(file: string, edit: (text: string) => string): Promise<string[]> {
  const filePath = path.join(ROOT, file);
  const [result] = await eslint.lintText(edit(fs.readFileSync(filePath, "utf8")), { filePath });
  return result.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

describe("the import rules ESLint enforces", function () {
  this.timeout(120_000);

  it("pass the files as they are", async () => {
    assert.deepEqual(await lint("src/config/api-limits.ts", (t) => t), []);
  });

  it("fail a config area file that imports the rule list back, saying where the vocabulary lives", async () => {
    assert.deepEqual(
      await lint("src/config/api-limits.ts", (t) => t.replace('from "./problem"', 'from "./rules"')),
      [
        "no-restricted-imports: './rules' import is restricted from being used. import ConfigProblem, ConfigRule and keyOf from ./problem: rules.ts imports this file, so importing it back closes the config ring",
      ],
    );
  });

  for (const file of ["src/stack/platform.ts", "src/config/api-limits.ts", "src/workflows/deploy.ts"])
    it(`fail ${file} importing a CI command-line tool`, async () => {
      const messages = await lint(
        file,
        (t) => `${t}\nimport { main as cliMain } from "../release/cli";\nvoid cliMain;\n`,
      );
      assert.deepEqual(messages, [
        "no-restricted-imports: '../release/cli' import is restricted from being used by a pattern. a CI command-line tool or the engine- and process-driving code of a job: the program and its libraries must not load it (it would run in every preview and up)",
      ]);
    });
});
