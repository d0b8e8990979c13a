// `npm run app:init -- --application <name> [--organization <org>]`: writes the stack file of
// each environment's application stack (apps/Pulumi.<application>-<stack>.yaml) for every
// platform stack whose services name the application and whose workloads live in application
// stacks, and says which it wrote, which were there and which platform stacks it skipped, and why.
import { CommandSpec, runCommand, UsageError } from "../../src/lib/cli";
import { initApplicationStacks } from "../../src/release/app-init";

const SPEC: CommandSpec = {
  usage: "npm run app:init --",
  summary:
    "Writes apps/Pulumi.<application>-<stack>.yaml for every platform stack whose services name the application, and says which it wrote, kept or skipped.",
  flags: {
    application: {
      type: "string",
      value: "NAME",
      required: true,
      description: "the application's name, as services[].application says it",
    },
    organization: {
      type: "string",
      value: "ORG",
      description:
        "the backend's organisation in StackReference names (default \"organization\", a DIY backend's)",
    },
  },
};

void runCommand(SPEC, ({ flags }) => {
  try {
    for (const line of initApplicationStacks(String(flags.application), {
      organization: flags.organization as string | undefined,
    }))
      console.log(line);
  } catch (e) {
    // What app-init refuses (an application no platform stack declares) is the caller's to fix.
    throw new UsageError((e as Error).message);
  }
});
