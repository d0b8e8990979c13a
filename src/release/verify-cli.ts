/**
 * `npm run release:verify -- --environment staging --service api --sha <commit>`: release.yml's
 * first job per service. Exits non-zero, with the reason as a workflow error, unless the
 * environment's latest deployment of the service at that commit succeeded. GH_TOKEN and
 * GITHUB_REPOSITORY come from the job.
 */
import { parseArgs } from "util";
import { CommandSpec, helpText, reportFailure, UsageError, wantsHelp } from "../lib/cli";
import { runCommand } from "./process";
import * as fs from "fs";
import { GhApi, NotDeployed, stagedRelease } from "./verify-deployment";

/** `gh api <path>`, parsed. */
export const ghApi: GhApi = async (path) => JSON.parse(await runCommand("gh", ["api", path]));

const SPEC: CommandSpec = {
  usage: "npm run release:verify --",
  summary:
    "release.yml's first job per service: fails unless the environment's latest deployment of the service at that commit (or the one it was built at) succeeded.",
  flags: {
    environment: {
      type: "string",
      value: "NAME",
      required: true,
      description: "the source environment (staging)",
    },
    service: { type: "string", value: "NAME", required: true, description: "the service" },
    sha: { type: "string", value: "COMMIT", required: true, description: "the tagged commit" },
  },
};

/** Resolves with the line to print; rejects with NotDeployed (or a usage error). */
export async function main(
  argv: readonly string[],
  api: GhApi = ghApi,
  repository = process.env.GITHUB_REPOSITORY,
): Promise<string> {
  let values: { environment?: string; service?: string; sha?: string };
  try {
    values = parseArgs({
      args: argv.filter((a) => a !== "--debug"),
      options: { environment: { type: "string" }, service: { type: "string" }, sha: { type: "string" } },
      strict: true,
    }).values;
  } catch (e) {
    throw new UsageError(`${(e as Error).message}; release:verify takes --environment, --service, --sha`);
  }
  const missing = ["environment", "service", "sha"].filter((k) => !values[k as keyof typeof values]);
  if (missing.length) throw new UsageError(`release:verify needs ${missing.map((k) => `--${k}`).join(", ")}`);
  if (!repository) throw new UsageError("release:verify needs GITHUB_REPOSITORY (owner/repo)");
  const verified = await stagedRelease(api, {
    repository,
    environment: values.environment!,
    service: values.service!,
    sha: values.sha!,
  });
  // The digest the release job promotes: what the source runs, built at this commit or before.
  if (process.env.GITHUB_OUTPUT && verified.digest)
    fs.appendFileSync(process.env.GITHUB_OUTPUT, `digest=${verified.digest}\n`);
  const built =
    verified.sha === values.sha ? `at ${values.sha}` : `built at ${verified.sha} (not rebuilt since)`;
  return `${values.environment} runs ${values.service} ${built} (deployment #${verified.deploymentId}${
    verified.digest ? `, ${verified.digest}` : ""
  })`;
}

if (require.main === module) {
  if (wantsHelp(process.argv)) console.log(helpText(SPEC));
  else
    main(process.argv.slice(2)).then(
      (line) => console.log(line),
      (err: unknown) => {
        if (!(err instanceof NotDeployed)) return reportFailure(err);
        console.error(`::error::${err.message}`);
        process.exitCode = 1;
      },
    );
}
