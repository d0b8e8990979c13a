import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import Ajv2020 from "ajv/dist/2020";
import YAML from "yaml";
import { STACK_SCHEMA_FILE, stackFileSchema, stackSchemaText } from "../../dev/contract/stack-schema";
import fc from "fast-check";
import { knownStacks, ROOT } from "../../src/config/stack-files";
import { stackConfigSchema } from "../../src/config/schema";
import { asStackFile, generatedConfig } from "../property/config-arbitrary";

describe("the stack files' JSON Schema (editor support)", () => {
  const validate = new Ajv2020({ allErrors: true, strict: false }).compile(stackFileSchema());
  const fileOf = (stack: string) =>
    YAML.parse(fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8"));

  it("is committed as the zod schema generates it (npm run contract:update)", () => {
    assert.deepEqual(JSON.parse(fs.readFileSync(STACK_SCHEMA_FILE, "utf8")), JSON.parse(stackSchemaText()));
  });

  for (const stack of knownStacks())
    it(`accepts the committed ${stack} stack file, and its first line points editors at it`, () => {
      assert.ok(validate(fileOf(stack)), JSON.stringify(validate.errors, null, 2));
      assert.equal(
        fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8").split("\n")[0],
        "# yaml-language-server: $schema=./dev/contract/stack-config.schema.json",
      );
    });

  it("agrees with the zod schema on generated configs: what the program's schema accepts, the editor accepts", () => {
    let accepted = 0;
    let refused = 0;
    fc.assert(
      fc.property(generatedConfig({ maxEdits: 3 }), (c) => {
        const zodAccepts = stackConfigSchema.safeParse(structuredClone(c.values)).success;
        const editorAccepts = validate({ config: asStackFile(c) });
        // The JSON Schema carries no refinements (a refine over several values), so it may accept
        // what zod refuses, never the other way round.
        if (zodAccepts) {
          accepted++;
          assert.ok(editorAccepts, `${c.edits.join("; ")}\n${JSON.stringify(validate.errors, null, 2)}`);
        }
        if (!editorAccepts) {
          refused++;
          assert.ok(!zodAccepts, c.edits.join("; "));
        }
      }),
      { seed: 20261208, numRuns: 300 },
    );
    assert.ok(accepted > 50 && refused > 20, `${accepted} accepted, ${refused} refused by the editor`);
  });

  it("refuses a misspelt platform key, a wrong type and a value out of range, and leaves other namespaces alone", () => {
    const doc = fileOf("dev");
    doc.config["platform:servises"] = [];
    doc.config["platform:logRetentionDays"] = "thirty";
    doc.config["platform:network"] = { ...doc.config["platform:network"], azCount: 9 };
    doc.config["aws:profile"] = "ops";
    assert.equal(validate(doc), false);
    const where = (validate.errors ?? []).map((e) => `${e.instancePath} ${e.keyword}`).sort();
    assert.ok(where.includes("/config propertyNames"), where.join("\n"));
    assert.ok(where.includes("/config/platform:logRetentionDays type"), where.join("\n"));
    assert.ok(where.includes("/config/platform:network/azCount maximum"), where.join("\n"));
    assert.ok(!where.some((w) => w.includes("aws:profile")), where.join("\n"));
  });
});
