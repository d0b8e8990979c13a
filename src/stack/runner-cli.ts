/**
 * `npm run runner -- labels --stack <s>`: the stack's runner label template and whether its
 * runner needs bootstrapping (GITHUB_OUTPUT lines; the published labels come from
 * PUBLISHED_LABELS). `npm run runner -- targets --stack <s>`: the bootstrap's `--target=<urn>`
 * arguments, one a line. Both read the committed stack file only: no credentials needed.
 */
import { parseArgs } from "node:util";
import { stackConfigFromFile } from "../config";
import { runnerLabelsTemplate } from "../config/runners";
import { bootstrapTargets, needsBootstrap } from "./runner-bootstrap";

export function runnerCli(argv: string[], env: NodeJS.ProcessEnv = process.env): string[] {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { stack: { type: "string" } },
  });
  const [command] = positionals;
  if (!values.stack) throw new Error("--stack <name> is required");
  const config = stackConfigFromFile(values.stack);
  if (command === "labels")
    return [
      `labels=${runnerLabelsTemplate(config)}`,
      `bootstrap=${needsBootstrap(config, env.PUBLISHED_LABELS || undefined)}`,
    ];
  if (command === "targets") return bootstrapTargets(config).map((urn) => `--target=${urn}`);
  throw new Error(`unknown command ${JSON.stringify(command)}: labels or targets`);
}

if (require.main === module) {
  try {
    console.log(runnerCli(process.argv.slice(2)).join("\n"));
  } catch (e) {
    console.error((e as Error).message);
    process.exit(1);
  }
}
