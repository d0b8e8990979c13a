/**
 * The workflow rules word for word: which step of which file, and why. Composite actions get the
 * step rules workflows get; each case changes one thing of a compliant document.
 */
import { strict as assert } from "assert";
import { ResourceValidationPolicy } from "@pulumi/policy";
import YAML from "yaml";
import { policies } from "../../policy/policies";
import { alwaysTrue, conjuncts, documentOf, dynamicSecretIndexes } from "../../policy/rules/workflows";
import { checkResource } from "../../dev/harness/policy-harness";
import { deliveryFiles } from "../../src/workflows";
import { contextFor } from "../helpers/context";

const FILE = "github:index/repositoryFile:RepositoryFile";
const SHA = "1".repeat(40);
const rule = (name: string) => {
  const found = policies.find((p) => p.name === name);
  assert.ok(found, name);
  return found as ResourceValidationPolicy;
};
const messages = (name: string, file: string, doc: unknown) =>
  checkResource(rule(name), FILE, { repository: "app", file, content: YAML.stringify(doc) }).map(
    (f) => f.message,
  );

const WORKFLOW = ".github/workflows/ci.yml";
const ACTION = ".github/actions/deploy/action.yml";
const workflowWith = (job: Record<string, unknown>, on: unknown = { push: { branches: ["main"] } }) => ({
  name: "ci",
  on,
  permissions: {},
  jobs: {
    build: { "runs-on": "ubuntu-24.04", "timeout-minutes": 10, permissions: { contents: "read" }, ...job },
  },
});
const actionWith = (...steps: unknown[]) => ({
  name: "Deploy",
  description: "Deploys.",
  runs: { using: "composite", steps },
});

describe("workflow rules", () => {
  describe("github-workflow-disallow-template-injection", () => {
    const name = "github-workflow-disallow-template-injection";
    const inline = (run: string) => workflowWith({ steps: [{ run }] });

    it("names the step, the expression and where its value comes from, for each kind of context", () => {
      const cases: [string, string][] = [
        [
          'echo "${{ steps.meta.outputs.tags }}"',
          "a step output, which carries whatever that step read (files, API responses, pull request content)",
        ],
        ['echo "${{ needs.build.outputs.digest }}"', "a job output, which carries whatever that job read"],
        [
          'notes="${{ github.event.release.body }}"',
          "release metadata (name, body, tag, assets) whoever publishes the release writes",
        ],
        [
          'curl -H "Authorization: ${{ secrets.API_TOKEN }}" "$URL"',
          "a secret: pasted into the script file on the runner and parsed as shell, where a quote in it breaks out",
        ],
        ['echo "${{ github.head_ref }}"', "a branch name the pull request's author picks"],
      ];
      for (const [run, source] of cases) {
        const expr = /\$\{\{ (.*?) \}\}/.exec(run)![1];
        assert.deepEqual(messages(name, WORKFLOW, inline(run)), [
          `${WORKFLOW}: jobs.build.steps[0] expands \${{ ${expr} }} inside a script: ${source}`,
        ]);
      }
    });

    it("sees a context inside a function call, and ignores the same words inside a string literal", () => {
      assert.deepEqual(
        messages(name, WORKFLOW, inline("echo ${{ fromJSON(steps.plan.outputs.json).stack }}")),
        [
          `${WORKFLOW}: jobs.build.steps[0] expands \${{ fromJSON(steps.plan.outputs.json).stack }} inside a script: a step output, which carries whatever that step read (files, API responses, pull request content)`,
        ],
      );
      assert.deepEqual(
        messages(name, WORKFLOW, inline("echo ${{ format('steps.x.outputs.y {0}', github.sha) }}")),
        [],
      );
    });

    it("accepts the same values passed through env:", () => {
      const doc = workflowWith({
        steps: [
          {
            env: { TAGS: "${{ steps.meta.outputs.tags }}", TOKEN: "${{ secrets.API_TOKEN }}" },
            run: 'echo "$TAGS"',
          },
        ],
      });
      assert.deepEqual(messages(name, WORKFLOW, doc), []);
    });

    it("scans a composite action's runs.steps like a workflow's steps", () => {
      const doc = actionWith({ shell: "bash", run: 'cd "${{ inputs.working-directory }}"' });
      assert.deepEqual(messages(name, ACTION, doc), [
        `${ACTION}: runs.steps[0] expands \${{ inputs.working-directory }} inside a script: an input the caller or dispatcher types`,
      ]);
    });
  });

  describe("step rules in composite actions", () => {
    it("requires pinned actions, no persisted checkout credentials and no insecure commands there too", () => {
      const doc = actionWith(
        { uses: "actions/checkout@v4" },
        { uses: `actions/checkout@${SHA}`, env: { ACTIONS_ALLOW_UNSECURE_COMMANDS: "true" } },
      );
      assert.deepEqual(messages("github-workflow-require-pinned-actions", ACTION, doc), [
        `${ACTION}: runs.steps[0].uses actions/checkout@v4 is not pinned to a commit SHA`,
      ]);
      assert.deepEqual(messages("github-workflow-disallow-persisted-credentials", ACTION, doc), [
        `${ACTION}: runs.steps[0] checks out with persisted credentials`,
        `${ACTION}: runs.steps[1] checks out with persisted credentials`,
      ]);
      assert.deepEqual(messages("github-workflow-disallow-insecure-commands", ACTION, doc), [
        `${ACTION}: sets ACTIONS_ALLOW_UNSECURE_COMMANDS`,
      ]);
    });

    it("reports the index of the unpinned step itself, not its rank among steps that use actions", () => {
      const doc = workflowWith({ steps: [{ run: "true" }, { uses: "actions/setup-node@v4" }] });
      assert.deepEqual(messages("github-workflow-require-pinned-actions", WORKFLOW, doc), [
        `${WORKFLOW}: jobs.build.steps[1].uses actions/setup-node@v4 is not pinned to a commit SHA`,
      ]);
    });

    it("reads workflows and .github/actions/**/action.yml, and leaves other files alone", () => {
      assert.equal(documentOf({ file: ".github/CODEOWNERS", content: "* @a" }), undefined);
      assert.equal(documentOf({ file: ".github/actions/action.yml", content: "{}" }), undefined);
      const nested = documentOf({ file: ".github/actions/a/b/action.yaml", content: "runs: { steps: [] }" });
      assert.ok(nested && "kind" in nested);
      assert.equal(nested.kind, "action");
    });

    it("sees the generated db-migrate action's four steps, and they pass every workflow rule", () => {
      const files = deliveryFiles(contextFor("dev"));
      const file = ".github/actions/db-migrate/action.yml";
      const parsed = documentOf({ file, content: files[file] });
      assert.ok(parsed && "steps" in parsed);
      assert.deepEqual(
        parsed.steps.map((s) => [s.where, s.step.name]),
        [
          ["runs.steps[0]", "Install the PostgreSQL client (PGDG, over HTTPS)"],
          ["runs.steps[1]", "Back up"],
          ["runs.steps[2]", "Apply"],
          ["runs.steps[3]", "Validate"],
        ],
      );
      for (const p of policies.filter((x) => x.name.startsWith("github-workflow-")))
        assert.deepEqual(
          checkResource(p as ResourceValidationPolicy, FILE, {
            repository: "app",
            file,
            content: files[file],
          }),
          [],
          p.name,
        );
    });
  });

  describe("github-workflow-disallow-dynamic-secret-access", () => {
    it("finds computed indexes and accepts literal ones", () => {
      assert.deepEqual(dynamicSecretIndexes("secrets[format('TOKEN_{0}', inputs.stack)]"), [
        "format('TOKEN_{0}', inputs.stack)",
      ]);
      assert.deepEqual(dynamicSecretIndexes("secrets[matrix.name] || secrets['A']"), ["matrix.name"]);
      assert.deepEqual(dynamicSecretIndexes("secrets['TOKEN_[0]'] && secrets.B"), []);
      assert.deepEqual(dynamicSecretIndexes("format('secrets[{0}]', x)"), []);
    });

    it("names the path of the value that reads it", () => {
      const doc = workflowWith({
        steps: [{ with: { token: "${{ secrets[inputs.secret] }}" }, uses: `a/b@${SHA}` }],
      });
      assert.deepEqual(messages("github-workflow-disallow-dynamic-secret-access", WORKFLOW, doc), [
        `${WORKFLOW}: jobs.build.steps[0].with.token reads secrets[inputs.secret]: the runner receives every secret to resolve it`,
      ]);
    });
  });

  describe("github-workflow-disallow-cache-in-shipping-jobs", () => {
    const name = "github-workflow-disallow-cache-in-shipping-jobs";
    const shipping = (permissions: unknown, ...steps: unknown[]) => workflowWith({ permissions, steps });

    it("reports caches on by input or by default in jobs holding a shipping scope", () => {
      const doc = shipping(
        { contents: "read", "id-token": "write", packages: "write" },
        { uses: `actions/setup-python@${SHA}`, with: { cache: "pip" } },
        { uses: `actions/setup-go@${SHA}` },
        { uses: `actions/cache@${SHA}`, with: { path: "~/.npm", key: "k" } },
        { uses: `actions/cache/save@${SHA}`, with: { path: "~/.npm", key: "k" } },
        { uses: `actions/setup-go@${SHA}`, with: { cache: false } },
        { uses: `actions/setup-node@${SHA}`, with: { "node-version": "22" } },
      );
      assert.deepEqual(messages(name, WORKFLOW, doc), [
        `${WORKFLOW}: jobs.build.steps[0] restores a cache (actions/setup-python with cache: pip) in a job holding id-token: write, packages: write`,
        `${WORKFLOW}: jobs.build.steps[1] restores a cache (actions/setup-go cache is on by default) in a job holding id-token: write, packages: write`,
        `${WORKFLOW}: jobs.build.steps[2] restores a cache (actions/cache always restores) in a job holding id-token: write, packages: write`,
      ]);
    });

    it("reports a BuildKit gha layer cache read by an image build that pushes, and not a registry cache", () => {
      const doc = shipping(
        { contents: "read", "id-token": "write" },
        { uses: `docker/build-push-action@${SHA}`, with: { push: true, "cache-from": "type=gha,scope=api" } },
        { uses: `docker/build-push-action@${SHA}`, with: { push: true, "cache-to": "type=gha,mode=max" } },
        { uses: `docker/build-push-action@${SHA}`, with: { push: true } },
      );
      assert.deepEqual(messages(name, WORKFLOW, doc), [
        `${WORKFLOW}: jobs.build.steps[0] restores a cache (docker/build-push-action with cache-from: type=gha) in a job holding id-token: write`,
      ]);
    });

    it("takes the workflow's permissions when the job has none, and ignores jobs that cannot ship", () => {
      const inherited = {
        ...shipping(undefined, { uses: `actions/cache/restore@${SHA}` }),
        permissions: "write-all",
      };
      assert.deepEqual(messages(name, WORKFLOW, inherited), [
        `${WORKFLOW}: jobs.build.steps[0] restores a cache (actions/cache/restore always restores) in a job holding write-all`,
      ]);
      assert.deepEqual(
        messages(
          name,
          WORKFLOW,
          shipping({ contents: "read", "pull-requests": "write" }, { uses: `actions/cache@${SHA}` }),
        ),
        [],
      );
    });
  });

  describe("github-workflow-disallow-self-hosted-on-pull-requests", () => {
    const name = "github-workflow-disallow-self-hosted-on-pull-requests";
    const runner = "${{ fromJSON(vars.RUNNER_LABELS_DEV) }}";
    const pr = (job: Record<string, unknown>) =>
      workflowWith({ steps: [{ run: "true" }], ...job }, { pull_request: {} });

    it("reports an unguarded job whose runner is self-hosted or computed", () => {
      assert.deepEqual(messages(name, WORKFLOW, pr({ "runs-on": runner })), [
        `${WORKFLOW}: jobs.build may run on a self-hosted runner (its runs-on is an expression) for pull_request from forks: its if: does not require github.event.pull_request.head.repo.full_name == github.repository`,
      ]);
      assert.deepEqual(messages(name, WORKFLOW, pr({ "runs-on": ["self-hosted", "linux"] })), [
        `${WORKFLOW}: jobs.build may run on a self-hosted runner (runs-on ["self-hosted","linux"]) for pull_request from forks: its if: does not require github.event.pull_request.head.repo.full_name == github.repository`,
      ]);
    });

    it("accepts the program's same-repository guard, a push-only job, and GitHub-hosted runners", () => {
      const guarded =
        "github.event_name == 'pull_request' && github.event.pull_request.head.repo.full_name == github.repository";
      assert.deepEqual(messages(name, WORKFLOW, pr({ "runs-on": runner, if: guarded })), []);
      assert.deepEqual(
        messages(name, WORKFLOW, pr({ "runs-on": runner, if: "github.event_name == 'push'" })),
        [],
      );
      assert.deepEqual(messages(name, WORKFLOW, pr({ "runs-on": "ubuntu-24.04" })), []);
      assert.deepEqual(
        messages(name, WORKFLOW, workflowWith({ "runs-on": "self-hosted", steps: [{ run: "true" }] })),
        [],
        "no pull request trigger",
      );
    });

    it("does not count a guard another operand can bypass with ||", () => {
      const bypassed =
        "github.event.pull_request.head.repo.full_name == github.repository || github.actor == 'bot'";
      assert.equal(messages(name, WORKFLOW, pr({ "runs-on": "self-hosted", if: bypassed })).length, 1);
      assert.deepEqual(conjuncts(bypassed), [bypassed]);
      assert.deepEqual(conjuncts("${{ a == 'x && y' && (b || c) }}"), ["a == 'x && y'", "(b || c)"]);
    });
  });

  describe("github-workflow-disallow-always-true-conditions", () => {
    it("tells sound conditions from always-true ones", () => {
      const table: [unknown, string | undefined][] = [
        ["github.ref == 'refs/heads/main'", undefined],
        ["${{ github.ref == 'refs/heads/main' }}", undefined],
        ["always() && steps.preview.outcome != 'skipped'", undefined],
        [true, "is always true"],
        ["${{ true }}", "is always true"],
        ["${{ false }}\n", "mixes ${{ }} with text around it, so it is a non-empty string and always true"],
        [
          "${{ a }} && ${{ b }}",
          "mixes ${{ }} with text around it, so it is a non-empty string and always true",
        ],
        [
          "ref: ${{ github.ref }}",
          "mixes ${{ }} with text around it, so it is a non-empty string and always true",
        ],
        [false, undefined],
        [undefined, undefined],
      ];
      for (const [condition, why] of table)
        assert.equal(alwaysTrue(condition), why, JSON.stringify(condition));
    });

    it("reports jobs and steps of workflows and composite actions", () => {
      const wf = workflowWith({
        if: true,
        steps: [{ if: "${{ github.event_name == 'push' }}\n", run: "true" }],
      });
      assert.deepEqual(messages("github-workflow-disallow-always-true-conditions", WORKFLOW, wf), [
        `${WORKFLOW}: jobs.build.if is always true`,
        `${WORKFLOW}: jobs.build.steps[0].if mixes \${{ }} with text around it, so it is a non-empty string and always true`,
      ]);
      const action = actionWith({ if: "${{ inputs.migrate }} ", shell: "bash", run: "true" });
      assert.deepEqual(messages("github-workflow-disallow-always-true-conditions", ACTION, action), [
        `${ACTION}: runs.steps[0].if mixes \${{ }} with text around it, so it is a non-empty string and always true`,
      ]);
    });
  });

  describe("github-workflow-disallow-pipe-to-shell", () => {
    const name = "github-workflow-disallow-pipe-to-shell";
    const runs = (run: string) => messages(name, WORKFLOW, workflowWith({ steps: [{ run }] }));

    it("reports downloads piped or substituted into a shell or interpreter", () => {
      for (const run of [
        "curl -fsSL https://x.example/install.sh | bash",
        "wget -qO- https://x.example/i | sh -s -- -y",
        "curl -s https://x.example/i | sudo -E bash -",
        "bash <(curl -fsSL https://x.example/i)",
        'sh -c "$(curl -fsSL https://x.example/i)"',
        "curl -sSL https://x.example/get.py | python3 -",
      ])
        assert.deepEqual(runs(`set -e\n${run}`), [
          `${WORKFLOW}: jobs.build.steps[0] pipes a download into a shell: ${run}`,
        ]);
    });

    it("joins continued lines, and accepts downloads to a file and pipes into non-interpreters", () => {
      assert.deepEqual(runs("curl -fsSL \\\n  https://x.example/i \\\n  | bash"), [
        `${WORKFLOW}: jobs.build.steps[0] pipes a download into a shell: curl -fsSL https://x.example/i | bash`,
      ]);
      for (const run of [
        'curl -fsSLo "$RUNNER_TEMP/tool.tgz" "$URL" && sha256sum -c sums.txt',
        'curl -fsS "$URL" | jq -r .value',
        'curl -fsS "$URL" || bash fallback.sh',
      ])
        assert.deepEqual(runs(run), [], run);
    });

    it("scans composite actions' run steps", () => {
      const doc = actionWith({ shell: "bash", run: "curl -sSf https://sh.rustup.rs | sh" });
      assert.deepEqual(messages(name, ACTION, doc), [
        `${ACTION}: runs.steps[0] pipes a download into a shell: curl -sSf https://sh.rustup.rs | sh`,
      ]);
    });
  });
});

describe("the template-injection rule on what a workflow passes on", () => {
  const name = "github-workflow-disallow-template-injection";
  const call = (withInputs: Record<string, string>) => ({
    name: "deploy",
    on: { push: { branches: ["main"] } },
    permissions: {},
    jobs: { deploy: { uses: "./.github/workflows/deploy-service.yml", with: withInputs } },
  });

  it("flags commit text passed in a reusable workflow's with:, which the callee may run as shell", () => {
    assert.deepEqual(
      messages(
        name,
        WORKFLOW,
        call({ "migrate-command": "alembic upgrade head # ${{ github.event.head_commit.message }}" }),
      ),
      [
        `${WORKFLOW}: jobs.deploy.with.migrate-command passes \${{ github.event.head_commit.message }} to what it calls, evaluated before that runs it: commit messages and author names the pusher writes`,
      ],
    );
  });

  it("flags a branch name passed to an action's with:, and leaves outputs and inputs passed on alone", () => {
    const doc = workflowWith({
      steps: [
        {
          uses: `./.github/actions/db-migrate`,
          with: { "migrate-command": "make migrate ${{ github.head_ref }}" },
        },
        {
          uses: `./.github/actions/db-migrate`,
          with: {
            "migrate-command": "${{ inputs.migrate-command }}",
            image: "${{ needs.build.outputs.image }}",
          },
        },
      ],
    });
    assert.deepEqual(messages(name, WORKFLOW, doc), [
      `${WORKFLOW}: jobs.build.steps[0].with.migrate-command passes \${{ github.head_ref }} to what it calls, evaluated before that runs it: a branch name the pull request's author picks`,
    ]);
  });
});
