/**
 * Runs a `run:` step of a rendered workflow as the runner would: bash -e, in the step's working
 * directory under `root`, with the job's and step's environment. A failure fails the test with
 * the step's output; an expression left for GitHub to expand fails it too.
 */
import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as path from "path";

export interface RenderedStep {
  readonly name: string;
  readonly run?: string;
  readonly uses?: string;
  readonly env?: Record<string, string>;
  readonly "working-directory"?: string;
}

export function runRenderedStep(
  root: string,
  step: RenderedStep,
  env: Record<string, string>,
  pathPrefix?: string,
): string {
  assert.doesNotMatch(step.run!, /\$\{\{/, `${step.name}: an expression the runner would expand`);
  try {
    return execFileSync("bash", ["-e", "-c", step.run!], {
      cwd: path.join(root, step["working-directory"] ?? "."),
      env: {
        ...process.env,
        ...env,
        ...(pathPrefix ? { PATH: `${pathPrefix}${path.delimiter}${process.env.PATH}` } : {}),
      },
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      timeout: 300000,
    });
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    assert.fail(`${step.name} failed:\n${err.stdout ?? ""}${err.stderr ?? err.message}`);
  }
}
