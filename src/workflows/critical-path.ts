/**
 * How long a pipeline keeps a user waiting, estimated from the workflow model: each job costs a
 * runner start plus its steps (STEP_COSTS, stated below and in docs/reference/pipelines.md), a job starts when the
 * jobs it needs have finished, a matrix runs its legs side by side, and a reusable-workflow call
 * costs its workflow's own critical path. Approvals and wait timers are not counted: they are
 * people's time, not the pipeline's; nor are job conditions evaluated (a job its `if:` skips on
 * that branch still counts, so the figures err long). The figures are estimates to compare pipelines by, not
 * measurements.
 */
import { isCallJob, Job, Step, Workflow } from "./model";

/** Seconds a hosted runner takes to start a job and set up its actions. */
export const JOB_START_SECONDS = 15;

/**
 * Seconds per step, by the action it uses or a command line of its script (a line starting with
 * the command, so a comment or a message naming it does not count): the first matching row wins;
 * a step matching none costs `DEFAULT_STEP_SECONDS`. Figures are typical of GitHub-hosted
 * ubuntu-24.04 runners for this repository's jobs, rounded.
 */
export const STEP_COSTS: readonly {
  readonly uses?: RegExp;
  readonly run?: RegExp;
  readonly seconds: number;
  readonly what: string;
}[] = [
  { uses: /^actions\/checkout$/, seconds: 5, what: "checkout" },
  { uses: /^actions\/setup-node$/, seconds: 8, what: "set up Node.js" },
  { uses: /^aws-actions\/configure-aws-credentials$/, seconds: 3, what: "AWS credentials by OIDC" },
  { uses: /^github\/codeql-action\/analyze$/, seconds: 240, what: "CodeQL analysis" },
  { uses: /^github\/codeql-action\//, seconds: 30, what: "CodeQL set-up" },
  {
    uses: /^docker\/build-push-action$/,
    seconds: 180,
    what: "image build, one architecture on its native runner",
  },
  { uses: /^aquasecurity\/trivy-action$/, seconds: 60, what: "image scan" },
  { uses: /./, seconds: 10, what: "another action" },
  { run: /^\s*npm ci\b/m, seconds: 35, what: "npm ci (about 600 packages)" },
  { run: /^\s*npm audit\b/m, seconds: 5, what: "npm audit" },
  { run: /^\s*(npx [^\n]*)?npm test\b/m, seconds: 200, what: "npm test (tool set-up and the suite)" },
  {
    run: /^\s*pulumi preview\b/m,
    seconds: 90,
    what: "pulumi preview (plugins, pack, program, provider reads)",
  },
  { run: /^\s*pulumi up\b/m, seconds: 300, what: "pulumi up" },
  { run: /^\s*npm run -s (typecheck|lint)\b/m, seconds: 30, what: "type-check or lint" },
];
export const DEFAULT_STEP_SECONDS = 5;

/** The cost row of a step, or undefined for one that costs the default. */
export function stepCost(step: Step): (typeof STEP_COSTS)[number] | undefined {
  const action = typeof step.uses === "object" ? step.uses.action : step.uses;
  return STEP_COSTS.find((c) =>
    action !== undefined ? c.uses?.test(action) : c.run !== undefined && c.run.test(step.run ?? ""),
  );
}

const stepSeconds = (step: Step) => stepCost(step)?.seconds ?? DEFAULT_STEP_SECONDS;

/** Seconds from a workflow's start until its last job ends, and the jobs on that path. */
export function criticalPath(
  workflow: Workflow,
  all: readonly Workflow[],
): { seconds: number; path: string[] } {
  const done = new Map<string, { seconds: number; path: string[] }>();
  const finish = (id: string, seen: Set<string>): { seconds: number; path: string[] } => {
    const known = done.get(id);
    if (known) return known;
    if (seen.has(id)) throw new Error(`${workflow.file}: jobs need each other through ${id}`);
    const job: Job | undefined = workflow.jobs[id];
    if (!job) throw new Error(`${workflow.file}: a job needs ${id}, which does not exist`);
    const before = (job.needs ?? [])
      .map((n) => finish(n, new Set([...seen, id])))
      .reduce((a, b) => (b.seconds > a.seconds ? b : a), { seconds: 0, path: [] as string[] });
    let own: number;
    if (isCallJob(job)) {
      const called = all.find((w) => `./.github/workflows/${w.file}` === job.uses);
      if (!called) throw new Error(`${workflow.file}: ${id} calls ${job.uses}, which is not generated`);
      own = criticalPath(called, all).seconds;
    } else own = JOB_START_SECONDS + job.steps.reduce((sum, s) => sum + stepSeconds(s), 0);
    const result = { seconds: before.seconds + own, path: [...before.path, id] };
    done.set(id, result);
    return result;
  };
  return Object.keys(workflow.jobs)
    .map((id) => finish(id, new Set()))
    .reduce((a, b) => (b.seconds > a.seconds ? b : a), { seconds: 0, path: [] as string[] });
}

/**
 * Whether GitHub's `branches` filter admits a branch: patterns in order, `!` excluding, `**`
 * matching anything and `prefix/**` anything under the prefix (the forms the workflows use).
 */
export function branchFilterAdmits(patterns: readonly string[] | undefined, branch: string): boolean {
  if (!patterns) return true;
  let admitted = false;
  for (const raw of patterns) {
    const negated = raw.startsWith("!");
    const pattern = negated ? raw.slice(1) : raw;
    const matches =
      pattern === "**" ||
      pattern === branch ||
      (pattern.endsWith("/**") && branch.startsWith(pattern.slice(0, -2)));
    if (matches) admitted = !negated;
  }
  return admitted;
}

/**
 * The workflows an event on a branch starts, each with its critical path; the longest is what the
 * user waits for. Without a branch, every workflow the event starts counts.
 */
export function pipelineEstimate(
  event: string,
  all: readonly Workflow[],
  branch?: string,
): { workflow: string; seconds: number; path: string[] }[] {
  return all
    .filter((w) => Object.hasOwn(w.on, event))
    .filter((w) => {
      const trigger = w.on[event] as { branches?: string[]; tags?: string[] } | null | undefined;
      if (branch === undefined) return true;
      // A push filtered by tags alone starts on tags, never on a branch.
      if (trigger?.tags && !trigger.branches) return false;
      return branchFilterAdmits(trigger?.branches, branch);
    })
    .map((w) => ({ workflow: w.file, ...criticalPath(w, all) }))
    .sort((a, b) => b.seconds - a.seconds);
}
