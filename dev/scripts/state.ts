// State operations with the Pulumi CLI, so moving, backing up and restoring a stack is one
// command that checks its own result:
//
//   npm run state -- backup  --stack dev --out dev.json
//   npm run state -- restore --stack dev --file dev.json
//   npm run state -- migrate --stack dev --from file://~ --to "s3://bucket?region=eu-west-1"
//                            [--secrets-provider "awskms://<key-id>?region=eu-west-1"]
//
// The backend is taken from --from/--to (migrate) or PULUMI_BACKEND_URL; --dir is the project
// directory (default: this repository). Secrets stay encrypted in every file this writes.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { CommandSpec, runCommand, UsageError } from "../../src/lib/cli";
import { ROOT } from "../paths";
import { readStackFile, stackFilePath } from "../../src/config/stack-files";

interface Cli {
  readonly dir: string;
  readonly stack: string;
}

function pulumi(cli: Cli, backend: string | undefined, args: string[]): string {
  const env: NodeJS.ProcessEnv = { ...process.env, PULUMI_SKIP_UPDATE_CHECK: "true" };
  if (backend) env.PULUMI_BACKEND_URL = backend;
  try {
    return execFileSync("pulumi", [...args, "--stack", cli.stack, "--non-interactive"], {
      cwd: cli.dir,
      env,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
  } catch (e) {
    const err = e as { stderr?: string; stdout?: string; message: string };
    throw new Error(`pulumi ${args.join(" ")} failed:\n${err.stderr || err.stdout || err.message}`);
  }
}

interface Export {
  version: number;
  deployment: { resources?: { urn: string; type: string }[]; secrets_providers?: { type: string } };
}

const readExport = (text: string): Export => JSON.parse(text) as Export;
const urns = (e: Export) => (e.deployment.resources ?? []).map((r) => r.urn);

/** Writes the stack's state to `out` (secrets encrypted) and returns its resource count. */
export function backup(cli: Cli, out: string, backend?: string): number {
  pulumi(cli, backend, ["stack", "export", "--file", out]);
  return urns(readExport(fs.readFileSync(out, "utf8"))).length;
}

/**
 * Replaces the stack's state with an export. The current state is exported first, next to the
 * file (`<file>.before-restore.json`), so a restore can itself be undone.
 */
export function restore(cli: Cli, file: string, backend?: string): { previous: string; resources: number } {
  const wanted = readExport(fs.readFileSync(file, "utf8"));
  const previous = file.replace(/\.json$/, "") + ".before-restore.json";
  backup(cli, previous, backend);
  pulumi(cli, backend, ["stack", "import", "--file", file]);
  const now = readExport(pulumi(cli, backend, ["stack", "export"]));
  if (JSON.stringify(urns(now)) !== JSON.stringify(urns(wanted)))
    throw new Error(
      `restore of ${cli.stack} did not take: state has ${urns(now).length} resources, the file ${urns(wanted).length}`,
    );
  return { previous, resources: urns(now).length };
}

/**
 * Moves a stack between backends: optionally switches its secrets provider first (re-encrypting
 * config and state where it is), exports, creates the stack in the target with the secrets
 * settings of `Pulumi.<stack>.yaml`, imports, and checks the target holds the same resources.
 * The source stack is left as it was; remove it with `pulumi stack rm` once the target works.
 */
export function migrate(
  cli: Cli,
  from: string,
  to: string,
  secretsProvider: string | undefined,
  workFile: string,
): number {
  if (secretsProvider) pulumi(cli, from, ["stack", "change-secrets-provider", secretsProvider]);
  backup(cli, workFile, from);
  const exported = readExport(fs.readFileSync(workFile, "utf8"));
  const provider = secretsProvider ?? providerOf(cli);
  pulumi(cli, to, ["stack", "init", "--secrets-provider", provider]);
  pulumi(cli, to, ["stack", "import", "--file", workFile]);
  const moved = readExport(pulumi(cli, to, ["stack", "export"]));
  if (JSON.stringify(urns(moved)) !== JSON.stringify(urns(exported)))
    throw new Error(
      `migration of ${cli.stack} is incomplete: ${urns(moved).length} of ${urns(exported).length} resources`,
    );
  return urns(moved).length;
}

/** The secrets provider recorded in `Pulumi.<stack>.yaml` (`passphrase` when it names none). */
function providerOf(cli: Cli): string {
  return fs.existsSync(stackFilePath(cli.stack, cli.dir))
    ? (readStackFile(cli.stack, cli.dir).secretsProvider ?? "passphrase")
    : "passphrase";
}

const SPEC: CommandSpec = {
  usage: "npm run state --",
  summary:
    "Backs up, restores or moves a stack's state with the Pulumi CLI and checks the result (secrets stay encrypted).",
  positionals: [{ name: "command", description: "what to do", choices: ["backup", "restore", "migrate"] }],
  flags: {
    stack: { type: "string", value: "NAME", required: true, description: "the stack" },
    dir: { type: "string", value: "DIR", description: "project directory (default the repository)" },
    out: { type: "string", value: "FILE", description: "backup: file to write" },
    file: { type: "string", value: "FILE", description: "restore: export to import" },
    from: { type: "string", value: "URL", description: "migrate: source backend URL" },
    to: { type: "string", value: "URL", description: "migrate: target backend URL" },
    "secrets-provider": {
      type: "string",
      value: "URL",
      description: "migrate: new secrets provider, e.g. awskms://<key-id>?region=<region>",
    },
  },
};

function main(command: string, flags: Record<string, string | undefined>): void {
  const stack = flags.stack!;
  const cli: Cli = { dir: path.resolve(flags.dir ?? ROOT), stack };
  switch (command) {
    case "backup": {
      const out = flags.out ?? `${stack}-${new Date().toISOString().replace(/[:.]/g, "-")}.json`;
      console.log(`exported ${backup(cli, out)} resources of ${flags.stack} to ${out}`);
      return;
    }
    case "restore": {
      if (!flags.file) throw new UsageError("restore needs --file <export>");
      const r = restore(cli, flags.file);
      console.log(
        `restored ${flags.stack} to ${flags.file} (${r.resources} resources); previous state in ${r.previous}`,
      );
      return;
    }
    case "migrate": {
      if (!flags.from || !flags.to)
        throw new UsageError("migrate needs --from <backend-url> and --to <backend-url>");
      const work = path.join(cli.dir, `.${flags.stack}.migrate.json`);
      try {
        const n = migrate(cli, flags.from, flags.to, flags["secrets-provider"], work);
        console.log(`moved ${flags.stack} (${n} resources) from ${flags.from} to ${flags.to}`);
      } finally {
        fs.rmSync(work, { force: true });
      }
      return;
    }
  }
}

if (require.main === module)
  void runCommand(SPEC, ({ positionals, flags }) =>
    main(positionals[0], flags as Record<string, string | undefined>),
  );
