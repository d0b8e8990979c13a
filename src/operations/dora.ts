/**
 * The four DORA figures per service and environment, from the GitHub deployment record the
 * pipelines keep (src/workflows/deployments.ts): deploy-service.yml records `deploy:<service>`
 * with `in_progress` then `success`/`failure` (rolled back or not), rollback.yml records
 * `rollback:<service>` and marks the deployment it undid `failure` ("rolled back").
 *
 * Definitions (stated, because every tool's differ):
 * - deployment frequency: `deploy:` deployments of the period that went live (reached `success`,
 *   even if later rolled back), per day;
 * - lead time for changes: from the deployed commit's author date to its deployment's `success`
 *   status, median;
 * - change failure rate: finished `deploy:` deployments whose outcome is `failure`, over all
 *   finished ones (a deployment later marked rolled back counts as failed);
 * - time to restore: from when a failed deployment hurt — its `success` if it went live and was
 *   rolled back later, else its `failure` — to the next `success` of another deployment of that
 *   service in that environment (a deploy or a rollback), median; a failure not yet restored is
 *   reported as open, not as zero.
 * Pure: the history comes in; scripts/dora-report.ts reads it with the job's token.
 */
import { DEPLOYMENT_TASK_PREFIX } from "../workflows/deployments";

/** `task` of a rollback's deployment record, e.g. `rollback:api`. */
export const ROLLBACK_TASK_PREFIX = "rollback:";

/** A deployment (`GET /repos/{o}/{r}/deployments`) with its statuses and its commit's date. */
export interface DeploymentRecord {
  readonly id: number;
  readonly sha: string;
  readonly task: string;
  readonly environment: string;
  readonly created_at: string;
  /** `GET …/deployments/{id}/statuses`, any order. */
  readonly statuses: readonly { readonly id: number; readonly state: string; readonly created_at: string }[];
  /** Author date of `sha` (`GET …/commits/{sha}` → commit.author.date). */
  readonly commitDate?: string;
}

export interface DoraFigures {
  readonly service: string;
  readonly environment: string;
  readonly deployments: number;
  readonly failed: number;
  readonly rollbacks: number;
  /** Successful deploys per day over the period. */
  readonly deploymentsPerDay: number;
  /** Median hours from commit to successful deployment; null without one. */
  readonly leadTimeHours: number | null;
  /** Percent of finished deploys that failed; null without one. */
  readonly changeFailureRatePercent: number | null;
  /** Median hours from a failure to the next success; null without a restored failure. */
  readonly timeToRestoreHours: number | null;
  /** Failures with no success after them yet. */
  readonly unrestored: number;
}

export interface DoraPeriod {
  readonly from: Date;
  readonly to: Date;
}

const ms = (iso: string) => new Date(iso).getTime();
const hours = (n: number) => Math.round((n / 3_600_000) * 100) / 100;

export function median(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** The outcome of a deployment: its latest status that is not `inactive` (GitHub's "superseded"). */
export function outcomeOf(d: DeploymentRecord): { state: string; at: number } | undefined {
  const s = [...d.statuses].filter((x) => x.state !== "inactive").sort((a, b) => b.id - a.id)[0];
  return s && { state: s.state, at: ms(s.created_at) };
}

/** When the deployment first succeeded (a later "rolled back" failure does not move it). */
const firstSuccess = (d: DeploymentRecord) =>
  [...d.statuses].filter((s) => s.state === "success").sort((a, b) => a.id - b.id)[0];

/** Service of a `deploy:`/`rollback:` task, else undefined. */
export function serviceOfTask(task: string): { service: string; kind: "deploy" | "rollback" } | undefined {
  if (task.startsWith(DEPLOYMENT_TASK_PREFIX))
    return { service: task.slice(DEPLOYMENT_TASK_PREFIX.length), kind: "deploy" };
  if (task.startsWith(ROLLBACK_TASK_PREFIX))
    return { service: task.slice(ROLLBACK_TASK_PREFIX.length), kind: "rollback" };
  return undefined;
}

/** The figures of every service and environment with a deployment created in the period. */
export function computeDora(records: readonly DeploymentRecord[], period: DoraPeriod): DoraFigures[] {
  const groups = new Map<string, { service: string; environment: string; all: DeploymentRecord[] }>();
  for (const d of records) {
    const task = serviceOfTask(d.task);
    if (!task) continue;
    const key = `${task.service}\u0000${d.environment}`;
    if (!groups.has(key)) groups.set(key, { service: task.service, environment: d.environment, all: [] });
    groups.get(key)!.all.push(d);
  }
  const from = period.from.getTime();
  const to = period.to.getTime();
  const days = Math.max(1, (to - from) / 86_400_000);
  const out: DoraFigures[] = [];
  for (const g of groups.values()) {
    const inPeriod = g.all.filter((d) => ms(d.created_at) >= from && ms(d.created_at) < to);
    if (inPeriod.length === 0) continue;
    const deploys = inPeriod.filter((d) => serviceOfTask(d.task)?.kind === "deploy");
    const finished = deploys
      .map((d) => ({ d, outcome: outcomeOf(d) }))
      .filter((x) => x.outcome?.state === "success" || x.outcome?.state === "failure");
    const failures = finished.filter((x) => x.outcome!.state === "failure");
    const leadTimes = deploys.flatMap((d) => {
      const ok = firstSuccess(d);
      return ok && d.commitDate ? [ms(ok.created_at) - ms(d.commitDate)] : [];
    });
    const live = deploys.filter((d) => firstSuccess(d) !== undefined);
    const restores: number[] = [];
    let unrestored = 0;
    for (const f of failures) {
      const wentLive = firstSuccess(f.d);
      const start = wentLive ? ms(wentLive.created_at) : f.outcome!.at;
      const next = g.all
        .filter((d) => d.id !== f.d.id)
        .flatMap((d) => d.statuses.filter((s) => s.state === "success").map((s) => ms(s.created_at)))
        .filter((t) => t > start)
        .sort((a, b) => a - b)[0];
      if (next === undefined || next > to) unrestored++;
      else restores.push(next - start);
    }
    const r = (n: number | null) => (n === null ? null : hours(n));
    out.push({
      service: g.service,
      environment: g.environment,
      deployments: deploys.length,
      failed: failures.length,
      rollbacks: inPeriod.length - deploys.length,
      deploymentsPerDay: Math.round((live.length / days) * 100) / 100,
      leadTimeHours: r(median(leadTimes)),
      changeFailureRatePercent: finished.length
        ? Math.round((1000 * failures.length) / finished.length) / 10
        : null,
      timeToRestoreHours: r(median(restores)),
      unrestored,
    });
  }
  return out.sort((a, b) => a.environment.localeCompare(b.environment) || a.service.localeCompare(b.service));
}

const show = (n: number | null, unit: string) => (n === null ? "–" : `${n} ${unit}`);

/** The figures as a Markdown table, for the job summary. */
export function doraMarkdown(figures: readonly DoraFigures[], period: DoraPeriod): string {
  const head =
    `### Delivery metrics ${period.from.toISOString().slice(0, 10)} → ${period.to.toISOString().slice(0, 10)}\n\n` +
    "| environment | service | deploys | per day | lead time | change failure rate | time to restore | rollbacks |\n" +
    "| --- | --- | --- | --- | --- | --- | --- | --- |\n";
  const rows = figures.map(
    (f) =>
      `| ${f.environment} | ${f.service} | ${f.deployments} | ${f.deploymentsPerDay} | ${show(f.leadTimeHours, "h")} | ` +
      `${show(f.changeFailureRatePercent, "%")} | ${show(f.timeToRestoreHours, "h")}${f.unrestored ? ` (${f.unrestored} open)` : ""} | ${f.rollbacks} |`,
  );
  return head + (rows.length ? rows.join("\n") : "| – | no deployments in the period | | | | | | |") + "\n";
}

/** One line per environment and service, for Slack. */
export function doraSlackText(figures: readonly DoraFigures[], period: DoraPeriod): string {
  const lines = figures.map(
    (f) =>
      `${f.environment}/${f.service}: ${f.deploymentsPerDay}/day, lead ${show(f.leadTimeHours, "h")}, ` +
      `CFR ${show(f.changeFailureRatePercent, "%")}, MTTR ${show(f.timeToRestoreHours, "h")}`,
  );
  return [
    `Delivery metrics, ${period.from.toISOString().slice(0, 10)} → ${period.to.toISOString().slice(0, 10)}`,
    ...lines,
  ].join("\n");
}
