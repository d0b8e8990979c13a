/**
 * The time limits of a release (see release-budget.ts, which holds every service's release to
 * them). A leaf module: the workflows, the runner and the executor import these without loading
 * the config rules.
 */
/** deploy-service.yml's deploy job `timeout-minutes`, and the CodeBuild runner's build timeout. */
export const DEPLOY_JOB_TIMEOUT_MINUTES = 60;
/** How long the executor's health gate waits for a healthy service (src/release/health.ts DEFAULT_GATE). */
export const HEALTH_GATE_MINUTES = 2;
/**
 * What each `pulumi up` of one service's release is allowed in this budget: an allowance, not a
 * measurement of a real cluster (the engine tier's ups take 10-25 s; a real rollout waits for its
 * Pods or tasks). It keeps room for the ups, so windows alone may not fill the job.
 */
export const UP_ALLOWANCE_MINUTES = 2;
