/**
 * The delivery layer of a stack: GitHub OIDC roles in the stack's account, the stack's GitHub
 * environment, and — in the one stack with `github.manageRepository` — the repository-level
 * objects and generated workflows. It receives what the platform layers produced and reaches
 * back into none of them.
 */
import * as aws from "../lib/aws";
import * as github from "@pulumi/github";
import * as pulumi from "@pulumi/pulumi";
import { applicationOf, ownApplicationOf, repositoryVisibilityOf } from "../config/applications";
import { DeliveryEnvironment } from "../components/github/delivery-environment";
import { DeliveryRepository } from "../components/github/delivery-repo";
import { DeployRoles, HostedZoneScope } from "../components/aws/deploy-roles";
import {
  BackendConfig,
  backendUrl,
  GithubConfig,
  planFeatures,
  PlanFeatures,
  secretsProviderUrl,
  ServiceConfig,
  StackConfig,
} from "../config";
import { AccountContext } from "../lib/kms";
import { CI_ROLES } from "../lib/naming";
import { promotionSourceRepositoryArns } from "./promotion";
import { stateBackupPrefix } from "../lib/state-access";
import { allowedActionPatterns } from "../workflows/pins";
import { DeliveryContext, deliveryFiles, requiredChecks } from "../workflows";
import { DeliveryService, DeliveryStack, ServiceBuild } from "../workflows/context";
import { buildPathOf, ServiceBuildConfig } from "../config/service-build";
import { CheckKind, TOOLCHAINS } from "../workflows/toolchains";
import { ciContainer, ContainerChoice } from "../workflows/containers";
import {
  deploySource,
  integrationBranches,
  PREVIEW_ENVIRONMENT,
  previewEnvironmentOf,
  promotionSource,
  RELEASE_BRANCH,
} from "../workflows/context";
import { runnerLabelsTemplate } from "../config/runners";
import { EnvironmentSecretName, EnvironmentVariableName, storedName } from "../workflows/names";

/** Validation rejects a github section without a backend; this keeps the types honest. */
function requiredBackend(gh: GithubConfig): BackendConfig {
  if (!gh.backend) throw new Error("platform:github.backend is required (validated before this runs)");
  return gh.backend;
}

/** What the pipelines are generated from, for the stack that owns the repository. */
export function deliveryContext(config: StackConfig, gh: GithubConfig): DeliveryContext {
  return {
    owner: gh.owner,
    repository: gh.repository,
    branchModel: config.branchModel,
    stacks: gh.stacks,
    // An application with a repository of its own builds and deploys from there.
    services: deliveryServices(
      config,
      config.services.filter((s) => !ownApplicationOf(s, config)),
    ),
    registryKind: config.registry.kind,
    // The executor serves every application's repository, whichever stack declares it: both
    // kinds' build workflows, and deploys that may read packages.
    registryKinds: gh.executorCommit ? ["ecr", "ghcr"] : [config.registry.kind],
    nodeVersions: gh.nodeVersions,
    coverageThreshold: gh.coverageThreshold,
    integrationServices: gh.integrationServices,
    contractTests: gh.contractTests,
    passphraseSecrets: gh.secrets.provider === "passphrase",
    backend: requiredBackend(gh),
    codeOwners: gh.codeOwners,
    owningStack: config.stack,
    codeScanning: planFeatures(gh.plan, gh.visibility, gh.advancedSecurity).codeScanning,
  };
}

/** The services of a repository's pipelines, as the workflows see them. */
export function deliveryServices(config: StackConfig, services: readonly ServiceConfig[]): DeliveryService[] {
  return services.map((s) => ({
    name: s.name,
    ...(config.applicationStacks ? { application: applicationOf(s, config) } : {}),
    target: s.target,
    strategy: s.strategy.type,
    canarySteps: s.strategy.type === "canary" ? s.strategy.steps : [],
    healthPath: s.healthPath,
    ...(s.build ? { build: serviceBuild(s.name, s.build, repositoryVisibilityOf(s, config)) } : {}),
  }));
}

/**
 * A service's build with its toolchain's defaults: versions, and every check's command but
 * `contract` and `build` (run only when declared) and `integration` (only with containers or a
 * command of the service's own).
 */
export function serviceBuild(
  name: string,
  b: ServiceBuildConfig,
  visibility: "public" | "private" | "internal" = "private",
): ServiceBuild {
  const t = TOOLCHAINS[b.toolchain];
  const own = b.commands as Partial<Record<CheckKind, string>>;
  const { integration, ...defaults } = t.defaults;
  return {
    path: buildPathOf(name, b),
    ...(b.sharedPaths.length ? { sharedPaths: b.sharedPaths } : {}),
    toolchain: b.toolchain,
    versions: b.versions ?? [...t.defaultVersions],
    commands: {
      ...defaults,
      ...(b.containers.some((c) => ciContainer(c as ContainerChoice).job === "integration") && integration
        ? { integration }
        : {}),
      ...Object.fromEntries(Object.entries(own).filter(([, v]) => v !== undefined)),
    },
    coverage: b.coverage,
    containers: b.containers as ContainerChoice[],
    ...(b.pacts ? { pacts: b.pacts } : {}),
    dockerfile: b.dockerfile,
    architectures: b.architectures ?? defaultArchitectures(visibility),
  };
}

/** A service's image architectures unless it names its own: arm64 only where GitHub offers its runner. */
export const defaultArchitectures = (visibility: "public" | "private" | "internal"): ("amd64" | "arm64")[] =>
  visibility === "public" ? ["amd64", "arm64"] : ["amd64"];

export interface DeliveryInputs {
  readonly awsProvider?: aws.Provider;
  readonly account?: AccountContext;
  readonly registryUrls: pulumi.Input<Record<string, string>>;
  readonly repositoryArns: pulumi.Input<string>[];
  /** Secrets of the migrating services' database URLs, which the deploy role reads. @default [] */
  readonly migrationSecretArns?: readonly string[];
  /** Secrets the program reads while it runs (the PagerDuty key), which both CI roles read. @default [] */
  readonly programSecretArns?: readonly string[];
  /** The Route 53 zone and domain of the services' records (config `dns`). */
  readonly hostedZone?: HostedZoneScope;
  /** The CI roles when the platform built them first (see ciRolesLayer); absent, built here. */
  readonly roles?: DeployRoles;
  /** The environment's application stacks, whose state the CI roles reach too. @default [] */
  readonly applicationStacks?: readonly string[];
}

export interface DeliveryOutputs {
  readonly deployRoleArn: pulumi.Output<string> | null;
  readonly previewRoleArn: pulumi.Output<string> | null;
}

/** What the owner's plan offers this stack's repository. */
export const featuresOf = (gh: GithubConfig): PlanFeatures =>
  planFeatures(gh.plan, gh.visibility, gh.advancedSecurity);

/**
 * The GitHub provider's arguments. The token comes from the job (`GITHUB_TOKEN`: a GitHub App
 * installation token the generated workflows mint, or an operator's token locally). Read from the
 * environment by the SDK it would be stored in the provider's inputs in plain text; passed
 * explicitly, the SDK marks it secret and the state keeps it encrypted.
 */
export function githubProviderArgs(owner: string, env: NodeJS.ProcessEnv = process.env): github.ProviderArgs {
  return { owner, ...(env.GITHUB_TOKEN ? { token: env.GITHUB_TOKEN } : {}) };
}

export function buildDelivery(config: StackConfig, inputs: DeliveryInputs): DeliveryOutputs {
  const gh = config.github;
  const own = gh?.stacks.find((s) => s.stack === config.stack);
  if (!gh || !own) return { deployRoleArn: null, previewRoleArn: null };
  const ghOpts = { providers: { github: new github.Provider("github", githubProviderArgs(gh.owner)) } };
  const roles =
    "roles" in inputs
      ? inputs.roles
      : createDeployRoles(
          gh,
          own,
          inputs,
          promotionSourceRepositoryArns(config, inputs.account?.partition ?? "aws"),
        );
  const repository = gh.manageRepository ? createRepository(config, gh, ghOpts) : undefined;
  const registryJson = pulumi.output(inputs.registryUrls).apply((m) => JSON.stringify(m));
  new DeliveryEnvironment(
    own.environment,
    {
      repository: gh.repository,
      environment: own.environment,
      source: deploySource(config.branchModel, own),
      reviewers: gh.reviewers,
      waitTimerMinutes: gh.waitTimerMinutes,
      variables: environmentVariables(config, gh, registryJson, roles),
      secrets: environmentSecrets(config),
      foreignVariables: previewVariables(config, gh, roles),
      ownPreviewEnvironment:
        previewEnvironmentOf(own) === PREVIEW_ENVIRONMENT
          ? undefined
          : { name: previewEnvironmentOf(own), branch: RELEASE_BRANCH },
      // release.yml promotes tagged releases from one stack's registry: that stack publishes it.
      repositoryVariables: {
        ...(promotionSource(config.branchModel, gh.stacks)?.stack === config.stack
          ? { [storedName("REGISTRY_URLS_REPOSITORY", config.stack)]: registryJson }
          : {}),
        // Read by the owning stack's workflows at `runs-on` time (environment variables are not).
        [storedName("RUNNER_LABELS_REPOSITORY", config.stack)]: runnerLabelsTemplate(config),
      },
      stack: config.stack,
      features: featuresOf(gh),
    },
    { ...ghOpts, dependsOn: repository ? [repository] : [] },
  );
  return { deployRoleArn: roles?.deployRoleArn ?? null, previewRoleArn: roles?.previewRoleArn ?? null };
}

/** The stack's GitHub OIDC roles in its AWS account (none for a stack without AWS). */
export function createDeployRoles(
  gh: GithubConfig,
  own: DeliveryStack,
  inputs: DeliveryInputs,
  sourceRepositoryArns: pulumi.Input<string>[] = [],
): DeployRoles | undefined {
  if (!inputs.account || !inputs.awsProvider) return undefined;
  return new DeployRoles(
    CI_ROLES,
    {
      owner: gh.owner,
      repository: gh.repository,
      environment: own.environment,
      previewEnvironment: previewEnvironmentOf(own),
      oidcProviderArn: gh.oidcProviderArn,
      repositoryArns: inputs.repositoryArns,
      sourceRepositoryArns,
      stateBackend: gh.backend?.kind === "s3" ? gh.backend : undefined,
      secretsKeyArn: gh.secrets.provider === "awskms" ? gh.secrets.keyArn : undefined,
      applicationStacks: inputs.applicationStacks,
      migrationSecretArns: inputs.migrationSecretArns,
      programSecretArns: inputs.programSecretArns,
      account: inputs.account,
      hostedZone: inputs.hostedZone,
    },
    { providers: { aws: inputs.awsProvider } },
  );
}

/** The repository-level objects and generated files, in the one stack that owns the repository. */
export function createRepository(
  config: StackConfig,
  gh: GithubConfig,
  opts: pulumi.ComponentResourceOptions,
): DeliveryRepository {
  const ctx = deliveryContext(config, gh);
  const repository = new DeliveryRepository(
    "repo",
    {
      repository: gh.repository,
      description: "Services and the platform program that delivers them",
      protectedBranches: integrationBranches(config.branchModel),
      requiredChecks: requiredChecks(ctx),
      requiredApprovals: gh.requiredApprovals,
      allowedActions: allowedActionPatterns(),
      files: deliveryFiles(ctx),
      previewEnvironment: PREVIEW_ENVIRONMENT,
      features: featuresOf(gh),
    },
    opts,
  );
  // Applications' repositories call this one's reusable workflows (github.executorCommit): a
  // private or internal repository shares them with the owner's other repositories only when
  // its Actions access level says so (public ones share them with everyone).
  if (gh.executorCommit && gh.visibility !== "public")
    new github.ActionsRepositoryAccessLevel(
      "repo-executor-access",
      { repository: repository.name, accessLevel: "organization" },
      { provider: (opts.providers as { github?: github.Provider } | undefined)?.github },
    );
  return repository;
}

/** The stack's own environment variables (names from the contract in `src/workflows/names.ts`). */
export function environmentVariables(
  config: StackConfig,
  gh: GithubConfig,
  registryJson: pulumi.Input<string>,
  roles?: { readonly deployRoleArn: pulumi.Input<string> },
): Partial<Record<EnvironmentVariableName, pulumi.Input<string>>> {
  const backup = gh.backend?.kind === "s3" ? stateBackupUri(gh.backend.bucket, config.stack) : undefined;
  return {
    ...(config.awsRegion ? { AWS_REGION: config.awsRegion } : {}),
    ...(roles ? { AWS_DEPLOY_ROLE_ARN: roles.deployRoleArn } : {}),
    ...(gh.backend ? { PULUMI_BACKEND_URL: backendUrl(gh.backend) } : {}),
    // The `--secrets-provider` a new stack is created with. Named without "SECRET": it is a key
    // reference, not a secret, and the policy pack rejects secret-looking variable names.
    PULUMI_ENCRYPTION_PROVIDER: secretsProviderUrl(gh.secrets),
    // Database dumps go beside the state exports: the deploy role may already write there, and
    // the bucket is versioned, KMS-encrypted, access-logged and expires backups on a schedule.
    ...(backup ? { STATE_BACKUP_URI: backup, MIGRATION_BACKUP_URI: `${backup}/database` } : {}),
    ...(gh.environmentUrl ? { ENVIRONMENT_URL: gh.environmentUrl } : {}),
    REGISTRY_URLS: registryJson,
  };
}

/** `s3://<bucket>/state-backups/<project>/<stack>`: where `up` exports the state first. */
export function stateBackupUri(bucket: string, stack: string): string {
  return `s3://${bucket}/${stateBackupPrefix(pulumi.getProject(), stack)}`;
}

/** Environment secrets from the stack's secret config; each stays a secret in state. */
export function environmentSecrets(
  config: StackConfig,
): Partial<Record<EnvironmentSecretName, pulumi.Output<string>>> {
  return {
    ...(config.slackWebhookUrl ? { SLACK_WEBHOOK_URL: pulumi.secret(config.slackWebhookUrl) } : {}),
  };
}

/**
 * Preview and drift jobs run in the stack's preview environment — the shared `preview`, or a
 * production stack's own `preview-<stack>` (see previewEnvironmentOf): the stack writes its
 * suffixed role and backend there.
 */
export function previewVariables(
  config: StackConfig,
  gh: GithubConfig,
  roles?: { readonly previewRoleArn: pulumi.Input<string> },
): { environment: string; name: string; value: pulumi.Input<string> }[] {
  const own = gh.stacks.find((s) => s.stack === config.stack);
  const environment = own ? previewEnvironmentOf(own) : PREVIEW_ENVIRONMENT;
  return [
    ...(roles
      ? [
          {
            environment,
            name: storedName("AWS_PREVIEW_ROLE_ARN", config.stack),
            value: roles.previewRoleArn,
          },
        ]
      : []),
    ...(gh.backend?.kind === "s3"
      ? [
          {
            environment,
            name: storedName("PULUMI_BACKEND_URL_PREVIEW", config.stack),
            value: backendUrl(gh.backend),
          },
        ]
      : []),
  ];
}
