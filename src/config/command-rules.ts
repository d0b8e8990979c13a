/**
 * The commands a stack's config renders into workflows (each service's check and build commands,
 * its migration commands) are refused at load for what would make them run something else:
 * a `${{ }}` expression, which GitHub evaluates where the command is rendered — a `run:` script or
 * a reusable workflow's `with:` input that db-migrate then runs with `bash -c` — so a commit
 * message or branch name would become shell; and a download piped into a shell, which the pack
 * refuses in the rendered workflow anyway, only later, at preview.
 */
import { pipeToShellLine } from "../../policy/lib/shell";
import type { ConfigProblem, ConfigRule } from "./problem";
import { keyOf } from "./problem";

const EXPRESSION =
  "a command without ${{ }}: GitHub evaluates it where the command is rendered (a run: script, or the with: input db-migrate runs), so a commit message or branch name would become shell; read such values from the environment ($GITHUB_SHA, $GITHUB_REF_NAME)";
const SWALLOWED =
  "a command whose failure fails the check: `|| true`, `|| :`, `|| exit 0` or `set +e` would pass a failing suite, and the coverage floor with it";
/** Checks whose failure must fail the job (a swallowed exit status hides failing tests and coverage). */
const MUST_FAIL = new Set(["lint", "format", "typecheck", "unit", "integration", "contract", "build"]);
const SWALLOWS = /\|\|\s*(true|:|exit\s+0)\b|\bset\s+\+e\b/;

const PIPE =
  "a command that pipes no download into a shell or interpreter: install from a lockfile, or download to a file and verify its checksum first";

function commandProblems(
  path: readonly PropertyKey[],
  command: string | undefined,
  mustFail = false,
): ConfigProblem[] {
  if (!command) return [];
  const out: ConfigProblem[] = [];
  if (mustFail && SWALLOWS.test(command)) out.push({ key: keyOf(path), value: command, allowed: SWALLOWED });
  if (command.includes("${{")) out.push({ key: keyOf(path), value: command, allowed: EXPRESSION });
  if (pipeToShellLine(command)) out.push({ key: keyOf(path), value: command, allowed: PIPE });
  return out;
}

export const commandRules: ConfigRule = (c) =>
  c.services.flatMap((s, i) => [
    ...Object.entries(s.build?.commands ?? {}).flatMap(([kind, command]) =>
      commandProblems(
        ["services", i, "build", "commands", kind],
        command as string | undefined,
        MUST_FAIL.has(kind),
      ),
    ),
    ...(s.migrations
      ? (["apply", "validate"] as const).flatMap((which) =>
          commandProblems(["services", i, "migrations", which], s.migrations![which], true),
        )
      : []),
  ]);
