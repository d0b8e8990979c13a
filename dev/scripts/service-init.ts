// `npm run service:init -- --name billing --toolchain python --target eks [--strategy canary]
// [--database] [--port 8080] [--application shop] [--exposure internal] [--stacks dev,staging]
// [--dry-run]`: onboards a service (dev/scaffold/service.ts). What the choices pull in is printed
// before anything is written.
import { ROOT } from "../paths";
import { CommandSpec, runCommand, UsageError } from "../../src/lib/cli";
import {
  defaultStacks,
  planService,
  STRATEGIES,
  TARGETS,
  TOOLCHAINS,
  writeService,
} from "../scaffold/service";

const SPEC: CommandSpec = {
  usage: "npm run service:init --",
  summary:
    "Adds a service to every environment's stack file and writes its skeleton under services/<name>/, whose generated CI checks pass as written. Prints what the choices pull in (add-ons, images to mirror, secrets to create) first.",
  flags: {
    name: { type: "string", value: "NAME", required: true, description: "the service's name (a DNS label)" },
    toolchain: {
      type: "string",
      value: "TOOLCHAIN",
      required: true,
      description: "its language",
      choices: TOOLCHAINS,
    },
    target: {
      type: "string",
      value: "TARGET",
      required: true,
      description: "where it runs",
      choices: TARGETS,
    },
    strategy: {
      type: "string",
      value: "STRATEGY",
      description: "how it releases (default rolling)",
      choices: STRATEGIES,
    },
    port: { type: "string", value: "PORT", description: "the port it listens on (default 8080)" },
    database: {
      type: "boolean",
      description: "it has a database: DATABASE_URL from a secret per environment",
    },
    application: {
      type: "string",
      value: "NAME",
      description: "the application it belongs to (default the repository's)",
    },
    exposure: {
      type: "string",
      value: "EXPOSURE",
      description: "who reaches it",
      choices: ["cluster", "internal", "public"],
    },
    stacks: {
      type: "string",
      value: "LIST",
      description: "comma-separated stacks (default every stack but local)",
    },
    "dry-run": { type: "boolean", description: "print the plan and write nothing" },
  },
};

void runCommand(SPEC, ({ flags }) => {
  const port = Number(flags.port ?? 8080);
  if (!Number.isInteger(port) || port < 1024 || port > 65535)
    throw new UsageError(`--port ${JSON.stringify(flags.port)} is not an integer from 1024 to 65535`);
  const stacks = flags.stacks ? String(flags.stacks).split(",") : defaultStacks(ROOT);
  const request = {
    name: String(flags.name),
    toolchain: flags.toolchain as (typeof TOOLCHAINS)[number],
    target: flags.target as (typeof TARGETS)[number],
    strategy: (flags.strategy ?? "rolling") as (typeof STRATEGIES)[number],
    port,
    database: flags.database === true,
    ...(flags.application ? { application: String(flags.application) } : {}),
    ...(flags.exposure ? { exposure: flags.exposure as "cluster" | "internal" | "public" } : {}),
  };
  const plan = planService(request, stacks, ROOT);
  console.log(
    `${request.name} (${request.toolchain} on ${request.target}, ${request.strategy}) in ${stacks.join(", ")}.`,
  );
  console.log(
    plan.pulls.length ? "\nWhat it pulls in, before its first deploy:" : "\nIt pulls in nothing more.",
  );
  for (const line of plan.pulls) console.log(`  - ${line}`);
  if (flags["dry-run"]) return;
  console.log("\nWritten:");
  for (const file of writeService(plan, request.name, ROOT)) console.log(`  ${file}`);
});
