import { strict as assert } from "assert";
import { Workflow } from "../../src/workflows/model";
import { ACTIONS } from "../../src/workflows/pins";
import {
  criticalPath,
  JOB_START_SECONDS,
  branchFilterAdmits,
  pipelineEstimate,
  stepCost,
} from "../../src/workflows/critical-path";

const job = (steps: any[], needs?: string[]) => ({
  name: "job",
  permissions: {},
  timeoutMinutes: 10,
  steps,
  ...(needs ? { needs } : {}),
});
const checkout = { name: "Check out", uses: ACTIONS.checkout };
const install = { name: "Install", run: "npm ci --ignore-scripts" };
const preview = { name: "Preview", run: 'set -o pipefail\npulumi preview --stack "$STACK"' };
const up = { name: "Up", run: 'pulumi up --yes --stack "$STACK"' };

describe("the pipeline critical path", () => {
  it("costs a step by its action or by a line its script starts with, not by a word in a message", () => {
    assert.equal(stepCost(checkout)?.seconds, 5);
    assert.equal(stepCost(preview)?.seconds, 90);
    assert.equal(stepCost({ name: "Comment", run: 'echo "see the pulumi preview above"' }), undefined);
  });

  it("is the longest chain of needs, each job its start plus its steps", () => {
    const wf: Workflow = {
      file: "x.yml",
      name: "x",
      on: { pull_request: {} },
      permissions: {},
      jobs: {
        lint: job([checkout, install]),
        preview: job([checkout, install, preview], ["lint"]),
        notify: job([{ name: "Notify", run: "true" }]),
      },
    };
    const lint = JOB_START_SECONDS + 5 + 35;
    assert.deepEqual(criticalPath(wf, [wf]), {
      seconds: lint + JOB_START_SECONDS + 5 + 35 + 90,
      path: ["lint", "preview"],
    });
  });

  it("counts a reusable workflow's own critical path for the job that calls it, and ranks an event's workflows", () => {
    const deploy: Workflow = {
      file: "deploy.yml",
      name: "deploy",
      on: { workflow_call: {} },
      permissions: {},
      jobs: { up: job([checkout, install, up]) },
    };
    const release: Workflow = {
      file: "release.yml",
      name: "release",
      on: { push: {} },
      permissions: {},
      jobs: {
        build: job([checkout]),
        dev: { name: "dev", needs: ["build"], permissions: {}, uses: "./.github/workflows/deploy.yml" },
      },
    };
    const upSeconds = JOB_START_SECONDS + 5 + 35 + 300;
    assert.deepEqual(pipelineEstimate("push", [deploy, release]), [
      { workflow: "release.yml", seconds: JOB_START_SECONDS + 5 + upSeconds, path: ["build", "dev"] },
    ]);
  });

  it("refuses a job that needs one that does not exist", () => {
    const wf: Workflow = {
      file: "x.yml",
      name: "x",
      on: { push: {} },
      permissions: {},
      jobs: { a: job([checkout], ["missing"]) },
    };
    assert.throws(() => criticalPath(wf, [wf]), /x\.yml: a job needs missing, which does not exist/);
  });

  it("admits a branch as GitHub's branch filters do, exclusions in order", () => {
    const cases: [string[] | undefined, string, boolean][] = [
      [undefined, "main", true],
      [["**", "!main"], "main", false],
      [["**", "!main"], "feature/x", true],
      [["hotfix/**"], "hotfix/urgent", true],
      [["hotfix/**"], "main", false],
      [["develop", "main"], "main", true],
    ];
    for (const [patterns, branch, admitted] of cases)
      assert.equal(branchFilterAdmits(patterns, branch), admitted, `${JSON.stringify(patterns)} ${branch}`);
  });
});
