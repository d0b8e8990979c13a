/**
 * GitHub deployments as the release record. deploy-service.yml records one deployment per service
 * and run (`task: deploy:<service>`, the run's commit, the environment, a payload of service,
 * digest and stack) and moves it `in_progress` → `success` / `failure`. release.yml starts with a
 * job per service that refuses the tag unless the promotion source's latest such deployment of the
 * tagged commit succeeded (`npm run release:verify`, src/release/verify-deployment.ts).
 *
 * Statuses are posted with `auto_inactive: false`: by default a success marks every earlier
 * deployment of the environment inactive, and the environment holds one deployment per service.
 */
import { DeliveryService, DeliveryStack } from "./context";
import { StepsJob, Step } from "./model";
import { vars } from "./names";
import { checkout, npmCi, setupNode } from "./steps";

/** `task` of a service's deployment records, e.g. `deploy:api`. */
export const DEPLOYMENT_TASK_PREFIX = "deploy:";

const RUN_URL = "${{ github.server_url }}/${{ github.repository }}/actions/runs/${{ github.run_id }}";

/**
 * Creates the deployment once the image is promoted (its digest is the payload's) and marks it
 * in progress. Reads SERVICE and STACK from the job's env; needs `deployments: write`.
 */
export const recordDeployment: Step = {
  name: "Record the deployment on GitHub",
  id: "deployment",
  env: {
    GH_TOKEN: "${{ github.token }}",
    ENVIRONMENT: "${{ inputs.environment }}",
    DIGEST: "${{ steps.promote.outputs.digest }}",
    RUN_URL,
  },
  run: [
    "set -euo pipefail",
    `body="$(jq -n --arg ref "$GITHUB_SHA" --arg task "${DEPLOYMENT_TASK_PREFIX}$SERVICE" --arg environment "$ENVIRONMENT" --arg service "$SERVICE" --arg digest "$DIGEST" --arg stack "$STACK" '{ref: $ref, task: $task, environment: $environment, auto_merge: false, required_contexts: [], payload: {service: $service, digest: $digest, stack: $stack}, description: "\\($service) \\($digest) to \\($stack)"}')"`,
    'id="$(gh api --method POST "repos/$GITHUB_REPOSITORY/deployments" --input - --jq .id <<<"$body")"',
    'echo "id=$id" >> "$GITHUB_OUTPUT"',
    'gh api --method POST "repos/$GITHUB_REPOSITORY/deployments/$id/statuses" -f state=in_progress -f log_url="$RUN_URL" -F auto_inactive=false --silent',
  ].join("\n"),
};

/**
 * Whatever happened after the deployment was recorded: `success` only when the whole job
 * succeeded; a release the ECS circuit breaker or the executor rolled back says so in the
 * status description (the release step's `reason` output, src/release/cli.ts).
 */
export const recordDeploymentOutcome: Step = {
  name: "Record the deployment's outcome on GitHub",
  if: "always() && steps.deployment.outputs.id != ''",
  env: {
    GH_TOKEN: "${{ github.token }}",
    DEPLOYMENT_ID: "${{ steps.deployment.outputs.id }}",
    JOB_STATUS: "${{ job.status }}",
    REASON: "${{ steps.release.outputs.reason }}",
    ENVIRONMENT_URL: vars("ENVIRONMENT_URL"),
    RUN_URL,
  },
  run: [
    "set -euo pipefail",
    'if [ "$JOB_STATUS" = "success" ]; then state=success; else state=failure; fi',
    'args=(-f state="$state" -f log_url="$RUN_URL" -F auto_inactive=false)',
    'if [ -n "${ENVIRONMENT_URL:-}" ]; then args+=(-f environment_url="$ENVIRONMENT_URL"); fi',
    'if [ -n "${REASON:-}" ]; then args+=(-f description="$REASON"); fi',
    'gh api --method POST "repos/$GITHUB_REPOSITORY/deployments/$DEPLOYMENT_ID/statuses" "${args[@]}" --silent',
  ].join("\n"),
};

/** release.yml's first job for a service: the tagged commit's deployment in `source` succeeded. */
export function sourceDeployedJob(
  svc: DeliveryService,
  source: DeliveryStack,
  nodeVersion: string,
): StepsJob {
  return {
    name: `${source.stack} deployed (${svc.name})`,
    permissions: { contents: "read", deployments: "read" },
    timeoutMinutes: 10,
    // What the release promotes: the digest the source runs, whichever commit built it.
    outputs: { digest: "${{ steps.verify.outputs.digest }}" },
    steps: [
      checkout(),
      // No cache: release tags restore none (cache poisoning).
      setupNode(nodeVersion, false),
      npmCi,
      {
        name: `Check what ${source.environment} runs of ${svc.name}: this commit's build, successfully, or an earlier one when it was not rebuilt`,
        id: "verify",
        env: { GH_TOKEN: "${{ github.token }}", ENVIRONMENT: source.environment, SERVICE: svc.name },
        run: 'npm run -s release:verify -- --environment "$ENVIRONMENT" --service "$SERVICE" --sha "$GITHUB_SHA"',
      },
    ],
  };
}

/**
 * After a rollback: the service's latest deployment in the environment gets a `failure` status
 * ("rolled back"), so a release tag of that commit no longer passes the source-deployed check.
 * Reads SERVICE from the job's env; needs `deployments: write`.
 */
export function markRolledBack(environmentExpression: string): Step {
  return {
    name: "Mark the service's latest deployment here as rolled back",
    if: "success()",
    env: { GH_TOKEN: "${{ github.token }}", ENVIRONMENT: environmentExpression, RUN_URL },
    run: [
      "set -euo pipefail",
      `id="$(gh api "repos/$GITHUB_REPOSITORY/deployments?environment=$ENVIRONMENT&task=${DEPLOYMENT_TASK_PREFIX}$SERVICE&per_page=1" --jq '.[0].id // empty')"`,
      'if [ -z "$id" ]; then echo "no deployment of $SERVICE is recorded in $ENVIRONMENT"; exit 0; fi',
      'gh api --method POST "repos/$GITHUB_REPOSITORY/deployments/$id/statuses" -f state=failure -f description="rolled back" -f log_url="$RUN_URL" -F auto_inactive=false --silent',
    ].join("\n"),
  };
}
