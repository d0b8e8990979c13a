// `npm run policy:build`: precompiles policy/ into .policy-pack/, the pack `pulumi preview` and
// `pulumi up` load (src/lib/policy-pack-build.ts). The generated workflows run it in the same step
// as the command that loads the pack.
import { buildPolicyPack } from "../../src/lib/policy-pack-build";
import { CommandSpec, runCommand } from "../../src/lib/cli";
import { ROOT } from "../paths";

const SPEC: CommandSpec = {
  usage: "npm run policy:build --",
  summary: "Precompiles policy/ into .policy-pack/, the pack pulumi preview and pulumi up load.",
  flags: {},
};

void runCommand(SPEC, () => {
  const started = process.hrtime.bigint();
  const dir = buildPolicyPack(ROOT);
  console.error(
    `policy pack built in ${dir} (${Math.round(Number(process.hrtime.bigint() - started) / 1e6)} ms)`,
  );
});
