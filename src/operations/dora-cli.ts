/**
 * `npm run dora -- --days 30 --out dora.json --summary <file> --slack <file>`: dora.yml's script.
 * Reads the repository's deployment record through `gh api` (GH_TOKEN with deployments: read and
 * contents: read; GITHUB_REPOSITORY), computes the four figures for the period and for each of the
 * last twelve weeks, and writes them as JSON (the artifact), a Markdown table (the job summary)
 * and a Slack text.
 */
import * as fs from "fs";
import { parseArgs } from "util";
import { CommandSpec, helpText, reportFailure, UsageError, wantsHelp } from "../lib/cli";
import { ghApi } from "../release/verify-cli";
import { GhApi } from "../release/verify-deployment";
import {
  computeDora,
  DeploymentRecord,
  DoraFigures,
  doraMarkdown,
  doraSlackText,
  serviceOfTask,
} from "./dora";

interface ApiDeployment {
  readonly id: number;
  readonly sha: string;
  readonly task: string;
  readonly environment: string;
  readonly created_at: string;
}

/**
 * The deployment record since `since`: deployments come newest first, a page of 100 at a time,
 * so reading stops at the first page that reaches past `since`. Only `deploy:` and `rollback:`
 * tasks are read further (statuses, and the commit's author date once per commit).
 */
export async function collectHistory(
  api: GhApi,
  repository: string,
  since: Date,
): Promise<DeploymentRecord[]> {
  const out: DeploymentRecord[] = [];
  const commitDates = new Map<string, string | undefined>();
  for (let page = 1; ; page++) {
    const batch = (await api(`repos/${repository}/deployments?per_page=100&page=${page}`)) as ApiDeployment[];
    for (const d of batch) {
      if (new Date(d.created_at) < since || !serviceOfTask(d.task)) continue;
      const statuses = (await api(
        `repos/${repository}/deployments/${d.id}/statuses?per_page=100`,
      )) as DeploymentRecord["statuses"];
      if (!commitDates.has(d.sha)) {
        const commit = (await api(`repos/${repository}/commits/${d.sha}`)) as {
          commit?: { author?: { date?: string } };
        };
        commitDates.set(d.sha, commit.commit?.author?.date);
      }
      out.push({
        id: d.id,
        sha: d.sha,
        task: d.task,
        environment: d.environment,
        created_at: d.created_at,
        statuses: statuses.map((s) => ({ id: s.id, state: s.state, created_at: s.created_at })),
        commitDate: commitDates.get(d.sha),
      });
    }
    if (batch.length < 100 || batch.some((d) => new Date(d.created_at) < since)) break;
  }
  return out;
}

export interface DoraReport {
  readonly repository: string;
  readonly generatedAt: string;
  readonly period: { readonly from: string; readonly to: string; readonly figures: DoraFigures[] };
  /** The last twelve weeks, oldest first: the history, recomputed from the record every run. */
  readonly weekly: { readonly from: string; readonly to: string; readonly figures: DoraFigures[] }[];
}

const DAY = 86_400_000;

export function doraReport(
  repository: string,
  records: readonly DeploymentRecord[],
  now: Date,
  days: number,
): DoraReport {
  const from = new Date(now.getTime() - days * DAY);
  const weekly = Array.from({ length: 12 }, (_, i) => {
    const to = new Date(now.getTime() - (11 - i) * 7 * DAY);
    const start = new Date(to.getTime() - 7 * DAY);
    return {
      from: start.toISOString(),
      to: to.toISOString(),
      figures: computeDora(records, { from: start, to }),
    };
  });
  return {
    repository,
    generatedAt: now.toISOString(),
    period: {
      from: from.toISOString(),
      to: now.toISOString(),
      figures: computeDora(records, { from, to: now }),
    },
    weekly,
  };
}

export async function main(
  argv: readonly string[],
  api: GhApi = ghApi,
  env = process.env,
  now = new Date(),
): Promise<DoraReport> {
  let values: { days?: string; out?: string; summary?: string; slack?: string };
  try {
    values = parseArgs({
      args: argv.filter((a) => a !== "--debug"),
      options: {
        days: { type: "string" },
        out: { type: "string" },
        summary: { type: "string" },
        slack: { type: "string" },
      },
      strict: true,
    }).values;
  } catch (e) {
    throw new UsageError(`${(e as Error).message}; dora takes --days, --out, --summary, --slack`);
  }
  const days = Number(values.days ?? 30);
  if (!Number.isInteger(days) || days < 1 || days > 365)
    throw new UsageError(`--days ${JSON.stringify(values.days)}: a whole number of days, 1 to 365`);
  const repository = env.GITHUB_REPOSITORY;
  if (!repository) throw new Error("dora needs GITHUB_REPOSITORY (owner/repo)");
  const since = new Date(now.getTime() - Math.max(days, 84) * DAY);
  const report = doraReport(repository, await collectHistory(api, repository, since), now, days);
  const period = { from: new Date(report.period.from), to: now };
  if (values.out) fs.writeFileSync(values.out, JSON.stringify(report, null, 2) + "\n");
  if (values.summary) fs.appendFileSync(values.summary, doraMarkdown(report.period.figures, period));
  if (values.slack) fs.writeFileSync(values.slack, doraSlackText(report.period.figures, period) + "\n");
  return report;
}

const SPEC: CommandSpec = {
  usage: "npm run dora --",
  summary:
    "The four DORA figures per service and environment from the repository's deployment record (GH_TOKEN and GITHUB_REPOSITORY from the job).",
  flags: {
    days: {
      type: "string",
      value: "N",
      description: "days the figures cover, ending now (default 30, 1 to 365)",
    },
    out: { type: "string", value: "FILE", description: "write the figures as JSON here" },
    summary: {
      type: "string",
      value: "FILE",
      description: "append the Markdown table here (the job summary)",
    },
    slack: { type: "string", value: "FILE", description: "write the Slack message text here" },
  },
};

if (require.main === module && wantsHelp(process.argv)) console.log(helpText(SPEC));
else if (require.main === module) {
  main(process.argv.slice(2)).then(
    (r) =>
      console.log(
        doraMarkdown(r.period.figures, { from: new Date(r.period.from), to: new Date(r.period.to) }),
      ),
    (err: unknown) => reportFailure(err),
  );
}
