/**
 * ci.yml: the platform program's static checks, unit tests over a Node matrix with a coverage
 * floor, integration and contract tests; each service's own jobs (service-ci.ts); and `ci-passed`,
 * the one check of ci.yml that branch protection requires.
 */
import { ciPullRequestBranches, ciPushBranches, DeliveryContext } from "./context";
import { CONTAINERS } from "./containers";
import { StepsJob, Workflow } from "./model";
import { platformToolSteps } from "./platform-tools";
import { builtServices, CHANGES_JOB, changesJob, serviceJobs, SUMMARY_JOB, summaryJob } from "./service-ci";
import { checkout, npmCi, setupNode } from "./steps";

/**
 * Root package.json scripts the integration and contract jobs run. Configuration that would
 * generate either job is refused while the script is missing (src/config/pipeline-scripts.ts):
 * a required check with nothing to run would fail every pull request.
 */
export const CI_SCRIPTS = { integration: "test:integration", contract: "test:contract" } as const;

export function ciWorkflow(ctx: DeliveryContext): Workflow {
  const jobs: Record<string, StepsJob> = ctx.executor ? {} : programJobs(ctx);
  const services = builtServices(ctx);
  if (services.length) jobs[CHANGES_JOB] = changesJob(ctx);
  for (const svc of services) Object.assign(jobs, serviceJobs(svc, ctx.codeScanning));
  jobs[SUMMARY_JOB] = summaryJob(jobs);
  return {
    file: "ci.yml",
    name: "CI",
    on: {
      pull_request: { branches: ciPullRequestBranches(ctx.branchModel) },
      push: { branches: ciPushBranches(ctx.branchModel) },
    },
    permissions: {},
    concurrency: { group: "ci-${{ github.ref }}", cancelInProgress: true },
    jobs,
  };
}

/** The platform program's own checks: lint, unit tests with the coverage floor, integration and contract tests. */
function programJobs(ctx: DeliveryContext): Record<string, StepsJob> {
  const primaryNode = ctx.nodeVersions[0];
  const jobs: Record<string, StepsJob> = {
    lint: {
      name: "lint",
      permissions: { contents: "read" },
      timeoutMinutes: 15,
      steps: [
        checkout(),
        setupNode(primaryNode, true),
        npmCi,
        { name: "Lint", run: "npm run lint" },
        { name: "Format", run: "npm run format:check" },
        { name: "Typecheck", run: "npm run typecheck" },
      ],
    },
    unit: {
      name: "unit (node ${{ matrix.node }})",
      permissions: { contents: "read" },
      timeoutMinutes: 20,
      strategy: { matrix: { node: ctx.nodeVersions }, failFast: false },
      steps: [
        checkout(),
        setupNode("${{ matrix.node }}", true),
        npmCi,
        // npm test's pretest (dev/tools/setup.sh) takes these from PATH instead of building them.
        ...platformToolSteps,
        {
          name: "Unit tests with a coverage floor",
          env: { COVERAGE_THRESHOLD: String(ctx.coverageThreshold) },
          // c8 is a pinned dev dependency: installed by npm ci from the lockfile, never fetched here.
          run: 'npx --no-install c8 --check-coverage --lines "$COVERAGE_THRESHOLD" npm test',
        },
      ],
    },
  };
  if (ctx.integrationServices.length) {
    jobs.integration = {
      name: "integration",
      needs: ["lint"],
      permissions: { contents: "read" },
      timeoutMinutes: 30,
      services: Object.fromEntries(ctx.integrationServices.map((s) => [s, CONTAINERS[s].container])),
      env: Object.fromEntries(ctx.integrationServices.map((s) => CONTAINERS[s].url)),
      steps: [
        checkout(),
        setupNode(primaryNode, true),
        npmCi,
        { name: "Integration tests", run: `npm run ${CI_SCRIPTS.integration}` },
      ],
    };
  }
  if (ctx.contractTests) {
    jobs.contract = {
      name: "contract",
      needs: ["lint"],
      permissions: { contents: "read" },
      timeoutMinutes: 20,
      steps: [
        checkout(),
        setupNode(primaryNode, true),
        npmCi,
        { name: "Contract tests", run: `npm run ${CI_SCRIPTS.contract}` },
      ],
    };
  }
  return jobs;
}
