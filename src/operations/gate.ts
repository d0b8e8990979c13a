/**
 * Which metrics judge a service's release, from the stack's outputs and `operations.gate`:
 * - an EKS service, when the stack names an in-cluster Prometheus or the platform installs its own
 *   (a cluster it creates, with a service reachable only inside it): its namespace's request
 *   metrics, through a port-forward to Prometheus (the job reaches the cluster's API, not its
 *   Services);
 * - a service behind an ALB (ECS, or EKS with an Ingress): CloudWatch's ALB target group metrics
 *   (the `albArnSuffixes` / `targetGroupSuffixes` outputs);
 * - anything else (an EKS service exposed only in a cluster the platform does not create, which
 *   names no Prometheus): nothing measures it; a stack whose gate fails closed on no data refuses
 *   that at config time (operations.ts). The report says so and passes: the health gate alone judged it. That is a fact of
 *   the service's exposure, not missing data, and the summary never calls it healthy.
 */
import { own } from "../lib/own";
import { ServiceConfig, StackConfig } from "../config";
import { GateSettings, operationsOf } from "../config/operations";
import { installedAddons } from "../config/addon-image-rules";
import { ADDON_PROMETHEUS_URL } from "../components/kubernetes/cluster-addons-plan";
import { Clock, systemClock } from "../release/health";
import { inClusterService, PortForwarder } from "../release/port-forward";
import { PulumiCli } from "../release/pulumi-cli";
import {
  awsCliGetMetricData,
  cloudWatchMetrics,
  GateReport,
  GateThresholds,
  GetMetricData,
  MetricSource,
  prometheusMetrics,
  PrometheusQuery,
  watchMetrics,
} from "./metric-gate";

export interface MetricGateDeps {
  readonly pulumi: PulumiCli;
  readonly forwarder: PortForwarder;
  /** @default `aws cloudwatch get-metric-data` */
  readonly getMetricData?: GetMetricData;
  /** Prometheus's query API at a base URL. @default HTTP */
  readonly prometheusQuery?: (baseUrl: string) => PrometheusQuery;
  readonly clock?: Clock;
}

export const thresholdsOf = (g: GateSettings): GateThresholds => ({
  errorRatePercent: g.errorRatePercent,
  latencyP95Ms: g.latencyP95Ms,
  latencyP99Ms: g.latencyP99Ms,
  minRequests: g.minRequests,
  noData: g.noData,
});

type Outputs = Record<string, unknown>;
const mapOf = (outputs: Outputs, name: string) =>
  (outputs[name] ?? undefined) as Record<string, string> | undefined;

/**
 * The Prometheus the gate reads EKS services from: the one `operations.gate.prometheusUrl` names,
 * else the platform's add-on where it installs one (a cluster it creates, with a service reachable
 * only inside it), else none.
 */
export function gatePrometheusUrl(
  config: Pick<StackConfig, "environment" | "operations"> & Partial<StackConfig>,
): string | undefined {
  const named = operationsOf(config).gate.prometheusUrl;
  if (named) return named;
  if (!config.eks || !config.services) return undefined;
  return installedAddons(config as StackConfig).some((a) => a.addon === "prometheus")
    ? ADDON_PROMETHEUS_URL
    : undefined;
}

/** The metric gate the executor runs after canary steps and blue/green flips. */
export function metricGate(
  config: Pick<StackConfig, "environment" | "operations"> & Partial<StackConfig>,
  deps: MetricGateDeps,
): (stack: string, svc: ServiceConfig) => Promise<GateReport> {
  const settings = { ...operationsOf(config).gate, prometheusUrl: gatePrometheusUrl(config) };
  const thresholds = thresholdsOf(settings);
  const window = { windowMs: settings.windowMinutes * 60_000, intervalMs: settings.intervalSeconds * 1000 };
  const clock = deps.clock ?? systemClock;
  return async (stack, svc) => {
    const outputs = await deps.pulumi.outputs(stack);
    const prometheus =
      settings.prometheusUrl && svc.target === "eks" ? inClusterService(settings.prometheusUrl) : undefined;
    if (prometheus) {
      const namespace = own(mapOf(outputs, "namespaces"), svc.name) ?? svc.name;
      const kubeconfig = await deps.pulumi.secretOutput(stack, "kubeconfig");
      if (typeof kubeconfig !== "string")
        throw new Error(`stack ${stack} has no kubeconfig output to reach Prometheus`);
      const forward = await deps.forwarder.open(prometheus, kubeconfig);
      try {
        const source = prometheusMetrics(
          forward.url,
          { service: svc.name, namespace },
          undefined,
          deps.prometheusQuery?.(forward.url),
        );
        return await watchMetrics(
          { ...source, name: `Prometheus (${settings.prometheusUrl})` },
          thresholds,
          window,
          clock,
        );
      } finally {
        await forward.close();
      }
    }
    const loadBalancer = own(mapOf(outputs, "albArnSuffixes"), svc.name);
    const targetGroup = own(mapOf(outputs, "targetGroupSuffixes"), svc.name);
    if (loadBalancer && targetGroup) {
      const source: MetricSource = cloudWatchMetrics(
        { loadBalancer, targetGroup },
        deps.getMetricData ?? awsCliGetMetricData,
      );
      return watchMetrics(source, thresholds, window, clock);
    }
    return {
      passed: true,
      source: "none",
      summary: `not measured: ${svc.name} has no ALB and the stack names no Prometheus (operations.gate.prometheusUrl); only the health gate judged it`,
    };
  };
}

/** One gate report as a Markdown line of the job summary. */
export function gateSummaryLine(service: string, step: string, r: GateReport): string {
  return `| ${service} | ${step} | ${r.passed ? "pass" : "**fail: rolled back**"} | ${r.source} | ${r.summary.replace(/\|/g, "\\|")} |`;
}

export const GATE_SUMMARY_HEADER =
  "### Metric gate\n\n| service | step | decision | source | numbers |\n| --- | --- | --- | --- | --- |";
