/**
 * What a run lets out: the runner's debug log (masking internals, every expanded command), a
 * long-lived npm token where trusted publishing needs none, and the whole workspace as an artifact
 * (credential files actions write there, and .git/config's token when hidden files go too).
 */
import { actionOf, contextReferences, documentRule, expressions, jobsOf, ParsedDocument } from "./workflows";

/** The env: blocks of a workflow (top level, jobs, steps) or composite action (steps), and where each sits. */
function envBlocks({ kind, doc, steps }: ParsedDocument): { where: string; env: Record<string, unknown> }[] {
  const blocks = [
    ...(kind === "workflow"
      ? [
          { where: "env", env: doc?.env },
          ...jobsOf(doc).map(([id, job]) => ({ where: `jobs.${id}.env`, env: job?.env })),
        ]
      : []),
    ...steps.map(({ where, step }) => ({ where: `${where}.env`, env: step?.env })),
  ];
  return blocks.filter((b) => b.env && typeof b.env === "object") as {
    where: string;
    env: Record<string, unknown>;
  }[];
}

/** Variables that turn on the runner's diagnostic and step debug logs. */
const DEBUG_VARIABLES = ["ACTIONS_RUNNER_DEBUG", "ACTIONS_STEP_DEBUG"];
const isOffValue = (v: unknown) =>
  v === undefined || v === null || v === false || /^\s*(false|0|)\s*$/i.test(String(v));

/** Variables npm (and setup-node's .npmrc) reads a registry token from. */
const NPM_TOKEN_VARIABLES = ["NODE_AUTH_TOKEN", "NPM_TOKEN", "NPM_AUTH_TOKEN"];
/** The run's own GITHUB_TOKEN: what GitHub Packages' npm registry takes, and it has no trusted publishing. */
const RUN_TOKEN = /^(secrets\.GITHUB_TOKEN|github\.token)$/;
/** The secrets (other than the run's token) an expression-bearing value reads. */
const secretsRead = (value: unknown): string[] =>
  expressions(String(value ?? ""))
    .flatMap(contextReferences)
    .filter((ref) => /^secrets[.[]/.test(ref) && !RUN_TOKEN.test(ref));

/** Paths that mean the whole workspace to actions/upload-artifact: `.`, `./`, the workspace, `*`, `**`. */
const WHOLE_WORKSPACE = new Set(["", ".", "*", "**", "**/*"]);
function wholeWorkspacePaths(path: unknown): string[] {
  return String(path ?? "")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith("!"))
    .filter((line) => {
      const p = line
        .replace(/^\$\{\{\s*github\.workspace\s*\}\}/, ".")
        .replace(/^\$\{?GITHUB_WORKSPACE\}?/, ".")
        .replace(/\/+$/, "")
        .replace(/^(\.\/)+/, "");
      return WHOLE_WORKSPACE.has(p);
    });
}

export const workflowExposureRules = [
  documentRule(
    {
      name: "github-workflow-disallow-runner-debug-logging",
      anchors: ["GitHub docs: enabling debug logging", "GitHub hardening guide"],
      summary:
        "No workflow, job or step env (nor a composite action's step) turns on ACTIONS_RUNNER_DEBUG or ACTIONS_STEP_DEBUG, whose logs print the runner's secret-masking internals and every expanded command for anyone who can read the run.",
      severity: "medium",
      remediation:
        "Remove the variable; to debug one run, re-run it with 'Enable debug logging' (kept to that attempt) instead.",
    },
    (parsed) =>
      envBlocks(parsed).flatMap(({ where, env }) =>
        DEBUG_VARIABLES.filter((name) => name in env && !isOffValue(env[name])).map(
          (name) => `${where}.${name} is ${JSON.stringify(env[name])}: the run's log turns into a debug log`,
        ),
      ),
  ),
  documentRule(
    {
      name: "github-workflow-prefer-npm-trusted-publishing",
      anchors: ["Z use-trusted-publishing"],
      summary:
        "npm packages are published through trusted publishing (OIDC, no stored token): no NODE_AUTH_TOKEN, NPM_TOKEN or npm-publish token fed from a secret, and no _authToken written for the public registry, in workflows and composite actions. The run's GITHUB_TOKEN for GitHub Packages is fine.",
      severity: "medium",
      remediation:
        "Configure the package's trusted publisher on npmjs.com (this repository and workflow), grant the job id-token: write, publish with npm ≥ 11.5.1 (npm publish --provenance), then delete the token secret.",
    },
    (parsed) => [
      ...envBlocks(parsed).flatMap(({ where, env }) =>
        NPM_TOKEN_VARIABLES.filter((name) => secretsRead(env[name]).length).map(
          (name) =>
            `${where}.${name} reads ${secretsRead(env[name]).join(", ")}: a long-lived npm token where trusted publishing needs none`,
        ),
      ),
      ...parsed.steps.flatMap(({ where, step }) => {
        const out: string[] = [];
        const tokenInput = step?.with?.token;
        if (/^js-devtools\/npm-publish$/i.test(actionOf(step?.uses)) && secretsRead(tokenInput).length)
          out.push(
            `${where}.with.token reads ${secretsRead(tokenInput).join(", ")}: a long-lived npm token where trusted publishing needs none`,
          );
        const line = String(step?.run ?? "")
          .split("\n")
          .find((l) => /_authToken/.test(l) && !/npm\.pkg\.github\.com/.test(l));
        if (line)
          out.push(
            `${where} hands npm an _authToken (${line.trim().slice(0, 100)}): a long-lived npm token where trusted publishing needs none`,
          );
        return out;
      }),
    ],
  ),
  documentRule(
    {
      name: "github-workflow-disallow-workspace-artifacts",
      anchors: ["Z artipacked"],
      summary:
        "actions/upload-artifact, in workflows and composite actions, uploads named outputs, never the whole workspace (., ./, ${{ github.workspace }}, *, **): that ships the credential files actions write there and, with hidden files included, .git/config's token.",
      severity: "high",
      remediation:
        "Upload the directory or files the next job needs (path: reports/ or ${{ runner.temp }}/out.json), written outside the checkout where possible.",
    },
    ({ steps }) =>
      steps
        .filter(({ step }) => actionOf(step?.uses) === "actions/upload-artifact")
        .flatMap(({ where, step }) =>
          wholeWorkspacePaths(step?.with?.path).map(
            (path) => `${where} uploads the whole workspace (path: ${path}) as an artifact`,
          ),
        ),
  ),
];
