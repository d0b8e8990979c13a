/**
 * The delivery layer of a stack: GitHub OIDC roles in the stack's account, the stack's GitHub
 * environment, and — in the one stack with `github.manageRepository` — the repository-level
 * objects and generated workflows. It receives what the platform layers produced and reaches
 * back into none of them.
 */
import * as aws from "../lib/aws";
import * as github from "@pulumi/github";
import * as pulumi from "@pulumi/pulumi";
import { DeliveryEnvironment } from "../components/github/delivery-environment";
import { DeliveryRepository } from "../components/github/delivery-repo";
import { DeployRoles } from "../components/aws/deploy-roles";
import { BackendConfig, backendUrl, GithubConfig, secretsProviderUrl, StackConfig } from "../config";
import { AccountContext } from "../lib/kms";
import { stateBackupPrefix } from "../lib/state-access";
import { allowedActionPatterns } from "../workflows/pins";
import { DeliveryContext, deliveryFiles, requiredChecks } from "../workflows";
import { deploySource, integrationBranches, PREVIEW_ENVIRONMENT, varSuffix } from "../workflows/context";

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
    services: config.services.map((s) => ({
      name: s.name,
      target: s.target,
      strategy: s.strategy.type,
      canarySteps: s.strategy.type === "canary" ? s.strategy.steps : [],
      healthPath: s.healthPath,
      migrations: s.migrations,
    })),
    registryKind: config.registry.kind,
    nodeVersions: gh.nodeVersions,
    coverageThreshold: gh.coverageThreshold,
    integrationServices: gh.integrationServices,
    contractTests: gh.contractTests,
    passphraseSecrets: gh.secrets.provider === "passphrase",
    backend: requiredBackend(gh),
    codeOwners: gh.codeOwners,
  };
}

export interface DeliveryInputs {
  readonly awsProvider?: aws.Provider;
  readonly account?: AccountContext;
  readonly registryUrls: pulumi.Input<Record<string, string>>;
  readonly repositoryArns: pulumi.Input<string>[];
  readonly clusterName?: pulumi.Input<string>;
}

export interface DeliveryOutputs {
  readonly deployRoleArn: pulumi.Output<string> | null;
  readonly previewRoleArn: pulumi.Output<string> | null;
}

export function buildDelivery(config: StackConfig, inputs: DeliveryInputs): DeliveryOutputs {
  const gh = config.github;
  const own = gh?.stacks.find((s) => s.stack === config.stack);
  if (!gh || !own) return { deployRoleArn: null, previewRoleArn: null };
  const provider = new github.Provider("github", { owner: gh.owner });
  const ghOpts = { providers: { github: provider } };

  const roles =
    inputs.account && inputs.awsProvider
      ? new DeployRoles(
          "ci",
          {
            owner: gh.owner,
            repository: gh.repository,
            environment: own.environment,
            previewEnvironment: PREVIEW_ENVIRONMENT,
            oidcProviderArn: gh.oidcProviderArn,
            repositoryArns: inputs.repositoryArns,
            stateBackend: gh.backend?.kind === "s3" ? gh.backend : undefined,
            secretsKeyArn: gh.secrets.provider === "awskms" ? gh.secrets.keyArn : undefined,
            account: inputs.account,
          },
          { providers: { aws: inputs.awsProvider } },
        )
      : undefined;

  let repository: DeliveryRepository | undefined;
  if (gh.manageRepository) {
    const ctx = deliveryContext(config, gh);
    repository = new DeliveryRepository(
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
      },
      ghOpts,
    );
  }

  const registryJson = pulumi.output(inputs.registryUrls).apply((m) => JSON.stringify(m));
  const secrets: Record<string, pulumi.Output<string>> = {};
  const slack = new pulumi.Config().getSecret("slackWebhookUrl");
  if (slack) secrets.SLACK_WEBHOOK_URL = slack;
  new DeliveryEnvironment(
    own.environment,
    {
      repository: gh.repository,
      environment: own.environment,
      source: deploySource(config.branchModel, own),
      reviewers: gh.reviewers,
      waitTimerMinutes: gh.waitTimerMinutes,
      variables: {
        STACK: config.stack,
        ...(config.awsRegion ? { AWS_REGION: config.awsRegion } : {}),
        ...(roles ? { AWS_DEPLOY_ROLE_ARN: roles.deployRoleArn } : {}),
        ...(gh.backend ? { PULUMI_BACKEND_URL: backendUrl(gh.backend) } : {}),
        // The `--secrets-provider` a new stack is created with. Named without "SECRET": it is a key
        // reference, not a secret, and the policy pack rejects secret-looking variable names.
        PULUMI_ENCRYPTION_PROVIDER: secretsProviderUrl(gh.secrets),
        ...(gh.backend?.kind === "s3"
          ? {
              STATE_BACKUP_URI: `s3://${gh.backend.bucket}/${stateBackupPrefix(pulumi.getProject(), config.stack)}`,
            }
          : {}),
        ...(inputs.clusterName ? { CLUSTER_NAME: inputs.clusterName } : {}),
        ...(gh.environmentUrl ? { ENVIRONMENT_URL: gh.environmentUrl } : {}),
        REGISTRY_URLS: registryJson,
      },
      secrets,
      // Preview and drift jobs of every stack share the preview environment: each stack writes
      // its own suffixed role and backend there.
      foreignVariables: [
        ...(roles
          ? [
              {
                environment: PREVIEW_ENVIRONMENT,
                name: `AWS_PREVIEW_ROLE_ARN_${varSuffix(config.stack)}`,
                value: roles.previewRoleArn,
              },
            ]
          : []),
        ...(gh.backend?.kind === "s3"
          ? [
              {
                environment: PREVIEW_ENVIRONMENT,
                name: `PULUMI_BACKEND_URL_${varSuffix(config.stack)}`,
                value: pulumi.output(backendUrl(gh.backend)),
              },
            ]
          : []),
      ],
      repositoryVariables: { [`REGISTRY_URLS_${varSuffix(config.stack)}`]: registryJson },
    },
    { ...ghOpts, dependsOn: repository ? [repository] : [] },
  );
  return { deployRoleArn: roles?.deployRoleArn ?? null, previewRoleArn: roles?.previewRoleArn ?? null };
}
