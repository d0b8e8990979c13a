import { strict as assert } from "assert";
import YAML from "yaml";
import { stackConfigFromFile } from "../../src/config";
import { runnerLabelsTemplate } from "../../src/config/runners";
import { deliveryFiles } from "../../src/workflows";
import { contextFor } from "../helpers/context";
import { committedStack } from "../helpers/stacks";
import { evaluateExpression } from "../helpers/expressions";

const HOSTED = "ubuntu-24.04";
const HOSTED_ARM = "ubuntu-24.04-arm";
const STACKS = ["dev", "staging", "production"];
/** Where each stack's runner labels come from, as the runs-on of its network-bound jobs reads them. */
const fromVariable = (stack: string) =>
  `\${{ fromJSON(format(vars.RUNNER_LABELS_${stack.toUpperCase()} || '["${HOSTED}"]', github.run_id, github.run_attempt)) }}`;
const fromRunnerJob = (stack: string) =>
  `\${{ fromJSON(format(needs.runner-${stack}.outputs.labels, github.run_id, github.run_attempt)) }}`;
const runnerInput = (stack: string) => `\${{ vars.RUNNER_LABELS_${stack.toUpperCase()} || '["${HOSTED}"]' }}`;

/** Each job's placement: its runs-on, or for a call of deploy-service.yml the runner it passes. */
function placements(files: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [path, content] of Object.entries(files)) {
    const file = /^\.github\/workflows\/(.+)\.yml$/.exec(path)?.[1];
    if (!file) continue;
    for (const [id, job] of Object.entries<any>(YAML.parse(content).jobs))
      out[`${file} › ${id}`] = job.uses
        ? `calls ${job.uses} with runner ${job.with?.runner ?? "(none)"}`
        : job["runs-on"];
  }
  return out;
}

describe("runner placement in the generated workflows", function () {
  this.timeout(60000);

  for (const model of ["gitflow", "trunk"] as const)
    describe(`under ${model}`, () => {
      const ctx = contextFor("dev", model);
      const placed = placements(deliveryFiles(ctx));
      const services = ctx.services.map((s) => s.name);
      const tagged = ["production"];
      const branchStacks = STACKS.filter((s) => !tagged.includes(s));

      it("runs every job that reaches a stack's network on that stack's runner", () => {
        const expected: Record<string, string> = {};
        for (const s of STACKS) {
          expected[`infra-preview › preview-${s}`] = fromVariable(s);
          expected[`drift › drift-${s}`] = fromVariable(s);
          expected[`infra-up › up-${s}`] = fromRunnerJob(s);
        }
        expected["deploy-service › deploy"] =
          "${{ fromJSON(format(inputs.runner, github.run_id, github.run_attempt)) }}";
        expected["rollback-service › rollback"] =
          "${{ fromJSON(format(inputs.runner, github.run_id, github.run_attempt)) }}";
        expected["rollback › rollback"] =
          `calls ./.github/workflows/rollback-service.yml with runner \${{ ${STACKS.map((s) => `inputs.stack == '${s}' && vars.RUNNER_LABELS_${s.toUpperCase()}`).join(" || ")} || '["${HOSTED}"]' }}`;
        for (const svc of services) {
          for (const s of branchStacks)
            expected[`build-deploy › deploy-${svc}-${s}`] =
              `calls ./.github/workflows/deploy-service.yml with runner ${runnerInput(s)}`;
          for (const s of tagged)
            expected[`release › release-${svc}-${s}`] =
              `calls ./.github/workflows/deploy-service.yml with runner ${runnerInput(s)}`;
        }
        const networkBound = Object.fromEntries(
          Object.entries(placed).filter(
            // GitHub's own arm64 runner builds the arm64 image natively: hosted too.
            ([, p]) => p !== HOSTED && p !== HOSTED_ARM && !p.endsWith("with runner (none)"),
          ),
        );
        assert.deepEqual(networkBound, expected);
      });

      it("keeps everything else on GitHub-hosted runners: lint, tests, scans, image builds, release checks, the runner bootstrap", () => {
        const hosted = Object.entries(placed)
          .filter(([, p]) => p === HOSTED || p === HOSTED_ARM || p.endsWith("with runner (none)"))
          .map(([job]) => job);
        for (const job of [
          "ci › lint",
          "ci › unit",
          "security › trivy-fs",
          "security › secret-scan",
          "security › dependency-audit",
          "build-image › build",
          "build-image › build-amd64",
          "build-image › build-arm64",
          ...services.map((s) => `build-deploy › build-${s}`),
          ...services.map((s) => `release › verify-${s}`),
          ...STACKS.flatMap((s) => [`infra-up › runner-${s}`, `infra-up › bootstrap-${s}`]),
        ])
          assert.ok(hosted.includes(job), job);
      });
    });

  describe("the labels GitHub computes at runs-on time", () => {
    const ctx = contextFor("dev");
    const files = deliveryFiles(ctx);
    const jobs = (file: string) => YAML.parse(files[`.github/workflows/${file}.yml`]).jobs;
    const github = { run_id: 9001, run_attempt: 2 };

    it("select the stack's CodeBuild project as `codebuild-<project>-<run id>-<attempt>` once the stack published them", async () => {
      const dev = await committedStack("dev");
      const project = dev.get("aws:codebuild/project:Project", "ci-runner-project").inputs.name;
      const published = dev.get(
        "github:index/actionsVariable:ActionsVariable",
        "development-repo-runner_labels_dev",
      );
      assert.equal(published.inputs.value, runnerLabelsTemplate(stackConfigFromFile("dev")));
      const vars = { RUNNER_LABELS_DEV: published.inputs.value };
      assert.deepEqual(
        evaluateExpression(jobs("infra-preview")["preview-dev"]["runs-on"], { vars, github }),
        [`codebuild-${project}-9001-2`],
      );
    });

    it("fall back to GitHub-hosted for a stack that has not published any", () => {
      assert.deepEqual(evaluateExpression(jobs("drift")["drift-staging"]["runs-on"], { vars: {}, github }), [
        HOSTED,
      ]);
    });

    it("follow the stack a rollback is dispatched for, through rollback-service.yml's runner input", () => {
      const runner = jobs("rollback").rollback.with.runner;
      const runsOn = jobs("rollback-service").rollback["runs-on"];
      const vars = {
        RUNNER_LABELS_DEV: '["codebuild-platform-dev-runner-{0}-{1}"]',
        RUNNER_LABELS_PRODUCTION: '["codebuild-platform-production-runner-{0}-{1}"]',
      };
      const labels = (stack: string) =>
        evaluateExpression(runsOn, {
          github,
          inputs: { runner: evaluateExpression(runner, { vars, inputs: { stack } }) },
        });
      assert.deepEqual(labels("production"), ["codebuild-platform-production-runner-9001-2"]);
      assert.deepEqual(labels("dev"), ["codebuild-platform-dev-runner-9001-2"]);
      assert.deepEqual(labels("staging"), [HOSTED]);
    });

    it("reach deploy-service.yml through its runner input, from the caller's stack", () => {
      const call = jobs("build-deploy")["deploy-api-staging"];
      const vars = { RUNNER_LABELS_STAGING: '["codebuild-platform-staging-runner-{0}-{1}"]' };
      const runner = evaluateExpression(call.with.runner, { vars });
      const runsOn = jobs("deploy-service").deploy["runs-on"];
      assert.deepEqual(evaluateExpression(runsOn, { inputs: { runner }, github }), [
        "codebuild-platform-staging-runner-9001-2",
      ]);
    });

    it("come to infra-up's up job from its runner job, before the stack publishes them", () => {
      const runsOn = jobs("infra-up")["up-dev"]["runs-on"];
      const needs = { "runner-dev": { outputs: { labels: '["codebuild-platform-dev-runner-{0}-{1}"]' } } };
      assert.deepEqual(evaluateExpression(runsOn, { needs, github }), [
        "codebuild-platform-dev-runner-9001-2",
      ]);
    });
  });
});
