/**
 * Does everything a set of generated workflow files refers to exist? Reads the rendered YAML (what
 * would be committed), not the model, and reports each dangling reference as one line:
 *
 * - scripts: each `npm run <s>` / `npm test` a step runs names a script of the package.json in
 *   the step's working directory; each repository path a step (or such a script) executes exists;
 *   commands given as inputs (`with:`, a composite action's input defaults) are followed into the
 *   workflow or action that runs them, with `${{ inputs.x }}` and `$ENV` resolved along the way;
 * - uses: each local `./.github/actions/<x>` and `./.github/workflows/<y>.yml` is a generated
 *   file, and a local action gets every input it requires;
 * - names: each `vars.X` / `secrets.X` is in the contract of `src/workflows/names.ts` (whose
 *   program-written names the stacks are tested to write) and each operator-written one carries
 *   the command that sets it; `secrets.GITHUB_TOKEN` is GitHub's own;
 * - checks: each required status check is a job that runs on every pull request to each protected
 *   branch: its workflow triggers on `pull_request` for that branch without a path filter, the job
 *   has no `if:`, and every job it needs is required too (a skipped required check counts as passed).
 */
import * as fs from "fs";
import * as path from "path";
import YAML from "yaml";
import { npmScriptsRun, packageScripts } from "../../src/lib/npm-scripts";
import { DELIVERY_NAMES, NameSpec, storedNameIn } from "../../src/workflows/names";

type Inputs = Record<string, string>;
const EXPRESSION = /\$\{\{/;

interface Parsed {
  readonly workflows: Record<string, any>;
  readonly actions: Record<string, any>;
}

function parse(files: Record<string, string>): Parsed {
  const workflows: Record<string, any> = {};
  const actions: Record<string, any> = {};
  for (const [p, content] of Object.entries(files)) {
    if (/^\.github\/workflows\/[^/]+\.ya?ml$/.test(p)) workflows[`./${p}`] = YAML.parse(content);
    const action = /^(\.github\/actions\/.+)\/action\.ya?ml$/.exec(p);
    if (action) actions[`./${action[1]}`] = YAML.parse(content);
  }
  return { workflows, actions };
}

/** `${{ inputs.x }}` replaced by the value the caller gave, where it gave one. */
function resolve(text: string, inputs: Inputs): string {
  return text.replace(/\$\{\{\s*inputs\.([\w-]+)\s*\}\}/g, (whole, name: string) =>
    name in inputs ? inputs[name] : whole,
  );
}

/** `$NAME`, `${NAME}` of the step's literal environment replaced by their values. */
function expandEnv(script: string, env: Inputs): string {
  return script.replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (whole, name: string) =>
    name in env && !EXPRESSION.test(env[name]) ? env[name] : whole,
  );
}

/** Repository files a command executes: `bash x.sh`, `node x.js`, `npx ts-node x.ts`, `python x.py`. */
export function executedPaths(command: string): string[] {
  const out: string[] = [];
  const runner =
    /(?:^|[\s;&|(`])(?:npx\s+(?:--yes\s+)?)?(bash|sh|node|ts-node|python3?)\s+((?:\S+\s+)*?\S+)/g;
  for (const m of command.matchAll(runner)) {
    const words = m[2].split(/\s+/);
    if (words.includes("-c") || words.includes("-e") || words.includes("-m")) continue;
    const target = words.find((w) => !w.startsWith("-"));
    if (target && /^[\w./-]+\.(sh|js|mjs|cjs|ts|py)$/.test(target)) out.push(target);
  }
  return out;
}

const defaultsOf = (declared: Record<string, any> | undefined): Inputs =>
  Object.fromEntries(
    Object.entries(declared ?? {})
      .filter(([, spec]) => spec?.default !== undefined)
      .map(([name, spec]) => [name, String(spec.default)]),
  );

const literalWith = (w: Record<string, unknown> | undefined, inputs: Inputs): Inputs =>
  Object.fromEntries(Object.entries(w ?? {}).map(([k, v]) => [k, resolve(String(v), inputs)]));

/** Dangling scripts, paths and local `uses:` of every workflow, followed through calls and actions. */
export function scriptAndUsesProblems(files: Record<string, string>, root: string): string[] {
  const { workflows, actions } = parse(files);
  const problems = new Set<string>();

  function checkCommand(script: string, wd: string, where: string): void {
    if (EXPRESSION.test(wd)) return;
    const dir = path.join(root, wd);
    const pending = npmScriptsRun(script).map((s) => ({ s, via: "" }));
    const seen = new Set<string>();
    for (const p of executedPaths(script))
      if (!fs.existsSync(path.join(dir, p))) problems.add(`${where}: runs ${p}, which ${wd} lacks`);
    while (pending.length) {
      const { s, via } = pending.shift()!;
      if (seen.has(s)) continue;
      seen.add(s);
      const scripts = packageScripts(dir);
      if (!scripts) {
        problems.add(`${where}: npm runs "${s}"${via}, and ${wd} has no package.json`);
        continue;
      }
      if (!(s in scripts)) {
        problems.add(`${where}: npm runs "${s}"${via}, which ${wd}/package.json lacks`);
        continue;
      }
      for (const p of executedPaths(scripts[s]))
        if (!fs.existsSync(path.join(dir, p)))
          problems.add(`${where}: script "${s}" runs ${p}, which ${wd} lacks`);
      for (const next of npmScriptsRun(scripts[s])) pending.push({ s: next, via: ` (from "${s}")` });
    }
  }

  function checkSteps(steps: any[], jobWd: string, inputs: Inputs, where: string, depth: number): void {
    for (const step of steps ?? []) {
      const at = `${where} › ${step.name ?? step.uses ?? "step"}`;
      const wd = resolve(String(step["working-directory"] ?? jobWd), inputs);
      if (typeof step.run === "string") {
        const env = literalWith(step.env, inputs);
        checkCommand(expandEnv(resolve(step.run, inputs), env), wd, at);
      }
      if (typeof step.uses === "string" && step.uses.startsWith("./")) {
        const action = actions[step.uses.replace(/\/$/, "")];
        if (!action) {
          problems.add(`${at}: uses ${step.uses}, which is not generated`);
          continue;
        }
        const given = literalWith(step.with, inputs);
        for (const [name, spec] of Object.entries<any>(action.inputs ?? {}))
          if (spec?.required && spec.default === undefined && !(name in given))
            problems.add(`${at}: uses ${step.uses} without its required input ${name}`);
        // Reported where the command runs (the action's step), once however many callers reach it.
        if (depth < 5)
          checkSteps(
            action.runs?.steps,
            ".",
            { ...defaultsOf(action.inputs), ...given },
            step.uses.slice(2),
            depth + 1,
          );
      }
    }
  }

  function checkWorkflow(file: string, inputs: Inputs, where: string, depth: number): void {
    const wf = workflows[file];
    const wfWd = wf.defaults?.run?.["working-directory"] ?? ".";
    for (const [id, job] of Object.entries<any>(wf.jobs ?? {})) {
      const at = `${where} › ${id}`;
      if (typeof job.uses === "string") {
        if (!workflows[job.uses]) {
          problems.add(`${at}: calls ${job.uses}, which is not generated`);
          continue;
        }
        const declared = workflows[job.uses].on?.workflow_call?.inputs;
        const given = literalWith(job.with, inputs);
        for (const [name, spec] of Object.entries<any>(declared ?? {}))
          if (spec?.required && !(name in given))
            problems.add(`${at}: calls ${job.uses} without its required input ${name}`);
        if (depth < 5)
          checkWorkflow(job.uses, { ...defaultsOf(declared), ...given }, job.uses.slice(2), depth + 1);
        continue;
      }
      checkSteps(job.steps, job.defaults?.run?.["working-directory"] ?? wfWd, inputs, at, depth);
    }
  }

  for (const file of Object.keys(workflows))
    checkWorkflow(file, defaultsOf(workflows[file].on?.workflow_call?.inputs), file.slice(2), 0);
  for (const [dir, action] of Object.entries(actions))
    checkSteps(action.runs?.steps, ".", defaultsOf(action.inputs), dir.slice(2), 1);
  return [...problems];
}

/** Every `vars.X` and `secrets.X` the files read that nobody writes, or that an operator sets without a documented command. */
export function nameProblems(
  files: Record<string, string>,
  stacks: readonly string[],
  names: Record<string, NameSpec> = DELIVERY_NAMES,
): string[] {
  const contract = new Map<string, NameSpec>();
  for (const [name, spec] of Object.entries(names)) {
    const prefix = spec.kind === "secret" ? "secrets" : "vars";
    const stored =
      spec.scope === "environment" ? [name] : stacks.map((s) => storedNameIn(name, spec.scope, s));
    for (const n of stored) contract.set(`${prefix}.${n}`, spec);
  }
  const problems = new Set<string>();
  for (const [file, content] of Object.entries(files))
    for (const m of content.matchAll(/\b(vars|secrets)\.([A-Za-z_][A-Za-z0-9_]*)/g)) {
      const read = `${m[1]}.${m[2]}`;
      if (read === "secrets.GITHUB_TOKEN") continue;
      const spec = contract.get(read);
      if (!spec) problems.add(`${file}: reads ${read}, which no stack writes and no operator step sets`);
      else if (spec.writer === "operator" && !spec.command)
        problems.add(`${file}: reads ${read}, an operator prerequisite without the command that sets it`);
    }
  return [...problems];
}

/** The check names a rendered job reports (matrix expanded), as GitHub shows them. */
function checkNamesOf(job: any): string[] {
  const matrix = job.strategy?.matrix as Record<string, unknown[]> | undefined;
  if (!matrix || typeof job.name !== "string") return [job.name];
  const combos = Object.entries(matrix)
    .filter(([k]) => k !== "include" && k !== "exclude")
    .reduce<Record<string, unknown>[]>(
      (acc, [k, values]) => acc.flatMap((c) => values.map((v) => ({ ...c, [k]: v }))),
      [{}],
    );
  return combos.map((c) =>
    (job.name as string).replace(/\$\{\{\s*matrix\.(\w+)\s*\}\}/g, (_, k: string) => String(c[k])),
  );
}

/** Required checks that could stay missing or pass unseen on a pull request to a protected branch. */
export function requiredCheckProblems(
  files: Record<string, string>,
  required: readonly string[],
  protectedBranches: readonly string[],
): string[] {
  const { workflows } = parse(files);
  const problems: string[] = [];
  const requiredSet = new Set(required);
  for (const check of required) {
    const producers = Object.entries(workflows).flatMap(([file, wf]) =>
      Object.entries<any>(wf.jobs ?? {})
        .filter(([, job]) => checkNamesOf(job).includes(check))
        .map(([id, job]) => ({ file: file.slice(2), wf, id, job })),
    );
    if (producers.length === 0) {
      problems.push(`required check "${check}" is the name of no generated job`);
      continue;
    }
    for (const { file, wf, id, job } of producers) {
      const at = `required check "${check}" (${file} › ${id})`;
      const on =
        typeof wf.on === "string"
          ? { [wf.on]: null }
          : Array.isArray(wf.on)
            ? Object.fromEntries(wf.on.map((e: string) => [e, null]))
            : (wf.on ?? {});
      if (!("pull_request" in on)) {
        problems.push(`${at}: its workflow does not run on pull_request`);
        continue;
      }
      const pr = on.pull_request ?? {};
      if (pr.paths || pr["paths-ignore"])
        problems.push(`${at}: a path filter on pull_request can leave it unreported, blocking the merge`);
      if (pr.types && !["opened", "synchronize", "reopened"].every((t) => pr.types.includes(t)))
        problems.push(`${at}: pull_request types ${JSON.stringify(pr.types)} skip some pushes to the PR`);
      for (const branch of protectedBranches) {
        const included = !pr.branches || pr.branches.includes(branch);
        const ignored = (pr["branches-ignore"] ?? []).includes(branch);
        if (!included || ignored) problems.push(`${at}: does not run on pull requests to ${branch}`);
      }
      // `if: always()` runs the job whatever its needs did: a summary job judges their results itself.
      if (job.if === "always()") continue;
      if (job.if !== undefined) problems.push(`${at}: if: ${job.if} can skip it, and a skipped check passes`);
      const needs = new Set<string>();
      const queue = [...([] as string[]).concat(job.needs ?? [])];
      while (queue.length) {
        const n = queue.shift()!;
        if (needs.has(n)) continue;
        needs.add(n);
        queue.push(...([] as string[]).concat(wf.jobs[n]?.needs ?? []));
      }
      for (const n of needs) {
        const needed = wf.jobs[n];
        if (!needed) problems.push(`${at}: needs ${n}, which the workflow lacks`);
        else if (!checkNamesOf(needed).some((c) => requiredSet.has(c)))
          problems.push(
            `${at}: needs ${n}, which is not required; if it fails, this check is skipped and passes`,
          );
      }
    }
  }
  return problems;
}
