// Renders every file the delivery layer would commit for a stack, into a folder:
//   npm run render:workflows -- --stack dev --out rendered [--branch-model trunk]
import * as fs from "fs";
import * as path from "path";
import { ConfigError, stackConfigFromFile } from "../../src/config";
import { deliveryContext } from "../../src/stack/delivery";
import { deliveryFiles } from "../../src/workflows";
import { BRANCH_MODELS, BranchModel } from "../../src/workflows/context";
import { CommandSpec, runCommand } from "../../src/lib/cli";

const SPEC: CommandSpec = {
  usage: "npm run render:workflows --",
  summary: "Renders every file the delivery layer would commit for a stack into a folder.",
  flags: {
    stack: { type: "string", value: "NAME", description: "the stack (default dev)" },
    out: { type: "string", value: "DIR", description: "output folder (default rendered)" },
    "branch-model": {
      type: "string",
      value: "MODEL",
      description: "render under another branch model than the stack's",
      choices: BRANCH_MODELS,
    },
  },
};

function main(flags: Record<string, string | undefined>): void {
  const stack = flags.stack ?? "dev";
  const config = stackConfigFromFile(stack);
  if (!config.github)
    throw new ConfigError(stack, [
      { key: "github", value: undefined, allowed: "the stack needs a github section to render workflows" },
    ]);
  const model = flags["branch-model"];
  const ctx = {
    ...deliveryContext(config, config.github),
    ...(model ? { branchModel: model as BranchModel } : {}),
  };
  const out = path.resolve(flags.out ?? "rendered");
  for (const [file, content] of Object.entries(deliveryFiles(ctx))) {
    fs.mkdirSync(path.dirname(path.join(out, file)), { recursive: true });
    fs.writeFileSync(path.join(out, file), content);
    console.log(path.join(path.relative(process.cwd(), out), file));
  }
}

void runCommand(SPEC, ({ flags }) => main(flags as Record<string, string | undefined>));
