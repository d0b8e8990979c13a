/**
 * A stack may not configure pipelines that would run a script the repository lacks. ci.yml's
 * integration and contract jobs run `npm run test:integration` / `npm run test:contract` at the
 * repository root, which is where the program runs, so it reads that package.json; a service's
 * migration commands run in `services/<name>/`, and their `npm run` scripts must be there.
 * A required check whose script is missing fails every pull request: refused here instead.
 */
import * as path from "path";
import { npmScriptsRun, packageScripts } from "../lib/npm-scripts";
import { CI_SCRIPTS } from "../workflows/ci";
import type { ConfigProblem, ConfigRule } from "./problem";
import { keyOf } from "./problem";
import { StackConfig } from "./schema";
import { ROOT } from "./stack-files";
import { ownApplicationOf } from "./applications";

/** The `scripts` of the package.json in a repository directory (`.` is the root); undefined without one. */
export type ScriptsAt = (dir: string) => Record<string, string> | undefined;

export function pipelineScriptProblems(c: StackConfig, scriptsAt: ScriptsAt): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  const root = scriptsAt(".") ?? {};
  const gh = c.github;
  if (gh && gh.integrationServices.length > 0 && !(CI_SCRIPTS.integration in root))
    out.push({
      key: keyOf(["github", "integrationServices"]),
      value: gh.integrationServices,
      allowed: `service containers for an integration suite: the root package.json has no "${CI_SCRIPTS.integration}" script for ci.yml's integration job to run; add one, or remove the key`,
    });
  if (gh && gh.contractTests && !(CI_SCRIPTS.contract in root))
    out.push({
      key: keyOf(["github", "contractTests"]),
      value: true,
      allowed: `false while the root package.json has no "${CI_SCRIPTS.contract}" script for ci.yml's contract job to run`,
    });
  c.services.forEach((s, i) => {
    // An application's own repository holds its package.json, not this checkout.
    if (!s.migrations || ownApplicationOf(s, c)) return;
    const dir = `services/${s.name}`;
    for (const which of ["apply", "validate"] as const) {
      const missing = npmScriptsRun(s.migrations[which]).filter((n) => !(n in (scriptsAt(dir) ?? {})));
      if (missing.length)
        out.push({
          key: keyOf(["services", i, "migrations", which]),
          value: s.migrations[which],
          allowed: `a command ${dir}/ can run: its package.json has no ${missing.map((n) => `"${n}"`).join(", ")} script`,
        });
    }
  });
  return out;
}

/** The rule as the program applies it: package.json files read from the repository. */
export const pipelineScriptRules: ConfigRule = (c) =>
  pipelineScriptProblems(c, (dir) => packageScripts(path.join(ROOT, dir)));
