/**
 * GitHub Actions as typed data. Pipelines (ci.ts, security.ts, …) build `Workflow` values; this
 * module alone turns them into YAML, with the `yaml` library, so key spelling (`runs-on`,
 * `timeout-minutes`), quoting and ordering are decided in one place.
 */
import YAML from "yaml";
import { PinnedAction, usesRef } from "./pins";

export type Permission = "read" | "write" | "none";
export type Permissions = Partial<
  Record<
    | "actions"
    | "checks"
    | "contents"
    | "deployments"
    | "id-token"
    | "issues"
    | "packages"
    | "pull-requests"
    | "security-events"
    | "statuses"
    | "attestations",
    Permission
  >
>;

export interface Step {
  readonly name: string;
  readonly id?: string;
  readonly if?: string;
  /** A pinned third-party action (rendered `owner/repo@sha # version`) or a local `./path`. */
  readonly uses?: PinnedAction | `./${string}`;
  readonly with?: Record<string, string | number | boolean>;
  /** Shell script. Untrusted values arrive through `env`, never inline `${{ }}`. */
  readonly run?: string;
  readonly shell?: string;
  /** Directory `run` executes in, relative to the workspace. @default the workspace root */
  readonly workingDirectory?: string;
  readonly env?: Record<string, string>;
  readonly continueOnError?: boolean;
  readonly timeoutMinutes?: number;
}

export interface ServiceContainer {
  readonly image: string;
  readonly env?: Record<string, string>;
  readonly ports?: string[];
  readonly options?: string;
}

/**
 * `queue: "max"` lets up to 100 runs wait in the group in order; without it GitHub keeps one
 * pending run and cancels it when the next arrives (allowed only without cancel-in-progress).
 */
export interface Concurrency {
  readonly group: string;
  readonly cancelInProgress: boolean;
  readonly queue?: "max";
}

interface JobBase {
  /** The check name GitHub shows; required status checks are derived from it. */
  readonly name: string;
  readonly needs?: string[];
  readonly if?: string;
  readonly permissions: Permissions;
  readonly concurrency?: Concurrency;
}

export interface StepsJob extends JobBase {
  readonly runsOn?: string;
  readonly environment?: string | { name: string; url?: string };
  readonly timeoutMinutes: number;
  readonly strategy?: {
    matrix: Record<string, (string | number)[]>;
    failFast?: boolean;
    maxParallel?: number;
  };
  readonly services?: Record<string, ServiceContainer>;
  readonly env?: Record<string, string>;
  readonly outputs?: Record<string, string>;
  readonly steps: Step[];
}

/**
 * A job that calls a reusable workflow: of this repository (`./…`), or of the platform's
 * repository pinned by commit (`owner/repo/.github/workflows/f.yml@<sha> # comment`), as an
 * application's repository does.
 */
export interface CallJob extends JobBase {
  readonly uses: `./.github/workflows/${string}.yml` | `${string}/.github/workflows/${string}.yml@${string}`;
  readonly with?: Record<string, string | number | boolean>;
  /** Named secrets only: `secrets: inherit` is never rendered. */
  readonly secrets?: Record<string, string>;
}

export type Job = StepsJob | CallJob;
export const isCallJob = (j: Job): j is CallJob => "uses" in j;

export interface WorkflowInput {
  readonly type: "string" | "boolean" | "number" | "choice";
  readonly required: boolean;
  readonly description: string;
  readonly default?: string | boolean | number;
  /** The values of a `choice` input (workflow_dispatch only). */
  readonly options?: string[];
}

export interface Workflow {
  /** File name under .github/workflows/. */
  readonly file: `${string}.yml`;
  readonly name: string;
  readonly on: Record<string, unknown>;
  /** Top-level token permissions: `{}` — every job asks for what it needs. */
  readonly permissions: Permissions;
  readonly concurrency?: Concurrency;
  readonly env?: Record<string, string>;
  readonly jobs: Record<string, Job>;
}

export interface CompositeAction {
  /** Directory under .github/actions/. */
  readonly dir: string;
  readonly name: string;
  readonly description: string;
  readonly inputs: Record<string, { description: string; required: boolean; default?: string }>;
  readonly steps: Step[];
}

const compact = <T extends Record<string, unknown>>(o: T): T =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

function renderConcurrency(c?: Concurrency) {
  return c && compact({ group: c.group, "cancel-in-progress": c.cancelInProgress, queue: c.queue });
}

function renderStep(s: Step, inComposite = false) {
  return compact({
    name: s.name,
    id: s.id,
    if: s.if,
    uses: typeof s.uses === "object" ? usesRef(s.uses) : s.uses,
    with: s.with,
    run: s.run,
    shell: s.shell ?? (inComposite && s.run ? "bash" : undefined),
    "working-directory": s.workingDirectory,
    env: s.env,
    "continue-on-error": s.continueOnError,
    "timeout-minutes": s.timeoutMinutes,
  });
}

function renderJob(j: Job) {
  if (isCallJob(j)) {
    return compact({
      name: j.name,
      needs: j.needs,
      if: j.if,
      permissions: j.permissions,
      concurrency: renderConcurrency(j.concurrency),
      uses: j.uses,
      with: j.with,
      secrets: j.secrets,
    });
  }
  return compact({
    name: j.name,
    needs: j.needs,
    if: j.if,
    "runs-on": j.runsOn ?? "ubuntu-24.04",
    environment: j.environment,
    permissions: j.permissions,
    concurrency: renderConcurrency(j.concurrency),
    "timeout-minutes": j.timeoutMinutes,
    strategy:
      j.strategy &&
      compact({
        matrix: j.strategy.matrix,
        "fail-fast": j.strategy.failFast,
        "max-parallel": j.strategy.maxParallel,
      }),
    services: j.services,
    env: j.env,
    outputs: j.outputs,
    steps: j.steps.map((s) => renderStep(s)),
  });
}

const HEADER = "# Generated by the platform program (workflows/). Edit the model, not this file.\n";

/**
 * Why a job holds each token scope, written beside it in the YAML (zizmor's auditor persona asks
 * every permission to say why: a reviewer reads the reason where the grant is). A scope and level
 * without a reason here fails the rendering, so a new grant comes with its reason.
 */
export const PERMISSION_REASONS: Readonly<Record<string, string>> = {
  "contents:read": "check out the repository",
  "deployments:read": "read the environments' deployments (what runs where)",
  "deployments:write": "record the deployment and its status on the environment",
  "id-token:write": "OIDC token for the stack's AWS role: no stored cloud keys",
  "issues:write": "open or update the drift issue",
  "packages:read": "pull the image from GHCR",
  "packages:write": "push the image or its release tag to GHCR",
  "pull-requests:write": "comment the preview on the pull request",
  "security-events:write": "upload code-scanning results (SARIF)",
};

/** Each granted scope with its reason as a line comment: `contents: read # check out the repository`. */
function withPermissionReasons(doc: YAML.Document): void {
  YAML.visit(doc, {
    Pair(_, pair, path) {
      const owner = path[path.length - 2];
      if (!YAML.isPair(owner) || !YAML.isScalar(owner.key) || owner.key.value !== "permissions") return;
      if (!YAML.isScalar(pair.key) || !YAML.isScalar(pair.value)) return;
      const grant = `${String(pair.key.value)}:${String(pair.value.value)}`;
      if (pair.value.value === "none") return;
      const reason = PERMISSION_REASONS[grant];
      if (!reason)
        throw new Error(`permission ${grant} has no reason in PERMISSION_REASONS (workflows/model.ts)`);
      pair.value.comment = ` ${reason}`;
    },
  });
}

/** Version comments after pinned SHAs: `uses: a/b@<sha> # v1.2.3`. */
function withPinComments(doc: YAML.Document): string {
  withPermissionReasons(doc);
  YAML.visit(doc, {
    Pair(_, pair) {
      const key = YAML.isScalar(pair.key) ? pair.key.value : pair.key;
      if (key === "uses" && YAML.isScalar(pair.value) && typeof pair.value.value === "string") {
        const m = /^(.*@[0-9a-f]{40}) # (.+)$/.exec(pair.value.value);
        if (m) {
          pair.value.value = m[1];
          pair.value.comment = ` ${m[2]}`;
        }
      }
    },
  });
  return doc.toString({ lineWidth: 0 });
}

/** Names of the `secrets.*` a workflow's jobs read (the job token excepted). */
export function secretsRead(w: Workflow): string[] {
  const names = [...JSON.stringify(w.jobs).matchAll(/\bsecrets\.([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]);
  return [...new Set(names)].filter((n) => n !== "GITHUB_TOKEN").sort();
}

/**
 * A reusable workflow declares every secret its jobs read: a job with an `environment` reads that
 * environment's secrets whatever its caller passes, and callers and actionlint know only declared
 * ones. Declarations the workflow makes itself are kept as they are.
 */
function withDeclaredSecrets(on: Record<string, unknown>, w: Workflow): Record<string, unknown> {
  const call = on.workflow_call as { secrets?: Record<string, unknown> } | undefined;
  if (!call) return on;
  const declared = { ...(call.secrets ?? {}) };
  for (const name of secretsRead(w))
    declared[name] ??= { required: false, description: "Environment secret of the job's environment." };
  return Object.keys(declared).length ? { ...on, workflow_call: { ...call, secrets: declared } } : on;
}

export function renderWorkflow(w: Workflow): string {
  const body = compact({
    name: w.name,
    on: withDeclaredSecrets(w.on, w),
    permissions: w.permissions,
    concurrency: renderConcurrency(w.concurrency),
    env: w.env,
    jobs: Object.fromEntries(Object.entries(w.jobs).map(([id, j]) => [id, renderJob(j)])),
  });
  return HEADER + withPinComments(new YAML.Document(body, { aliasDuplicateObjects: false }));
}

export function renderAction(a: CompositeAction): string {
  const body = {
    name: a.name,
    description: a.description,
    inputs: a.inputs,
    runs: { using: "composite", steps: a.steps.map((s) => renderStep(s, true)) },
  };
  return HEADER + withPinComments(new YAML.Document(body, { aliasDuplicateObjects: false }));
}

/** The check-run names a workflow produces, matrix jobs expanded (`unit (node 20)`). */
export function checkNames(w: Workflow): string[] {
  return Object.values(w.jobs).flatMap((j) => {
    if (isCallJob(j) || !j.strategy) return [j.name];
    const entries = Object.entries(j.strategy.matrix);
    const combos = entries.reduce<Record<string, string | number>[]>(
      (acc, [k, values]) => acc.flatMap((c) => values.map((v) => ({ ...c, [k]: v }))),
      [{}],
    );
    return combos.map((c) =>
      j.name.replace(/\$\{\{\s*matrix\.(\w+)\s*\}\}/g, (_, k: string) => String(c[k])),
    );
  });
}
