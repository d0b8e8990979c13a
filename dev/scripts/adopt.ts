// Writes the `pulumi import --file` document that adopts a stack's existing GitHub objects:
//   npm run adopt -- --stack dev [--kinds repository,branch-protection,label,environments,variables] [--out adopt.json]
// then: pulumi import --stack dev --file adopt.json --generate-code=false, and pulumi preview.
import * as fs from "fs";
import { version as githubProviderVersion } from "@pulumi/github/package.json";
import { evaluateStack } from "../harness/program";
import { ConfigError, stackConfigFromFile } from "../../src/config";
import { ADOPTION_KINDS, AdoptionKind, adoptionFile } from "../../src/stack/adoption";
import { CommandSpec, runCommand } from "../../src/lib/cli";

const SPEC: CommandSpec = {
  usage: "npm run adopt --",
  summary:
    "Writes the `pulumi import --file` document that adopts a stack's existing GitHub objects; then run pulumi import and pulumi preview.",
  flags: {
    stack: {
      type: "string",
      value: "NAME",
      description: "the stack whose objects exist already (default dev)",
    },
    kinds: {
      type: "string",
      value: "LIST",
      description: `comma-separated, of ${ADOPTION_KINDS.join(", ")} (default repository)`,
    },
    out: { type: "string", value: "FILE", description: "file to write (default standard output)" },
  },
};

async function main(flags: { stack?: string; kinds?: string; out?: string }): Promise<void> {
  const stack = flags.stack ?? "dev";
  const config = stackConfigFromFile(stack);
  if (!config.github)
    throw new ConfigError(stack, [
      { key: "github", value: undefined, allowed: "the stack needs a github section to adopt a repository" },
    ]);
  const kinds = (flags.kinds ?? "repository").split(",").map((k) => k.trim());
  const unknown = kinds.filter((k) => !(ADOPTION_KINDS as readonly string[]).includes(k));
  if (unknown.length)
    throw new ConfigError(stack, [
      { key: "--kinds", value: unknown, allowed: `any of ${ADOPTION_KINDS.join(", ")}` },
    ]);
  const evaluation = await evaluateStack(stack);
  const file = adoptionFile(evaluation.resources, {
    repository: config.github.repository,
    kinds: kinds as AdoptionKind[],
    // The plugin version the program's SDK selects, so the import reads with the same provider.
    providerVersion: githubProviderVersion,
  });
  const text = `${JSON.stringify(file, null, 2)}\n`;
  if (flags.out) {
    fs.writeFileSync(flags.out, text);
    console.error(
      `${flags.out}: ${file.resources.filter((r) => !r.component).length} objects; remove those that do not exist, then\n` +
        `  pulumi import --stack ${stack} --file ${flags.out} --generate-code=false`,
    );
  } else process.stdout.write(text);
}

void runCommand(SPEC, ({ flags }) => main(flags as { stack?: string; kinds?: string; out?: string }));
