/** Steps several pipelines share. Each returns data; nothing here renders YAML. */
import { DeliveryContext, WorkflowBackend } from "./context";
import { Concurrency, Permission, Step } from "./model";
import { ACTIONS, PULUMI_CLI_VERSION } from "./pins";
import { secrets, vars } from "./names";

export const checkout = (fetchDepth?: number): Step => ({
  name: "Check out",
  uses: ACTIONS.checkout,
  with: { "persist-credentials": false, ...(fetchDepth !== undefined ? { "fetch-depth": fetchDepth } : {}) },
});

/**
 * Node with an npm cache, except in jobs that hold an OIDC token or a release tag reaches (cache poisoning). Without a cache
 * the step says so: setup-node v5+ would otherwise turn one on by itself once package.json names
 * npm as its package manager.
 */
export const setupNode = (version: string, cache: boolean): Step => ({
  name: "Set up Node.js",
  uses: ACTIONS.setupNode,
  with: { "node-version": version, ...(cache ? { cache: "npm" } : { "package-manager-cache": false }) },
});

export const npmCi: Step = { name: "Install dependencies", run: "npm ci --no-audit --no-fund" };

/** The Pulumi CLI from its release archive, verified against the release's published checksums. */
export const installPulumi: Step = {
  name: "Install Pulumi CLI",
  env: { PULUMI_VERSION: PULUMI_CLI_VERSION },
  run: [
    'archive="pulumi-v${PULUMI_VERSION}-linux-x64.tar.gz"',
    'curl -fsSLo "$RUNNER_TEMP/$archive" "https://get.pulumi.com/releases/sdk/$archive"',
    'curl -fsSLo "$RUNNER_TEMP/sums.txt" "https://github.com/pulumi/pulumi/releases/download/v${PULUMI_VERSION}/pulumi-${PULUMI_VERSION}-checksums.txt"',
    '(cd "$RUNNER_TEMP" && grep " $archive\\$" sums.txt | sha256sum -c -)',
    'tar -xzf "$RUNNER_TEMP/$archive" -C "$RUNNER_TEMP"',
    'echo "$RUNNER_TEMP/pulumi" >> "$GITHUB_PATH"',
  ].join("\n"),
};

/** AWS credentials by GitHub OIDC: the role ARN is an environment variable the stack wrote. */
export const awsCredentials = (roleArnExpression: string): Step => ({
  name: "Assume the AWS role (GitHub OIDC)",
  uses: ACTIONS.configureAwsCredentials,
  with: {
    "role-to-assume": roleArnExpression,
    "aws-region": vars("AWS_REGION"),
    "role-session-name": "github-${{ github.run_id }}",
  },
});

/**
 * Job env every Pulumi job needs. Deploy jobs run in the stack's environment and read its
 * variables; preview and drift jobs share the `preview` environment, where each stack wrote its
 * own suffixed copy (`PULUMI_BACKEND_URL_STAGING`).
 */
export function pulumiEnv(ctx: DeliveryContext, previewOf?: string): Record<string, string> {
  return {
    PULUMI_BACKEND_URL:
      ctx.backend.kind === "cloud"
        ? ctx.backend.url
        : previewOf
          ? vars("PULUMI_BACKEND_URL_PREVIEW", previewOf)
          : vars("PULUMI_BACKEND_URL"),
    // ts-node skips type-checking (about 10 s per run, see DEVELOPMENT.md's benchmarks): ci.yml's
    // required lint job type-checks the same commit with `npm run typecheck`.
    PULUMI_NODEJS_TRANSPILE_ONLY: "true",
    ...(ctx.passphraseSecrets ? { PULUMI_CONFIG_PASSPHRASE: secrets("PULUMI_CONFIG_PASSPHRASE") } : {}),
  };
}

/** `scope` of the token exchange for each Pulumi Cloud token type. */
function exchangeScope(backend: Extract<WorkflowBackend, { kind: "cloud" }>): string {
  if (backend.tokenType === "team") return `team:${backend.scope}`;
  if (backend.tokenType === "personal") return `user:${backend.scope}`;
  return "";
}

/**
 * Pulumi Cloud without a stored token: the job's GitHub OIDC token (audience
 * `urn:pulumi:org:<org>`) is exchanged at `/api/oauth/token` for a short-lived access token —
 * what `pulumi/auth-actions` does, in plain shell so no unpinned action sees the token.
 */
export function pulumiCloudToken(backend: Extract<WorkflowBackend, { kind: "cloud" }>): Step {
  return {
    name: "Exchange the GitHub OIDC token for a Pulumi access token",
    env: {
      PULUMI_ORG: backend.organization,
      TOKEN_TYPE: `urn:pulumi:token-type:access_token:${backend.tokenType}`,
      TOKEN_SCOPE: exchangeScope(backend),
    },
    run: [
      "set -euo pipefail",
      'audience="urn:pulumi:org:${PULUMI_ORG}"',
      'oidc="$(curl -fsS -H "Authorization: bearer ${ACTIONS_ID_TOKEN_REQUEST_TOKEN}" "${ACTIONS_ID_TOKEN_REQUEST_URL}&audience=${audience}" | jq -r .value)"',
      'echo "::add-mask::${oidc}"',
      'body="$(jq -n --arg aud "$audience" --arg tok "$oidc" --arg type "$TOKEN_TYPE" --arg scope "$TOKEN_SCOPE" \'{audience: $aud, grant_type: "urn:ietf:params:oauth:grant-type:token-exchange", subject_token_type: "urn:ietf:params:oauth:token-type:id_token", subject_token: $tok, requested_token_type: $type, scope: $scope, expiration: 7200}\')"',
      'token="$(curl -fsS -X POST -H "Content-Type: application/json" --data "$body" "${PULUMI_BACKEND_URL%/}/api/oauth/token" | jq -r .access_token)"',
      'echo "::add-mask::${token}"',
      'echo "PULUMI_ACCESS_TOKEN=${token}" >> "$GITHUB_ENV"',
    ].join("\n"),
  };
}

/**
 * Mints the job's GitHub token (`github`: which app, which permissions), then logs in to the
 * stacks' backend (after the AWS credentials: an S3 login checks the bucket). An unset backend URL
 * fails here, by name, instead of silently falling back to another backend. Every job that runs
 * the program logs in here, so none can run it without saying which GitHub token it holds.
 */
export function pulumiLogin(ctx: DeliveryContext, github: GithubTokenJob): Step[] {
  const login: Step = {
    name: "Log in to the state backend",
    run: [
      'if [ -z "${PULUMI_BACKEND_URL:-}" ]; then',
      '  echo "::error::PULUMI_BACKEND_URL is empty: apply the stack (pulumi up) so it writes its environment variables"',
      "  exit 1",
      "fi",
      'pulumi login "$PULUMI_BACKEND_URL"',
      ...(ctx.backend.kind === "cloud" ? [`pulumi org set-default ${ctx.backend.organization}`] : []),
    ].join("\n"),
  };
  return [
    ...githubAppToken(ctx, github),
    ...(ctx.backend.kind === "cloud" ? [pulumiCloudToken(ctx.backend)] : []),
    login,
  ];
}

/**
 * Permissions of the GitHub App installation tokens the Pulumi jobs mint, by what the job does;
 * the README derives each from the objects the program manages.
 */
export const GITHUB_APP_PERMISSIONS = {
  /** Previews and drift checks: read what the program manages (the preview app has nothing more). */
  read: {
    actions: "read",
    administration: "read",
    contents: "read",
    environments: "read",
    issues: "read",
    members: "read",
    "pull-requests": "read",
    secrets: "read",
    variables: "read",
  },
  /** Every stack's up: its environment, deployment policy, release ruleset, variables, secrets; team lookups. */
  stack: {
    actions: "read",
    administration: "write",
    environments: "write",
    members: "read",
    secrets: "write",
    variables: "write",
  },
  /** The owning stack's up adds: files on `platform/delivery`, their pull request, the drift label. */
  repository: { contents: "write", issues: "write", "pull-requests": "write", workflows: "write" },
} as const satisfies Record<string, Record<string, Permission>>;

/**
 * Whose token a job mints: previews and drift checks a read-only one; an up a write one for a
 * stack known when rendering (`stack`) or chosen by an expression at run time (`stackExpression`,
 * e.g. `inputs.stack` in the reusable deploy workflow).
 */
export type GithubTokenJob =
  | { readonly access: "read" }
  | { readonly access: "write"; readonly stack: string }
  | { readonly access: "write"; readonly stackExpression: string };

/** The token's permissions: the read set, or the stack set plus the repository set for the owning stack. */
export function githubAppPermissions(ctx: DeliveryContext, job: GithubTokenJob): Record<string, string> {
  if (job.access === "read") return { ...GITHUB_APP_PERMISSIONS.read };
  const repository = Object.entries(GITHUB_APP_PERMISSIONS.repository).map(([name, level]) => [
    name,
    "stack" in job
      ? job.stack === ctx.owningStack
        ? level
        : undefined
      : // An empty input leaves the permission out of the token.
        `\${{ ${job.stackExpression} == '${ctx.owningStack}' && '${level}' || '' }}`,
  ]);
  const all: [string, string][] = [
    ...Object.entries(GITHUB_APP_PERMISSIONS.stack),
    ...(repository.filter(([, level]) => level !== undefined) as [string, string][]),
  ];
  return Object.fromEntries(all.sort(([a], [b]) => a.localeCompare(b)));
}

/** Step id of the token step; its `token` output is masked and revoked when the job ends. */
export const GITHUB_TOKEN_STEP = "github_token";

/**
 * The GitHub provider authenticates as a GitHub App: an installation token for this repository,
 * narrowed to what the job needs, handed to the provider as `GITHUB_TOKEN` for every later step
 * (the reusable deploy workflow's `pulumi up` runs inside `npm run release`). Up jobs use the
 * delivery app, whose key lives only in the deploy environments; previews and drift checks the
 * read-only preview app, whose key is all the `preview` environment holds. Minted after the
 * dependencies are installed, so no install script sees it, and right before the first `pulumi`.
 */
export function githubAppToken(ctx: DeliveryContext, job: GithubTokenJob): Step[] {
  const read = job.access === "read";
  const permissions = githubAppPermissions(ctx, job);
  return [
    {
      name: read ? "Mint a read-only GitHub App token" : "Mint a GitHub App token",
      id: GITHUB_TOKEN_STEP,
      uses: ACTIONS.createGithubAppToken,
      with: {
        "client-id": vars(read ? "GH_PREVIEW_APP_CLIENT_ID" : "GH_APP_CLIENT_ID"),
        "private-key": secrets(read ? "GH_PREVIEW_APP_PRIVATE_KEY" : "GH_APP_PRIVATE_KEY"),
        ...Object.fromEntries(
          Object.entries(permissions).map(([name, level]) => [`permission-${name}`, level]),
        ),
      },
    },
    {
      name: "Hand the GitHub token to the Pulumi GitHub provider",
      env: { TOKEN: `\${{ steps.${GITHUB_TOKEN_STEP}.outputs.token }}` },
      run: 'echo "GITHUB_TOKEN=${TOKEN}" >> "$GITHUB_ENV"',
    },
  ];
}

/**
 * One writer per stack. Every job that runs `pulumi up` on a stack — infra-up, a service's deploy,
 * the tag release, a rollback — joins this group, whatever workflow it is in: runs wait their turn
 * in order (`queue: max`; GitHub's default would cancel a waiting deploy when the next arrives),
 * and a running update is never cancelled, which would leave the stack locked half-way. The
 * release executor reads every service's recorded release at the start of its turn.
 */
export const stackConcurrency = (stack: string): Concurrency => ({
  group: `pulumi-${stack}`,
  cancelInProgress: false,
  queue: "max",
});

/**
 * The steps every job that runs `pulumi` starts with: the checkout, Node (never an npm cache: these
 * jobs hold an OIDC token, and a poisoned cache would run with it), the dependencies, the verified
 * Pulumi CLI, the AWS role by OIDC, then the GitHub token and the backend login.
 */
export function pulumiJobSetup(
  ctx: DeliveryContext,
  job: { readonly roleArn: string; readonly github: GithubTokenJob; readonly executor?: boolean },
): Step[] {
  return [
    ...(job.executor ? executorCheckout() : [checkout()]),
    setupNode(ctx.nodeVersions[0], false),
    npmCi,
    installPulumi,
    awsCredentials(job.roleArn),
    ...pulumiLogin(ctx, job.github),
  ];
}

/** Step id of `findExecutor`, whose outputs name the executor's repository and commit. */
export const EXECUTOR_STEP = "executor";
/** Where an application's repository is checked out beside the executor (the workspace root). */
export const APPLICATION_DIR = "application";

/**
 * The reusable workflow's own repository and commit, which the `github` context cannot tell (it is
 * the caller's): the job's OIDC token states them, signed by GitHub, as `job_workflow_ref` and
 * `job_workflow_sha`. The executor is checked out at exactly that commit, so an application's
 * repository runs the code of the workflow its deploy role trusts, and nothing a caller passes
 * chooses it.
 */
export const findExecutor: Step = {
  name: "Find the executor: this workflow's repository and commit, from the job's OIDC token",
  id: EXECUTOR_STEP,
  env: { CALLER: "${{ github.repository }}" },
  run: [
    "set -euo pipefail",
    'token="$(curl -fsS -H "Authorization: bearer ${ACTIONS_ID_TOKEN_REQUEST_TOKEN}" "${ACTIONS_ID_TOKEN_REQUEST_URL}&audience=platform-executor" | jq -r .value)"',
    'echo "::add-mask::${token}"',
    "payload=\"$(cut -d. -f2 <<< \"$token\" | tr '_-' '/+')\"",
    'while [ $(( ${#payload} % 4 )) -ne 0 ]; do payload="${payload}="; done',
    'claims="$(base64 -d <<< "$payload")"',
    'ref="$(jq -r .job_workflow_ref <<< "$claims")"',
    'sha="$(jq -r .job_workflow_sha <<< "$claims")"',
    'repository="${ref%%/.github/workflows/*}"',
    'if ! [[ "$sha" =~ ^[0-9a-f]{40}$ && "$repository" =~ ^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$ ]]; then',
    '  echo "::error::the job\'s OIDC token names no reusable workflow at a commit (job_workflow_ref: ${ref})"',
    "  exit 1",
    "fi",
    '{ echo "repository=${repository}"; echo "owner=${repository%%/*}"; echo "name=${repository#*/}"; echo "sha=${sha}"; } >> "$GITHUB_OUTPUT"',
    'if [ "${repository,,}" = "${CALLER,,}" ]; then dir=.; else dir=' + APPLICATION_DIR + "; fi",
    'echo "application-dir=${dir}" >> "$GITHUB_OUTPUT"',
  ].join("\n"),
};

const calledFromApplication = `steps.${EXECUTOR_STEP}.outputs.application-dir != '.'`;

/**
 * The executor (the platform's program and release CLI) at the workspace root, at the commit of
 * the workflow running; called from an application's repository, that repository beside it in
 * `application/`, read with a token the delivery app mints for the platform's repository
 * (contents: read, nothing else). `APPLICATION_DIR` tells the executor where the application's
 * code is (its migrations and post-deploy checks run there).
 */
export function executorCheckout(): Step[] {
  const out = (name: string) => `\${{ steps.${EXECUTOR_STEP}.outputs.${name} }}`;
  return [
    findExecutor,
    {
      name: "Mint a read-only token for the platform's repository",
      id: "executor_token",
      if: calledFromApplication,
      uses: ACTIONS.createGithubAppToken,
      with: {
        "client-id": vars("GH_APP_CLIENT_ID"),
        "private-key": secrets("GH_APP_PRIVATE_KEY"),
        owner: out("owner"),
        repositories: out("name"),
        "permission-contents": "read",
      },
    },
    {
      name: "Check out the executor at this workflow's commit",
      uses: ACTIONS.checkout,
      with: {
        repository: out("repository"),
        ref: out("sha"),
        token: "${{ steps.executor_token.outputs.token || github.token }}",
        "persist-credentials": false,
      },
    },
    {
      name: "Check out the application",
      if: calledFromApplication,
      uses: ACTIONS.checkout,
      with: { path: APPLICATION_DIR, "persist-credentials": false },
    },
    {
      name: "Tell the executor where the application is",
      env: { DIR: out("application-dir") },
      run: 'echo "APPLICATION_DIR=${GITHUB_WORKSPACE}/${DIR}" >> "$GITHUB_ENV"',
    },
  ];
}
