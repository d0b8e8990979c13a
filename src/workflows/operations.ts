/**
 * The operations side of the pipelines: the deploy guard (change windows and freezes, before a
 * deployment is recorded), the failed-run metric the platform alarm counts, the rollback's own
 * deployment record, and dora.yml, which computes the delivery metrics from the deployment record.
 */
import { DELIVERY_METRICS_NAMESPACE, FAILED_RUNS_METRIC } from "../components/aws/alarms";
import { ROLLBACK_TASK_PREFIX } from "../operations/dora";
import { DeliveryContext } from "./context";
import { Step, Workflow } from "./model";
import { secrets, vars } from "./names";
import { ACTIONS } from "./pins";
import { checkout, npmCi, setupNode } from "./steps";

const RUN_URL = "${{ github.server_url }}/${{ github.repository }}/actions/runs/${{ github.run_id }}";

/**
 * The environment variables the release commands read for the guard: the emergency freeze and the
 * change-window override, both set by an admin on the environment (src/operations/change-windows.ts).
 */
export const GUARD_ENV = {
  DEPLOY_FREEZE: vars("DEPLOY_FREEZE"),
  CHANGE_WINDOW_OVERRIDE: vars("CHANGE_WINDOW_OVERRIDE"),
};

/** Refuses the deploy before anything is recorded or changed (a refusal is not a failed change). */
export const deployGuard: Step = {
  name: "Change windows and freezes",
  run: 'npm run -s release -- guard --stack "$STACK" --service "$SERVICE"',
};

/**
 * A failed run adds 1 to `Platform/Delivery FailedRuns` (dimension Stack), which the stack's
 * platform alarm pages or posts on. Runs with the job's AWS role; never fails the job itself.
 */
export const countFailedRun: Step = {
  name: "Count the failed run for the platform alarm",
  if: "failure()",
  continueOnError: true,
  run: `aws cloudwatch put-metric-data --namespace ${DELIVERY_METRICS_NAMESPACE} --metric-name ${FAILED_RUNS_METRIC} --dimensions "Stack=$STACK" --unit Count --value 1`,
};

/** The line the Slack step adds when the metric gate reported (src/release/cli.ts, gateReportSink). */
export const SLACK_GATE_LINES =
  'if [ -f "$RUNNER_TEMP/release-gate.txt" ]; then text="$(printf \'%s\\n%s\' "$text" "$(cat "$RUNNER_TEMP/release-gate.txt")")"; fi';

/**
 * rollback.yml's own deployment record (`task: rollback:<service>`), so DORA sees when a service
 * was restored. Reads SERVICE and STACK; needs `deployments: write`.
 */
export function recordRollback(environmentExpression: string): Step {
  return {
    name: "Record the rollback on GitHub",
    id: "rollback-deployment",
    env: {
      GH_TOKEN: "${{ github.token }}",
      ENVIRONMENT: environmentExpression,
      TO: "${{ inputs.to }}",
      RUN_URL,
    },
    run: [
      "set -euo pipefail",
      `body="$(jq -n --arg ref "$GITHUB_SHA" --arg task "${ROLLBACK_TASK_PREFIX}$SERVICE" --arg environment "$ENVIRONMENT" --arg service "$SERVICE" --arg to "$TO" --arg stack "$STACK" '{ref: $ref, task: $task, environment: $environment, auto_merge: false, required_contexts: [], payload: {service: $service, to: $to, stack: $stack}, description: "rollback of \\($service) to \\($to) on \\($stack)"}')"`,
      'id="$(gh api --method POST "repos/$GITHUB_REPOSITORY/deployments" --input - --jq .id <<<"$body")"',
      'echo "id=$id" >> "$GITHUB_OUTPUT"',
      'gh api --method POST "repos/$GITHUB_REPOSITORY/deployments/$id/statuses" -f state=in_progress -f log_url="$RUN_URL" -F auto_inactive=false --silent',
    ].join("\n"),
  };
}

/** The rollback record's outcome, whatever happened after it was created. */
export const recordRollbackOutcome: Step = {
  name: "Record the rollback's outcome on GitHub",
  if: "always() && steps.rollback-deployment.outputs.id != ''",
  env: {
    GH_TOKEN: "${{ github.token }}",
    DEPLOYMENT_ID: "${{ steps.rollback-deployment.outputs.id }}",
    JOB_STATUS: "${{ job.status }}",
    RUN_URL,
  },
  run: [
    "set -euo pipefail",
    'if [ "$JOB_STATUS" = "success" ]; then state=success; else state=failure; fi',
    'gh api --method POST "repos/$GITHUB_REPOSITORY/deployments/$DEPLOYMENT_ID/statuses" -f state="$state" -f log_url="$RUN_URL" -F auto_inactive=false --silent',
  ].join("\n"),
};

/** The environment dora.yml runs in: it holds the Slack webhook of the delivery-metrics channel, nothing else. */
export const METRICS_ENVIRONMENT = "delivery-metrics";

/**
 * dora.yml: weekly (and on demand), the four DORA figures per service and environment from the
 * GitHub deployment record, into the job summary, Slack and a JSON artifact kept 400 days. The
 * token reads deployments and commits, and writes nothing.
 */
export function doraWorkflow(ctx: DeliveryContext): Workflow {
  return {
    file: "dora.yml",
    name: "Delivery metrics",
    // One report at a time: a dispatch during the weekly run waits for it rather than racing it.
    concurrency: { group: "dora", cancelInProgress: false },
    on: {
      schedule: [{ cron: "0 6 * * 1" }],
      workflow_dispatch: {
        inputs: {
          days: {
            type: "number",
            required: false,
            default: 30,
            description: "Days the figures cover, ending now.",
          },
        },
      },
    },
    permissions: {},
    jobs: {
      dora: {
        name: "dora",
        environment: METRICS_ENVIRONMENT,
        permissions: { contents: "read", deployments: "read" },
        timeoutMinutes: 15,
        steps: [
          checkout(),
          // No cache: nothing this job restores may decide the figures it publishes.
          setupNode(ctx.nodeVersions[0], false),
          npmCi,
          {
            name: "Compute the figures from the deployment record",
            env: { GH_TOKEN: "${{ github.token }}", DAYS: "${{ inputs.days || 30 }}" },
            run: 'npm run -s dora -- --days "$DAYS" --out "$RUNNER_TEMP/dora.json" --summary "$GITHUB_STEP_SUMMARY" --slack "$RUNNER_TEMP/dora-slack.txt"',
          },
          {
            name: "Keep the figures (machine-readable history)",
            uses: ACTIONS.uploadArtifact,
            with: {
              name: "dora-${{ github.run_id }}",
              path: "${{ runner.temp }}/dora.json",
              "retention-days": 400,
              "if-no-files-found": "error",
            },
          },
          {
            name: "Post the figures to Slack",
            env: { SLACK_WEBHOOK_URL: secrets("DORA_SLACK_WEBHOOK_URL") },
            run: [
              'if [ -z "$SLACK_WEBHOOK_URL" ]; then echo "no DORA_SLACK_WEBHOOK_URL in the delivery-metrics environment"; exit 0; fi',
              'payload="$(jq -n --rawfile text "$RUNNER_TEMP/dora-slack.txt" \'{text: $text}\')"',
              'curl -fsS -X POST -H "Content-Type: application/json" --data "$payload" "$SLACK_WEBHOOK_URL"',
            ].join("\n"),
          },
        ],
      },
    },
  };
}
