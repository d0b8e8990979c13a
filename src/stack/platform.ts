/**
 * The layers of one stack, in the order data flows: network → registry → clusters → workloads.
 * Each layer is one function that receives typed inputs from the ones before it and never
 * reaches back; `buildPlatform` only calls them in order.
 */
import { own } from "../lib/own";
import { stackPrefix } from "../lib/naming";
import {
  applicationOf,
  applicationsOf,
  applicationStackName,
  namespaceOf,
  ownApplicationOf,
  registryOf,
} from "../config/applications";
import { applicationBoundaryArn, ApplicationRole } from "../components/aws/application-roles";
import * as aws from "../lib/aws";
import * as k8s from "../lib/k8s";
import * as pulumi from "@pulumi/pulumi";
import { CodeBuildRunner, createDatabasePaths, RunnerDatabase } from "../components/aws/ci-runner";
import { DeployRoles } from "../components/aws/deploy-roles";
import { EcsCluster } from "../components/aws/ecs-cluster";
import { EcsService, listenerRulePriority } from "../components/aws/ecs-service";
import { EksCluster } from "../components/aws/eks-cluster";
import { createWebAcl } from "../components/aws/waf";
import { albZoneId, createServiceRecord } from "../components/aws/dns-record";
import { ClusterAddons, planAddons, plannedAddons } from "../components/kubernetes/cluster-addons";
import { addonDemands } from "../config/addon-image-rules";
import { AppIngress, ingressGroupName } from "../components/kubernetes/ingress-spec";
import { exposureOf, hostNameOf } from "../config/dns";
import { KubernetesApp, KubernetesStrategy } from "../components/kubernetes/app";
import { Network } from "../components/aws/network";
import { Registry } from "../components/aws/registry";
import {
  DEFAULT_BAKE_MINUTES,
  RELEASE_PIN_DEFAULTS,
  ReleaseConfig,
  ServiceConfig,
  StackConfig,
} from "../config";
import { isServiceDependency, resolveDependencies } from "../config/dependencies";
import { ReleaseState, releasesOutput } from "../release/state";
import { AccountContext } from "../lib/kms";
import { runnerOf } from "../config/runners";
import { buildDelivery, createDeployRoles, DeliveryInputs, DeliveryOutputs } from "./delivery";
import {
  applicationAccess,
  applicationNamespacesLayer,
  applicationRolesLayer,
  buildApplicationRepositories,
  platformOwnsNamespace,
} from "./application-delivery";
import { promotionSourceRepositoryArns } from "./promotion";
import { RUNNER_COMPONENT } from "./runner-bootstrap";
import { StackOutputs } from "./outputs";
import { ingressAlbTarget, isStopped, operationsLayer } from "./operations";
import type { AlbTarget, StackAlarms } from "../components/aws/alarms";
import { OUTPUTS_CONTRACT_VERSION } from "./outputs";
import * as fs from "fs";
import * as path from "path";

/** The AWS provider of the stack, the account it resolves to and the options passing it on. */
export interface AwsLayer {
  readonly provider: aws.Provider;
  readonly account: AccountContext;
  /** Component options giving the provider to every AWS child. */
  readonly opts: pulumi.ComponentResourceOptions;
  /** The tags the provider puts on every resource (a provider for another region carries them too). */
  readonly defaultTags: { readonly tags: Record<string, string> };
}

/** The AWS provider (region, default tags) and account; none when the stack uses no AWS. */
export function awsLayer(config: StackConfig, extraTags: Record<string, string> = {}): AwsLayer | undefined {
  if (!config.usesAws) return undefined;
  const defaultTags = {
    tags: {
      "platform:stack": config.stack,
      "platform:environment": config.environment,
      ...config.tags,
      ...extraTags,
    },
  };
  const provider = new aws.Provider("aws", { region: config.awsRegion as aws.Region, defaultTags });
  const opts = { provider };
  const identity = aws.getCallerIdentityOutput({}, opts);
  const partition = aws.getPartitionOutput({}, opts);
  return {
    provider,
    account: {
      accountId: identity.accountId,
      partition: partition.partition,
      region: config.awsRegion ?? "",
    },
    opts: { providers: { aws: provider } },
    defaultTags,
  };
}

/** The VPC, when a cluster (EKS or ECS) needs one. */
export function networkLayer(config: StackConfig, awsl: AwsLayer | undefined): Network | undefined {
  if (!awsl || !(config.eks.enabled || config.ecs.enabled)) return undefined;
  return new Network(
    "network",
    {
      cidr: config.network.cidr,
      azCount: config.network.azCount,
      natGateways: config.network.natGateways,
      flowLogRetentionDays: config.logRetentionDays,
      account: awsl.account,
    },
    awsl.opts,
  );
}

/** The GHCR pull credential an EKS workload's imagePullSecrets come from, when its registry has one. */
function pullCredentialsOf(
  service: ServiceConfig,
  config: StackConfig,
): { pullCredentials?: { secretArn: string; registry: string } } {
  const registry = registryOf(service, config);
  return registry.kind === "ghcr" && registry.pullCredentialsSecretArn
    ? { pullCredentials: { secretArn: registry.pullCredentialsSecretArn, registry: "ghcr.io" } }
    : {};
}

/** The image repositories of every service (ECR created here, or GHCR names). */
export function registryLayer(config: StackConfig, awsl: AwsLayer | undefined): Registry {
  const services = config.services.map((s) => ({ name: s.name, registry: registryOf(s, config) }));
  // Services of an application with its own GHCR owner (or GHCR in an ECR stack) get no
  // repository here; validation refused an application on ECR in a GHCR stack.
  const elsewhere = services.filter(
    (s) =>
      s.registry.kind === "ghcr" &&
      (config.registry.kind === "ecr" || s.registry.ghcrOwner !== config.registry.ghcrOwner),
  );
  return new Registry(
    "registry",
    {
      services: services.filter((s) => !elsewhere.includes(s)).map((s) => s.name),
      ...(elsewhere.length
        ? { ghcrServices: Object.fromEntries(elsewhere.map((s) => [s.name, s.registry.ghcrOwner ?? ""])) }
        : {}),
      kind: config.registry.kind,
      ghcrOwner: config.registry.ghcrOwner,
      prefix: stackPrefix(),
      keepLastImages: config.registry.keepLastImages,
      untaggedExpiryDays: config.registry.untaggedExpiryDays,
      pullAccountIds: config.registry.pullAccountIds,
      promotionTargetAccountIds: config.registry.promotionTargetAccountIds,
      account: awsl?.account,
      protect: config.protect,
    },
    awsl?.opts ?? {},
  );
}

/**
 * The stack's GitHub OIDC roles, built before the clusters so the EKS cluster can grant them
 * access entries (their names are generated, so only the roles themselves know their ARNs).
 */
export function ciRolesLayer(
  config: StackConfig,
  awsl: AwsLayer | undefined,
  registry: Registry,
): DeployRoles | undefined {
  const gh = config.github;
  const own = gh?.stacks.find((s) => s.stack === config.stack);
  if (!gh || !own || !awsl) return undefined;
  return createDeployRoles(
    gh,
    own,
    deliveryInputs(config, awsl, registry),
    promotionSourceRepositoryArns(config, awsl.account.partition),
  );
}

/** What the delivery layer and the CI roles are given: the account, the registry, the secrets and zone the deploy role may use. */
export function deliveryInputs(
  config: StackConfig,
  awsl: AwsLayer | undefined,
  registry: Registry,
): DeliveryInputs {
  return {
    awsProvider: awsl?.provider,
    account: awsl?.account,
    registryUrls: pulumi.all(registry.repositoryUrls),
    repositoryArns: Object.values(registry.repositoryArns),
    migrationSecretArns: config.services.flatMap((s) =>
      s.migrations ? [s.migrations.databaseUrlSecretArn] : [],
    ),
    programSecretArns: config.operations.notifications.pagerDutyIntegrationKeySecretArn
      ? [config.operations.notifications.pagerDutyIntegrationKeySecretArn]
      : [],
    hostedZone: config.dns ? { id: config.dns.hostedZoneId, domain: config.dns.domain } : undefined,
    applicationStacks: config.applicationStacks
      ? applicationsOf(config).map((a) => applicationStackName(a, config.stack))
      : [],
  };
}

/** The CodeBuild-hosted CI runners in the VPC, when the stack's `ci.runner` is codebuild. */
export function runnerLayer(
  config: StackConfig,
  awsl: AwsLayer | undefined,
  network: Network | undefined,
): CodeBuildRunner | undefined {
  const runner = runnerOf(config);
  if (runner.kind !== "codebuild" || !awsl || !network || !config.github) return undefined;
  return new CodeBuildRunner(
    RUNNER_COMPONENT,
    {
      owner: config.github.owner,
      repository: config.github.repository,
      connectionArn: runner.connectionArn,
      computeType: runner.computeType,
      image: runner.image,
      timeoutMinutes: runner.timeoutMinutes,
      vpcId: network.vpcId,
      vpcCidr: network.vpcCidr,
      privateSubnetIds: network.privateSubnetIds,
      logRetentionDays: config.logRetentionDays,
      account: awsl.account,
    },
    awsl.opts,
  );
}

/** The databases the stack's services migrate, each once: the runners need a path to them. */
export function migrationDatabases(config: StackConfig): RunnerDatabase[] {
  const out = new Map<string, RunnerDatabase>();
  for (const s of config.services) {
    if (!s.migrations) continue;
    const database = s.migrations.database;
    const db = s.dependencies.find((d) => !isServiceDependency(d) && d.name === database);
    if (db && !isServiceDependency(db)) out.set(db.name, db);
  }
  return [...out.values()];
}

/** What CI brings to the clusters: roles to grant access, runners to admit. */
export interface CiReach {
  readonly roles?: DeployRoles;
  readonly runner?: CodeBuildRunner;
  /** Applications' deploy roles and the namespaces each may edit. @default [] */
  readonly applications?: ReturnType<typeof applicationAccess>;
}

/** The EKS cluster, when enabled. */
export function eksLayer(
  config: StackConfig,
  awsl: AwsLayer | undefined,
  network: Network | undefined,
  ci: CiReach = {},
): EksCluster | undefined {
  if (!awsl || !network || !config.eks.enabled) return undefined;
  return new EksCluster(
    "eks",
    {
      privateSubnetIds: network.privateSubnetIds,
      version: config.eks.version,
      endpointPublicAccess: config.eks.endpointPublicAccess,
      publicAccessCidrs: config.eks.publicAccessCidrs,
      nodeGroups: config.eks.nodeGroups,
      logRetentionDays: config.logRetentionDays,
      account: awsl.account,
      protect: config.protect,
      ciAccess: ci.roles && {
        deployRoleArn: ci.roles.deployRoleArn,
        previewRoleArn: ci.roles.previewRoleArn,
      },
      apiClients: ci.runner ? { "ci-runner": ci.runner.securityGroupId } : {},
      humanAccess: config.eks.access,
      ...(ci.applications?.length ? { applicationAccess: ci.applications } : {}),
      vpcCniVersion: config.eks.vpcCniVersion,
    },
    awsl.opts,
  );
}

/** The provider Kubernetes workloads deploy with: the EKS cluster's, else `kubernetes.kubeconfig`'s. */
export function kubernetesProviderLayer(
  config: StackConfig,
  eks: EksCluster | undefined,
): k8s.Provider | undefined {
  if (eks) return eks.provider;
  if (!config.kubernetes.kubeconfig) return undefined;
  return new k8s.Provider("kubernetes", {
    kubeconfig: config.kubernetes.kubeconfig,
    context: config.kubernetes.context,
  });
}

// What each EKS service asks of the cluster lives beside the config rule that requires the
// add-ons' images (the rule and the layer must agree on which add-ons a stack installs).
export { addonDemands };

/**
 * The WAF web ACL of the stack's internet-facing Ingress ALBs, when an EKS service is public: the
 * load balancer controller associates it with the ALB of the public IngressGroup.
 */
export function ingressWebAclLayer(
  config: StackConfig,
  awsl: AwsLayer | undefined,
  eks: EksCluster | undefined,
): aws.wafv2.WebAcl | undefined {
  if (!awsl || !eks) return undefined;
  const anyPublic = config.services.some(
    (s) => s.target === "eks" && appIngress(config, s, "")?.scheme === "internet-facing",
  );
  if (!anyPublic) return undefined;
  return createWebAcl("ingress", ingressGroupName(stackPrefix(), "internet-facing"), {
    provider: awsl.provider,
  });
}

/** The cluster add-ons the EKS services need (none needed: none created); EKS only. */
export function addonsLayer(
  config: StackConfig,
  awsl: AwsLayer | undefined,
  network: Network | undefined,
  eks: EksCluster | undefined,
  webAcl?: aws.wafv2.WebAcl,
): ClusterAddons | undefined {
  if (!awsl || !network || !eks) return undefined;
  const plan = planAddons(addonDemands(config), config.kubernetes.secretStore);
  if (plannedAddons(plan).length === 0) return undefined;
  return new ClusterAddons(
    "addons",
    {
      provider: eks.provider,
      plan,
      clusterName: eks.clusterName,
      oidcProviderArn: eks.oidcProviderArn,
      oidcIssuer: eks.oidcIssuer,
      vpcId: network.vpcId,
      webAclArn: webAcl?.arn,
      account: awsl.account,
      images: config.eks.addons.images,
    },
    awsl.opts,
  );
}

/** The ECS cluster and its ALB, when enabled. */
export function ecsLayer(
  config: StackConfig,
  awsl: AwsLayer | undefined,
  network: Network | undefined,
  runner?: CodeBuildRunner,
): EcsCluster | undefined {
  if (!awsl || !network || !config.ecs.enabled) return undefined;
  return new EcsCluster(
    "ecs",
    {
      vpcId: network.vpcId,
      vpcCidr: network.vpcCidr,
      publicSubnetIds: network.publicSubnetIds,
      privateSubnetIds: network.privateSubnetIds,
      certificateArn: config.dns?.certificateArn ?? "",
      publicLoadBalancer: config.ecs.publicLoadBalancer,
      allowedCidrs: config.ecs.allowedCidrs,
      logRetentionDays: config.logRetentionDays,
      account: awsl.account,
      protect: config.protect,
      httpsClients: runner ? [runner.securityGroupId] : [],
    },
    awsl.opts,
  );
}

/** An image by digest in a repository: `<repositoryUrl>@sha256:…`. */
export function imageRef(repositoryUrl: pulumi.Input<string>, digest: string): pulumi.Output<string> {
  return pulumi.interpolate`${repositoryUrl}@${digest}`;
}

/** The Kubernetes strategy of a service at its current release, images by digest from `repo`. */
export function kubernetesStrategy(
  service: ServiceConfig,
  release: ReleaseConfig,
  repo: pulumi.Input<string>,
): KubernetesStrategy {
  const s = service.strategy;
  switch (s.type) {
    case "rolling":
      return {
        type: "rolling",
        image: imageRef(repo, release.digest),
        maxSurge: s.maxSurge,
        maxUnavailable: s.maxUnavailable,
      };
    case "blueGreen":
      return {
        type: "blueGreen",
        activeColor: release.activeColor ?? RELEASE_PIN_DEFAULTS.activeColor,
        activeImage: imageRef(repo, release.digest),
        idleImage: imageRef(repo, release.idleDigest ?? release.digest),
      };
    case "canary":
      return {
        type: "canary",
        weight: release.canaryWeight ?? RELEASE_PIN_DEFAULTS.canaryWeight,
        stableImage: imageRef(repo, release.digest),
        canaryImage: imageRef(repo, release.canaryDigest ?? release.digest),
      };
  }
}

/** What a workload needs of the VPC: the platform stack's Network, or its outputs. */
export interface NetworkTarget {
  readonly vpcId: pulumi.Input<string>;
  readonly vpcCidr: string;
  readonly privateSubnetIds: pulumi.Input<string>[];
}

/** What a workload needs of the registry: its repository by service. */
export interface RegistryTarget {
  readonly repositoryUrls: Readonly<Record<string, pulumi.Input<string>>>;
  readonly repositoryArns: Readonly<Record<string, pulumi.Input<string>>>;
}

/** What an ECS workload needs of the ECS cluster and its ALB. */
export interface EcsTarget {
  readonly clusterArn: pulumi.Input<string>;
  readonly clusterName: pulumi.Input<string>;
  readonly httpsListenerArn: pulumi.Input<string>;
  readonly albSecurityGroupId: pulumi.Input<string>;
  readonly albDnsName: pulumi.Input<string>;
  readonly albZoneId: pulumi.Input<string>;
  readonly albArnSuffix: pulumi.Input<string>;
  readonly logKeyArn: pulumi.Input<string>;
}

/** Everything the workloads of the stack run on (built here, or read from the platform stack). */
export interface WorkloadTargets {
  readonly awsl?: AwsLayer;
  readonly network?: NetworkTarget;
  readonly registry: RegistryTarget;
  readonly ecs?: EcsTarget;
  readonly kubernetesProvider?: k8s.Provider;
  /** The EKS add-ons; workloads wait for them (an application stack's platform has them already). */
  readonly addons?: ClusterAddons;
  /** Whether the cluster has the add-ons an Ingress needs (see `addonsLayer`). */
  readonly ingressReady?: boolean;
  /** The WAF web ACL of internet-facing Ingress ALBs (see `ingressWebAclLayer`). */
  readonly ingressWebAclArn?: pulumi.Input<string>;
}

/** Where one service is reached; namespace and previewUrl only where its target has them. */
export interface Workload {
  readonly url: pulumi.Input<string>;
  readonly namespace?: pulumi.Input<string>;
  readonly previewUrl?: pulumi.Input<string>;
  /** ECS only: the task definition the service must run once its rollout completes. */
  readonly taskDefinitionArn?: pulumi.Input<string>;
  /** ECS only: the ECS service's name (its Container Insights dimension). */
  readonly ecsServiceName?: pulumi.Input<string>;
  /** The ALB target group its traffic goes through, where it has one (alarms, the metric gate). */
  readonly alb?: AlbTarget;
}

/** One service on ECS behind the ALB at its current release; `index` orders its listener rule. */
export function ecsWorkload(
  config: StackConfig,
  service: ServiceConfig,
  release: ReleaseConfig,
  index: number,
  targets: WorkloadTargets & { awsl: AwsLayer; network: NetworkTarget; ecs: EcsTarget },
): Workload {
  const { awsl, network, ecs, registry } = targets;
  const repo = registry.repositoryUrls[service.name];
  const hostName = hostNameOf(service, config) ?? "";
  const svc = new EcsService(
    service.name,
    {
      clusterArn: ecs.clusterArn,
      clusterName: ecs.clusterName,
      vpcId: network.vpcId,
      privateSubnetIds: network.privateSubnetIds,
      httpsListenerArn: ecs.httpsListenerArn,
      albSecurityGroupId: ecs.albSecurityGroupId,
      logKeyArn: ecs.logKeyArn,
      image: imageRef(repo, release.digest),
      repositoryArn: registry.repositoryArns[service.name],
      pullCredentialsArn:
        registryOf(service, config).kind === "ghcr"
          ? registryOf(service, config).pullCredentialsSecretArn
          : undefined,
      port: service.port,
      hostName,
      priority: listenerRulePriority(index),
      // An application with a repository of its own: its deploy role creates only bounded roles.
      ...(ownApplicationOf(service, config)
        ? {
            permissionsBoundary: applicationBoundaryArn(
              awsl.account.partition,
              awsl.account.accountId,
              applicationOf(service, config),
            ),
          }
        : {}),
      strategy:
        service.strategy.type === "blueGreen"
          ? { type: "blueGreen", bakeMinutes: service.strategy.bakeMinutes ?? DEFAULT_BAKE_MINUTES }
          : { type: "rolling" },
      cpu: service.cpu,
      memoryMiB: service.memoryMiB,
      // The emergency switch operations.stopped: zero tasks, and no scaler to bring them back.
      desiredCount: isStopped(config, service.name) ? 0 : service.replicas,
      autoscaling: isStopped(config, service.name) ? undefined : service.autoscaling,
      healthPath: service.healthPath,
      env: service.env,
      secrets: service.secrets,
      dependencies: resolveDependencies(service.dependencies, config.services),
      logRetentionDays: config.logRetentionDays,
      account: awsl.account,
    },
    awsl.opts,
  );
  if (config.dns)
    createServiceRecord(
      service.name,
      config.dns.hostedZoneId,
      hostName,
      { dnsName: ecs.albDnsName, zoneId: ecs.albZoneId },
      { parent: svc },
    );
  return {
    url: svc.url,
    taskDefinitionArn: svc.taskDefinitionArn,
    ecsServiceName: svc.serviceName,
    alb: { loadBalancer: ecs.albArnSuffix, targetGroup: svc.targetGroupArnSuffix },
  };
}

/** The ALB Ingress of an `internal` or `public` service on EKS; none for `cluster`. */
export function appIngress(
  config: StackConfig,
  service: ServiceConfig,
  vpcCidr: string,
  webAclArn?: pulumi.Input<string>,
): AppIngress | undefined {
  const exposure = exposureOf(service, config);
  const host = hostNameOf(service, config);
  if (exposure === "cluster" || !host || !config.dns?.certificateArn) return undefined;
  const scheme = exposure === "public" ? "internet-facing" : "internal";
  return {
    scheme,
    host,
    groupName: ingressGroupName(stackPrefix(), scheme),
    certificateArn: config.dns.certificateArn,
    allowedCidrs: exposure === "public" ? config.kubernetes.ingress.allowedCidrs : [vpcCidr],
    ...(exposure === "public" && webAclArn !== undefined ? { webAclArn } : {}),
  };
}

/** One service on Kubernetes at its current release, in a namespace named after it. */
export function kubernetesWorkload(
  config: StackConfig,
  service: ServiceConfig,
  release: ReleaseConfig,
  registry: RegistryTarget,
  provider: k8s.Provider,
  reach: { awsl?: AwsLayer; addons?: ClusterAddons; ingress?: AppIngress } = {},
): Workload {
  const repo = registry.repositoryUrls[service.name];
  // The emergency switch operations.stopped: zero pods (no canary split of nothing), no autoscaler.
  const stopped = isStopped(config, service.name);
  const strategy = kubernetesStrategy(service, release, repo);
  const app = new KubernetesApp(
    service.name,
    {
      provider,
      namespace: namespaceOf(service.name, config),
      namespaceExists: platformOwnsNamespace(
        { target: service.target, application: applicationOf(service, config) },
        config,
      ),
      strategy: stopped && strategy.type === "canary" ? { ...strategy, weight: 0 } : strategy,
      port: service.port,
      replicas: stopped ? 0 : service.replicas,
      autoscaling: stopped ? undefined : service.autoscaling,
      cpu: service.cpu,
      memoryMiB: service.memoryMiB,
      healthPath: service.healthPath,
      env: service.env,
      secrets: service.secrets,
      secretsAs: service.secretsAs,
      secretStore: config.kubernetes.secretStore,
      ...pullCredentialsOf(service, config),
      dependencies: resolveDependencies(service.dependencies, config.services, (s) => namespaceOf(s, config)),
      ingress: reach.ingress,
    },
    reach.addons ? { dependsOn: [reach.addons] } : undefined,
  );
  if (reach.ingress && reach.awsl && app.loadBalancerHostname && config.dns)
    createServiceRecord(
      service.name,
      config.dns.hostedZoneId,
      reach.ingress.host,
      {
        dnsName: app.loadBalancerHostname,
        zoneId: albZoneId({ parent: app, provider: reach.awsl.provider }),
      },
      { parent: app, provider: reach.awsl.provider },
    );
  const alb =
    reach.ingress && reach.awsl && app.loadBalancerHostname
      ? ingressAlbTarget(
          {
            hostname: app.loadBalancerHostname,
            groupName: reach.ingress.groupName,
            namespace: app.namespace,
            ingressName: service.name,
            serviceName: app.serviceName,
          },
          { parent: app, provider: reach.awsl.provider },
        )
      : undefined;
  return { url: app.url, namespace: app.namespace, previewUrl: app.previewUrl, ...(alb ? { alb } : {}) };
}

/**
 * Each released service on its target, by name. A service without a release yet (being
 * onboarded: its registry and pipeline come first) and one whose target the stack lacks have no
 * workload; the first deploy's release creates it.
 */
export function workloadsLayer(
  config: StackConfig,
  targets: WorkloadTargets,
  only?: (service: ServiceConfig) => boolean,
): Record<string, Workload> {
  const out: Record<string, Workload> = {};
  const { awsl, network, ecs, kubernetesProvider, addons, ingressWebAclArn } = targets;
  const ingressReady = targets.ingressReady ?? addons !== undefined;
  // The index orders ECS listener rules across the environment: every application stack numbers
  // its services by their place among all of the platform's, so two never claim one priority.
  config.services.forEach((service, index) => {
    if (only && !only(service)) return;
    const release = own(config.releases, service.name);
    if (!release) return;
    if (service.target === "ecs" && ecs && network && awsl)
      out[service.name] = ecsWorkload(config, service, release, index, { ...targets, awsl, network, ecs });
    else if (service.target === "eks" && kubernetesProvider)
      out[service.name] = kubernetesWorkload(config, service, release, targets.registry, kubernetesProvider, {
        awsl,
        addons,
        ingress:
          network && ingressReady
            ? appIngress(config, service, network.vpcCidr, ingressWebAclArn)
            : undefined,
      });
  });
  return out;
}

/** One field of every workload that has it, by service name. */
function byService(
  workloads: Record<string, Workload>,
  field: Exclude<keyof Workload, "alb">,
): Record<string, pulumi.Input<string>> {
  const out: Record<string, pulumi.Input<string>> = {};
  for (const [name, w] of Object.entries(workloads)) {
    const value = w[field];
    if (value !== undefined) out[name] = value;
  }
  return out;
}

/** Each service's ALB and target group dimensions, where it is behind an ALB. */
export function albOutputs(workloads: Record<string, Workload>): {
  albArnSuffixes: pulumi.Output<Record<string, string>>;
  targetGroupSuffixes: pulumi.Output<Record<string, string>>;
} {
  const lbs: Record<string, pulumi.Input<string>> = {};
  const tgs: Record<string, pulumi.Input<string>> = {};
  for (const [name, w] of Object.entries(workloads))
    if (w.alb) {
      lbs[name] = w.alb.loadBalancer;
      tgs[name] = w.alb.targetGroup;
    }
  return { albArnSuffixes: pulumi.all(lbs), targetGroupSuffixes: pulumi.all(tgs) };
}

/** Each service's release digest, the active colour of the blueGreen ones, and the full release record. */
export function releaseOutputs(config: StackConfig): {
  releaseDigests: Record<string, string>;
  activeColors: Record<string, string>;
  releases: Record<string, ReleaseState>;
} {
  const releaseDigests: Record<string, string> = {};
  const activeColors: Record<string, string> = {};

  for (const service of config.services) {
    const release = own(config.releases, service.name);
    if (!release) continue;
    releaseDigests[service.name] = release.digest;
    if (service.strategy.type === "blueGreen")
      activeColors[service.name] = release.activeColor ?? RELEASE_PIN_DEFAULTS.activeColor;
  }
  return { releaseDigests, activeColors, releases: releasesOutput(config.services, config.releases) };
}

/** What every layer built, for the outputs. */
export interface PlatformLayers {
  readonly network?: Network;
  readonly registry: Registry;
  readonly eks?: EksCluster;
  readonly ecs?: EcsCluster;
  readonly workloads: Record<string, Workload>;
  readonly delivery: DeliveryOutputs;
  readonly runner?: CodeBuildRunner;
  readonly alarms?: StackAlarms;
  readonly ingressWebAcl?: aws.wafv2.WebAcl;
  /** Deploy roles of the applications with repositories of their own. @default {} */
  readonly applicationRoles?: Record<string, ApplicationRole>;
}

/**
 * The kubeconfig the stack's workloads deploy with, for application stacks and the release gates:
 * the EKS cluster's, else the contents of `kubernetes.kubeconfig` (a cluster the stack did not
 * create), read when the program runs.
 */
export function kubeconfigOutput(
  config: StackConfig,
  eks: EksCluster | undefined,
): pulumi.Output<string> | null {
  if (eks) return eks.kubeconfig;
  const file = config.kubernetes.kubeconfig;
  if (!file) return null;
  const resolved = path.resolve(file);
  // An absent file (a preview before the cluster exists) is the provider's error to report.
  return pulumi.secret(fs.existsSync(resolved) ? fs.readFileSync(resolved, "utf8") : resolved);
}

/** The stack outputs (see outputs.ts): null where the stack does not have the thing. */
export function stackOutputs(config: StackConfig, layers: PlatformLayers): StackOutputs {
  const { network, registry, eks, ecs, workloads, delivery, runner, alarms, ingressWebAcl } = layers;
  const application = (name: string) =>
    applicationOf(config.services.find((s) => s.name === name) ?? {}, config);
  return {
    contractVersion: OUTPUTS_CONTRACT_VERSION,
    namePrefix: stackPrefix(),
    applicationStacks: config.applicationStacks
      ? Object.fromEntries(applicationsOf(config).map((a) => [a, applicationStackName(a, config.stack)]))
      : {},
    serviceApplications: Object.fromEntries(config.services.map((s) => [s.name, application(s.name)])),
    registryArns: pulumi.all(registry.repositoryArns),
    vpcCidr: network?.vpcCidr ?? null,
    ecsClusterName: ecs?.clusterName ?? null,
    albHttpsListenerArn: ecs?.httpsListenerArn ?? null,
    albSecurityGroupId: ecs?.albSecurityGroupId ?? null,
    albZoneId: ecs?.albZoneId ?? null,
    ecsAlbArnSuffix: ecs?.albArnSuffix ?? null,
    ecsLogKeyArn: ecs?.logKeyArn ?? null,
    ingressWebAclArn: ingressWebAcl?.arn ?? null,
    alarmTopicArn: alarms?.topicArn ?? null,
    environment: config.environment,
    awsRegion: config.awsRegion ?? null,
    vpcId: network?.vpcId ?? null,
    privateSubnetIds: network ? pulumi.all(network.privateSubnetIds) : null,
    publicSubnetIds: network ? pulumi.all(network.publicSubnetIds) : null,
    registryUrls: pulumi.all(registry.repositoryUrls),
    clusterName: eks?.clusterName ?? null,
    clusterEndpoint: eks?.endpoint ?? null,
    oidcProviderArn: eks?.oidcProviderArn ?? null,
    kubeconfig: kubeconfigOutput(config, eks),
    ecsClusterArn: ecs?.clusterArn ?? null,
    albDnsName: ecs?.albDnsName ?? null,
    namespaces: pulumi.all(byService(workloads, "namespace")),
    serviceUrls: pulumi.all(byService(workloads, "url")),
    previewUrls: pulumi.all(byService(workloads, "previewUrl")),
    taskDefinitionArns: pulumi.all(byService(workloads, "taskDefinitionArn")),
    deployRoleArn: delivery.deployRoleArn,
    previewRoleArn: delivery.previewRoleArn,
    applicationRoleArns: pulumi.all(
      Object.fromEntries(Object.entries(layers.applicationRoles ?? {}).map(([a, r]) => [a, r.roleArn])),
    ),
    runnerSecurityGroupId: runner?.securityGroupId ?? null,
    // A platform stack whose workloads live in application stacks runs no release.
    ...(config.applicationStacks
      ? { releaseDigests: {}, activeColors: {}, releases: {} }
      : releaseOutputs(config)),
    ...albOutputs(workloads),
  };
}

/** Builds every layer of the stack and returns its outputs (see outputs.ts). */
export function buildPlatform(config: StackConfig): StackOutputs {
  const awsl = awsLayer(config);
  const network = networkLayer(config, awsl);
  const registry = registryLayer(config, awsl);
  const roles = ciRolesLayer(config, awsl, registry);
  const applicationRoles = applicationRolesLayer(config, awsl, registry, roles);
  const runner = runnerLayer(config, awsl, network);
  if (runner) createDatabasePaths(runner, RUNNER_COMPONENT, migrationDatabases(config));
  const eks = eksLayer(config, awsl, network, {
    roles,
    runner,
    applications: applicationAccess(config, applicationRoles),
  });
  const kubernetesProvider = kubernetesProviderLayer(config, eks);
  applicationNamespacesLayer(config, kubernetesProvider);
  const ingressWebAcl = ingressWebAclLayer(config, awsl, eks);
  const addons = addonsLayer(config, awsl, network, eks, ingressWebAcl);
  const ecs = ecsLayer(config, awsl, network, runner);
  // With application stacks, each application's stack builds its workloads from this stack's
  // outputs; this stack keeps what the environment shares, so its `up` never changes a workload.
  const workloads = config.applicationStacks
    ? {}
    : workloadsLayer(config, {
        awsl,
        network,
        registry,
        ecs,
        kubernetesProvider,
        addons,
        ingressWebAclArn: ingressWebAcl?.arn,
      });
  const alarms = operationsLayer(config, awsl, { eks, ecs }, workloads);
  const delivery = buildDelivery(config, { ...deliveryInputs(config, awsl, registry), roles });
  buildApplicationRepositories(config, applicationRoles, pulumi.all(registry.repositoryUrls));
  return stackOutputs(config, {
    applicationRoles,
    network,
    registry,
    eks,
    ecs,
    workloads,
    delivery,
    runner,
    alarms,
    ingressWebAcl,
  });
}
