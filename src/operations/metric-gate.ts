/**
 * The metric gate: after each canary step and after a blue/green flip, the release executor
 * watches the service's real error rate and latency for a window and aborts (the executor then
 * rolls back) when a threshold is crossed. Health GETs only say the pods answer; this says how the
 * traffic they serve fares.
 *
 * `judgeMetrics` is pure and tested against recorded series; the readers (`cloudWatchMetrics`:
 * GetMetricData through the aws CLI for ALB target groups, `prometheusMetrics`: the HTTP query
 * API when the cluster has a Prometheus) come in through `MetricSource`, like ecs-rollout.ts's
 * `EcsApi`.
 */
import { Clock, systemClock } from "../release/health";
import { runCommand } from "../release/process";

/** One window of the service's traffic, as the source aggregated it. */
export interface MetricSample {
  /** Requests served in the window. */
  readonly requests: number;
  /** Of those, answered 5xx by the service (target errors, not the load balancer's own). */
  readonly errors: number;
  /** Latency percentiles over the window, milliseconds; undefined when the source had none. */
  readonly p95Ms?: number;
  readonly p99Ms?: number;
}

/** The thresholds one gate applies (src/operations/settings.ts resolves them per environment). */
export interface GateThresholds {
  /** Highest acceptable 5xx share, percent. */
  readonly errorRatePercent: number;
  /** Highest acceptable p99 latency, ms. */
  readonly latencyP99Ms: number;
  /** Highest acceptable p95 latency, ms. */
  readonly latencyP95Ms: number;
  /** Fewer requests than this in the window is "no data": too few to judge a rate. */
  readonly minRequests: number;
  /**
   * What "no data" decides. `fail`: abort and roll back (production: a canary nobody can see is
   * not a healthy one). `pass`: go on, saying so (dev and staging often carry no traffic).
   */
  readonly noData: "fail" | "pass";
}

export type GateDecision =
  | { readonly kind: "pass"; readonly detail: string }
  | { readonly kind: "fail"; readonly detail: string }
  /** Too few requests to judge; `noData` turns this into pass or fail after the window. */
  | { readonly kind: "noData"; readonly detail: string };

const pct = (n: number) => `${(Math.round(n * 100) / 100).toString()}%`;

/** Judges one sample against the thresholds; the detail carries the numbers for the summary. */
export function judgeMetrics(sample: MetricSample | undefined, t: GateThresholds): GateDecision {
  if (!sample || sample.requests < t.minRequests)
    return {
      kind: "noData",
      detail: `${sample?.requests ?? 0} requests in the window (fewer than ${t.minRequests} to judge)`,
    };
  const rate = (100 * sample.errors) / sample.requests;
  const numbers =
    `${sample.requests} requests, ${sample.errors} 5xx (${pct(rate)}), ` +
    `p95 ${sample.p95Ms === undefined ? "n/a" : `${Math.round(sample.p95Ms)} ms`}, ` +
    `p99 ${sample.p99Ms === undefined ? "n/a" : `${Math.round(sample.p99Ms)} ms`}`;
  const crossed: string[] = [];
  if (rate > t.errorRatePercent) crossed.push(`error rate ${pct(rate)} > ${pct(t.errorRatePercent)}`);
  if (sample.p99Ms !== undefined && sample.p99Ms > t.latencyP99Ms)
    crossed.push(`p99 ${Math.round(sample.p99Ms)} ms > ${t.latencyP99Ms} ms`);
  if (sample.p95Ms !== undefined && sample.p95Ms > t.latencyP95Ms)
    crossed.push(`p95 ${Math.round(sample.p95Ms)} ms > ${t.latencyP95Ms} ms`);
  return crossed.length
    ? { kind: "fail", detail: `${crossed.join("; ")} (${numbers})` }
    : { kind: "pass", detail: numbers };
}

/** Where a service's traffic is measured. */
export interface MetricSource {
  /** Human name for the summary: `CloudWatch (ALB target group …)`, `Prometheus (…)`. */
  readonly name: string;
  /** Traffic between `fromMs` and `toMs` (epoch ms). */
  read(fromMs: number, toMs: number): Promise<MetricSample | undefined>;
}

export interface GateWindow {
  /** How long the gate watches, ms. */
  readonly windowMs: number;
  /** How often it reads while watching, ms. */
  readonly intervalMs: number;
}

/** The gate's verdict with its numbers: what the executor logs, the job summary and Slack show. */
export interface GateReport {
  readonly passed: boolean;
  readonly source: string;
  /** One line: decision and numbers. */
  readonly summary: string;
}

/**
 * Watches the source for the window. Every read covers the traffic since the gate started; a
 * crossed threshold fails at once (no need to wait out the window on a regression). At the end,
 * the last reading decides, and "no data" is decided by `noData`.
 */
export async function watchMetrics(
  source: MetricSource,
  thresholds: GateThresholds,
  window: GateWindow,
  clock: Clock = systemClock,
): Promise<GateReport> {
  const start = clock.now();
  let last: GateDecision = { kind: "noData", detail: "no reading yet" };
  for (;;) {
    await clock.sleep(Math.min(window.intervalMs, window.windowMs));
    const now = clock.now();
    last = judgeMetrics(await source.read(start, now), thresholds);
    if (last.kind === "fail")
      return { passed: false, source: source.name, summary: `regressed: ${last.detail}` };
    if (now - start >= window.windowMs) break;
  }
  const minutes = Math.round(window.windowMs / 60_000);
  if (last.kind === "pass")
    return { passed: true, source: source.name, summary: `healthy for ${minutes} min: ${last.detail}` };
  return thresholds.noData === "fail"
    ? {
        passed: false,
        source: source.name,
        summary: `no data after ${minutes} min (${last.detail}); this environment fails closed`,
      }
    : {
        passed: true,
        source: source.name,
        summary: `no data after ${minutes} min (${last.detail}); this environment lets it pass`,
      };
}

/** The fields of `aws cloudwatch get-metric-data` output the reader uses. */
export interface GetMetricDataResponse {
  readonly MetricDataResults?: readonly { readonly Id?: string; readonly Values?: readonly number[] }[];
}

export type GetMetricData = (request: object) => Promise<GetMetricDataResponse>;

/** The ALB target group a service's traffic goes through (CloudWatch's dimension values). */
export interface TargetGroupRef {
  /** `app/<name>/<id>`: the ALB's ARN suffix. */
  readonly loadBalancer: string;
  /** `targetgroup/<name>/<id>`: the target group's ARN suffix. */
  readonly targetGroup: string;
}

/** The GetMetricData queries of one window: requests, target 5xx, p95 and p99 response time. */
export function targetGroupQueries(ref: TargetGroupRef, fromMs: number, toMs: number): object {
  const dims = [
    { Name: "LoadBalancer", Value: ref.loadBalancer },
    { Name: "TargetGroup", Value: ref.targetGroup },
  ];
  // One datapoint for the whole window: the period is the window, rounded up to a minute.
  const period = Math.max(60, Math.ceil((toMs - fromMs) / 60_000) * 60);
  const q = (Id: string, MetricName: string, Stat: string) => ({
    Id,
    MetricStat: {
      Metric: { Namespace: "AWS/ApplicationELB", MetricName, Dimensions: dims },
      Period: period,
      Stat,
    },
  });
  return {
    StartTime: new Date(fromMs).toISOString(),
    EndTime: new Date(toMs).toISOString(),
    MetricDataQueries: [
      q("requests", "RequestCount", "Sum"),
      q("errors", "HTTPCode_Target_5XX_Count", "Sum"),
      q("p95", "TargetResponseTime", "p95"),
      q("p99", "TargetResponseTime", "p99"),
    ],
  };
}

/** One sample from a GetMetricData answer: counts summed, percentiles the worst datapoint (s → ms). */
export function sampleFromMetricData(response: GetMetricDataResponse): MetricSample | undefined {
  const values = (id: string) => response.MetricDataResults?.find((r) => r.Id === id)?.Values ?? [];
  const requests = values("requests");
  if (requests.length === 0) return undefined;
  const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
  const worst = (xs: readonly number[]) => (xs.length ? Math.max(...xs) * 1000 : undefined);
  return {
    requests: sum(requests),
    errors: sum(values("errors")),
    p95Ms: worst(values("p95")),
    p99Ms: worst(values("p99")),
  };
}

/** CloudWatch metrics of an ALB target group (ECS services, and EKS services behind an Ingress ALB). */
export function cloudWatchMetrics(
  ref: TargetGroupRef,
  getMetricData: GetMetricData = awsCliGetMetricData,
): MetricSource {
  return {
    name: `CloudWatch (ALB ${ref.targetGroup})`,
    read: async (fromMs, toMs) =>
      sampleFromMetricData(await getMetricData(targetGroupQueries(ref, fromMs, toMs))),
  };
}

/** `aws cloudwatch get-metric-data` with the job's credentials and region. */
export const awsCliGetMetricData: GetMetricData = async (request) =>
  JSON.parse(
    await runCommand("aws", [
      "cloudwatch",
      "get-metric-data",
      "--cli-input-json",
      JSON.stringify(request),
      "--output",
      "json",
    ]),
  ) as GetMetricDataResponse;

/** PromQL of the gate; `$service`, `$namespace` and `$window` are substituted. */
export interface PrometheusQueries {
  readonly requests: string;
  readonly errors: string;
  readonly p95Seconds: string;
  readonly p99Seconds: string;
}

/**
 * Defaults for the common `http_requests_total` / `http_request_duration_seconds` instrumentation,
 * by namespace (each service has its own).
 */
export const DEFAULT_PROMETHEUS_QUERIES: PrometheusQueries = {
  requests: 'sum(increase(http_requests_total{namespace="$namespace"}[$window]))',
  errors: 'sum(increase(http_requests_total{namespace="$namespace",status=~"5.."}[$window]))',
  p95Seconds:
    'histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{namespace="$namespace"}[$window])))',
  p99Seconds:
    'histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{namespace="$namespace"}[$window])))',
};

/** The fields of Prometheus's `/api/v1/query` answer the reader uses. */
export interface PrometheusResponse {
  readonly status?: string;
  readonly data?: { readonly result?: readonly { readonly value?: readonly [number, string] }[] };
  readonly error?: string;
}

export type PrometheusQuery = (promql: string, atMs: number) => Promise<PrometheusResponse>;

const scalar = (r: PrometheusResponse): number | undefined => {
  if (r.status !== "success") throw new Error(`Prometheus refused the query: ${r.error ?? r.status}`);
  const v = r.data?.result?.[0]?.value?.[1];
  const n = v === undefined ? undefined : Number(v);
  return n === undefined || Number.isNaN(n) ? undefined : n;
};

/** Prometheus's HTTP query API, one instant query per figure at the end of the window. */
export function prometheusMetrics(
  url: string,
  target: { service: string; namespace: string },
  queries: PrometheusQueries = DEFAULT_PROMETHEUS_QUERIES,
  query: PrometheusQuery = httpPrometheusQuery(url),
): MetricSource {
  const fill = (q: string, windowS: number) =>
    q
      .replaceAll("$service", target.service)
      .replaceAll("$namespace", target.namespace)
      .replaceAll("$window", `${Math.max(60, Math.round(windowS))}s`);
  return {
    name: `Prometheus (${url})`,
    async read(fromMs, toMs) {
      const w = (toMs - fromMs) / 1000;
      const [requests, errors, p95, p99] = await Promise.all(
        [queries.requests, queries.errors, queries.p95Seconds, queries.p99Seconds].map(async (q) =>
          scalar(await query(fill(q, w), toMs)),
        ),
      );
      if (requests === undefined) return undefined;
      return {
        requests: Math.round(requests),
        errors: Math.round(errors ?? 0),
        p95Ms: p95 === undefined ? undefined : p95 * 1000,
        p99Ms: p99 === undefined ? undefined : p99 * 1000,
      };
    },
  };
}

function httpPrometheusQuery(url: string): PrometheusQuery {
  return async (promql, atMs) => {
    const res = await fetch(
      `${url.replace(/\/$/, "")}/api/v1/query?${new URLSearchParams({ query: promql, time: String(atMs / 1000) })}`,
      { signal: AbortSignal.timeout(10_000) },
    );
    return (await res.json()) as PrometheusResponse;
  };
}
