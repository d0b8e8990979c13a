/**
 * The layers of one stack, in the order data flows: network → registry → clusters → workloads.
 * Each layer receives typed inputs from the ones before it and never reaches back.
 */
import * as aws from "../lib/aws";
import * as k8s from "../lib/k8s";
import * as pulumi from "@pulumi/pulumi";
import { EcsCluster } from "../components/aws/ecs-cluster";
import { EcsService, listenerRulePriority } from "../components/aws/ecs-service";
import { EksCluster } from "../components/aws/eks-cluster";
import { KubernetesApp, KubernetesStrategy } from "../components/kubernetes/app";
import { Network } from "../components/aws/network";
import { Registry } from "../components/aws/registry";
import { ReleaseConfig, ServiceConfig, StackConfig } from "../config";
import { AccountContext } from "../lib/kms";
import { buildDelivery } from "./delivery";
import { StackOutputs } from "./outputs";

interface AwsLayer {
  readonly provider: aws.Provider;
  readonly account: AccountContext;
}

function awsLayer(config: StackConfig): AwsLayer {
  const provider = new aws.Provider("aws", {
    region: config.awsRegion as aws.Region,
    defaultTags: {
      tags: { "platform:stack": config.stack, "platform:environment": config.environment, ...config.tags },
    },
  });
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
  };
}

function imageRef(repositoryUrl: pulumi.Input<string>, digest: string): pulumi.Output<string> {
  return pulumi.interpolate`${repositoryUrl}@${digest}`;
}

function kubernetesStrategy(
  service: ServiceConfig,
  release: ReleaseConfig,
  repo: pulumi.Input<string>,
): KubernetesStrategy {
  const s = service.strategy;
  switch (s.type) {
    case "rolling":
      return { type: "rolling", maxSurge: s.maxSurge, maxUnavailable: s.maxUnavailable };
    case "blueGreen":
      return {
        type: "blueGreen",
        activeColor: release.activeColor,
        activeImage: imageRef(repo, release.digest),
        idleImage: imageRef(repo, release.idleDigest ?? release.digest),
      };
    case "canary":
      return {
        type: "canary",
        weight: release.canaryWeight,
        stableImage: imageRef(repo, release.digest),
        canaryImage: imageRef(repo, release.canaryDigest ?? release.digest),
      };
  }
}

/** Builds every layer of the stack and returns its outputs (see outputs.ts). */
export function buildPlatform(config: StackConfig): StackOutputs {
  const awsl = config.usesAws ? awsLayer(config) : undefined;
  const awsOpts = awsl ? { providers: { aws: awsl.provider } } : {};
  const services = config.services;

  const network =
    awsl && (config.eks.enabled || config.ecs.enabled)
      ? new Network(
          "network",
          {
            cidr: config.network.cidr,
            azCount: config.network.azCount,
            natGateways: config.network.natGateways,
            flowLogRetentionDays: config.logRetentionDays,
            account: awsl.account,
          },
          awsOpts,
        )
      : undefined;

  const registry = new Registry(
    "registry",
    {
      services: services.map((s) => s.name),
      kind: config.registry.kind,
      ghcrOwner: config.registry.ghcrOwner,
      prefix: `${pulumi.getProject()}-${config.stack}`,
      keepLastImages: config.registry.keepLastImages,
      untaggedExpiryDays: config.registry.untaggedExpiryDays,
      pullAccountIds: config.registry.pullAccountIds,
      account: awsl?.account,
      protect: config.protect,
    },
    awsOpts,
  );

  const eks =
    awsl && network && config.eks.enabled
      ? new EksCluster(
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
          },
          awsOpts,
        )
      : undefined;
  const kubernetesProvider =
    eks?.provider ??
    (config.kubernetes.kubeconfig
      ? new k8s.Provider("kubernetes", {
          kubeconfig: config.kubernetes.kubeconfig,
          context: config.kubernetes.context,
        })
      : undefined);

  const ecs =
    awsl && network && config.ecs.enabled
      ? new EcsCluster(
          "ecs",
          {
            vpcId: network.vpcId,
            vpcCidr: network.vpcCidr,
            publicSubnetIds: network.publicSubnetIds,
            privateSubnetIds: network.privateSubnetIds,
            certificateArn: config.ecs.certificateArn ?? "",
            publicLoadBalancer: config.ecs.publicLoadBalancer,
            allowedCidrs: config.ecs.allowedCidrs,
            logRetentionDays: config.logRetentionDays,
            account: awsl.account,
            protect: config.protect,
          },
          awsOpts,
        )
      : undefined;

  const serviceUrls: Record<string, pulumi.Input<string>> = {};
  const previewUrls: Record<string, pulumi.Input<string>> = {};
  const namespaces: Record<string, pulumi.Input<string>> = {};
  services.forEach((service, index) => {
    const release = config.releases[service.name];
    const repo = registry.repositoryUrls[service.name];
    if (service.target === "ecs" && ecs && network && awsl) {
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
          port: service.port,
          hostName: `${service.name}.${config.ecs.domain}`,
          priority: listenerRulePriority(index),
          cpu: service.cpu,
          memoryMiB: service.memoryMiB,
          desiredCount: service.replicas,
          autoscaling: service.autoscaling,
          healthPath: service.healthPath,
          env: service.env,
          secrets: service.secrets,
          logRetentionDays: config.logRetentionDays,
          account: awsl.account,
        },
        awsOpts,
      );
      serviceUrls[service.name] = svc.url;
    } else if (service.target === "eks" && kubernetesProvider) {
      const app = new KubernetesApp(service.name, {
        provider: kubernetesProvider,
        image: imageRef(repo, release.digest),
        strategy: kubernetesStrategy(service, release, repo),
        port: service.port,
        replicas: service.replicas,
        autoscaling: service.autoscaling,
        cpu: service.cpu,
        memoryMiB: service.memoryMiB,
        healthPath: service.healthPath,
        env: service.env,
        secrets: service.secrets,
        secretStore: config.kubernetes.secretStore,
      });
      serviceUrls[service.name] = app.url;
      namespaces[service.name] = app.namespace;
      if (app.previewUrl) previewUrls[service.name] = app.previewUrl;
    }
  });

  const delivery = buildDelivery(config, {
    awsProvider: awsl?.provider,
    account: awsl?.account,
    registryUrls: pulumi.all(registry.repositoryUrls),
    repositoryArns: Object.values(registry.repositoryArns),
  });

  const releaseDigests: Record<string, string> = {};
  const activeColors: Record<string, string> = {};
  for (const service of services) {
    const release = config.releases[service.name];
    releaseDigests[service.name] = release.digest;
    if (service.strategy.type === "blueGreen") activeColors[service.name] = release.activeColor;
  }

  return {
    environment: config.environment,
    awsRegion: config.awsRegion ?? null,
    vpcId: network?.vpcId ?? null,
    privateSubnetIds: network ? pulumi.all(network.privateSubnetIds) : null,
    publicSubnetIds: network ? pulumi.all(network.publicSubnetIds) : null,
    registryUrls: pulumi.all(registry.repositoryUrls),
    clusterName: eks?.clusterName ?? null,
    clusterEndpoint: eks?.endpoint ?? null,
    oidcProviderArn: eks?.oidcProviderArn ?? null,
    kubeconfig: eks?.kubeconfig ?? null,
    ecsClusterArn: ecs?.clusterArn ?? null,
    albDnsName: ecs?.albDnsName ?? null,
    namespaces: pulumi.all(namespaces),
    serviceUrls: pulumi.all(serviceUrls),
    previewUrls: pulumi.all(previewUrls),
    deployRoleArn: delivery.deployRoleArn,
    previewRoleArn: delivery.previewRoleArn,
    releaseDigests,
    activeColors,
  };
}
