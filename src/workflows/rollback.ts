/**
 * rollback.yml: roll one service of one stack back (or forward) on demand. A person picks the
 * service, the stack and `previous` — what ran before the service's last change, from the stack's
 * recorded releases — or a digest already in the stack's registry, which is redeployed through
 * the service's strategy. It runs the same executor as a deploy (`npm run release -- rollback`),
 * in the stack's environment (its reviewers, its deployment policy, its deploy role) and in the
 * stack's concurrency group, and reports to Slack like a deploy.
 */
import { DeliveryContext } from "./context";
import { SLACK } from "./deploy";
import { markRolledBack } from "./deployments";
import { Workflow } from "./model";
import { vars } from "./names";
import { runsOnChosenStack } from "./runners";
import { pulumiEnv, pulumiJobSetup, stackConcurrency } from "./steps";
import { countFailedRun, recordRollback, recordRollbackOutcome } from "./operations";

/** `${{ fromJSON('{"dev":"development",…}')[inputs.stack] }}`: the environment of the chosen stack. */
export function environmentOfStack(ctx: DeliveryContext): string {
  const map = JSON.stringify(Object.fromEntries(ctx.stacks.map((s) => [s.stack, s.environment])));
  return `\${{ fromJSON('${map}')[inputs.stack] }}`;
}

/**
 * The stack a rollback holds: the chosen service's application stack when services have them
 * (the service → application map is a constant of the generated file), else the stack.
 */
export function rollbackStackExpression(ctx: DeliveryContext): string {
  const owned = ctx.services.filter((s) => s.application);
  if (owned.length === 0) return "${{ inputs.stack }}";
  // Service names and applications are DNS labels: nothing to escape inside the quotes.
  const prefix = owned.map((s) => `inputs.service == '${s.name}' && '${s.application}-'`).join(" || ");
  return `\${{ format('{0}{1}', ${prefix} || '', inputs.stack) }}`;
}

export function rollbackWorkflow(ctx: DeliveryContext): Workflow {
  return {
    file: "rollback.yml",
    name: "Rollback",
    on: {
      workflow_dispatch: {
        inputs: {
          service: {
            type: "choice",
            required: true,
            description: "Service to roll back.",
            options: ctx.services.map((s) => s.name),
          },
          stack: {
            type: "choice",
            required: true,
            description:
              "Stack to change. Run from a ref its environment accepts (a v*.*.* tag for production).",
            options: ctx.stacks.map((s) => s.stack),
          },
          to: {
            type: "string",
            required: true,
            default: "previous",
            description:
              "previous (what ran before the service's last change) or a sha256 digest in the stack's registry.",
          },
        },
      },
    },
    permissions: {},
    jobs: {
      rollback: {
        name: "rollback",
        runsOn: runsOnChosenStack(ctx.stacks.map((s) => s.stack)),
        environment: { name: environmentOfStack(ctx), url: vars("ENVIRONMENT_URL") },
        permissions: { contents: "read", "id-token": "write", deployments: "write" },
        concurrency: stackConcurrency(rollbackStackExpression(ctx)),
        timeoutMinutes: 60,
        env: {
          ...pulumiEnv(ctx),
          STACK: "${{ inputs.stack }}",
          SERVICE: "${{ inputs.service }}",
          TO: "${{ inputs.to }}",
        },
        steps: [
          // No caches: a rollback may run on a release tag.
          ...pulumiJobSetup(ctx, {
            roleArn: vars("AWS_DEPLOY_ROLE_ARN"),
            github: { access: "write", stackExpression: "inputs.stack" },
          }),
          recordRollback(environmentOfStack(ctx)),
          {
            name: "Roll the service back with the release executor",
            run: 'npm run -s release -- rollback --stack "$STACK" --service "$SERVICE" --to "$TO"',
          },
          markRolledBack(environmentOfStack(ctx)),
          recordRollbackOutcome,
          countFailedRun,
          SLACK,
        ],
      },
    },
  };
}
