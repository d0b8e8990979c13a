/**
 * What a run deploys and builds: one deploy to an environment at a time (a second run waits, so
 * the older commit cannot finish last), and images built from what was reviewed rather than from
 * what whoever dispatched the run typed.
 */
import {
  actionOf,
  contextReferences,
  expressions,
  jobsOf,
  stepsOf,
  triggersOf,
  workflowRule,
} from "./workflows";

/** The write scopes a job's token holds: its own permissions, else the workflow's. */
function writeScopes(wf: any, job: any): string[] {
  const permissions = job?.permissions ?? wf?.permissions;
  if (permissions === undefined) return ["the repository's default permissions"];
  if (permissions === "write-all") return ["write-all"];
  if (!permissions || typeof permissions !== "object") return [];
  return Object.entries(permissions)
    .filter(([, level]) => level === "write")
    .map(([scope]) => `${scope}: write`);
}

const environmentName = (environment: unknown): string =>
  typeof environment === "object" && environment !== null
    ? String((environment as { name?: unknown }).name ?? "?")
    : String(environment);

/** docker/build-push-action inputs that decide what is built and what it is called. */
const BUILD_INPUTS = ["context", "file", "build-args", "build-contexts", "tags"];
/** Dispatch input types GitHub checks against a fixed set of values. */
const CONSTRAINED_INPUTS = ["choice", "boolean", "number", "environment"];

export const workflowDeployRules = [
  workflowRule(
    {
      name: "github-workflow-require-deploy-concurrency",
      anchors: ["Z concurrency-limits"],
      summary:
        "A job that deploys (it holds an environment and a write scope) runs under a concurrency group, its own or its workflow's, so two runs cannot deploy to one environment at once with the older finishing last. Reusable workflows (workflow_call only) are left to their callers, which can set concurrency on the calling job.",
      severity: "medium",
      remediation:
        "Add concurrency: { group: deploy-<environment>, cancel-in-progress: false } to the job, or a group to the workflow.",
    },
    (wf) => {
      const triggers = triggersOf(wf);
      if (wf.concurrency || (triggers.length > 0 && triggers.every((t) => t === "workflow_call"))) return [];
      return jobsOf(wf)
        .filter(([, job]) => job?.environment && !job?.concurrency)
        .flatMap(([id, job]) => {
          const scopes = writeScopes(wf, job);
          return scopes.length
            ? [
                `jobs.${id} deploys to ${environmentName(job.environment)} (holding ${scopes.join(", ")}) with no concurrency group, neither its own nor the workflow's`,
              ]
            : [];
        });
    },
  ),
  workflowRule(
    {
      name: "github-workflow-disallow-dispatch-inputs-in-builds",
      anchors: ["Z template-injection"],
      summary:
        "In workflows that can be dispatched, docker/build-push-action's context, file, build-args, build-contexts and tags take no free-text workflow_dispatch input (inputs.* or github.event.inputs.*): whoever dispatches the run would choose what the image is built from or published as. Choice, boolean, number and environment inputs are checked by GitHub. (Inputs in run: scripts are github-workflow-disallow-template-injection's.)",
      severity: "high",
      remediation:
        "Derive the value from the reviewed commit (a file in the repository, github.sha), or declare the input as type: choice with the allowed values.",
    },
    (wf) => {
      if (!triggersOf(wf).includes("workflow_dispatch")) return [];
      const declared = (wf.on ?? wf.true)?.workflow_dispatch?.inputs ?? {};
      const freeText = (name: string) => !CONSTRAINED_INPUTS.includes(declared?.[name]?.type);
      return jobsOf(wf).flatMap(([id, job]) =>
        stepsOf(job).flatMap((step, i) => {
          if (actionOf(step?.uses) !== "docker/build-push-action") return [];
          return BUILD_INPUTS.filter((key) => step?.with?.[key] !== undefined).flatMap((key) =>
            expressions(String(step.with[key]))
              .filter((e) =>
                contextReferences(e).some((ref) => {
                  const input = /^(?:github\.event\.)?inputs\.([\w-]+)/.exec(ref);
                  return input !== null && freeText(input[1]);
                }),
              )
              .map(
                (e) =>
                  `jobs.${id}.steps[${i}].with.${key} takes \${{ ${e} }}: whoever dispatches the run picks what the image is built from or published as`,
              ),
          );
        }),
      );
    },
  ),
];
