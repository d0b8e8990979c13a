/**
 * The workflow rules word for word: which step of which file, and why. Composite actions get the
 * step rules workflows get; each case changes one thing of a compliant document.
 */
import { strict as assert } from "assert";
import {
  PolicyResource,
  ResourceValidationPolicy,
  StackValidationPolicy,
  unknownCheckingProxy,
} from "@pulumi/policy";
import YAML from "yaml";
import { editDistance, obfuscationOf, typosquatOf, versionedPins } from "../../policy/lib/action-refs";
import { isExactPackageSpec, unpinnedNpxSpecs } from "../../policy/lib/shell";
import { isStackPolicy, policies } from "../../policy/policies";
import { pinVersionMismatches } from "../../policy/rules/workflow-supply-chain";
import { alwaysTrue, conjuncts, documentOf, dynamicSecretIndexes } from "../../policy/rules/workflows";
import { checkResource, checkStack } from "../../dev/harness/policy-harness";
import { stackConfigFromFile } from "../../src/config";
import { knownStacks } from "../../src/config/stack-files";
import { deliveryFiles } from "../../src/workflows";
import { BRANCH_MODELS } from "../../src/workflows/context";
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

describe("the workflow rules that hold the pack level with zizmor", () => {
  const SHA2 = "2".repeat(40);
  const withConfig = (name: string, file: string, doc: unknown, config: Record<string, unknown>) =>
    checkResource(
      rule(name),
      FILE,
      { repository: "app", file, content: YAML.stringify(doc) },
      { config },
    ).map((f) => f.message);

  describe("github-workflow-disallow-cache-in-release (widened)", () => {
    const name = "github-workflow-disallow-cache-in-release";
    const onTags = { push: { tags: ["v*.*.*"] } };
    const defaults = [
      { uses: `actions/setup-go@${SHA}`, with: { "go-version": "1.24" } },
      { uses: `astral-sh/setup-uv@${SHA}` },
      { uses: `aquasecurity/trivy-action@${SHA}`, with: { "image-ref": "app" } },
    ];

    it("reports caches on by default in a tag-triggered workflow: setup-go, setup-uv and trivy-action", () => {
      assert.deepEqual(messages(name, WORKFLOW, workflowWith({ steps: defaults }, onTags)), [
        `${WORKFLOW}: jobs.build.steps[0] restores a cache in a release workflow (actions/setup-go cache is on by default)`,
        `${WORKFLOW}: jobs.build.steps[1] restores a cache in a release workflow (astral-sh/setup-uv enable-cache is on by default)`,
        `${WORKFLOW}: jobs.build.steps[2] restores a cache in a release workflow (aquasecurity/trivy-action cache is on unless cache: false)`,
      ]);
    });

    it("accepts the same steps with their cache turned off, and leaves workflows no tag or release triggers alone", () => {
      const off = [
        { uses: `actions/setup-go@${SHA}`, with: { "go-version": "1.24", cache: false } },
        { uses: `astral-sh/setup-uv@${SHA}`, with: { "enable-cache": false } },
        { uses: `aquasecurity/trivy-action@${SHA}`, with: { "image-ref": "app", cache: false } },
      ];
      assert.deepEqual(messages(name, WORKFLOW, workflowWith({ steps: off }, onTags)), []);
      assert.deepEqual(messages(name, WORKFLOW, workflowWith({ steps: defaults })), []);
      assert.equal(
        messages(name, WORKFLOW, workflowWith({ steps: defaults }, { release: { types: ["published"] } }))
          .length,
        3,
      );
    });
  });

  describe("github-workflow-disallow-runner-debug-logging", () => {
    const name = "github-workflow-disallow-runner-debug-logging";

    it("reports the debug variables at workflow, job and step level, and in composite actions", () => {
      const doc = {
        ...workflowWith({
          env: { ACTIONS_RUNNER_DEBUG: "true" },
          steps: [{ run: "make", env: { ACTIONS_STEP_DEBUG: "${{ inputs.debug }}" } }],
        }),
        env: { ACTIONS_STEP_DEBUG: true },
      };
      assert.deepEqual(messages(name, WORKFLOW, doc), [
        `${WORKFLOW}: env.ACTIONS_STEP_DEBUG is true: the run's log turns into a debug log`,
        `${WORKFLOW}: jobs.build.env.ACTIONS_RUNNER_DEBUG is "true": the run's log turns into a debug log`,
        `${WORKFLOW}: jobs.build.steps[0].env.ACTIONS_STEP_DEBUG is "\${{ inputs.debug }}": the run's log turns into a debug log`,
      ]);
      assert.deepEqual(
        messages(name, ACTION, actionWith({ shell: "bash", run: "make", env: { ACTIONS_RUNNER_DEBUG: 1 } })),
        [`${ACTION}: runs.steps[0].env.ACTIONS_RUNNER_DEBUG is 1: the run's log turns into a debug log`],
      );
    });

    it("accepts the variables set off", () => {
      const doc = workflowWith({
        env: { ACTIONS_RUNNER_DEBUG: "false", ACTIONS_STEP_DEBUG: false },
        steps: [{ run: "make" }],
      });
      assert.deepEqual(messages(name, WORKFLOW, doc), []);
    });
  });

  describe("uses: references (typosquat-uses, archived-uses, obfuscation)", () => {
    it("counts edits as insertions, deletions, substitutions and neighbour swaps", () => {
      const table: [string, string, number][] = [
        ["actions", "actions", 0],
        ["actoins", "actions", 1],
        ["action", "actions", 1],
        ["actionss", "actions", 1],
        ["acti0ns", "actions", 1],
        ["aws-action", "aws-actions", 1],
        ["acme", "azure", 3],
      ];
      for (const [a, b, d] of table) assert.equal(editDistance(a, b), d, `${a} ${b}`);
    });

    it("names the well-known owner a look-alike imitates, case-insensitively, and never the owner itself", () => {
      const table: [string, string | undefined][] = [
        ["actoins", "actions"],
        ["Dockerr", "docker"],
        ["aws-action", "aws-actions"],
        ["hashicrop", "hashicorp"],
        ["pulumj", "pulumi"],
        ["google-github-action", "google-github-actions"],
        ["Actions", undefined],
        ["acme", undefined],
        ["trufflesecurity", undefined],
      ];
      for (const [owner, like] of table) assert.equal(typosquatOf(owner), like, owner);
    });

    it("reports a look-alike owner in a reusable-workflow call and in a composite action, and takes the allowed owners of the config", () => {
      const name = "github-workflow-disallow-typosquatted-actions";
      const call = {
        name: "deploy",
        on: { push: { branches: ["main"] } },
        permissions: {},
        jobs: { deploy: { uses: `githib/workflows/.github/workflows/deploy.yml@${SHA}` } },
      };
      assert.deepEqual(messages(name, WORKFLOW, call), [
        `${WORKFLOW}: jobs.deploy.uses githib/workflows/.github/workflows/deploy.yml@${SHA}: owner githib is one edit away from github`,
      ]);
      assert.deepEqual(withConfig(name, WORKFLOW, call, { allowedOwners: ["Githib"] }), []);
      assert.deepEqual(messages(name, ACTION, actionWith({ uses: `dockr/login-action@${SHA}` })), [
        `${ACTION}: runs.steps[0].uses dockr/login-action@${SHA}: owner dockr is one edit away from docker`,
      ]);
    });

    it("reports every repository of an archived owner and names the successor", () => {
      const doc = workflowWith({
        steps: [
          { uses: `actions-rs/toolchain@${SHA}` },
          { uses: `Actions/Create-Release@${SHA}` },
          { uses: `actions/checkout@${SHA}` },
        ],
      });
      assert.deepEqual(messages("github-workflow-disallow-archived-actions", WORKFLOW, doc), [
        `${WORKFLOW}: jobs.build.steps[0].uses actions-rs/toolchain is an archived repository: use dtolnay/rust-toolchain, and cargo in a run: step`,
        `${WORKFLOW}: jobs.build.steps[1].uses Actions/Create-Release is an archived repository: use gh release create in a run: step`,
      ]);
    });

    it("finds dot, dot-dot and empty path segments and SHAs dressed up as refs, and leaves plain tags to the pin rule", () => {
      const table: [string, string[]][] = [
        [`actions/checkout@${SHA}`, []],
        [`github/codeql-action/init@${SHA}`, []],
        ["./.github/actions/db-migrate", []],
        [`docker://alpine@sha256:${"a".repeat(64)}`, []],
        ["actions/checkout@v4", []],
        [`github/codeql-action/./init@${SHA}`, ["a '.' path segment"]],
        [`github/codeql-action/../codeql-action/init@${SHA}`, ["a '..' path segment"]],
        [`actions/checkout/@${SHA}`, ["an empty path segment"]],
        ["./.github/actions/../../evil", ["a '..' path segment"]],
        [
          `actions/checkout@${"A".repeat(40)}`,
          [`the ref "${"A".repeat(40)}", which is not a plain commit SHA`],
        ],
        [`actions/checkout@main@${SHA}`, [`the ref "main@${SHA}", which is not a plain commit SHA`]],
      ];
      for (const [uses, why] of table) assert.deepEqual(obfuscationOf(uses), why, uses);
    });
  });

  describe("github-workflow-disallow-pin-version-mismatch", () => {
    const file = (name: string, ...lines: string[]) => ({
      file: `app/.github/workflows/${name}`,
      content: ["jobs:", "  build:", "    steps:", ...lines].join("\n"),
    });

    it("reads the version comment of SHA pins only, whatever the path under the repository", () => {
      const pins = versionedPins(
        [
          `      - uses: github/codeql-action/init@${SHA} # v4.31.9`,
          `        uses: "actions/checkout@${SHA}" # tag=v4.2.2`,
          `      - uses: acme/platform/.github/workflows/build.yml@${SHA} # platform executor`,
          "      - uses: actions/checkout@v4 # v4.2.2",
          `      - run: echo "uses: actions/checkout@${SHA} # v4.2.2"`,
        ].join("\n"),
      );
      assert.deepEqual(
        pins.map((p) => [p.line, p.slug, p.version]),
        [
          [1, "github/codeql-action", "v4.31.9"],
          [2, "actions/checkout", "v4.2.2"],
        ],
      );
    });

    it("reports a second SHA for one repository and version across files, and across an action's paths", () => {
      const findings = pinVersionMismatches([
        file("ci.yml", `      - uses: github/codeql-action/init@${SHA} # v4.31.9`),
        file("security.yml", `      - uses: github/codeql-action/upload-sarif@${SHA2} # v4.31.9`),
        file("release.yml", `      - uses: github/codeql-action/analyze@${SHA} # v4.32.0`),
      ]);
      assert.deepEqual(
        findings.map((f) => f.message),
        [
          `app/.github/workflows/security.yml:4: github/codeql-action/upload-sarif@${SHA2} says v4.31.9, but app/.github/workflows/ci.yml:4 pins github/codeql-action v4.31.9 to ${SHA}`,
        ],
      );
    });

    it("holds every file to the pins the stack's pack config vouches for", () => {
      const rule = policies.find((p) => p.name === "github-workflow-disallow-pin-version-mismatch");
      assert.ok(rule && isStackPolicy(rule));
      const content =
        YAML.stringify(workflowWith({ steps: [{ run: "true" }] })) +
        `      - uses: actions/checkout@${SHA} # v4.2.2\n`;
      const resources = [
        {
          type: FILE,
          name: "ci",
          urn: "urn:pulumi:test::p::github:index/repositoryFile:RepositoryFile::ci",
          props: unknownCheckingProxy({ repository: "app", file: WORKFLOW, content }),
          dependencies: [],
          propertyDependencies: {},
          opts: {},
        },
      ] as unknown as PolicyResource[];
      const config = { knownPins: [`actions/checkout@${SHA2} # v4.2.2`] };
      assert.deepEqual(
        checkStack(rule as StackValidationPolicy, resources, { config }).map((f) => [f.resource, f.message]),
        [
          [
            "ci",
            `app/${WORKFLOW}:${content.split("\n").length - 1}: actions/checkout@${SHA} says v4.2.2, but the pack config's knownPins pins actions/checkout v4.2.2 to ${SHA2}`,
          ],
        ],
      );
      assert.deepEqual(checkStack(rule as StackValidationPolicy, resources), []);
    });
  });

  describe("github-workflow-require-pinned-npx", () => {
    it("tells exact versions from ranges, tags and bare names", () => {
      const table: [string, boolean][] = [
        ["c8@10.1.3", true],
        ["@scope/tool@1.0.0-rc.1", true],
        ["c8", false],
        ["c8@latest", false],
        ["c8@^10.1.3", false],
        ["c8@10", false],
        ["@scope/tool", false],
      ];
      for (const [spec, exact] of table) assert.equal(isExactPackageSpec(spec), exact, spec);
    });

    it("finds the packages each npx fetches, and skips local binaries and paths", () => {
      const script = [
        "npx --no-install eslint .",
        "npx --no tsc -p .",
        "npx --yes c8@10.1.3 npm test",
        "npx prettier --check .",
        "set -e; npx -y cowsay@latest hi && npx ./bin/tool",
        "npx --package=@scope/cli@^2 -c 'cli build'",
        "npx -p semver@7.7.1 semver 1.2.3 \\\n  && npx \\\n    eslint@9",
      ].join("\n");
      assert.deepEqual(unpinnedNpxSpecs(script), ["prettier", "cowsay@latest", "@scope/cli@^2", "eslint@9"]);
    });
  });

  describe("github-workflow-prefer-npm-trusted-publishing", () => {
    const name = "github-workflow-prefer-npm-trusted-publishing";

    it("reports npm tokens from secrets in env, in npm-publish's token and written to .npmrc", () => {
      const doc = workflowWith({
        env: { NPM_TOKEN: "${{ secrets.NPM_PUBLISH_TOKEN }}" },
        steps: [
          { uses: `JS-DevTools/npm-publish@${SHA}`, with: { token: "${{ secrets.NPM_TOKEN }}" } },
          { run: 'echo "//registry.npmjs.org/:_authToken=${NPM_TOKEN}" > ~/.npmrc\nnpm publish' },
        ],
      });
      assert.deepEqual(messages(name, WORKFLOW, doc), [
        `${WORKFLOW}: jobs.build.env.NPM_TOKEN reads secrets.NPM_PUBLISH_TOKEN: a long-lived npm token where trusted publishing needs none`,
        `${WORKFLOW}: jobs.build.steps[0].with.token reads secrets.NPM_TOKEN: a long-lived npm token where trusted publishing needs none`,
        `${WORKFLOW}: jobs.build.steps[1] hands npm an _authToken (echo "//registry.npmjs.org/:_authToken=\${NPM_TOKEN}" > ~/.npmrc): a long-lived npm token where trusted publishing needs none`,
      ]);
    });

    it("accepts the run's own token for GitHub Packages, which has no trusted publishing", () => {
      const doc = workflowWith({
        steps: [
          { run: "npm publish", env: { NODE_AUTH_TOKEN: "${{ secrets.GITHUB_TOKEN }}" } },
          {
            run: 'echo "//npm.pkg.github.com/:_authToken=${TOKEN}" >> .npmrc',
            env: { TOKEN: "${{ github.token }}" },
          },
        ],
      });
      assert.deepEqual(messages(name, WORKFLOW, doc), []);
    });
  });

  describe("github-workflow-disallow-workspace-artifacts", () => {
    const upload = (path: string) =>
      messages(
        "github-workflow-disallow-workspace-artifacts",
        WORKFLOW,
        workflowWith({ steps: [{ uses: `actions/upload-artifact@${SHA}`, with: { name: "out", path } }] }),
      );

    it("reports every spelling of the whole workspace, alone or in a list", () => {
      for (const path of [
        ".",
        "./",
        "${{ github.workspace }}",
        "${{github.workspace}}/",
        "$GITHUB_WORKSPACE",
        "**",
        "*",
        "./**",
      ])
        assert.deepEqual(
          upload(path),
          [`${WORKFLOW}: jobs.build.steps[0] uploads the whole workspace (path: ${path}) as an artifact`],
          path,
        );
      assert.deepEqual(upload("reports/\n.\n!.git/**"), [
        `${WORKFLOW}: jobs.build.steps[0] uploads the whole workspace (path: .) as an artifact`,
      ]);
    });

    it("accepts named directories and files, in the workspace or the runner's temp", () => {
      for (const path of [
        "./reports/",
        "reports/**",
        "${{ github.workspace }}/dist",
        "${{ runner.temp }}/outputs.json",
        "*.tgz",
      ])
        assert.deepEqual(upload(path), [], path);
    });
  });

  describe("github-workflow-require-deploy-concurrency", () => {
    const name = "github-workflow-require-deploy-concurrency";
    const deploy = (job: Record<string, unknown>, on: unknown = { push: { branches: ["main"] } }) =>
      workflowWith(
        {
          environment: { name: "production", url: "https://example.com" },
          permissions: { contents: "read", "id-token": "write" },
          steps: [{ run: "deploy" }],
          ...job,
        },
        on,
      );

    it("reports a job holding an environment and a write scope with no concurrency group", () => {
      assert.deepEqual(messages(name, WORKFLOW, deploy({})), [
        `${WORKFLOW}: jobs.build deploys to production (holding id-token: write) with no concurrency group, neither its own nor the workflow's`,
      ]);
      assert.deepEqual(
        messages(name, WORKFLOW, { ...deploy({ permissions: undefined }), permissions: undefined }),
        [
          `${WORKFLOW}: jobs.build deploys to production (holding the repository's default permissions) with no concurrency group, neither its own nor the workflow's`,
        ],
      );
    });

    it("accepts a workflow-level group, a read-only environment job, and reusable workflows left to their callers", () => {
      assert.deepEqual(messages(name, WORKFLOW, { ...deploy({}), concurrency: { group: "deploy" } }), []);
      assert.deepEqual(
        messages(name, WORKFLOW, deploy({ permissions: { contents: "read", deployments: "read" } })),
        [],
      );
      assert.deepEqual(messages(name, WORKFLOW, deploy({}, { workflow_call: { inputs: {} } })), []);
      assert.equal(
        messages(name, WORKFLOW, deploy({}, { workflow_call: {}, workflow_dispatch: {} })).length,
        1,
      );
    });
  });

  describe("github-workflow-disallow-dispatch-inputs-in-builds", () => {
    const name = "github-workflow-disallow-dispatch-inputs-in-builds";
    const dispatch = (withInputs: Record<string, string>, run = "docker push app") => ({
      name: "build",
      on: {
        workflow_dispatch: {
          inputs: { ref: { type: "string" }, target: { type: "choice", options: ["api", "web"] } },
        },
      },
      permissions: {},
      jobs: {
        build: {
          "runs-on": "ubuntu-24.04",
          "timeout-minutes": 30,
          permissions: { contents: "read", "id-token": "write" },
          steps: [{ uses: `docker/build-push-action@${SHA}`, with: { push: true, ...withInputs } }, { run }],
        },
      },
    });

    it("reports free-text dispatch inputs in build-push-action's context, file and build-args", () => {
      const doc = dispatch({
        context: "services/${{ inputs.target }}",
        file: "${{ github.event.inputs.ref }}/Dockerfile",
        "build-args": "REF=${{ inputs.ref }}",
      });
      assert.deepEqual(messages(name, WORKFLOW, doc), [
        `${WORKFLOW}: jobs.build.steps[0].with.file takes \${{ github.event.inputs.ref }}: whoever dispatches the run picks what the image is built from or published as`,
        `${WORKFLOW}: jobs.build.steps[0].with.build-args takes \${{ inputs.ref }}: whoever dispatches the run picks what the image is built from or published as`,
      ]);
    });

    it("leaves an input in a build job's run: to the template-injection rule, which reports it", () => {
      const doc = dispatch({ context: "." }, 'docker push "app:${{ inputs.ref }}"');
      assert.deepEqual(messages(name, WORKFLOW, doc), []);
      assert.deepEqual(messages("github-workflow-disallow-template-injection", WORKFLOW, doc), [
        `${WORKFLOW}: jobs.build.steps[1] expands \${{ inputs.ref }} inside a script: an input the caller or dispatcher types`,
      ]);
    });

    it("accepts the inputs of a workflow that cannot be dispatched", () => {
      const called = {
        ...dispatch({ context: "${{ inputs.ref }}" }),
        on: { workflow_call: { inputs: { ref: { type: "string" } } } },
      };
      assert.deepEqual(messages(name, WORKFLOW, called), []);
    });
  });

  describe("the generated workflows", () => {
    const stacks = knownStacks().filter((s) => stackConfigFromFile(s).github !== undefined);
    const fileRules = policies.filter((p) => p.name.startsWith("github-workflow-") && !isStackPolicy(p));
    const pinRule = policies.find((p) => p.name === "github-workflow-disallow-pin-version-mismatch");

    it("pass every workflow rule in every committed stack that renders them, under every branch model", () => {
      assert.deepEqual(stacks, ["dev", "production", "staging"]);
      assert.ok(pinRule && isStackPolicy(pinRule));
      for (const stack of stacks)
        for (const model of BRANCH_MODELS) {
          const files = Object.entries(deliveryFiles(contextFor(stack, model))).filter(
            ([file]) => documentOf({ file, content: "" }) !== undefined,
          );
          const found = fileRules.flatMap((p) =>
            files.flatMap(([file, content]) =>
              checkResource(p as ResourceValidationPolicy, FILE, { repository: "app", file, content }).map(
                (f) => `${p.name} ${f.message}`,
              ),
            ),
          );
          const resources = files.map(([file, content], i) => ({
            type: FILE,
            name: `f${i}`,
            urn: `urn:pulumi:test::p::${FILE}::f${i}`,
            props: unknownCheckingProxy({ repository: "app", file, content }),
            dependencies: [],
            propertyDependencies: {},
            opts: {},
          })) as unknown as PolicyResource[];
          found.push(...checkStack(pinRule as StackValidationPolicy, resources).map((f) => f.message));
          assert.deepEqual(found, [], `${stack} under ${model}`);
        }
    });
  });
});
