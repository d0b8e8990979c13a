/**
 * The GitHub Actions variables and secrets between the program and the pipelines, in one place:
 * stacks write them (`src/stack/delivery.ts`), generated workflows read them (through `vars` and
 * `secrets` below). A test renders every workflow and evaluates every stack, and fails when a
 * workflow reads a name no stack writes, or a stack writes a name no workflow reads.
 */
import { varSuffix } from "./context";

/** Where a name lives. */
export type NameScope =
  /** The stack's own environment (`development`, `staging`, `production`). */
  | "environment"
  /** The shared `preview` environment, one copy per stack suffixed `_<STACK>`. */
  | "preview"
  /** The repository, one copy per stack suffixed `_<STACK>`. */
  | "repository"
  /** Each preview environment itself, unsuffixed: `preview` and a production stack's `preview-<stack>`. */
  | "preview-environment";

interface NameSpecBase {
  readonly kind: "variable" | "secret";
  readonly scope: NameScope;
  readonly description: string;
}

/**
 * Who writes a name: the program (from a stack's outputs or secret config), or the operator,
 * once, with the exact command that sets it (a prerequisite nobody can guess is one nobody sets).
 */
export type NameSpec = NameSpecBase &
  ({ readonly writer: "program" } | { readonly writer: "operator"; readonly command: string });

export const DELIVERY_NAMES = {
  AWS_REGION: {
    kind: "variable",
    scope: "environment",
    writer: "program",
    description: "AWS region of the stack (aws:region).",
  },
  AWS_DEPLOY_ROLE_ARN: {
    kind: "variable",
    scope: "environment",
    writer: "program",
    description: "Role the environment's jobs assume by GitHub OIDC.",
  },
  PULUMI_BACKEND_URL: {
    kind: "variable",
    scope: "environment",
    writer: "program",
    description: "State backend the environment's jobs log in to.",
  },
  PULUMI_ENCRYPTION_PROVIDER: {
    kind: "variable",
    scope: "environment",
    writer: "program",
    description: "`--secrets-provider` a new stack is created with (a key reference, not a secret).",
  },
  STATE_BACKUP_URI: {
    kind: "variable",
    scope: "environment",
    writer: "program",
    description: "s3:// prefix the state is exported to before every up (S3 backend).",
  },
  MIGRATION_BACKUP_URI: {
    kind: "variable",
    scope: "environment",
    writer: "program",
    description: "s3:// prefix of the database dumps taken before migrations (S3 backend).",
  },
  ENVIRONMENT_URL: {
    kind: "variable",
    scope: "environment",
    writer: "program",
    description: "URL shown on the environment's deployments (github.environmentUrl).",
  },
  REGISTRY_URLS: {
    kind: "variable",
    scope: "environment",
    writer: "program",
    description: "JSON map service → image repository of the stack.",
  },
  AWS_PREVIEW_ROLE_ARN: {
    kind: "variable",
    scope: "preview",
    writer: "program",
    description: "Read-only role of a stack's previews and drift checks.",
  },
  PULUMI_BACKEND_URL_PREVIEW: {
    kind: "variable",
    scope: "preview",
    writer: "program",
    description:
      "State backend of a stack, for its previews and drift checks (written as PULUMI_BACKEND_URL_<STACK>).",
  },
  REGISTRY_URLS_REPOSITORY: {
    kind: "variable",
    scope: "repository",
    writer: "program",
    description: "A stack's registry map, for release.yml's promotion (written as REGISTRY_URLS_<STACK>).",
  },
  RUNNER_LABELS_REPOSITORY: {
    kind: "variable",
    scope: "repository",
    writer: "program",
    description:
      "A stack's runner labels (platform:ci.runner) as a JSON array, `{0}`/`{1}` for the run id and attempt, read at runs-on time (written as RUNNER_LABELS_<STACK>).",
  },
  SLACK_WEBHOOK_URL: {
    kind: "secret",
    scope: "environment",
    writer: "program",
    description: "Deploy notifications, from the secret config platform:slackWebhookUrl.",
  },
  GH_APP_CLIENT_ID: {
    kind: "variable",
    scope: "environment",
    writer: "operator",
    command: "gh variable set GH_APP_CLIENT_ID --env <environment> --body <client-id>",
    description:
      "Client ID of the delivery GitHub App, which up and deploy jobs mint their write token from; set in each deploy environment.",
  },
  GH_APP_PRIVATE_KEY: {
    kind: "secret",
    scope: "environment",
    writer: "operator",
    command: "gh secret set GH_APP_PRIVATE_KEY --env <environment> < delivery-app.pem",
    description:
      "Private key of the delivery GitHub App; set in each deploy environment, never in preview (pull requests run there).",
  },
  GH_PREVIEW_APP_CLIENT_ID: {
    kind: "variable",
    scope: "preview-environment",
    writer: "operator",
    command: "gh variable set GH_PREVIEW_APP_CLIENT_ID --env <preview environment> --body <client-id>",
    description:
      "Client ID of the read-only preview GitHub App that previews and drift checks mint their token from; set in `preview` and each `preview-<production stack>`.",
  },
  GH_PREVIEW_APP_PRIVATE_KEY: {
    kind: "secret",
    scope: "preview-environment",
    writer: "operator",
    command: "gh secret set GH_PREVIEW_APP_PRIVATE_KEY --env <preview environment> < preview-app.pem",
    description:
      "Private key of the read-only preview GitHub App (read permissions only, so a pull request that reads it can still write nothing); set in `preview` and each `preview-<production stack>`.",
  },
  PULUMI_CONFIG_PASSPHRASE: {
    kind: "secret",
    scope: "environment",
    writer: "operator",
    command: "gh secret set PULUMI_CONFIG_PASSPHRASE --env <environment>",
    description:
      "Passphrase of passphrase-encrypted stacks, set once in each stack's environment and in preview (a stack cannot hand out its own key).",
  },
  DEPLOY_FREEZE: {
    kind: "variable",
    scope: "environment",
    writer: "operator",
    command: 'gh variable set DEPLOY_FREEZE --env <environment> --body "<reason, e.g. incident INC-123>"',
    description:
      "Emergency switch: while non-empty, every deploy into the environment is refused with this reason (delete it to lift the freeze). Rollbacks still run.",
  },
  CHANGE_WINDOW_OVERRIDE: {
    kind: "variable",
    scope: "environment",
    writer: "operator",
    command:
      "gh variable set CHANGE_WINDOW_OVERRIDE --env <environment> --body \"$(date -u -d '+2 hours' +%FT%TZ)\"",
    description:
      "An approver's override of the stack's change windows: deploys run inside a window until this ISO time, then the windows hold again.",
  },
  DORA_SLACK_WEBHOOK_URL: {
    kind: "secret",
    scope: "environment",
    writer: "operator",
    command: "gh secret set DORA_SLACK_WEBHOOK_URL --env <environment> (the delivery-metrics environment)",
    description: "Slack incoming webhook dora.yml posts the weekly delivery metrics to.",
  },
} as const satisfies Record<string, NameSpec>;

export type DeliveryName = keyof typeof DELIVERY_NAMES;
type NamesWhere<K, S> = {
  [N in DeliveryName]: (typeof DELIVERY_NAMES)[N]["kind"] extends K
    ? (typeof DELIVERY_NAMES)[N]["scope"] extends S
      ? N
      : never
    : never;
}[DeliveryName];
export type VariableName = NamesWhere<"variable", NameScope>;
export type EnvironmentVariableName = NamesWhere<"variable", "environment">;
export type EnvironmentSecretName = NamesWhere<"secret", "environment">;
export type SecretName = NamesWhere<"secret", NameScope>;

/** The name as GitHub stores it: per-stack names get the stack's suffix (`AWS_PREVIEW_ROLE_ARN_DEV`). */
export function storedName(name: DeliveryName, stack?: string): string {
  return storedNameIn(name, DELIVERY_NAMES[name].scope, stack);
}

/** `storedName` for any name of a scope (the contract's or a test's). */
export function storedNameIn(name: string, scope: NameScope, stack?: string): string {
  if (scope === "environment" || scope === "preview-environment") return name;
  if (!stack) throw new Error(`${name} is stored per stack; name the stack`);
  return `${name.replace(/_(PREVIEW|REPOSITORY)$/, "")}_${varSuffix(stack)}`;
}

/** `${{ vars.NAME }}` for a name of the contract (per-stack names need the stack). */
export function vars(name: VariableName, stack?: string): string {
  return `\${{ vars.${storedName(name, stack)} }}`;
}

/** `${{ secrets.NAME }}` for a secret of the contract. */
export function secrets(name: SecretName): string {
  return `\${{ secrets.${name} }}`;
}
