/**
 * `npm run runner -- labels --stack <s>`: the stack's runner label template and whether its
 * runner needs bootstrapping (GITHUB_OUTPUT lines; the published labels come from
 * PUBLISHED_LABELS). `npm run runner -- targets --stack <s>`: the bootstrap's `--target=<urn>`
 * arguments, one a line. Both read the committed stack file only: no credentials needed.
 */
import { stackConfigFromFile } from "../config";
import { CommandSpec, helpText, parseCommand, reportFailure, UsageError, wantsHelp } from "../lib/cli";
import { runnerLabelsTemplate } from "../config/runners";
import { bootstrapTargets, needsBootstrap } from "./runner-bootstrap";

const SPEC: CommandSpec = {
  usage: "npm run runner --",
  summary:
    "labels: the stack's runner label template and whether its runner needs bootstrapping (GITHUB_OUTPUT lines); targets: the bootstrap's --target=<urn> arguments.",
  positionals: [{ name: "command", description: "what to print" }],
  flags: { stack: { type: "string", value: "NAME", required: true, description: "the stack" } },
};

export function runnerCli(argv: string[], env: NodeJS.ProcessEnv = process.env): string[] {
  const { positionals, flags } = parseCommand(SPEC, argv);
  const [command] = positionals;
  const config = stackConfigFromFile(String(flags.stack));
  if (command === "labels")
    return [
      `labels=${runnerLabelsTemplate(config)}`,
      `bootstrap=${needsBootstrap(config, env.PUBLISHED_LABELS || undefined)}`,
    ];
  if (command === "targets") return bootstrapTargets(config).map((urn) => `--target=${urn}`);
  throw new UsageError(`unknown command ${JSON.stringify(command)}: labels or targets`);
}

if (require.main === module) {
  if (wantsHelp(process.argv)) console.log(helpText(SPEC));
  else
    try {
      console.log(runnerCli(process.argv.slice(2)).join("\n"));
    } catch (e) {
      reportFailure(e);
    }
}
