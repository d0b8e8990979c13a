/**
 * The JSON Schema of a platform stack file (`Pulumi.<stack>.yaml`), generated from the zod schema
 * the program validates with (src/config/schema.ts), for editors: with the YAML language server,
 * the `# yaml-language-server: $schema=…` line at the top of each stack file gives completion,
 * types, enums, ranges and defaults for every `platform:` key. The cross-key rules stay the
 * program's (one ConfigError naming every problem); the schema catches what a single key can.
 */
import * as path from "path";
import { z } from "zod";
import { stackConfigSchema } from "../../src/config/schema";
import { PROJECT } from "../../src/config/primitives";
import { ROOT } from "../../src/config/stack-files";

export const STACK_SCHEMA_FILE = path.join(ROOT, "dev", "contract", "stack-config.schema.json");

/** The schema of a whole stack file: `config:` with every `platform:<key>`, other namespaces free. */
export function stackFileSchema(): Record<string, unknown> {
  const config = z.toJSONSchema(stackConfigSchema, { io: "input", unrepresentable: "any" }) as {
    properties: Record<string, unknown>;
    required?: string[];
    $defs?: Record<string, unknown>;
  };
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    title: `Pulumi.<stack>.yaml of the ${PROJECT} project`,
    type: "object",
    properties: {
      secretsprovider: { type: "string" },
      encryptedkey: { type: "string" },
      encryptionsalt: { type: "string" },
      config: {
        type: "object",
        properties: Object.fromEntries(
          Object.entries(config.properties).map(([key, schema]) => [`${PROJECT}:${key}`, schema]),
        ),
        required: (config.required ?? []).map((key) => `${PROJECT}:${key}`),
        // Other namespaces (aws:region) are their providers'; an unknown platform: key is refused.
        propertyNames: {
          anyOf: [
            { not: { pattern: `^${PROJECT}:` } },
            { enum: Object.keys(config.properties).map((k) => `${PROJECT}:${k}`) },
          ],
        },
      },
    },
    required: ["config"],
    ...(config.$defs ? { $defs: config.$defs } : {}),
  };
}

/** The file's text, as committed. */
export const stackSchemaText = () => JSON.stringify(stackFileSchema(), null, 2) + "\n";
