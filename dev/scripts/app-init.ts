// `npm run app:init -- --application <name> [--organization <org>]`: writes the stack file of
// each environment's application stack (apps/Pulumi.<application>-<stack>.yaml) for every
// platform stack whose services name the application and whose workloads live in application
// stacks, and says which it wrote, which were there and which platform stacks it skipped, and why.
import { parseFlags } from "./args";
import { initApplicationStacks } from "../../src/release/app-init";

function main(): void {
  const flags = parseFlags(process.argv.slice(2), {
    application: "the application's name, as services[].application says it",
    organization:
      "the backend's organisation in StackReference names (default \"organization\", a DIY backend's)",
  });
  if (!flags.application) throw new Error("--application is required (the application's name)");
  for (const line of initApplicationStacks(flags.application, { organization: flags.organization }))
    console.log(line);
}

try {
  main();
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  process.exit(2);
}
