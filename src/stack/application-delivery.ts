/**
 * Applications with repositories of their own (`applications[]`), in one platform stack: each
 * gets a deploy role in the stack's account (its own resources, state and images only), its own
 * namespaces on the stack's cluster, and in its repository the stack's environment (reviewers,
 * deployment policy, variables) and — in the stack that manages its repository — the repository's
 * governance, OIDC subject template and generated workflows, which call the platform's reusable
 * workflows at `github.executorCommit`.
 */
import * as github from "@pulumi/github";
import * as k8s from "../lib/k8s";
import * as pulumi from "@pulumi/pulumi";
import { ApplicationConfig, GithubConfig, planFeatures, StackConfig } from "../config";
import { namespaceOf, registryOf, servicesOf } from "../config/applications";
import { exposureOf, hostNameOf } from "../config/dns";
import { ApplicationRole, APPLICATION_SUBJECT_CLAIMS } from "../components/aws/application-roles";
import type { DeployRoles } from "../components/aws/deploy-roles";
import type { Registry } from "../components/aws/registry";
import { DeliveryEnvironment } from "../components/github/delivery-environment";
import { DeliveryRepository } from "../components/github/delivery-repo";
import { createNamespace } from "../components/kubernetes/app";
import { rolePath } from "../lib/naming";
import { applicationFiles, requiredChecks } from "../workflows";
import {
  buildImageFile,
  DeliveryContext,
  deploySource,
  ExecutorRef,
  ExecutorWorkflow,
  executorWorkflowRef,
  integrationBranches,
  promotionSource,
} from "../workflows/context";
import { servesGhcr } from "../workflows/deploy";
import { allowedActionPatterns } from "../workflows/pins";
import { storedName } from "../workflows/names";
import { runnerLabelsTemplate } from "../config/runners";
import { applicationStackName } from "../config/applications";
import type { AwsLayer } from "./platform";
import { deliveryContext, deliveryServices, environmentVariables, githubProviderArgs } from "./delivery";
import { promotionSourceRepositoryArns } from "./promotion";

/** Whether the platform stack creates the service's namespace (its application's role may not). */
export function platformOwnsNamespace(
  service: { readonly target: "eks" | "ecs"; readonly application?: string },
  config: Pick<StackConfig, "applications" | "github">,
): boolean {
  return (
    service.target === "eks" &&
    service.application !== undefined &&
    config.applications.some((a) => a.name === service.application)
  );
}

/** The platform's executor an application's repository calls, with what its workflows need to know of it. */
export function executorOf(config: StackConfig, app: ApplicationConfig): ExecutorRef {
  const gh = config.github;
  if (!gh?.executorCommit)
    throw new Error("github.executorCommit is required with applications (validated before this runs)");
  const platformCtx = deliveryContext(config, gh);
  return {
    owner: gh.owner,
    repository: gh.repository,
    commit: gh.executorCommit,
    buildImage: buildImageFile(config.registry.kind, registryOf({ application: app.name }, config).kind),
    packagesRead: servesGhcr(platformCtx),
  };
}

/** The workflows of the platform an application's jobs run, whose `job_workflow_ref` its role trusts. */
export function executorWorkflows(executor: ExecutorRef): ExecutorWorkflow[] {
  return [executor.buildImage, "deploy-service.yml", "rollback-service.yml"];
}

/** What an application's repository's pipelines are generated from. */
export function applicationDeliveryContext(config: StackConfig, app: ApplicationConfig): DeliveryContext {
  const gh = config.github!;
  const platform = deliveryContext(config, gh);
  const features = planFeatures(app.github.plan, app.github.visibility, app.github.advancedSecurity);
  return {
    ...platform,
    owner: app.github.owner,
    repository: app.github.repository,
    branchModel: app.github.branchModel,
    stacks: app.github.stacks,
    services: deliveryServices(config, servicesOf(config, app.name)),
    registryKind: registryOf({ application: app.name }, config).kind,
    registryKinds: [registryOf({ application: app.name }, config).kind],
    integrationServices: [],
    contractTests: false,
    codeOwners: app.github.codeOwners,
    owningStack: app.github.stacks.find((s) => s.stack === config.stack)?.stack ?? config.stack,
    codeScanning: features.codeScanning,
    executor: executorOf(config, app),
  };
}

/** The namespaces of an application's EKS services on this stack's cluster. */
export function applicationNamespaces(config: StackConfig, app: string): string[] {
  return servicesOf(config, app)
    .filter((s) => s.target === "eks")
    .map((s) => namespaceOf(s.name, config));
}

/**
 * Each application's deploy role in the stack's account, trusted by its repository's environment
 * for this stack and the platform's workflows at the pinned commit only.
 */
export function applicationRolesLayer(
  config: StackConfig,
  awsl: AwsLayer | undefined,
  registry: Registry,
  roles: DeployRoles | undefined,
): Record<string, ApplicationRole> {
  const gh = config.github;
  if (!awsl || !roles || !gh) return {};
  const out: Record<string, ApplicationRole> = {};
  for (const app of config.applications) {
    const own = app.github.stacks.find((s) => s.stack === config.stack);
    if (!own) continue;
    const executor = executorOf(config, app);
    const services = servicesOf(config, app.name);
    out[app.name] = new ApplicationRole(
      `app-${app.name}`,
      {
        application: app.name,
        owner: app.github.owner,
        repository: app.github.repository,
        environment: own.environment,
        oidcProviderArn: roles.oidcProviderArn,
        // The pinned commit, and during a move to it the one it replaces.
        workflowRefs: [
          executor,
          ...(gh.previousExecutorCommit ? [{ ...executor, commit: gh.previousExecutorCommit }] : []),
        ].flatMap((ex) => executorWorkflows(ex).map((f) => executorWorkflowRef(ex, f))),
        account: awsl.account,
        rolePath: rolePath(),
        repositoryArns: services.flatMap((s) => {
          const arn = registry.repositoryArns[s.name];
          return arn ? [arn] : [];
        }),
        // The stack its own mapping copies images from (its ECR services only).
        sourceRepositoryArns: promotionSourceRepositoryArns(
          {
            ...config,
            branchModel: app.github.branchModel,
            github: { ...gh, stacks: app.github.stacks },
            services: services.filter((s) => registryOf(s, config).kind === "ecr"),
          },
          awsl.account.partition,
        ),
        stateBackend: gh.backend?.kind === "s3" ? gh.backend : undefined,
        platformStack: config.stack,
        applicationStack: applicationStackName(app.name, config.stack),
        secretsKeyArn: gh.secrets.provider === "awskms" ? gh.secrets.keyArn : undefined,
        migrationSecretArns: services.flatMap((s) =>
          s.migrations ? [s.migrations.databaseUrlSecretArn] : [],
        ),
        serviceSecretArns: services.flatMap((s) => {
          const pull = registryOf(s, config).pullCredentialsSecretArn;
          return [
            ...Object.values(s.secrets ?? {}),
            ...(s.migrations ? [s.migrations.databaseUrlSecretArn] : []),
            ...(pull ? [pull] : []),
          ];
        }),
        hostedZone: config.dns ? { id: config.dns.hostedZoneId, domain: config.dns.domain } : undefined,
        hostNames: services.flatMap((s) => {
          const host = exposureOf(s, config) === "cluster" ? undefined : hostNameOf(s, config);
          return host ? [host.toLowerCase()] : [];
        }),
      },
      awsl.opts,
    );
  }
  return out;
}

/** What the EKS cluster grants the application roles: edit in their own namespaces. */
export function applicationAccess(config: StackConfig, roles: Record<string, ApplicationRole>) {
  return Object.entries(roles)
    .map(([application, role]) => ({
      application,
      roleArn: role.roleArn,
      namespaces: applicationNamespaces(config, application),
    }))
    .filter((a) => a.namespaces.length > 0);
}

/**
 * The namespaces of the applications' EKS services, created here with the labels the workload
 * would give them: their deploy roles edit inside them and cannot create one.
 */
export function applicationNamespacesLayer(config: StackConfig, provider: k8s.Provider | undefined): void {
  if (!provider || !config.applicationStacks) return;
  for (const app of config.applications)
    for (const s of servicesOf(config, app.name).filter((s) => s.target === "eks"))
      createNamespace(
        `app-${s.name}`,
        namespaceOf(s.name, config),
        { provider },
        exposureOf(s, config) !== "cluster",
      );
}

/**
 * Each application's repository: in every stack it deploys to, its environment (reviewers,
 * deployment policy from its own mapping, the role and backend variables, its runner labels and,
 * for the promotion source, its registry map); in the stack that manages it, the repository
 * itself, governed per its plan, with its OIDC subject template and generated workflows.
 */
export function buildApplicationRepositories(
  config: StackConfig,
  roles: Record<string, ApplicationRole>,
  registryUrls: pulumi.Input<Record<string, string>>,
): void {
  const gh = config.github;
  if (!gh) return;
  for (const app of config.applications) {
    const own = app.github.stacks.find((s) => s.stack === config.stack);
    if (!own) continue;
    const provider = new github.Provider(`github-${app.name}`, githubProviderArgs(app.github.owner));
    const opts = { providers: { github: provider } };
    const features = planFeatures(app.github.plan, app.github.visibility, app.github.advancedSecurity);
    const repository = app.github.manageRepository
      ? createApplicationRepository(config, app, provider)
      : undefined;
    const names = servicesOf(config, app.name).map((s) => s.name);
    const registryJson = pulumi
      .output(registryUrls)
      .apply((m) => JSON.stringify(Object.fromEntries(names.filter((n) => m[n]).map((n) => [n, m[n]]))));
    const role = roles[app.name];
    const source = promotionSource(app.github.branchModel, app.github.stacks);
    new DeliveryEnvironment(
      `${app.name}-${own.environment}`,
      {
        repository: app.github.repository,
        environment: own.environment,
        source: deploySource(app.github.branchModel, own),
        reviewers: app.github.reviewers,
        waitTimerMinutes: app.github.waitTimerMinutes,
        variables: {
          ...environmentVariables(
            config,
            applicationGithub(gh, app),
            registryJson,
            role && { deployRoleArn: role.roleArn },
          ),
        },
        secrets: {},
        foreignVariables: [],
        repositoryVariables: {
          ...(source?.stack === config.stack
            ? { [storedName("REGISTRY_URLS_REPOSITORY", config.stack)]: registryJson }
            : {}),
          [storedName("RUNNER_LABELS_REPOSITORY", config.stack)]: runnerLabelsTemplate(config),
        },
        stack: config.stack,
        features,
      },
      { ...opts, dependsOn: repository ? [repository] : [] },
    );
  }
}

/** The platform's GitHub settings as they apply to an application's environment: its own URL, the platform's backend. */
function applicationGithub(gh: GithubConfig, app: ApplicationConfig): GithubConfig {
  return { ...gh, environmentUrl: app.github.environmentUrl };
}

/** The application's repository: governance per its plan, OIDC subject template, generated workflows. */
function createApplicationRepository(
  config: StackConfig,
  app: ApplicationConfig,
  provider: github.Provider,
): DeliveryRepository {
  const opts = { providers: { github: provider } };
  const ctx = applicationDeliveryContext(config, app);
  const repository = new DeliveryRepository(
    `${app.name}-repo`,
    {
      repository: app.github.repository,
      description: `${app.name}: delivered by the platform (${config.github!.owner}/${config.github!.repository})`,
      protectedBranches: integrationBranches(app.github.branchModel),
      requiredChecks: requiredChecks(ctx),
      requiredApprovals: app.github.requiredApprovals,
      allowedActions: allowedActionPatterns(),
      files: applicationFiles(ctx),
      features: planFeatures(app.github.plan, app.github.visibility, app.github.advancedSecurity),
    },
    opts,
  );
  // The deploy roles trust `repo`, the environment and the platform's workflow at its commit:
  // the repository's subject claim must carry all three (GitHub's default carries the first two).
  new github.ActionsRepositoryOidcSubjectClaimCustomizationTemplate(
    `${app.name}-oidc-subject`,
    { repository: repository.name, useDefault: false, includeClaimKeys: APPLICATION_SUBJECT_CLAIMS },
    { provider },
  );
  return repository;
}
