import { strict as assert } from "assert";
import YAML from "yaml";
import { stackConfigFromFile } from "../../src/config";
import { knownStacks, ROOT } from "../../src/config/stack-files";
import { deliveryFiles, requiredChecks } from "../../src/workflows";
import { BRANCH_MODELS, integrationBranches } from "../../src/workflows/context";
import { NameSpec } from "../../src/workflows/names";
import { contextFor } from "../helpers/context";
import { migrationOutputs, stepOutput } from "../../src/release/cli";
import {
  executedPaths,
  nameProblems,
  requiredCheckProblems,
  scriptAndUsesProblems,
} from "../helpers/workflow-references";

/** The committed stacks that generate workflows: those with a github section. */
const RENDERING_STACKS = knownStacks().filter((s) => stackConfigFromFile(s).github !== undefined);

describe("cross-references in the generated workflows", function () {
  this.timeout(60000);

  it("are checked for every committed stack that renders workflows", () => {
    assert.deepEqual(RENDERING_STACKS, ["dev", "production", "staging"]);
  });

  for (const stack of RENDERING_STACKS)
    for (const model of BRANCH_MODELS)
      it(`all resolve for the ${stack} stack under ${model}: scripts, paths, local uses, variables and secrets, required checks`, () => {
        const ctx = contextFor(stack, model);
        const files = deliveryFiles(ctx);
        assert.deepEqual(
          [
            ...scriptAndUsesProblems(files, ROOT),
            ...nameProblems(
              files,
              ctx.stacks.map((s) => s.stack),
            ),
            ...requiredCheckProblems(files, requiredChecks(ctx), integrationBranches(ctx.branchModel)),
          ],
          [],
        );
      });
});

describe("a service's migration commands", () => {
  const withMigrations = (stack: string, apply: string, secret: string) => {
    const config = stackConfigFromFile(stack);
    return {
      ...config,
      services: config.services.map((s) =>
        s.name === "payments"
          ? {
              ...s,
              migrations: {
                apply,
                validate: "alembic check",
                databaseUrlSecretArn: secret,
                database: "payments-db",
              },
            }
          : s,
      ),
    };
  };
  const devSecret = "arn:aws:secretsmanager:eu-west-1:111111111111:secret:dev/payments/db-url-AbCdEf";
  const stagingSecret = "arn:aws:secretsmanager:eu-west-1:222222222222:secret:staging/payments/db-url-XyZ123";

  it("come from each environment's own stack config at release time, so staging never runs dev's commands or secret", () => {
    assert.equal(
      migrationOutputs(withMigrations("dev", "alembic upgrade head", devSecret), "payments"),
      [
        "migrate=true",
        "apply=alembic upgrade head",
        "validate=alembic check",
        `database-url-secret=${devSecret}`,
        "directory=services/payments",
        "",
      ].join("\n"),
    );
    const staging = migrationOutputs(
      withMigrations("staging", "alembic upgrade heads", stagingSecret),
      "payments",
    );
    assert.match(staging, /^apply=alembic upgrade heads$/m);
    assert.match(staging, new RegExp(`^database-url-secret=${stagingSecret}$`, "m"));
    assert.equal(migrationOutputs(stackConfigFromFile("staging"), "api"), "migrate=false\n");
  });

  it("are carried by no generated workflow: deploy-service.yml reads them from the stack it releases", () => {
    const files = deliveryFiles(contextFor("dev"));
    const carrying = Object.entries(files)
      .filter(([, content]) => content.includes("arn:aws:secretsmanager") || content.includes("alembic"))
      .map(([path]) => path);
    assert.deepEqual(carrying, []);
    const deploy = YAML.parse(files[".github/workflows/deploy-service.yml"]).jobs.deploy;
    const read = deploy.steps.find((s: { id?: string }) => s.id === "migrations");
    assert.equal(
      read.run,
      'npm run -s release -- migrations --stack "$STACK" --service "$SERVICE" >> "$GITHUB_OUTPUT"',
    );
    const migrate = deploy.steps.find((s: { uses?: string }) => s.uses === "./.github/actions/db-migrate");
    assert.equal(migrate.if, "steps.migrations.outputs.migrate == 'true'");
    assert.equal(migrate.with["migrate-command"], "${{ steps.migrations.outputs.apply }}");
    assert.equal(migrate.with["database-url-secret"], "${{ steps.migrations.outputs.database-url-secret }}");
    assert.equal(
      migrate.with["working-directory"],
      "${{ steps.executor.outputs.application-dir }}/${{ steps.migrations.outputs.directory }}",
    );
  });

  it("span lines as GitHub's heredoc outputs, with a delimiter the value does not contain", () => {
    assert.equal(stepOutput("apply", "one line"), "apply=one line\n");
    assert.equal(stepOutput("apply", "a\nEOF\nb"), "apply<<EOF_0\na\nEOF\nb\nEOF_0\n");
  });
});

describe("the cross-reference checker", () => {
  const workflow = (body: object) => YAML.stringify(body);
  const ci = (steps: object[], extra: object = {}) => ({
    ".github/workflows/ci.yml": workflow({
      on: { pull_request: { branches: ["main"] } },
      jobs: { lint: { name: "lint", "runs-on": "ubuntu-24.04", steps, ...extra } },
    }),
  });

  it("finds npm scripts the package.json of the step's directory lacks, and accepts those it has", () => {
    const files = ci([
      { name: "ok", run: 'npm run -s release -- promote --stack "$STACK"\nnpx --yes c8 npm test' },
      { name: "missing", run: "npm run test:nothing" },
      { name: "elsewhere", run: "npm run lint", "working-directory": "policy" },
      { name: "no package", run: "npm test", "working-directory": "services/api" },
      { name: "optional", run: "npm run --if-present test:nothing" },
    ]);
    assert.deepEqual(scriptAndUsesProblems(files, ROOT), [
      '.github/workflows/ci.yml › lint › missing: npm runs "test:nothing", which ./package.json lacks',
      '.github/workflows/ci.yml › lint › elsewhere: npm runs "lint", which policy/package.json lacks',
      '.github/workflows/ci.yml › lint › no package: npm runs "test", and services/api has no package.json',
    ]);
  });

  it("finds repository paths a step or one of its scripts executes that do not exist", () => {
    const files = ci([
      {
        name: "ok",
        run: "bash dev/tools/setup.sh && npx ts-node --transpile-only src/release/cli.ts restore",
      },
      { name: "gone", run: "bash dev/tools/gone.sh" },
      { name: "inline", run: 'bash -c "$CMD"\nnode -e "1"' },
    ]);
    assert.deepEqual(scriptAndUsesProblems(files, ROOT), [
      ".github/workflows/ci.yml › lint › gone: runs dev/tools/gone.sh, which . lacks",
    ]);
    assert.deepEqual(executedPaths("npm i && python3 tools/x.py --flag"), ["tools/x.py"]);
  });

  it("follows commands given as inputs into the reusable workflow and composite action that run them", () => {
    const files = {
      ".github/workflows/deploy.yml": workflow({
        on: { push: { branches: ["main"] } },
        jobs: {
          call: { uses: "./.github/workflows/reusable.yml", with: { "apply-command": "npm run migrate" } },
          ghost: { uses: "./.github/workflows/ghost.yml" },
        },
      }),
      ".github/workflows/reusable.yml": workflow({
        on: { workflow_call: { inputs: { "apply-command": { type: "string", required: true } } } },
        jobs: {
          run: {
            "runs-on": "ubuntu-24.04",
            steps: [
              {
                name: "migrate",
                uses: "./.github/actions/db",
                with: { command: "${{ inputs.apply-command }}" },
              },
              { name: "missing action", uses: "./.github/actions/none" },
              { name: "no inputs", uses: "./.github/actions/db" },
            ],
          },
        },
      }),
      ".github/actions/db/action.yml": workflow({
        inputs: {
          command: { description: "", required: true },
          status: { description: "", required: false, default: "npm run migrate:status" },
        },
        runs: {
          using: "composite",
          steps: [
            { name: "Apply", env: { CMD: "${{ inputs.command }}" }, run: 'bash -c "$CMD"', shell: "bash" },
            { name: "Status", env: { CMD: "${{ inputs.status }}" }, run: 'bash -c "$CMD"', shell: "bash" },
          ],
        },
      }),
    };
    assert.deepEqual(scriptAndUsesProblems(files, ROOT).sort(), [
      '.github/actions/db › Apply: npm runs "migrate", which ./package.json lacks',
      '.github/actions/db › Status: npm runs "migrate:status", which ./package.json lacks',
      ".github/workflows/deploy.yml › ghost: calls ./.github/workflows/ghost.yml, which is not generated",
      ".github/workflows/reusable.yml › run › missing action: uses ./.github/actions/none, which is not generated",
      ".github/workflows/reusable.yml › run › no inputs: uses ./.github/actions/db without its required input command",
    ]);
  });

  it("finds variables and secrets outside the contract, and operator ones without the command that sets them", () => {
    const files = {
      "a.yml": "x: ${{ vars.AWS_REGION }} ${{ vars.NOPE }} ${{ secrets.GITHUB_TOKEN }} ${{ secrets.TOKEN }}",
      "b.yml": "y: ${{ vars.PREVIEW_ROLE_DEV }} ${{ vars.PREVIEW_ROLE_QA }}",
    };
    const names: Record<string, NameSpec> = {
      AWS_REGION: { kind: "variable", scope: "environment", writer: "program", description: "" },
      TOKEN: { kind: "secret", scope: "environment", writer: "operator", description: "" } as NameSpec,
      PREVIEW_ROLE_PREVIEW: { kind: "variable", scope: "preview", writer: "program", description: "" },
    };
    assert.deepEqual(nameProblems(files, ["dev"], names), [
      "a.yml: reads vars.NOPE, which no stack writes and no operator step sets",
      "a.yml: reads secrets.TOKEN, an operator prerequisite without the command that sets it",
      "b.yml: reads vars.PREVIEW_ROLE_QA, which no stack writes and no operator step sets",
    ]);
  });

  it("finds required checks a pull request to a protected branch could leave unreported or pass unseen", () => {
    const files = {
      ".github/workflows/ci.yml": workflow({
        on: { pull_request: { branches: ["main"], paths: ["src/**"] }, push: { branches: ["main"] } },
        jobs: {
          lint: { name: "lint", steps: [] },
          unit: {
            name: "unit (node ${{ matrix.node }})",
            strategy: { matrix: { node: [20, 22] } },
            steps: [],
          },
          e2e: { name: "e2e", needs: ["build"], if: "github.event_name == 'push'", steps: [] },
          build: { name: "build", steps: [] },
        },
      }),
      ".github/workflows/push.yml": workflow({
        on: { push: {} },
        jobs: { scan: { name: "scan", steps: [] } },
      }),
    };
    assert.deepEqual(
      requiredCheckProblems(files, ["unit (node 22)", "e2e", "scan", "gone"], ["develop", "main"]),
      [
        'required check "unit (node 22)" (.github/workflows/ci.yml › unit): a path filter on pull_request can leave it unreported, blocking the merge',
        'required check "unit (node 22)" (.github/workflows/ci.yml › unit): does not run on pull requests to develop',
        'required check "e2e" (.github/workflows/ci.yml › e2e): a path filter on pull_request can leave it unreported, blocking the merge',
        'required check "e2e" (.github/workflows/ci.yml › e2e): does not run on pull requests to develop',
        "required check \"e2e\" (.github/workflows/ci.yml › e2e): if: github.event_name == 'push' can skip it, and a skipped check passes",
        'required check "e2e" (.github/workflows/ci.yml › e2e): needs build, which is not required; if it fails, this check is skipped and passes',
        'required check "scan" (.github/workflows/push.yml › scan): its workflow does not run on pull_request',
        'required check "gone" is the name of no generated job',
      ],
    );
  });
});
