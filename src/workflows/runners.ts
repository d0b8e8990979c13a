/**
 * Where jobs run. Jobs that reach a stack's private endpoints (infra preview, up and drift,
 * deploy-service with its migrations, rollback) run on the runner that stack names
 * (`platform:ci.runner`); every other job stays on GitHub-hosted `ubuntu-24.04`. The owning stack
 * renders the workflows without knowing the other stacks' config, so each stack publishes its
 * labels as the repository variable `RUNNER_LABELS_<STACK>`, which GitHub evaluates at `runs-on`
 * time (`vars` is available there; environment variables are not). The value is a JSON array with
 * `{0}`/`{1}` where `format()` puts the run id and attempt, as CodeBuild's label requires.
 */
import { GITHUB_HOSTED_LABEL } from "../config/runners";
import { storedName } from "./names";

/** The labels of a stack that has not published any yet (never applied): GitHub-hosted. */
export const UNPUBLISHED_LABELS = JSON.stringify([GITHUB_HOSTED_LABEL]);

/** Expression (no `${{ }}`) of a stack's published label template, GitHub-hosted when unset. */
export function stackLabelsTemplate(stack: string): string {
  return `vars.${storedName("RUNNER_LABELS_REPOSITORY", stack)} || '${UNPUBLISHED_LABELS}'`;
}

/** `runs-on` from a label template expression: `{0}`, `{1}` become the run id and attempt. */
export function runsOnTemplate(templateExpression: string): string {
  return `\${{ fromJSON(format(${templateExpression}, github.run_id, github.run_attempt)) }}`;
}

/** `runs-on` of a job that needs the network of one stack. */
export const runsOnStack = (stack: string): string => runsOnTemplate(stackLabelsTemplate(stack));

/** Expression (no `${{ }}`) of the label template of the stack chosen at dispatch (`inputs.stack`), among `stacks`. */
function chosenStackTemplate(stacks: readonly string[]): string {
  const chosen = stacks.map(
    (s) => `inputs.stack == '${s}' && vars.${storedName("RUNNER_LABELS_REPOSITORY", s)}`,
  );
  return [...chosen, `'${UNPUBLISHED_LABELS}'`].join(" || ");
}

/** `runs-on` of a job whose stack is chosen at dispatch (`inputs.stack`), among `stacks`. */
export function runsOnChosenStack(stacks: readonly string[]): string {
  return runsOnTemplate(chosenStackTemplate(stacks));
}

/** The `runner` input a dispatch form passes for the stack chosen (`inputs.stack`), among `stacks`. */
export function chosenStackLabels(stacks: readonly string[]): string {
  return `\${{ ${chosenStackTemplate(stacks)} }}`;
}

/** What a caller of deploy-service.yml passes as its `runner` input for one stack. */
export const runnerInput = (stack: string): string => `\${{ ${stackLabelsTemplate(stack)} }}`;

/** The `runner` input of a reusable workflow that runs on its stack's runner (deploy-service, rollback-service). */
export const RUNNER_INPUT = {
  type: "string",
  required: false,
  default: UNPUBLISHED_LABELS,
  description:
    "Runner labels of the stack (its RUNNER_LABELS_<STACK>): a JSON array, {0} and {1} for the run id and attempt.",
} as const;
