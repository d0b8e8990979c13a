/**
 * The operations layer: after the workloads, the stack's alarm topic and every service's alarms
 * (src/components/aws/alarms.ts), and Container Insights on the EKS cluster the EKS services'
 * alarms read. It receives what the workloads built and never reaches back.
 */
import * as aws from "../lib/aws";
import * as pulumi from "@pulumi/pulumi";
import { AlarmTarget, AlbTarget, StackAlarms } from "../components/aws/alarms";
import { ContainerInsights } from "../components/aws/container-insights";
import { EcsCluster } from "../components/aws/ecs-cluster";
import { EksCluster } from "../components/aws/eks-cluster";
import { trackResourceName } from "../components/kubernetes/app-spec";
import { ServiceConfig, StackConfig } from "../config";
import { chatbotRegionFor } from "../config/aws-catalog";
import { operationsOf } from "../config/operations";
import type { AwsLayer, Workload } from "./platform";

/** Whether the emergency switch `operations.stopped` holds the service at zero. */
export const isStopped = (config: Pick<StackConfig, "operations">, service: string): boolean =>
  config.operations.stopped.includes(service);

/** The Deployments (one per track) a service's strategy runs on Kubernetes. */
export function deploymentNames(service: Pick<ServiceConfig, "name" | "strategy">): string[] {
  const tracks =
    service.strategy.type === "blueGreen"
      ? ["blue", "green"]
      : service.strategy.type === "canary"
        ? ["stable", "canary"]
        : ["main"];
  return tracks.map((t) => trackResourceName(service.name, t));
}

/**
 * Pods or tasks the service must keep running: its replicas (the autoscaler's minimum), twice
 * over for blue/green on Kubernetes (both colours run), none while stopped.
 */
export function minimumRunning(
  config: Pick<StackConfig, "operations">,
  service: Pick<ServiceConfig, "name" | "replicas" | "strategy" | "target">,
): number {
  if (isStopped(config, service.name)) return 0;
  return service.target === "eks" && service.strategy.type === "blueGreen"
    ? 2 * service.replicas
    : service.replicas;
}

/**
 * The ALB name in an ALB's DNS name: `[internal-]<name>-<id>.<region>.elb.amazonaws.com`
 * (Elastic Load Balancing's documented form). Undefined for anything else.
 */
export function albNameOfHostname(hostname: string): string | undefined {
  const m = /^(?:internal-)?(.+)-\d+\.[a-z0-9-]+\.elb\.amazonaws\.com$/.exec(hostname);
  return m?.[1];
}

/**
 * The target group tag the AWS Load Balancer Controller puts on the group of an Ingress backend:
 * `<namespace>/<ingress>-<service>:<port>` (`ingress.k8s.aws/resource`).
 */
export function ingressTargetGroupResource(
  namespace: string,
  ingress: string,
  service: string,
  port: string,
): string {
  return `${namespace}/${ingress}-${service}:${port}`;
}

/**
 * The CloudWatch dimensions of an EKS service behind its Ingress ALB, which the load balancer
 * controller (not this program) creates: looked up by the ALB name in the Ingress's status and by
 * the controller's tags on the target group. Lookups wait for the Ingress; in a preview of a new
 * Ingress they are unknown, like the ALB itself.
 */
export function ingressAlbTarget(
  p: {
    readonly hostname: pulumi.Input<string>;
    readonly groupName: string;
    readonly namespace: pulumi.Input<string>;
    readonly ingressName: string;
    readonly serviceName: pulumi.Input<string>;
  },
  opts: pulumi.InvokeOutputOptions,
): AlbTarget {
  const alb = aws.lb.getLoadBalancerOutput(
    {
      name: pulumi.output(p.hostname).apply((h) => {
        const name = albNameOfHostname(h);
        if (!name) throw new Error(`the Ingress reports ${JSON.stringify(h)}, which is not an ALB DNS name`);
        return name;
      }),
    },
    opts,
  );
  const tg = aws.lb.getTargetGroupOutput(
    {
      tags: pulumi.all([p.namespace, p.serviceName]).apply(([ns, svc]) => ({
        "ingress.k8s.aws/stack": p.groupName,
        "ingress.k8s.aws/resource": ingressTargetGroupResource(ns, p.ingressName, svc, "http"),
      })),
    },
    opts,
  );
  return { loadBalancer: alb.arnSuffix, targetGroup: tg.arnSuffix };
}

/** Where each service with a workload runs, as its alarms see it. */
export function alarmTargets(
  config: StackConfig,
  workloads: Readonly<Record<string, Workload>>,
  clusters: {
    eks?: { readonly clusterName: pulumi.Input<string> };
    ecs?: { readonly clusterName: pulumi.Input<string> };
  },
): Record<string, AlarmTarget> {
  const out: Record<string, AlarmTarget> = {};
  for (const service of config.services) {
    const w = workloads[service.name];
    if (!w) continue;
    const minRunning = minimumRunning(config, service);
    if (service.target === "ecs" && clusters.ecs && w.alb && w.ecsServiceName)
      out[service.name] = {
        kind: "ecs",
        clusterName: clusters.ecs.clusterName,
        serviceName: w.ecsServiceName,
        alb: w.alb,
        minRunning,
      };
    else if (service.target === "eks" && clusters.eks && w.namespace)
      out[service.name] = {
        kind: "eks",
        clusterName: clusters.eks.clusterName,
        namespace: w.namespace,
        deployments: deploymentNames(service),
        ...(w.alb ? { alb: w.alb } : {}),
        minRunning,
      };
  }
  return out;
}

/** Container Insights on the EKS cluster, the alarm topic and every service's alarms; none without AWS. */
export function operationsLayer(
  config: StackConfig,
  awsl: AwsLayer | undefined,
  clusters: { eks?: EksCluster; ecs?: EcsCluster },
  workloads: Readonly<Record<string, Workload>>,
): StackAlarms | undefined {
  if (!awsl) return undefined;
  if (clusters.eks)
    new ContainerInsights(
      "container-insights",
      {
        clusterName: clusters.eks.clusterName,
        oidcProviderArn: clusters.eks.oidcProviderArn,
        oidcIssuer: clusters.eks.oidcIssuer,
        account: awsl.account,
      },
      awsl.opts,
    );
  const { alarms } = operationsOf(config);
  const slack = config.operations.notifications.slack;
  const chatbotRegion = slack ? (slack.region ?? chatbotRegionFor(config.awsRegion ?? "")) : undefined;
  return new StackAlarms(
    "alarms",
    {
      stack: config.stack,
      account: awsl.account,
      settings: alarms,
      services: alarmTargets(config, workloads, clusters),
      slack,
      chatbotProvider:
        chatbotRegion && chatbotRegion !== config.awsRegion
          ? new aws.Provider("aws-chatbot", { region: chatbotRegion, defaultTags: awsl.defaultTags })
          : undefined,
      pagerDutyKeySecretArn: config.operations.notifications.pagerDutyIntegrationKeySecretArn,
    },
    awsl.opts,
  );
}
