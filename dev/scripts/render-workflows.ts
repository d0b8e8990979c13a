// Renders every file the delivery layer would commit for a stack, into a folder:
//   npm run render:workflows -- --stack dev --out rendered [--branch-model trunk]
import * as fs from "fs";
import * as path from "path";
import { ConfigError, stackConfigFromFile } from "../../src/config";
import { deliveryContext } from "../../src/stack/delivery";
import { deliveryFiles } from "../../src/workflows";
import { BRANCH_MODELS, BranchModel } from "../../src/workflows/context";
import { parseFlags } from "./args";

function main(): void {
  const flags = parseFlags(process.argv.slice(2), {
    stack: "dev, staging or production",
    out: "output folder",
    "branch-model": BRANCH_MODELS.join(", "),
  });
  const stack = flags.stack ?? "dev";
  const config = stackConfigFromFile(stack);
  if (!config.github)
    throw new ConfigError(stack, [
      { key: "github", value: undefined, allowed: "the stack needs a github section to render workflows" },
    ]);
  const model = flags["branch-model"];
  if (model !== undefined && !(BRANCH_MODELS as readonly string[]).includes(model))
    throw new ConfigError(stack, [
      { key: "--branch-model", value: model, allowed: `one of ${BRANCH_MODELS.join(", ")}` },
    ]);
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

try {
  main();
} catch (err) {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
}
