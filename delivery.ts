/**
 * The delivery layer of a stack: GitHub OIDC roles in the stack's account, the stack's GitHub
 * environment, and — in the one stack with `github.manageRepository` — the repository-level
 * objects and generated workflows. It receives what the platform layers produced and reaches
 * back into none of them.
 */
import * as aws from "@pulumi/aws";
import * as github from "@pulumi/github";
import * as pulumi from "@pulumi/pulumi";
import { DeliveryEnvironment } from "./components/delivery-environment";
import { DeliveryRepository } from "./components/delivery-repo";
import { DeployRoles } from "./components/deploy-roles";
import { GithubConfig, StackConfig } from "./config";
import { AccountContext } from "./lib/kms";
import { allowedActionPatterns } from "./workflows/pins";
import { DeliveryContext, deliveryFiles, requiredChecks } from "./workflows";
import { deploySource, integrationBranches, PREVIEW_ENVIRONMENT, varSuffix } from "./workflows/context";

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
    passphraseSecrets: (gh.secretsProvider ?? "passphrase").startsWith("passphrase"),
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
            stateBucket: gh.stateBucket,
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
        ...(gh.backendUrl ? { PULUMI_BACKEND_URL: gh.backendUrl } : {}),
        ...(inputs.clusterName ? { CLUSTER_NAME: inputs.clusterName } : {}),
        ...(gh.environmentUrl ? { ENVIRONMENT_URL: gh.environmentUrl } : {}),
        REGISTRY_URLS: registryJson,
      },
      secrets,
      foreignVariables: roles
        ? [
            {
              environment: PREVIEW_ENVIRONMENT,
              name: `AWS_PREVIEW_ROLE_ARN_${varSuffix(config.stack)}`,
              value: roles.previewRoleArn,
            },
          ]
        : [],
      repositoryVariables: { [`REGISTRY_URLS_${varSuffix(config.stack)}`]: registryJson },
    },
    { ...ghOpts, dependsOn: repository ? [repository] : [] },
  );
  return { deployRoleArn: roles?.deployRoleArn ?? null, previewRoleArn: roles?.previewRoleArn ?? null };
}
