import YAML from "yaml";
import { asArray, resourceRule } from "../lib/rule";

const FILE = "github:index/repositoryFile:RepositoryFile";
export const WORKFLOW_PATH = /^\.github\/workflows\/[^/]+\.ya?ml$/;

/** The parsed workflow a RepositoryFile writes, or undefined for other files. */
export function workflowOf(p: any): any {
  if (!WORKFLOW_PATH.test(String(p.file ?? ""))) return undefined;
  try {
    return YAML.parse(String(p.content ?? "")) ?? {};
  } catch (e) {
    return { __parseError: (e as Error).message };
  }
}
const jobsOf = (wf: any): [string, any][] => Object.entries(wf?.jobs ?? {});
const stepsOf = (job: any): any[] => asArray(job?.steps);
const triggersOf = (wf: any): string[] => {
  const on = wf?.on ?? wf?.true; // YAML 1.1 parsers read `on` as true
  if (typeof on === "string") return [on];
  if (Array.isArray(on)) return on.map(String);
  return Object.keys(on ?? {});
};

/** Expressions an attacker controls (zizmor template-injection, CKV_GHA_2). */
export const UNTRUSTED = [
  /github\.event\.(issue|pull_request|comment|review|review_comment|discussion|discussion_comment)\.(title|body)/,
  /github\.event\.pull_request\.head\.(ref|label|repo\.default_branch)/,
  /github\.event\.(head_commit|commits\[?[^\]]*\]?)\.(message|author\.(name|email))/,
  /github\.event\.commits/,
  /github\.event\.workflow_run\.(head_branch|head_commit|display_title)/,
  /github\.head_ref/,
  /\binputs\./,
  /github\.event\.inputs\./,
];
const expressions = (text: string) => [...text.matchAll(/\$\{\{([^}]*)\}\}/g)].map((m) => m[1].trim());

function workflowRule(
  meta: Omit<Parameters<typeof resourceRule>[0], "types">,
  check: (wf: any, config: Record<string, any>) => string[],
) {
  return resourceRule({ ...meta, types: [FILE] }, (p, { config }) => {
    const wf = workflowOf(p);
    if (wf === undefined) return [];
    if (wf.__parseError) return [`${p.file} is not valid YAML: ${wf.__parseError}`];
    return check(wf, config).map((m) => `${p.file}: ${m}`);
  });
}

export const workflowRules = [
  workflowRule(
    {
      name: "github-workflow-disallow-template-injection",
      anchors: ["Z template-injection", "CKV_GHA_2", "actionlint expression"],
      summary: "Attacker-controlled ${{ }} values never appear inside run: scripts or github-script code.",
      severity: "critical",
      remediation:
        'Pass the value through env: (e.g. TITLE: ${{ github.event.issue.title }}) and use "$TITLE" in the script.',
    },
    (wf) =>
      jobsOf(wf).flatMap(([id, job]) =>
        stepsOf(job).flatMap((s, i) =>
          [String(s?.run ?? ""), String(s?.with?.script ?? "")].flatMap((code) =>
            expressions(code)
              .filter((e) => UNTRUSTED.some((u) => u.test(e)))
              .map((e) => `jobs.${id}.steps[${i}] expands \${{ ${e} }} inside a script`),
          ),
        ),
      ),
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
  workflowRule(
    {
      name: "github-workflow-require-pinned-actions",
      anchors: ["Z unpinned-uses", "Scorecard Pinned-Dependencies"],
      summary:
        "Every third-party action and reusable workflow is pinned to a full commit SHA; docker actions to a digest.",
      severity: "high",
      remediation: "Pin uses: owner/repo@<40-hex sha> # vX.Y.Z (see workflows/pins.ts).",
    },
    (wf) => {
      const refs = jobsOf(wf).flatMap(([id, job]) => [
        ...(job?.uses ? [[`jobs.${id}.uses`, job.uses]] : []),
        ...stepsOf(job)
          .filter((s) => s?.uses)
          .map((s, i) => [`jobs.${id}.steps[${i}].uses`, s.uses]),
      ]);
      return refs
        .filter(([, u]) => {
          const ref = String(u);
          if (ref.startsWith("./")) return false;
          if (ref.startsWith("docker://")) return !/@sha256:[a-f0-9]{64}$/.test(ref);
          return !/@[0-9a-f]{40}$/.test(ref);
        })
        .map(([where, u]) => `${where} ${u} is not pinned to a commit SHA`);
    },
  ),
  workflowRule(
    {
      name: "github-workflow-disallow-persisted-credentials",
      anchors: ["Z artipacked"],
      summary: "actions/checkout does not leave the token in .git/config.",
      severity: "medium",
      remediation: "Add with: { persist-credentials: false } to every checkout.",
    },
    (wf) =>
      jobsOf(wf).flatMap(([id, job]) =>
        stepsOf(job)
          .map((s, i) => ({ s, i }))
          .filter(
            ({ s }) =>
              String(s?.uses ?? "").startsWith("actions/checkout@") &&
              s?.with?.["persist-credentials"] !== false,
          )
          .map(({ i }) => `jobs.${id}.steps[${i}] checks out with persisted credentials`),
      ),
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
  workflowRule(
    {
      name: "github-workflow-disallow-insecure-commands",
      anchors: ["Z insecure-commands", "CKV_GHA_1"],
      summary: "The deprecated set-env/add-path commands stay disabled.",
      severity: "critical",
      remediation: "Remove ACTIONS_ALLOW_UNSECURE_COMMANDS; write to $GITHUB_ENV / $GITHUB_PATH instead.",
    },
    (wf) => {
      const envs = [wf.env, ...jobsOf(wf).flatMap(([, j]) => [j?.env, ...stepsOf(j).map((s) => s?.env)])];
      return envs.some((e) => e && "ACTIONS_ALLOW_UNSECURE_COMMANDS" in e)
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
      summary: "Workflows that run on tags or releases restore no caches a pull request could have poisoned.",
      severity: "medium",
      remediation:
        "Build once on the main branch and promote the digest; drop caches from tag/release workflows.",
    },
    (wf) => {
      const on = wf?.on ?? {};
      const releases = triggersOf(wf).includes("release") || asArray(on?.push?.tags).length > 0;
      if (!releases) return [];
      return jobsOf(wf).flatMap(([id, job]) =>
        stepsOf(job)
          .map((s, i) => ({ s, i }))
          .filter(
            ({ s }) =>
              String(s?.uses ?? "").startsWith("actions/cache") ||
              (String(s?.uses ?? "").includes("/setup-") && s?.with?.cache) ||
              /type=gha/.test(String(s?.with?.["cache-from"] ?? "")),
          )
          .map(({ i }) => `jobs.${id}.steps[${i}] restores a cache in a release workflow`),
      );
    },
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
