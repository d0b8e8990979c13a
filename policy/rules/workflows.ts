import YAML from "yaml";
import { PIPE_TO_SHELL } from "../lib/shell";
import { asArray, resourceRule } from "../lib/rule";

const FILE = "github:index/repositoryFile:RepositoryFile";
export const WORKFLOW_PATH = /^\.github\/workflows\/[^/]+\.ya?ml$/;
/**
 * Local composite actions (`uses: ./.github/actions/<name>`, e.g. the generated db-migrate). Their
 * steps run inside the calling job, with its token and credentials, so they get the step rules.
 */
export const ACTION_PATH = /^\.github\/actions\/(?:[^/]+\/)+action\.ya?ml$/;

function parseYaml(content: unknown): any {
  try {
    return YAML.parse(String(content ?? "")) ?? {};
  } catch (e) {
    return { __parseError: (e as Error).message };
  }
}

/** The parsed workflow a RepositoryFile writes, or undefined for other files. */
export function workflowOf(p: any): any {
  if (!WORKFLOW_PATH.test(String(p.file ?? ""))) return undefined;
  return parseYaml(p.content);
}

/** A step of a workflow job or of a composite action, and where it sits (`jobs.x.steps[2]`). */
export interface StepSite {
  readonly where: string;
  readonly step: any;
}

/** A workflow or composite action a RepositoryFile writes, with every step it runs. */
export interface ParsedDocument {
  readonly kind: "workflow" | "action";
  readonly doc: any;
  readonly steps: StepSite[];
}

export const jobsOf = (wf: any): [string, any][] => Object.entries(wf?.jobs ?? {});
export const stepsOf = (job: any): any[] => asArray(job?.steps);
export const triggersOf = (wf: any): string[] => {
  const on = wf?.on ?? wf?.true; // YAML 1.1 parsers read `on` as true
  if (typeof on === "string") return [on];
  if (Array.isArray(on)) return on.map(String);
  return Object.keys(on ?? {});
};

function stepSites(kind: ParsedDocument["kind"], doc: any): StepSite[] {
  if (kind === "action")
    return asArray(doc?.runs?.steps).map((step, i) => ({ where: `runs.steps[${i}]`, step }));
  return jobsOf(doc).flatMap(([id, job]) =>
    stepsOf(job).map((step, i) => ({ where: `jobs.${id}.steps[${i}]`, step })),
  );
}

/** The workflow or composite action a RepositoryFile writes, or undefined for other files. */
export function documentOf(p: any): ParsedDocument | { readonly parseError: string } | undefined {
  const file = String(p.file ?? "");
  const kind = WORKFLOW_PATH.test(file) ? "workflow" : ACTION_PATH.test(file) ? "action" : undefined;
  if (!kind) return undefined;
  const doc = parseYaml(p.content);
  if (doc.__parseError) return { parseError: doc.__parseError };
  return { kind, doc, steps: stepSites(kind, doc) };
}

/**
 * Every `uses:` of a document and where it sits: reusable-workflow calls (`jobs.x.uses`) and steps
 * (`jobs.x.steps[2].uses`, `runs.steps[0].uses`).
 */
export function usesSites({ kind, doc, steps }: ParsedDocument): { where: string; uses: string }[] {
  return [
    ...(kind === "workflow"
      ? jobsOf(doc)
          .filter(([, job]) => job?.uses)
          .map(([id, job]) => ({ where: `jobs.${id}.uses`, uses: String(job.uses) }))
      : []),
    ...steps
      .filter(({ step }) => step?.uses)
      .map(({ where, step }) => ({ where: `${where}.uses`, uses: String(step.uses) })),
  ];
}

/**
 * Expression contexts an attacker (or anything a step read) can shape, and where the value comes
 * from (zizmor template-injection, CKV_GHA_2). Matched against each context reference of an
 * expression from its start, so `github.event.release.body` and `steps.x.outputs.y` match whatever
 * function or operator surrounds them.
 */
export const UNTRUSTED: readonly { readonly context: RegExp; readonly source: string }[] = [
  {
    context:
      /^github\.event\.(issue|pull_request|comment|review|review_comment|discussion|discussion_comment)\.(title|body)\b/,
    source: "text whoever opens the issue, pull request or comment writes",
  },
  {
    context: /^github\.event\.pull_request\.head\.(ref|label|repo\.default_branch|repo\.full_name)\b/,
    source: "a branch or repository name the pull request's author picks",
  },
  {
    context: /^github\.event\.(head_commit|commits)\b/,
    source: "commit messages and author names the pusher writes",
  },
  {
    context: /^github\.event\.workflow_run\.(head_branch|head_commit|display_title)\b/,
    source: "a branch name or commit message of the triggering run",
  },
  { context: /^github\.head_ref\b/, source: "a branch name the pull request's author picks" },
  {
    context: /^github\.event\.release\./,
    source: "release metadata (name, body, tag, assets) whoever publishes the release writes",
  },
  { context: /^(github\.event\.)?inputs\./, source: "an input the caller or dispatcher types" },
  {
    context: /^steps\.[^.]+\.outputs\./,
    source:
      "a step output, which carries whatever that step read (files, API responses, pull request content)",
  },
  {
    context: /^needs\.[^.]+\.outputs\./,
    source: "a job output, which carries whatever that job read",
  },
  {
    context: /^secrets[.[]/,
    source:
      "a secret: pasted into the script file on the runner and parsed as shell, where a quote in it breaks out",
  },
];

/**
 * The contexts of UNTRUSTED whose text whoever triggers the run writes (titles, bodies, branch
 * names, commit messages, release metadata), picked by a sample of each; not inputs or outputs,
 * which the platform's own workflows pass on by design.
 */
const EVENT_TEXT = UNTRUSTED.filter((u) =>
  [
    "github.event.issue.title",
    "github.event.pull_request.head.ref",
    "github.event.head_commit.message",
    "github.event.workflow_run.head_branch",
    "github.head_ref",
    "github.event.release.body",
  ].some((sample) => u.context.test(sample)),
);

/** `${{ … }}` expressions of a string, without their fences. */
export const expressions = (text: string) =>
  [...text.matchAll(/\$\{\{([\s\S]*?)\}\}/g)].map((m) => m[1].trim());
/** An expression with the contents of its string literals blanked (same length, so offsets hold). */
const withoutLiterals = (expr: string) =>
  expr.replace(/'(?:[^']|'')*'/g, (literal) => `'${" ".repeat(literal.length - 2)}'`);
/** The context references of an expression (`github.event.issue.title`, `steps.x.outputs.y`). */
export const contextReferences = (expr: string) =>
  [...withoutLiterals(expr).matchAll(/(?<![\w.-])[A-Za-z_][\w-]*(?:\.[A-Za-z_*][\w-]*|\[[^\]]*\])+/g)].map(
    (m) => m[0],
  );

/** Scripts a step executes: `run:`, and github-script's `with.script`. */
const scriptsOf = (step: any): string[] =>
  [step?.run, step?.with?.script].filter((s) => s !== undefined).map(String);

type RuleMetaWithoutTypes = Omit<Parameters<typeof resourceRule>[0], "types">;

/** A rule over workflow files; messages start with the file. */
export function workflowRule(
  meta: RuleMetaWithoutTypes,
  check: (wf: any, config: Record<string, any>) => string[],
) {
  return resourceRule({ ...meta, types: [FILE] }, (p, { config }) => {
    const wf = workflowOf(p);
    if (wf === undefined) return [];
    if (wf.__parseError) return [`${p.file} is not valid YAML: ${wf.__parseError}`];
    return check(wf, config).map((m) => `${p.file}: ${m}`);
  });
}

/** A rule over workflow files and composite actions alike; messages start with the file. */
export function documentRule(
  meta: RuleMetaWithoutTypes,
  check: (parsed: ParsedDocument, config: Record<string, any>) => string[],
) {
  return resourceRule({ ...meta, types: [FILE] }, (p, { config }) => {
    const parsed = documentOf(p);
    if (parsed === undefined) return [];
    if ("parseError" in parsed) return [`${p.file} is not valid YAML: ${parsed.parseError}`];
    return check(parsed, config).map((m) => `${p.file}: ${m}`);
  });
}

/** Every string value of a document with its dotted path (`jobs.deploy.steps[2].env.TOKEN`). */
function stringsOf(value: unknown, path = ""): [string, string][] {
  if (typeof value === "string") return [[path, value]];
  if (Array.isArray(value)) return value.flatMap((v, i) => stringsOf(v, `${path}[${i}]`));
  if (value && typeof value === "object")
    return Object.entries(value).flatMap(([k, v]) => stringsOf(v, path ? `${path}.${k}` : k));
  return [];
}

/**
 * The index expressions of `secrets[…]` that are not a single string literal (`secrets[format(…)]`,
 * `secrets[inputs.name]`): GitHub cannot tell which secret such a job needs, so it hands the
 * runner all of them (zizmor overprovisioned-secrets).
 */
export function dynamicSecretIndexes(expr: string): string[] {
  const found: string[] = [];
  const masked = withoutLiterals(expr);
  for (const m of masked.matchAll(/(?<![\w.-])secrets\s*\[/g)) {
    let depth = 0;
    const start = m.index! + m[0].length;
    let end = start;
    for (; end < masked.length; end++) {
      if (masked[end] === "[") depth++;
      else if (masked[end] === "]" && depth-- === 0) break;
    }
    const index = expr.slice(start, end).trim();
    if (!/^'(?:[^']|'')*'$/.test(index)) found.push(index);
  }
  return found;
}

/**
 * Why a condition always holds, or undefined. A fenced `${{ }}` with anything around it (text, a
 * second fence, the newline a `|` block adds) evaluates as a non-empty string, which is truthy
 * (zizmor unsound-condition); `true` guards nothing.
 */
export function alwaysTrue(condition: unknown): string | undefined {
  if (
    condition === true ||
    (typeof condition === "string" && /^\s*(true|\$\{\{\s*true\s*\}\})\s*$/.test(condition))
  )
    return "is always true";
  if (typeof condition !== "string" || !condition.includes("${{")) return undefined;
  const single = /^\$\{\{([\s\S]*)\}\}$/.exec(condition);
  if (single && !single[1].includes("}}")) return undefined;
  return "mixes ${{ }} with text around it, so it is a non-empty string and always true";
}

/** Events a fork's author can cause: their runs execute (or are steered by) code from outside. */
const PULL_REQUEST_EVENTS = [
  "pull_request",
  "pull_request_target",
  "pull_request_review",
  "pull_request_review_comment",
  "issue_comment",
];

/** GitHub-hosted runner labels; anything else may name a self-hosted runner. */
const GITHUB_HOSTED = /^(ubuntu|windows|macos)-[\w.-]+$/;

/** Why a job may land on a self-hosted runner, or undefined when its runner is GitHub-hosted. */
function selfHostedRunner(runsOn: unknown): string | undefined {
  if (runsOn === undefined) return undefined;
  if (typeof runsOn === "string") {
    if (GITHUB_HOSTED.test(runsOn)) return undefined;
    return runsOn.includes("${{") ? "its runs-on is an expression" : `runs-on ${runsOn}`;
  }
  if (Array.isArray(runsOn) && runsOn.length === 1) return selfHostedRunner(runsOn[0]);
  return `runs-on ${JSON.stringify(runsOn)}`;
}

/** The top-level `&&` operands of an expression; the whole expression when it has a top-level `||`. */
export function conjuncts(condition: string): string[] {
  const expr = condition.trim().replace(/^\$\{\{([\s\S]*)\}\}$/, "$1");
  const masked = withoutLiterals(expr);
  const parts: string[] = [];
  let depth = 0;
  let from = 0;
  for (let i = 0; i < masked.length; i++) {
    const c = masked[i];
    if (c === "(") depth++;
    else if (c === ")") depth--;
    else if (depth === 0 && masked.startsWith("||", i)) return [expr.trim()];
    else if (depth === 0 && masked.startsWith("&&", i)) {
      parts.push(expr.slice(from, i).trim());
      from = i + 2;
      i++;
    }
  }
  parts.push(expr.slice(from).trim());
  return parts;
}

/**
 * An operand that keeps fork pull requests off the job: the head repository is this one, or the
 * run is for an event forks cannot cause (`github.event_name == 'push'`).
 */
function keepsForksOut(operand: string): boolean {
  const o = operand.replace(/\s+/g, " ");
  const sameRepo = "github.event.pull_request.head.repo.full_name";
  if (o === `${sameRepo} == github.repository` || o === `github.repository == ${sameRepo}`) return true;
  if (
    /^(github\.event\.pull_request\.head\.repo\.fork == false|!github\.event\.pull_request\.head\.repo\.fork)$/.test(
      o,
    )
  )
    return true;
  const event = /^github\.event_name == '([^']+)'$/.exec(o);
  return event !== null && !PULL_REQUEST_EVENTS.includes(event[1]);
}

const isOff = (v: unknown) => v === false || v === "false" || v === "" || v === undefined || v === null;

/** An action that can restore a cache, and when it does. */
export interface CacheRestorer {
  /** The action, `owner/repo[/path]` without the ref. */
  readonly action: RegExp;
  /** Why the step restores a cache, or undefined when its inputs turn caching off. */
  readonly restores: (w: Record<string, unknown>) => string | undefined;
}

/**
 * Cache-aware actions and when they restore a cache (zizmor cache-poisoning). setup-node ≥ v5 also
 * caches npm by itself when package.json names a `packageManager`, which the pack cannot see.
 */
const CACHE_RESTORERS: readonly CacheRestorer[] = [
  // actions/cache/save only writes: a privileged job saving is not a job restoring.
  { action: /^actions\/cache(\/restore)?$/, restores: () => "always restores" },
  {
    action: /^actions\/setup-(node|python|java|dotnet)$/,
    restores: (w) => (isOff(w.cache) ? undefined : `with cache: ${w.cache}`),
  },
  {
    action: /^actions\/setup-go$/,
    restores: (w) => (isOff(w.cache ?? true) ? undefined : "cache is on by default"),
  },
  {
    action: /^astral-sh\/setup-uv$/,
    restores: (w) => (isOff(w["enable-cache"] ?? "auto") ? undefined : "enable-cache is on by default"),
  },
  {
    action: /^ruby\/setup-ruby$/,
    restores: (w) => (isOff(w["bundler-cache"]) ? undefined : `with bundler-cache: ${w["bundler-cache"]}`),
  },
  {
    // BuildKit's GitHub Actions cache backend: the layers it restores become the image's layers.
    action: /^docker\/build-push-action$/,
    restores: (w) =>
      /(^|,)\s*type=gha\b/m.test(String(w["cache-from"] ?? "")) ? "with cache-from: type=gha" : undefined,
  },
  {
    action: /^Swatinem\/rust-cache$/,
    restores: (w) => (isOff(w["lookup-only"]) ? "restores unless lookup-only" : undefined),
  },
];

/**
 * aquasecurity/trivy-action keeps its vulnerability database in the Actions cache: its `cache`
 * input defaults to true, so only `cache: false` keeps a database another run wrote out of the scan.
 */
export const TRIVY_CACHE: CacheRestorer = {
  action: /^aquasecurity\/trivy-action$/,
  restores: (w) => (w.cache === false || w.cache === "false" ? undefined : "cache is on unless cache: false"),
};

/** The action a `uses:` names, without its ref (`actions/setup-go`). */
export const actionOf = (uses: unknown): string => String(uses ?? "").split("@")[0];

/** Token scopes that let a job ship: cloud credentials by OIDC, packages, releases, attestations. */
const SHIPPING_SCOPES = ["id-token", "packages", "contents", "attestations"];

/** The write scopes a job holds that let it ship, its own permissions or the workflow's. */
function shippingScopes(wf: any, job: any): string[] {
  const permissions = job?.permissions ?? wf?.permissions;
  if (permissions === "write-all") return ["write-all"];
  if (!permissions || typeof permissions !== "object") return [];
  return SHIPPING_SCOPES.filter((s) => permissions[s] === "write").map((s) => `${s}: write`);
}

export const workflowRules = [
  documentRule(
    {
      name: "github-workflow-disallow-template-injection",
      anchors: ["Z template-injection", "CKV_GHA_2", "actionlint expression"],
      summary:
        "Attacker-controlled, step-output and secret ${{ }} values never appear inside run: scripts or github-script code, in workflows and composite actions.",
      severity: "critical",
      remediation:
        'Pass the value through env: (e.g. TITLE: ${{ github.event.issue.title }}) and use "$TITLE" in the script.',
    },
    ({ kind, doc, steps }) => [
      ...steps.flatMap(({ where, step }) =>
        scriptsOf(step).flatMap((code) =>
          expressions(code).flatMap((e) => {
            const hit = UNTRUSTED.find((u) => contextReferences(e).some((ref) => u.context.test(ref)));
            return hit ? [`${where} expands \${{ ${e} }} inside a script: ${hit.source}`] : [];
          }),
        ),
      ),
      // A `with:` input is evaluated before the called workflow or action sees it, which may run
      // it as shell (db-migrate's commands): text an attacker writes never goes there.
      ...[
        ...(kind === "workflow"
          ? jobsOf(doc)
              .filter(([, job]) => typeof job?.uses === "string")
              .map(([id, job]) => [`jobs.${id}.with`, job.with] as const)
          : []),
        ...steps
          .filter(({ step }) => step?.uses)
          .map(({ where, step }) => [`${where}.with`, step.with] as const),
      ].flatMap(([where, inputs]) =>
        stringsOf(inputs ?? {}).flatMap(([key, value]) =>
          expressions(value).flatMap((e) => {
            const hit = EVENT_TEXT.find((u) => contextReferences(e).some((ref) => u.context.test(ref)));
            return hit
              ? [
                  `${where}.${key} passes \${{ ${e} }} to what it calls, evaluated before that runs it: ${hit.source}`,
                ]
              : [];
          }),
        ),
      ),
    ],
  ),
  workflowRule(
    {
      name: "github-workflow-disallow-dangerous-triggers",
      anchors: ["Z dangerous-triggers"],
      summary:
        "Workflows do not use pull_request_target or workflow_run, which run privileged code on untrusted input.",
      severity: "high",
      remediation:
        "Use pull_request (read-only token, no secrets) and a separate trusted workflow for privileged steps.",
    },
    (wf) =>
      triggersOf(wf)
        .filter((t) => t === "pull_request_target" || t === "workflow_run")
        .map((t) => `triggers on ${t}`),
  ),
  workflowRule(
    {
      name: "github-workflow-restrict-permissions",
      anchors: ["Z excessive-permissions", "CKV2_GHA_1", "Scorecard Token-Permissions"],
      summary:
        "Workflows set top-level permissions to {} or read; no write-all; id-token: write only in jobs bound to an environment.",
      severity: "high",
      remediation: "Add `permissions: {}` at the top and grant each job only what it needs.",
    },
    (wf) => {
      const out: string[] = [];
      const top = wf.permissions;
      if (top === undefined) out.push("no top-level permissions (the token gets the repository default)");
      else if (typeof top === "string" ? top !== "read-all" : Object.values(top).some((v) => v === "write"))
        out.push("top-level permissions grant write");
      for (const [id, job] of jobsOf(wf)) {
        if (job?.permissions === "write-all") out.push(`jobs.${id} has write-all`);
        if (job?.permissions?.["id-token"] === "write" && !job.environment && !job.uses)
          out.push(`jobs.${id} requests id-token: write without an environment`);
      }
      return out;
    },
  ),
  documentRule(
    {
      name: "github-workflow-require-pinned-actions",
      anchors: ["Z unpinned-uses", "Scorecard Pinned-Dependencies"],
      summary:
        "Every third-party action and reusable workflow, in workflows and composite actions, is pinned to a full commit SHA; docker actions to a digest.",
      severity: "high",
      remediation: "Pin uses: owner/repo@<40-hex sha> # vX.Y.Z (see workflows/pins.ts).",
    },
    (parsed) =>
      usesSites(parsed)
        .filter(({ uses: ref }) => {
          if (ref.startsWith("./")) return false;
          if (ref.startsWith("docker://")) return !/@sha256:[a-f0-9]{64}$/.test(ref);
          return !/@[0-9a-f]{40}$/.test(ref);
        })
        .map(({ where, uses }) => `${where} ${uses} is not pinned to a commit SHA`),
  ),
  documentRule(
    {
      name: "github-workflow-disallow-persisted-credentials",
      anchors: ["Z artipacked"],
      summary:
        "actions/checkout, in workflows and composite actions, does not leave the token in .git/config.",
      severity: "medium",
      remediation: "Add with: { persist-credentials: false } to every checkout.",
    },
    ({ steps }) =>
      steps
        .filter(
          ({ step }) =>
            String(step?.uses ?? "").startsWith("actions/checkout@") &&
            step?.with?.["persist-credentials"] !== false,
        )
        .map(({ where }) => `${where} checks out with persisted credentials`),
  ),
  workflowRule(
    {
      name: "github-workflow-disallow-secrets-inherit",
      anchors: ["Z secrets-inherit", "Z overprovisioned-secrets"],
      summary:
        "Reusable workflows receive named secrets, never `secrets: inherit`, and nothing serialises the whole secrets context.",
      severity: "high",
      remediation: "List the secrets the called workflow needs under jobs.<id>.secrets.",
    },
    (wf) => [
      ...jobsOf(wf)
        .filter(([, job]) => job?.secrets === "inherit")
        .map(([id]) => `jobs.${id} passes secrets: inherit`),
      ...(/toJSON\(\s*secrets\s*\)/i.test(JSON.stringify(wf))
        ? ["serialises the whole secrets context with toJSON(secrets)"]
        : []),
    ],
  ),
  documentRule(
    {
      name: "github-workflow-disallow-dynamic-secret-access",
      anchors: ["Z overprovisioned-secrets"],
      summary:
        "Secrets are read by name (secrets.NAME or secrets['NAME']), never by a computed index, which hands the runner every secret.",
      severity: "high",
      remediation:
        "Name the secret: pick it with a literal per case (e.g. a matrix of env: entries, or one job per environment with secrets.NAME).",
    },
    ({ doc }) =>
      stringsOf(doc).flatMap(([path, text]) =>
        expressions(text).flatMap((e) =>
          dynamicSecretIndexes(e).map(
            (index) => `${path} reads secrets[${index}]: the runner receives every secret to resolve it`,
          ),
        ),
      ),
  ),
  workflowRule(
    {
      name: "github-workflow-require-environment-for-secrets",
      anchors: ["Z secrets-outside-env"],
      summary: "Jobs that read deploy secrets are bound to an environment, so its reviewers gate them.",
      severity: "medium",
      remediation: "Add environment: <name> to the job and keep the secret in that environment.",
      config: {
        allowedOutsideEnvironment: {
          type: "array",
          items: { type: "string" },
          default: ["GITHUB_TOKEN"],
          description: "Secrets any job may read.",
        },
      },
    },
    (wf, config) =>
      jobsOf(wf)
        .filter(([, job]) => !job?.environment && !job?.uses)
        .flatMap(([id, job]) =>
          [...new Set([...JSON.stringify(job).matchAll(/secrets\.([A-Za-z0-9_]+)/g)].map((m) => m[1]))]
            .filter((name) => !config.allowedOutsideEnvironment.includes(name))
            .map((name) => `jobs.${id} reads secrets.${name} without an environment`),
        ),
  ),
  documentRule(
    {
      name: "github-workflow-disallow-insecure-commands",
      anchors: ["Z insecure-commands", "CKV_GHA_1"],
      summary: "The deprecated set-env/add-path commands stay disabled, in workflows and composite actions.",
      severity: "critical",
      remediation: "Remove ACTIONS_ALLOW_UNSECURE_COMMANDS; write to $GITHUB_ENV / $GITHUB_PATH instead.",
    },
    ({ doc, steps }) => {
      const envs = [doc.env, ...jobsOf(doc).map(([, j]) => j?.env), ...steps.map(({ step }) => step?.env)];
      return envs.some((e) => e && typeof e === "object" && "ACTIONS_ALLOW_UNSECURE_COMMANDS" in e)
        ? ["sets ACTIONS_ALLOW_UNSECURE_COMMANDS"]
        : [];
    },
  ),
  workflowRule(
    {
      name: "github-workflow-disallow-hardcoded-container-credentials",
      anchors: ["Z hardcoded-container-credentials"],
      summary: "Job and service container credentials come from secrets, never literals.",
      severity: "high",
      remediation: "Use password: ${{ secrets.REGISTRY_PASSWORD }}.",
    },
    (wf) =>
      jobsOf(wf).flatMap(([id, job]) =>
        [
          ["container", job?.container],
          ...Object.entries(job?.services ?? {}).map(([n, s]) => [`services.${n}`, s]),
        ]
          .filter(
            ([, c]: any) =>
              c?.credentials?.password !== undefined &&
              !/^\$\{\{\s*secrets\./.test(String(c.credentials.password)),
          )
          .map(([where]) => `jobs.${id}.${where} has a literal registry password`),
      ),
  ),
  workflowRule(
    {
      name: "github-workflow-disallow-cache-in-release",
      anchors: ["Z cache-poisoning"],
      summary:
        "Workflows that run on tags or releases restore no caches a pull request could have poisoned: actions/cache, setup-* with cache:, caches on by default (setup-go, setup-uv, trivy-action) and BuildKit's gha cache.",
      severity: "medium",
      remediation:
        "Build once on the main branch and promote the digest; drop caches from tag/release workflows (setup-go's cache: false, setup-uv's enable-cache: false, trivy-action's cache: false).",
    },
    (wf) => {
      const on = wf?.on ?? wf?.true ?? {};
      const releases = triggersOf(wf).includes("release") || asArray(on?.push?.tags).length > 0;
      if (!releases) return [];
      return jobsOf(wf).flatMap(([id, job]) =>
        stepsOf(job).flatMap((s, i) => {
          const action = actionOf(s?.uses);
          const why = [...CACHE_RESTORERS, TRIVY_CACHE]
            .find((r) => r.action.test(action))
            ?.restores(s?.with ?? {});
          const restores =
            why !== undefined ||
            action.startsWith("actions/cache") ||
            (action.includes("/setup-") && s?.with?.cache) ||
            /type=gha/.test(String(s?.with?.["cache-from"] ?? ""));
          if (!restores) return [];
          return [
            `jobs.${id}.steps[${i}] restores a cache in a release workflow${why ? ` (${action} ${why})` : ""}`,
          ];
        }),
      );
    },
  ),
  workflowRule(
    {
      name: "github-workflow-disallow-cache-in-shipping-jobs",
      anchors: ["Z cache-poisoning"],
      summary:
        "Jobs that can ship (id-token, packages, contents or attestations: write) restore no setup-*, actions/cache or BuildKit gha cache, whatever triggers them.",
      severity: "high",
      remediation:
        "Turn the cache off in that job (drop setup-*'s cache:, set setup-go's cache: false, setup-uv's enable-cache: false, rust-cache's lookup-only: true, remove actions/cache and build-push-action's cache-from: type=gha), or move the cached build to a job without those permissions.",
    },
    (wf) =>
      jobsOf(wf).flatMap(([id, job]) => {
        const scopes = shippingScopes(wf, job);
        if (!scopes.length) return [];
        return stepsOf(job).flatMap((step, i) => {
          const action = actionOf(step?.uses);
          const why = CACHE_RESTORERS.find((r) => r.action.test(action))?.restores(step?.with ?? {});
          return why
            ? [
                `jobs.${id}.steps[${i}] restores a cache (${action} ${why}) in a job holding ${scopes.join(", ")}`,
              ]
            : [];
        });
      }),
  ),
  workflowRule(
    {
      name: "github-workflow-disallow-self-hosted-on-pull-requests",
      anchors: ["Z self-hosted-runner", "GitHub docs: self-hosted runner security"],
      summary:
        "Jobs of pull-request-triggered workflows that may run on a self-hosted runner admit pull requests from this repository only.",
      severity: "high",
      remediation:
        "Add `github.event.pull_request.head.repo.full_name == github.repository` to the job's if: (joined with &&), or run the job on a GitHub-hosted runner.",
    },
    (wf) => {
      const events = triggersOf(wf).filter((t) => PULL_REQUEST_EVENTS.includes(t));
      if (!events.length) return [];
      return jobsOf(wf).flatMap(([id, job]) => {
        const runner = selfHostedRunner(job?.["runs-on"]);
        if (!runner) return [];
        const guarded = job?.if !== undefined && conjuncts(String(job.if)).some(keepsForksOut);
        return guarded
          ? []
          : [
              `jobs.${id} may run on a self-hosted runner (${runner}) for ${events.join(", ")} from forks: its if: does not require github.event.pull_request.head.repo.full_name == github.repository`,
            ];
      });
    },
  ),
  documentRule(
    {
      name: "github-workflow-disallow-always-true-conditions",
      anchors: ["Z unsound-condition"],
      summary:
        "Job and step if: conditions can be false: no `true`, and no ${{ }} with text (or a block scalar's newline) around it.",
      severity: "high",
      remediation:
        "Write the condition as a bare expression (if: github.ref == 'refs/heads/main'), or one ${{ }} with nothing around it (|- or >- for block scalars); drop if: true.",
    },
    ({ doc, kind, steps }) =>
      [
        ...(kind === "workflow"
          ? jobsOf(doc).map(([id, job]): [string, unknown] => [`jobs.${id}`, job?.if])
          : []),
        ...steps.map(({ where, step }): [string, unknown] => [where, step?.if]),
      ].flatMap(([where, condition]) => {
        const why = alwaysTrue(condition);
        return why ? [`${where}.if ${why}`] : [];
      }),
  ),
  documentRule(
    {
      name: "github-workflow-disallow-pipe-to-shell",
      anchors: ["Scorecard Pinned-Dependencies (downloadThenRun)"],
      summary:
        "run: scripts, in workflows and composite actions, never pipe a download into a shell or interpreter (curl … | bash, wget -O- | sh, bash <(curl …)).",
      severity: "high",
      remediation:
        "Download to a file, verify it against a pinned checksum or signature (sha256sum -c), then run it; or use a pinned action or package.",
    },
    ({ steps }) =>
      steps.flatMap(({ where, step }) => {
        const script = String(step?.run ?? "").replace(/\\\r?\n/g, " ");
        const line = script.split("\n").find((l) => PIPE_TO_SHELL.some((p) => p.test(l)));
        return line
          ? [`${where} pipes a download into a shell: ${line.replace(/\s+/g, " ").trim().slice(0, 120)}`]
          : [];
      }),
  ),
  workflowRule(
    {
      name: "github-workflow-require-job-timeouts",
      anchors: ["GitHub hardening guide", "Scorecard (runaway jobs)"],
      summary: "Every job has a timeout, so a hung job cannot hold runners or a deploy lock for six hours.",
      severity: "low",
      remediation: "Set timeout-minutes on every job.",
    },
    (wf) =>
      jobsOf(wf)
        .filter(([, job]) => !job?.uses && job?.["timeout-minutes"] === undefined)
        .map(([id]) => `jobs.${id} has no timeout-minutes`),
  ),
];
