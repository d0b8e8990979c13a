/**
 * rollback.yml: roll one service of one stack back (or forward) on demand. A person picks the
 * service, the stack and `previous` — what ran before the service's last change, from the stack's
 * recorded releases — or a digest already in the stack's registry, which is redeployed through
 * the service's strategy. It runs the same executor as a deploy (`npm run release -- rollback`),
 * in the stack's environment (its reviewers, its deployment policy, its deploy role) and in the
 * stack's concurrency group, and reports to Slack like a deploy.
 */
import { DeliveryContext, reusableWorkflow } from "./context";
import { deployCallPermissions, RELEASE_STACK_EXPRESSION, SLACK } from "./deploy";
import { markRolledBack } from "./deployments";
import { Workflow } from "./model";
import { vars } from "./names";
import { chosenStackLabels, runsOnTemplate, RUNNER_INPUT } from "./runners";
import { pulumiEnv, pulumiJobSetup, stackConcurrency } from "./steps";
import { countFailedRun, recordRollback, recordRollbackOutcome } from "./operations";

/**
 * `${{ inputs.stack == 'dev' && 'development' || … || '' }}`: the environment of the chosen stack,
 * spelled out per stack rather than indexed into a computed object, which reviewers and zizmor's
 * obfuscation audit cannot read.
 */
export function environmentOfStack(ctx: DeliveryContext): string {
  const chosen = ctx.stacks.map((s) => `inputs.stack == '${s.stack}' && '${s.environment}'`).join(" || ");
  return `\${{ ${chosen} || '' }}`;
}

/** `${{ inputs.service == 'api' && 'shop' || … || '' }}`: the chosen service's application, if it has a stack of its own. */
export function applicationOfChosenService(ctx: DeliveryContext): string {
  const owned = ctx.services.filter((s) => s.application);
  if (owned.length === 0) return "";
  const chosen = owned.map((s) => `inputs.service == '${s.name}' && '${s.application}'`).join(" || ");
  return `\${{ ${chosen} || '' }}`;
}

/**
 * rollback.yml: the dispatch form (service, stack, previous or a digest) of one repository; it
 * calls rollback-service.yml — this repository's, or the platform's at the pinned commit from an
 * application's repository — so one executor rolls back everywhere.
 */
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
        uses: reusableWorkflow(ctx, "rollback-service.yml"),
        permissions: deployCallPermissions(ctx),
        with: {
          service: "${{ inputs.service }}",
          stack: "${{ inputs.stack }}",
          ...(ctx.services.some((s) => s.application)
            ? { application: applicationOfChosenService(ctx) }
            : {}),
          environment: environmentOfStack(ctx),
          to: "${{ inputs.to }}",
          runner: chosenStackLabels(ctx.stacks.map((s) => s.stack)),
        },
      },
    },
  };
}

/**
 * rollback-service.yml: roll one service of one stack back with the release executor, in the
 * stack's environment (its reviewers, deployment policy and deploy role) and in the application
 * stack's concurrency group; reports to Slack like a deploy.
 */
export function rollbackServiceWorkflow(ctx: DeliveryContext): Workflow {
  return {
    file: "rollback-service.yml",
    name: "Roll a service back",
    on: {
      workflow_call: {
        inputs: {
          service: { type: "string", required: true, description: "Service to roll back." },
          stack: {
            type: "string",
            required: true,
            description: "Pulumi stack (the environment's platform stack).",
          },
          application: {
            type: "string",
            required: false,
            default: "",
            description:
              "The service's application, when its workload lives in the application stack <application>-<stack>.",
          },
          environment: { type: "string", required: true, description: "GitHub environment of the stack." },
          to: {
            type: "string",
            required: true,
            description: "previous, or a sha256 digest in the stack's registry.",
          },
          runner: RUNNER_INPUT,
        },
      },
    },
    permissions: {},
    jobs: {
      rollback: {
        name: "rollback",
        runsOn: runsOnTemplate("inputs.runner"),
        environment: { name: "${{ inputs.environment }}", url: vars("ENVIRONMENT_URL") },
        permissions: { contents: "read", "id-token": "write", deployments: "write" },
        concurrency: stackConcurrency(RELEASE_STACK_EXPRESSION),
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
            executor: true,
          }),
          recordRollback("${{ inputs.environment }}"),
          {
            name: "Roll the service back with the release executor",
            run: 'npm run -s release -- rollback --stack "$STACK" --service "$SERVICE" --to "$TO"',
          },
          markRolledBack("${{ inputs.environment }}"),
          recordRollbackOutcome,
          countFailedRun,
          SLACK,
        ],
      },
    },
  };
}
