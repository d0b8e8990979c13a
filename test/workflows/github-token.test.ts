import { strict as assert } from "assert";
import YAML from "yaml";
import { deliveryFiles } from "../../src/workflows";
import { ACTIONS, usesRef } from "../../src/workflows/pins";
import { contextFor } from "../helpers/context";

const MINT = usesRef(ACTIONS.createGithubAppToken).split(" ")[0];
const READ = {
  "permission-actions": "read",
  "permission-administration": "read",
  "permission-contents": "read",
  "permission-environments": "read",
  "permission-issues": "read",
  "permission-members": "read",
  "permission-pull-requests": "read",
  "permission-secrets": "read",
  "permission-variables": "read",
};
const STACK_WRITE = {
  "permission-actions": "read",
  "permission-administration": "write",
  "permission-environments": "write",
  "permission-members": "read",
  "permission-secrets": "write",
  "permission-variables": "write",
};
const REPOSITORY_WRITE = ["contents", "issues", "pull-requests", "workflows"];

/** Every job of every rendered workflow, by `<file>/<job>`. */
function jobs(model: "gitflow" | "trunk"): Record<string, any> {
  const out: Record<string, any> = {};
  for (const [path, content] of Object.entries(deliveryFiles(contextFor("dev", model)))) {
    if (!path.startsWith(".github/workflows/")) continue;
    const doc = YAML.parse(content);
    for (const [id, job] of Object.entries<any>(doc.jobs)) out[`${path.slice(18)}/${id}`] = job;
  }
  return out;
}

/** A step that calls the Pulumi CLI (a command line starting with it) or the release CLI, which does. */
const runsPulumi = (step: any) => /^\s*(pulumi [a-z]|npm run -s release )/m.test(String(step.run ?? ""));
/**
 * The token the job's Pulumi calls use. The executor's read token (contents: read on the
 * platform's repository, for its checkout only, never in the environment) is not it.
 */
const mintIndex = (job: any) =>
  (job.steps ?? []).findIndex((s: any) => String(s.uses ?? "").startsWith(MINT) && s.id !== "executor_token");

for (const model of ["gitflow", "trunk"] as const)
  describe(`the GitHub App token of the Pulumi jobs (${model})`, () => {
    let all: Record<string, any>;
    beforeEach(() => (all = jobs(model)));

    it("is minted in exactly the jobs that run the program, before their first pulumi call", () => {
      const pulumiJobs = Object.keys(all).filter((id) => (all[id].steps ?? []).some(runsPulumi));
      assert.deepEqual(pulumiJobs.sort(), [
        "deploy-service.yml/deploy",
        "drift.yml/drift-dev",
        "drift.yml/drift-production",
        "drift.yml/drift-staging",
        "infra-preview.yml/preview-dev",
        "infra-preview.yml/preview-production",
        "infra-preview.yml/preview-staging",
        "infra-up.yml/bootstrap-dev",
        "infra-up.yml/bootstrap-production",
        "infra-up.yml/bootstrap-staging",
        "infra-up.yml/up-dev",
        "infra-up.yml/up-production",
        "infra-up.yml/up-staging",
        "rollback-service.yml/rollback",
      ]);
      assert.deepEqual(
        Object.keys(all)
          .filter((id) => mintIndex(all[id]) >= 0)
          .sort(),
        pulumiJobs.sort(),
      );
      for (const id of pulumiJobs) {
        const steps = all[id].steps;
        const mint = mintIndex(all[id]);
        assert.ok(mint < steps.findIndex(runsPulumi), `${id}: minted after a pulumi call`);
        assert.ok(
          mint > steps.findIndex((s: any) => s.run === "npm ci --no-audit --no-fund"),
          `${id}: minted before npm ci`,
        );
        assert.deepEqual(steps[mint + 1], {
          name: "Hand the GitHub token to the Pulumi GitHub provider",
          run: 'echo "GITHUB_TOKEN=${TOKEN}" >> "$GITHUB_ENV"',
          env: { TOKEN: `\${{ steps.${steps[mint].id}.outputs.token }}` },
        });
      }
    });

    it("gives previews and drift checks a read-only token of the preview app, whose key only the preview environments hold", () => {
      for (const [id, environment] of [
        ["infra-preview.yml/preview-staging", "preview"],
        ["drift.yml/drift-dev", "preview"],
        ["infra-preview.yml/preview-production", "preview-production"],
        ["drift.yml/drift-production", "preview-production"],
      ]) {
        const job = all[id];
        assert.equal(job.environment, environment);
        assert.deepEqual(job.steps[mintIndex(job)].with, {
          "client-id": "${{ vars.GH_PREVIEW_APP_CLIENT_ID }}",
          "private-key": "${{ secrets.GH_PREVIEW_APP_PRIVATE_KEY }}",
          ...READ,
        });
      }
    });

    it("gives the owning stack's up the repository's write set and every other up only its environment's", () => {
      const withOf = (id: string) => all[id].steps[mintIndex(all[id])].with;
      assert.deepEqual(withOf("infra-up.yml/up-dev"), {
        "client-id": "${{ vars.GH_APP_CLIENT_ID }}",
        "private-key": "${{ secrets.GH_APP_PRIVATE_KEY }}",
        ...STACK_WRITE,
        ...Object.fromEntries(REPOSITORY_WRITE.map((p) => [`permission-${p}`, "write"])),
      });
      assert.equal(all["infra-up.yml/up-dev"].environment, "development");
      for (const id of ["infra-up.yml/up-staging", "infra-up.yml/up-production"])
        assert.deepEqual(withOf(id), {
          "client-id": "${{ vars.GH_APP_CLIENT_ID }}",
          "private-key": "${{ secrets.GH_APP_PRIVATE_KEY }}",
          ...STACK_WRITE,
        });
    });

    it("gives the reusable deploy and the rollback the repository's write set only when they change the owning stack", () => {
      const expected: Record<string, string> = { ...STACK_WRITE };
      for (const p of REPOSITORY_WRITE)
        expected[`permission-${p}`] = "${{ inputs.stack == 'dev' && 'write' || '' }}";
      for (const id of ["deploy-service.yml/deploy", "rollback-service.yml/rollback"]) {
        const job = all[id];
        const mint = job.steps[mintIndex(job)].with;
        assert.deepEqual(mint, {
          "client-id": "${{ vars.GH_APP_CLIENT_ID }}",
          "private-key": "${{ secrets.GH_APP_PRIVATE_KEY }}",
          ...expected,
        });
      }
    });
  });

describe("the reusable deploy workflow", () => {
  it("checks the executor out at its own commit, named by the job's OIDC token, with a token that reads only the platform's repository", () => {
    const steps = YAML.parse(deliveryFiles(contextFor("dev"))[".github/workflows/deploy-service.yml"]).jobs
      .deploy.steps;
    const executorToken = steps.find((s: any) => s.id === "executor_token");
    assert.deepEqual(executorToken.with, {
      "client-id": "${{ vars.GH_APP_CLIENT_ID }}",
      "private-key": "${{ secrets.GH_APP_PRIVATE_KEY }}",
      owner: "${{ steps.executor.outputs.owner }}",
      repositories: "${{ steps.executor.outputs.name }}",
      "permission-contents": "read",
    });
    assert.equal(executorToken.if, "steps.executor.outputs.application-dir != '.'");
    const checkout = steps.find((s: any) => s.name === "Check out the executor at this workflow's commit");
    assert.deepEqual(checkout.with, {
      repository: "${{ steps.executor.outputs.repository }}",
      ref: "${{ steps.executor.outputs.sha }}",
      token: "${{ steps.executor_token.outputs.token || github.token }}",
      "persist-credentials": false,
    });
  });

  it("declares the environment secrets its job reads, the app key among them", () => {
    const doc = YAML.parse(deliveryFiles(contextFor("dev"))[".github/workflows/deploy-service.yml"]);
    assert.deepEqual(
      Object.keys(doc.on.workflow_call.secrets).sort(),
      // dev's stacks encrypt with KMS: no passphrase is read, so none is declared.
      ["GH_APP_PRIVATE_KEY", "SLACK_WEBHOOK_URL"],
    );
    assert.deepEqual(doc.on.workflow_call.secrets.GH_APP_PRIVATE_KEY, {
      required: false,
      description: "Environment secret of the job's environment.",
    });
  });
});
