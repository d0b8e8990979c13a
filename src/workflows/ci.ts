/** ci.yml: static checks, unit tests over a Node matrix with a coverage floor, integration and contract tests. */
import { DeliveryContext, integrationBranches } from "./context";
import { ServiceContainer, StepsJob, Workflow } from "./model";
import { imageRef, SERVICE_IMAGES } from "./pins";
import { checkout, npmCi, setupNode } from "./steps";

/**
 * Throwaway databases for the integration job, pulled by digest (pins.ts); health checks make the
 * job wait until they answer.
 */
const CONTAINERS: Record<
  DeliveryContext["integrationServices"][number],
  { container: ServiceContainer; url: [string, string] }
> = {
  postgres: {
    container: {
      image: imageRef(SERVICE_IMAGES.postgres),
      env: { POSTGRES_USER: "ci", POSTGRES_PASSWORD: "ci", POSTGRES_DB: "ci" },
      ports: ["5432:5432"],
      options: "--health-cmd pg_isready --health-interval 5s --health-timeout 5s --health-retries 10",
    },
    url: ["DATABASE_URL", "postgres://ci:ci@localhost:5432/ci"],
  },
  mysql: {
    container: {
      image: imageRef(SERVICE_IMAGES.mysql),
      env: { MYSQL_ROOT_PASSWORD: "ci", MYSQL_DATABASE: "ci" },
      ports: ["3306:3306"],
      options:
        '--health-cmd "mysqladmin ping -h 127.0.0.1" --health-interval 5s --health-timeout 5s --health-retries 10',
    },
    url: ["MYSQL_URL", "mysql://root:ci@localhost:3306/ci"],
  },
  redis: {
    container: {
      image: imageRef(SERVICE_IMAGES.redis),
      ports: ["6379:6379"],
      options: '--health-cmd "redis-cli ping" --health-interval 5s --health-timeout 5s --health-retries 10',
    },
    url: ["REDIS_URL", "redis://localhost:6379"],
  },
  mongodb: {
    container: {
      image: imageRef(SERVICE_IMAGES.mongodb),
      ports: ["27017:27017"],
      options:
        "--health-cmd \"mongosh --quiet --eval 'db.runCommand({ ping: 1 })'\" --health-interval 5s --health-timeout 5s --health-retries 10",
    },
    url: ["MONGODB_URL", "mongodb://localhost:27017/ci"],
  },
};

/**
 * Root package.json scripts the integration and contract jobs run. Configuration that would
 * generate either job is refused while the script is missing (src/config/pipeline-scripts.ts):
 * a required check with nothing to run would fail every pull request.
 */
export const CI_SCRIPTS = { integration: "test:integration", contract: "test:contract" } as const;

export function ciWorkflow(ctx: DeliveryContext): Workflow {
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
        {
          name: "Unit tests with a coverage floor",
          env: { COVERAGE_THRESHOLD: String(ctx.coverageThreshold) },
          run: 'npx --yes c8@10.1.3 --check-coverage --lines "$COVERAGE_THRESHOLD" npm test',
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
  const branches = integrationBranches(ctx.branchModel);
  return {
    file: "ci.yml",
    name: "CI",
    on: { pull_request: { branches }, push: { branches } },
    permissions: {},
    concurrency: { group: "ci-${{ github.ref }}", cancelInProgress: true },
    jobs,
  };
}
