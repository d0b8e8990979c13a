/**
 * The infrastructure pipelines: infra-preview.yml (every PR that touches the program: a preview per
 * stack with the policy pack, commented on the PR), infra-up.yml (on merge: `pulumi up` per stack in
 * promotion order, state exported first, outputs published) and drift.yml (scheduled refresh-preview
 * per stack; opens or updates an issue on drift).
 */
import { POLICY_PACK_DIR } from "../lib/policy-pack";
import {
  DeliveryContext,
  DeliveryStack,
  deploySource,
  previewedOnPullRequests,
  previewEnvironmentOf,
  refCondition,
  RELEASE_BRANCH,
  integrationBranches,
  RELEASE_TAG,
} from "./context";
import { Step, StepsJob, Workflow } from "./model";
import { PROGRAM_PATHS } from "./paths";
import { ACTIONS } from "./pins";
import { checkout, npmCi, pulumiEnv, pulumiJobSetup, setupNode, stackConcurrency } from "./steps";
import { countFailedRun } from "./operations";
import { storedName, vars } from "./names";
import { runsOnStack, runsOnTemplate } from "./runners";

/** Paths whose change can alter what `pulumi up` does. */
export const INFRA_PATHS: string[] = [...PROGRAM_PATHS];

const jobId = (prefix: string, s: DeliveryStack) => `${prefix}-${s.stack}`;
/**
 * The pack precompiled from the checkout's `policy/` (src/lib/policy-pack.ts): the policy runtime
 * type-checks a TypeScript pack on every load. Built in the same step as the command that loads it,
 * so no update ever runs a pack older than its sources (the pack refuses a stale build as well).
 */
const buildPack = "npm run -s policy:build";
const policyFlags = `--policy-pack ${POLICY_PACK_DIR} --policy-pack-config "policy/config/$STACK.json"`;

/** A fenced block of the last 60 kB of a log, as a Markdown file for gh (or appended to one). */
const markdownFromLog = (title: string, log: string, out: string, append = false) =>
  `{ echo "${title}"; echo; echo '\`\`\`'; tail -c 60000 "${log}"; echo '\`\`\`'; } ${append ? ">>" : ">"} "${out}"`;

/**
 * The `if:` of a pull request's preview: the pull request comes from this repository. The job runs
 * on the stack's runner, which may be self-hosted (CodeBuild in the stack's network); a fork's
 * code never gets there, whatever the repository's fork settings say.
 */
export const PULL_REQUEST_FROM_THIS_REPOSITORY =
  "github.event_name == 'pull_request' && github.event.pull_request.head.repo.full_name == github.repository";

/** The applications whose stacks hold the services' workloads (none: the platform stack does). */
export function applicationsOf(ctx: DeliveryContext): string[] {
  return [...new Set(ctx.services.flatMap((s) => (s.application ? [s.application] : [])))];
}

/**
 * Each application stack of the environment previewed after its platform stack, starting from
 * its recorded releases (`release restore`), so an unchanged application previews no change; one
 * never deployed has nothing to compare with yet and is said so.
 */
function applicationPreviews(ctx: DeliveryContext): string[] {
  if (applicationsOf(ctx).length === 0) return [];
  return [
    "deployed=\" $(cd apps && pulumi stack ls --json | jq -r '.[].name' | tr '\\n' ' ')\"",
    "for app in $APPLICATIONS; do",
    '  if [[ "$deployed" != *" $app-$STACK "* ]]; then',
    '    echo "application stack $app-$STACK: not deployed yet, its first deploy creates it" | tee -a "$RUNNER_TEMP/preview.txt"',
    "    continue",
    "  fi",
    '  npm run -s release -- restore --stack "$app-$STACK"',
    `  (cd apps && pulumi preview --stack "$app-$STACK" --policy-pack ../${POLICY_PACK_DIR} --policy-pack-config "../policy/config/$STACK.json" --diff --non-interactive) 2>&1 | tee -a "$RUNNER_TEMP/preview.txt"`,
    "done",
  ];
}

/**
 * Pull requests preview every non-production stack in the shared `preview` environment and comment
 * the result. A production stack is previewed only on pushes to the release branch — reviewed,
 * merged code — in its own `preview-<stack>` environment, which pull requests cannot enter: its
 * preview role can decrypt production secrets (see previewEnvironmentOf).
 */
export function infraPreviewWorkflow(ctx: DeliveryContext): Workflow {
  const jobs: Record<string, StepsJob> = {};
  for (const s of ctx.stacks) {
    const onPullRequests = previewedOnPullRequests(s);
    jobs[jobId("preview", s)] = {
      name: `preview (${s.stack})`,
      if: onPullRequests ? PULL_REQUEST_FROM_THIS_REPOSITORY : "github.event_name == 'push'",
      // The Kubernetes provider reads the cluster through its (private) endpoint.
      runsOn: runsOnStack(s.stack),
      environment: previewEnvironmentOf(s),
      permissions: {
        contents: "read",
        "id-token": "write",
        ...(onPullRequests ? { "pull-requests": "write" as const } : {}),
      },
      timeoutMinutes: 30,
      env: { ...pulumiEnv(ctx, s.stack), STACK: s.stack },
      steps: [
        // No npm cache: the job holds an OIDC token for the preview role, and a cache any job on
        // the base branch could have written would run inside it. The pull request's code runs
        // here: a read-only preview app's token, never a writer.
        ...pulumiJobSetup(ctx, {
          roleArn: vars("AWS_PREVIEW_ROLE_ARN", s.stack),
          github: { access: "read" },
        }),
        {
          name: "pulumi preview with the policy pack",
          id: "preview",
          run: [
            "set -o pipefail",
            buildPack,
            `pulumi preview --stack "$STACK" ${policyFlags} --diff --non-interactive 2>&1 | tee "$RUNNER_TEMP/preview.txt"`,
            ...applicationPreviews(ctx),
          ].join("\n"),
          ...(applicationsOf(ctx).length ? { env: { APPLICATIONS: applicationsOf(ctx).join(" ") } } : {}),
        },
        onPullRequests
          ? {
              name: "Comment the preview on the pull request",
              if: "always() && steps.preview.outcome != 'skipped'",
              env: {
                GH_TOKEN: "${{ github.token }}",
                GH_REPO: "${{ github.repository }}",
                PR_NUMBER: "${{ github.event.pull_request.number }}",
                OUTCOME: "${{ steps.preview.outcome }}",
              },
              run: [
                // One comment per stack, updated in place on every push: the marker finds it.
                'marker="<!-- pulumi-preview:$STACK -->"',
                'echo "$marker" > "$RUNNER_TEMP/comment.md"',
                markdownFromLog(
                  "### pulumi preview \\`$STACK\\`: $OUTCOME",
                  "$RUNNER_TEMP/preview.txt",
                  "$RUNNER_TEMP/comment.md",
                  true,
                ),
                'id="$(gh api --paginate "repos/$GH_REPO/issues/$PR_NUMBER/comments" --jq ".[] | select(.user.type == \\"Bot\\" and (.body | startswith(\\"$marker\\"))) | .id" | head -n 1)"',
                'if [ -n "$id" ]; then',
                '  jq -Rs "{body: .}" "$RUNNER_TEMP/comment.md" | gh api --method PATCH "repos/$GH_REPO/issues/comments/$id" --input - --silent',
                "else",
                '  gh pr comment "$PR_NUMBER" --body-file "$RUNNER_TEMP/comment.md"',
                "fi",
              ].join("\n"),
            }
          : {
              name: "Write the preview to the job summary",
              if: "always() && steps.preview.outcome != 'skipped'",
              env: { OUTCOME: "${{ steps.preview.outcome }}" },
              run: markdownFromLog(
                "### pulumi preview \\`$STACK\\` of the next release: $OUTCOME",
                "$RUNNER_TEMP/preview.txt",
                "$GITHUB_STEP_SUMMARY",
                true,
              ),
            },
      ],
    };
  }
  const production = ctx.stacks.some((s) => !previewedOnPullRequests(s));
  return {
    file: "infra-preview.yml",
    name: "Infrastructure preview",
    on: {
      pull_request: { branches: integrationBranches(ctx.branchModel), paths: INFRA_PATHS },
      ...(production ? { push: { branches: [RELEASE_BRANCH], paths: INFRA_PATHS } } : {}),
    },
    permissions: {},
    concurrency: {
      group: "infra-preview-${{ github.event.pull_request.number || github.ref }}",
      cancelInProgress: true,
    },
    jobs,
  };
}

/** Jobs that run on the same ref deploy in promotion order; a stack reached by another ref stands alone. */
export function promotionNeeds(ctx: DeliveryContext, prefix: string, index: number): string[] | undefined {
  const source = JSON.stringify(deploySource(ctx.branchModel, ctx.stacks[index]));
  for (let i = index - 1; i >= 0; i--) {
    if (JSON.stringify(deploySource(ctx.branchModel, ctx.stacks[i])) === source)
      return [jobId(prefix, ctx.stacks[i])];
  }
  return undefined;
}

/**
 * The state as it was before `up` changes it, kept twice: as a run artifact, and (S3 backends) in
 * the versioned bucket under `state-backups/<project>/<stack>/`, named by time, commit and run.
 * Secrets stay encrypted in the export. Restoring is `pulumi stack import` (docs/state-and-secrets.md).
 */
export function stateBackupSteps(ctx: DeliveryContext, s: DeliveryStack): Step[] {
  return [
    {
      name: "Export the stack state before changing it",
      run: 'pulumi stack export --stack "$STACK" --file "$RUNNER_TEMP/state.json"',
    },
    {
      name: "Keep the state export as an artifact",
      uses: ACTIONS.uploadArtifact,
      with: {
        name: `state-${s.stack}-\${{ github.run_id }}-\${{ github.run_attempt }}`,
        path: "${{ runner.temp }}/state.json",
        "retention-days": 30,
        "if-no-files-found": "error",
      },
    },
    ...(ctx.backend.kind === "s3"
      ? [
          {
            name: "Keep the state export in the state bucket",
            run: [
              'if [ -z "${STATE_BACKUP_URI:-}" ]; then echo "::error::STATE_BACKUP_URI is empty: apply the stack so it writes its environment variables"; exit 1; fi',
              'target="${STATE_BACKUP_URI}/$(date -u +%Y%m%dT%H%M%SZ)-${GITHUB_SHA}-${GITHUB_RUN_ID}-${GITHUB_RUN_ATTEMPT}.json"',
              'aws s3 cp "$RUNNER_TEMP/state.json" "$target" --only-show-errors',
              'echo "State before this update: $target" >> "$GITHUB_STEP_SUMMARY"',
            ].join("\n"),
          },
        ]
      : []),
  ];
}

/**
 * The stack's runner labels, read from its committed config (the owning stack does not know
 * them), and whether the runner must be bootstrapped first: it names a CodeBuild runner whose
 * labels the stack has not published yet. No credentials, no environment: a GitHub-hosted job.
 */
export function runnerLabelsJob(ctx: DeliveryContext, s: DeliveryStack): StepsJob {
  return {
    name: `runner (${s.stack})`,
    if: refCondition(deploySource(ctx.branchModel, s)),
    permissions: { contents: "read" },
    timeoutMinutes: 10,
    env: {
      STACK: s.stack,
      PUBLISHED_LABELS: `\${{ vars.${storedName("RUNNER_LABELS_REPOSITORY", s.stack)} }}`,
    },
    outputs: {
      labels: "${{ steps.runner.outputs.labels }}",
      bootstrap: "${{ steps.runner.outputs.bootstrap }}",
    },
    steps: [
      checkout(),
      setupNode(ctx.nodeVersions[0], false),
      npmCi,
      {
        name: "Read the stack's runner",
        id: "runner",
        run: 'npm run -s runner -- labels --stack "$STACK" >> "$GITHUB_OUTPUT"',
      },
    ],
  };
}

/**
 * The first `up` of a stack with a CodeBuild runner: from a GitHub-hosted runner, apply what
 * needs no private endpoint (network, registry, CI roles, the runner, the stack's environment;
 * see src/stack/runner-bootstrap.ts) with `--target`. The full `up` then runs on the new runner.
 */
export function bootstrapRunnerJob(ctx: DeliveryContext, s: DeliveryStack, runnerJob: string): StepsJob {
  return {
    name: `bootstrap runner (${s.stack})`,
    needs: [runnerJob],
    if: `needs.${runnerJob}.outputs.bootstrap == 'true'`,
    environment: s.environment,
    permissions: { contents: "read", "id-token": "write" },
    concurrency: stackConcurrency(s.stack),
    timeoutMinutes: 60,
    env: {
      ...pulumiEnv(ctx),
      PULUMI_ENCRYPTION_PROVIDER: vars("PULUMI_ENCRYPTION_PROVIDER"),
      STACK: s.stack,
    },
    steps: [
      ...pulumiJobSetup(ctx, {
        roleArn: vars("AWS_DEPLOY_ROLE_ARN"),
        github: { access: "write", stack: s.stack },
      }),
      {
        name: "Select the stack",
        run: 'pulumi stack select --create "$STACK" --secrets-provider "$PULUMI_ENCRYPTION_PROVIDER"',
      },
      // The state may not have its backup location yet: keep the export as an artifact only.
      ...stateBackupSteps(ctx, s).slice(0, 2),
      {
        name: "pulumi up of the network, the runner and the environment only",
        run: [
          'mapfile -t targets < <(npm run -s runner -- targets --stack "$STACK")',
          buildPack,
          `pulumi up --yes --stack "$STACK" "\${targets[@]}" ${policyFlags} --non-interactive`,
        ].join("\n"),
      },
    ],
  };
}

export function infraUpWorkflow(ctx: DeliveryContext): Workflow {
  const jobs: Record<string, StepsJob> = {};
  ctx.stacks.forEach((s, index) => {
    const promotion = promotionNeeds(ctx, "up", index) ?? [];
    const runner = jobId("runner", s);
    const bootstrap = jobId("bootstrap", s);
    jobs[runner] = runnerLabelsJob(ctx, s);
    jobs[bootstrap] = bootstrapRunnerJob(ctx, s, runner);
    jobs[jobId("up", s)] = {
      name: `up (${s.stack})`,
      needs: [...promotion, runner, bootstrap],
      // The bootstrap is skipped once the runner exists; the stack before this one must have succeeded.
      if: [
        "!cancelled()",
        ...promotion.map((n) => `needs.${n}.result == 'success'`),
        `needs.${runner}.result == 'success'`,
        `needs.${bootstrap}.result != 'failure'`,
      ].join(" && "),
      runsOn: runsOnTemplate(`needs.${runner}.outputs.labels`),
      environment: s.environment,
      permissions: { contents: "read", "id-token": "write" },
      concurrency: stackConcurrency(s.stack),
      timeoutMinutes: 60,
      env: {
        ...pulumiEnv(ctx),
        PULUMI_ENCRYPTION_PROVIDER: vars("PULUMI_ENCRYPTION_PROVIDER"),
        ...(ctx.backend.kind === "s3" ? { STATE_BACKUP_URI: vars("STATE_BACKUP_URI") } : {}),
        STACK: s.stack,
      },
      steps: [
        // No caches: this workflow runs on release tags too.
        ...pulumiJobSetup(ctx, {
          roleArn: vars("AWS_DEPLOY_ROLE_ARN"),
          github: { access: "write", stack: s.stack },
        }),
        {
          // The first run creates the stack with the configured secrets provider.
          name: "Select the stack",
          run: 'pulumi stack select --create "$STACK" --secrets-provider "$PULUMI_ENCRYPTION_PROVIDER"',
        },
        ...stateBackupSteps(ctx, s),
        {
          // Every service keeps the release the stack recorded, not the one committed in git.
          name: "Write every service's recorded release into the stack config",
          run: 'npm run -s release -- restore --stack "$STACK"',
        },
        {
          name: "pulumi up with the policy pack",
          run: `${buildPack}\npulumi up --yes --stack "$STACK" ${policyFlags} --non-interactive`,
        },
        {
          name: "Publish the stack outputs",
          run: 'pulumi stack output --stack "$STACK" --json > "$RUNNER_TEMP/outputs.json"',
        },
        {
          name: "Upload the outputs",
          uses: ACTIONS.uploadArtifact,
          with: {
            name: `outputs-${s.stack}`,
            path: "${{ runner.temp }}/outputs.json",
            "retention-days": 90,
            "if-no-files-found": "error",
          },
        },
        countFailedRun,
      ],
    };
  });
  return {
    file: "infra-up.yml",
    name: "Infrastructure up",
    on: { push: { branches: integrationBranches(ctx.branchModel), tags: [RELEASE_TAG], paths: INFRA_PATHS } },
    permissions: {},
    // No workflow-level group: each job queues in its stack's group with every other writer.
    jobs,
  };
}

/**
 * Refresh, preview, and call it drift when any resource would change — or the preview fails. The
 * GitHub provider's own update is left out: its token is minted for each run (a GitHub App
 * installation token), so the provider's inputs differ every time without anything drifting.
 */
export const DRIFT_SCRIPT = [
  "set +e",
  'pulumi preview --stack "$STACK" --refresh --json --non-interactive > "$RUNNER_TEMP/drift.json" 2> "$RUNNER_TEMP/drift.err"',
  "status=$?",
  "set -e",
  `changes="$(jq -r '[.steps[]? | select(.op != "same") | select(.urn | contains("::pulumi:providers:github::") | not) | "\\(.op) \\(.urn)"] | .[]' "$RUNNER_TEMP/drift.json" 2>/dev/null || true)"`,
  '{ cat "$RUNNER_TEMP/drift.err"; printf "%s\\n" "$changes"; } > "$RUNNER_TEMP/drift.txt"',
  'cat "$RUNNER_TEMP/drift.txt"',
  'if [ "$status" -eq 0 ] && [ -z "$changes" ]; then drifted=false; else drifted=true; fi',
  'echo "drifted=$drifted" >> "$GITHUB_OUTPUT"',
].join("\n");

/**
 * The same check on each application stack of the environment, starting from its recorded
 * releases (`release restore`, as its deploys leave them), so a release is never drift; stacks
 * never deployed are skipped. Appends to the platform's report and says `drifted` for all of them.
 */
export const APPLICATION_DRIFT_SCRIPT = [
  "drifted=false",
  "deployed=\" $(cd apps && pulumi stack ls --json | jq -r '.[].name' | tr '\\n' ' ')\"",
  "for app in $APPLICATIONS; do",
  '  stack="$app-$STACK"',
  '  if [[ "$deployed" != *" $stack "* ]]; then continue; fi',
  '  npm run -s release -- restore --stack "$stack"',
  "  set +e",
  '  (cd apps && pulumi preview --stack "$stack" --refresh --json --non-interactive) > "$RUNNER_TEMP/drift-app.json" 2> "$RUNNER_TEMP/drift-app.err"',
  "  status=$?",
  "  set -e",
  `  changes="$(jq -r '[.steps[]? | select(.op != "same") | "\\(.op) \\(.urn)"] | .[]' "$RUNNER_TEMP/drift-app.json" 2>/dev/null || true)"`,
  '  { echo "== $stack"; cat "$RUNNER_TEMP/drift-app.err"; printf "%s\\n" "$changes"; } | tee -a "$RUNNER_TEMP/drift.txt"',
  '  if [ "$status" -ne 0 ] || [ -n "$changes" ]; then drifted=true; fi',
  "done",
  'echo "drifted=$drifted" >> "$GITHUB_OUTPUT"',
].join("\n");

export function driftWorkflow(ctx: DeliveryContext): Workflow {
  const applications = applicationsOf(ctx);
  const jobs: Record<string, StepsJob> = {};
  for (const s of ctx.stacks) {
    jobs[jobId("drift", s)] = {
      name: `drift (${s.stack})`,
      runsOn: runsOnStack(s.stack),
      environment: previewEnvironmentOf(s),
      permissions: { contents: "read", "id-token": "write", issues: "write" },
      timeoutMinutes: 30,
      env: { ...pulumiEnv(ctx, s.stack), STACK: s.stack },
      steps: [
        // A refresh reads every object; the drift issue is written with the job's own token.
        ...pulumiJobSetup(ctx, {
          roleArn: vars("AWS_PREVIEW_ROLE_ARN", s.stack),
          github: { access: "read" },
        }),
        {
          name: "Refresh and expect no changes",
          id: "drift",
          run: DRIFT_SCRIPT,
        },
        ...(applications.length
          ? [
              {
                name: "Refresh each application stack from its recorded releases and expect no changes",
                id: "application-drift",
                env: { APPLICATIONS: applications.join(" ") },
                run: APPLICATION_DRIFT_SCRIPT,
              },
            ]
          : []),
        {
          name: "Open or update the drift issue",
          if: applications.length
            ? "always() && (steps.drift.outputs.drifted == 'true' || steps.application-drift.outputs.drifted == 'true')"
            : "steps.drift.outputs.drifted == 'true'",
          env: {
            GH_TOKEN: "${{ github.token }}",
            GH_REPO: "${{ github.repository }}",
            RUN_URL: "${{ github.server_url }}/${{ github.repository }}/actions/runs/${{ github.run_id }}",
          },
          run: [
            'title="Drift detected in stack $STACK"',
            markdownFromLog(
              "Run $RUN_URL found changes outside Pulumi:",
              "$RUNNER_TEMP/drift.txt",
              "$RUNNER_TEMP/body.md",
            ),
            'number="$(gh issue list --state open --label drift --search "in:title $title" --json number --jq ".[0].number")"',
            'if [ -n "$number" ]; then gh issue comment "$number" --body-file "$RUNNER_TEMP/body.md"; else gh issue create --title "$title" --label drift --body-file "$RUNNER_TEMP/body.md"; fi',
            "exit 1",
          ].join("\n"),
        },
      ],
    };
  }
  return {
    file: "drift.yml",
    name: "Drift detection",
    on: { schedule: [{ cron: "23 5 * * *" }], workflow_dispatch: {} },
    permissions: {},
    concurrency: { group: "drift", cancelInProgress: false },
    jobs,
  };
}
