import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { Clock } from "../../src/release/health";
import {
  cloudWatchMetrics,
  GateThresholds,
  GetMetricDataResponse,
  judgeMetrics,
  prometheusMetrics,
  PrometheusResponse,
  sampleFromMetricData,
  targetGroupQueries,
  watchMetrics,
} from "../../src/operations/metric-gate";

const recorded = (file: string) =>
  JSON.parse(fs.readFileSync(path.join(__dirname, "fixtures", file), "utf8"));
const CW = recorded("cloudwatch-canary.json") as Record<string, GetMetricDataResponse[]>;
const PROM = recorded("prometheus-canary.json") as Record<string, Record<string, PrometheusResponse>>;

const PRODUCTION: GateThresholds = {
  errorRatePercent: 1,
  latencyP95Ms: 500,
  latencyP99Ms: 1000,
  minRequests: 50,
  noData: "fail",
};
const DEV: GateThresholds = { ...PRODUCTION, noData: "pass" };
const TG = {
  loadBalancer: "app/platform-prod-alb/50dc6c495c0c9188",
  targetGroup: "targetgroup/payments-tg/6d0ecf831eec9f09",
};

function fakeClock(): Clock & { slept: number[] } {
  let now = Date.parse("2026-11-20T10:00:00Z");
  const slept: number[] = [];
  return { slept, now: () => now, sleep: async (ms) => void (slept.push(ms), (now += ms)) };
}

/** GetMetricData answering the recorded responses in order (the last one repeats), keeping the requests. */
function replay(responses: GetMetricDataResponse[]) {
  const requests: any[] = [];
  return {
    requests,
    api: async (request: object) => {
      requests.push(request);
      return responses[Math.min(requests.length - 1, responses.length - 1)];
    },
  };
}

const WINDOW = { windowMs: 300_000, intervalMs: 60_000 };

describe("metric gate", () => {
  describe("judgeMetrics", () => {
    it("passes a healthy window and states its numbers", () => {
      const d = judgeMetrics({ requests: 2410, errors: 3, p95Ms: 190, p99Ms: 440 }, PRODUCTION);
      assert.deepEqual(d, { kind: "pass", detail: "2410 requests, 3 5xx (0.12%), p95 190 ms, p99 440 ms" });
    });

    it("fails on an error rate above the threshold, naming it and the numbers", () => {
      const d = judgeMetrics({ requests: 1204, errors: 97, p95Ms: 350, p99Ms: 2800 }, PRODUCTION);
      assert.equal(d.kind, "fail");
      assert.equal(
        d.detail,
        "error rate 8.06% > 1%; p99 2800 ms > 1000 ms (1204 requests, 97 5xx (8.06%), p95 350 ms, p99 2800 ms)",
      );
    });

    it("fails on latency alone, with no errors at all", () => {
      const d = judgeMetrics({ requests: 900, errors: 0, p95Ms: 600, p99Ms: 900 }, PRODUCTION);
      assert.equal(d.kind, "fail");
      assert.match(d.detail, /^p95 600 ms > 500 ms/);
    });

    it("an error rate exactly at the threshold passes", () => {
      assert.equal(judgeMetrics({ requests: 100, errors: 1 }, PRODUCTION).kind, "pass");
      assert.equal(judgeMetrics({ requests: 100, errors: 2 }, PRODUCTION).kind, "fail");
    });

    it("fewer requests than the minimum is no data, not a pass", () => {
      assert.equal(judgeMetrics({ requests: 49, errors: 0 }, PRODUCTION).kind, "noData");
      assert.equal(judgeMetrics(undefined, PRODUCTION).kind, "noData");
    });
  });

  describe("CloudWatch (ALB target group)", () => {
    it("asks GetMetricData for requests, target 5xx and p95/p99 response time of the service's target group over the window", () => {
      const q = targetGroupQueries(
        TG,
        Date.parse("2026-11-20T10:00:00Z"),
        Date.parse("2026-11-20T10:05:00Z"),
      ) as any;
      assert.equal(q.StartTime, "2026-11-20T10:00:00.000Z");
      assert.equal(q.EndTime, "2026-11-20T10:05:00.000Z");
      assert.deepEqual(
        q.MetricDataQueries.map((m: any) => [
          m.Id,
          m.MetricStat.Metric.MetricName,
          m.MetricStat.Stat,
          m.MetricStat.Period,
        ]),
        [
          ["requests", "RequestCount", "Sum", 300],
          ["errors", "HTTPCode_Target_5XX_Count", "Sum", 300],
          ["p95", "TargetResponseTime", "p95", 300],
          ["p99", "TargetResponseTime", "p99", 300],
        ],
      );
      assert.deepEqual(q.MetricDataQueries[0].MetricStat.Metric.Dimensions, [
        { Name: "LoadBalancer", Value: TG.loadBalancer },
        { Name: "TargetGroup", Value: TG.targetGroup },
      ]);
    });

    it("reads a recorded answer as requests, errors and latency in ms; a window without 5xx datapoints has 0 errors", () => {
      assert.deepEqual(sampleFromMetricData(CW.healthy[1]), {
        requests: 2410,
        errors: 3,
        p95Ms: 190,
        p99Ms: 440,
      });
      assert.equal(sampleFromMetricData(CW.slow[0])?.errors, 0);
      assert.equal(sampleFromMetricData(CW.noData[0]), undefined);
    });

    it("a healthy recorded series passes after the whole window", async () => {
      const clock = fakeClock();
      const cw = replay(CW.healthy);
      const report = await watchMetrics(cloudWatchMetrics(TG, cw.api), PRODUCTION, WINDOW, clock);
      assert.equal(report.passed, true);
      assert.equal(report.summary, "healthy for 5 min: 2410 requests, 3 5xx (0.12%), p95 190 ms, p99 440 ms");
      assert.equal(cw.requests.length, 5);
      assert.deepEqual(clock.slept, [60_000, 60_000, 60_000, 60_000, 60_000]);
    });

    it("a regressed recorded series fails at the first read, without waiting out the window", async () => {
      const clock = fakeClock();
      const cw = replay(CW.regressed);
      const report = await watchMetrics(cloudWatchMetrics(TG, cw.api), PRODUCTION, WINDOW, clock);
      assert.equal(report.passed, false);
      assert.match(report.summary, /^regressed: error rate 8\.06% > 1%/);
      assert.equal(cw.requests.length, 1);
      assert.equal(report.source, "CloudWatch (ALB targetgroup/payments-tg/6d0ecf831eec9f09)");
    });

    it("no data fails closed where the policy says fail (production) and passes, saying so, where it says pass", async () => {
      const closed = await watchMetrics(
        cloudWatchMetrics(TG, replay(CW.noData).api),
        PRODUCTION,
        WINDOW,
        fakeClock(),
      );
      assert.deepEqual(
        [closed.passed, closed.summary],
        [
          false,
          "no data after 5 min (0 requests in the window (fewer than 50 to judge)); this environment fails closed",
        ],
      );
      const open = await watchMetrics(cloudWatchMetrics(TG, replay(CW.noData).api), DEV, WINDOW, fakeClock());
      assert.equal(open.passed, true);
      assert.match(open.summary, /^no data after 5 min .*lets it pass$/);
    });
  });

  describe("Prometheus", () => {
    function replayProm(series: Record<string, PrometheusResponse>) {
      const asked: string[] = [];
      const query = async (promql: string) => {
        asked.push(promql);
        if (promql.includes("0.95")) return series.p95;
        if (promql.includes("0.99")) return series.p99;
        return promql.includes('status=~"5.."') ? series.errors : series.requests;
      };
      return { asked, query };
    }
    const target = { service: "orders", namespace: "orders" };

    it("queries the service's namespace over the window and judges a healthy series", async () => {
      const p = replayProm(PROM.healthy);
      const source = prometheusMetrics("http://prometheus.monitoring:9090", target, undefined, p.query);
      const report = await watchMetrics(source, PRODUCTION, WINDOW, fakeClock());
      assert.equal(report.passed, true);
      assert.match(report.summary, /3021 requests, 4 5xx \(0\.13%\), p95 121 ms, p99 298 ms/);
      assert.ok(
        p.asked.includes('sum(increase(http_requests_total{namespace="orders"}[300s]))'),
        p.asked.join("\n"),
      );
    });

    it("a regressed series fails", async () => {
      const source = prometheusMetrics("http://p:9090", target, undefined, replayProm(PROM.regressed).query);
      const report = await watchMetrics(source, PRODUCTION, WINDOW, fakeClock());
      assert.equal(report.passed, false);
      assert.match(report.summary, /error rate 7\.13% > 1%/);
    });

    it("an empty vector is no data, and NaN quantiles are no latency", async () => {
      const source = prometheusMetrics("http://p:9090", target, undefined, replayProm(PROM.noData).query);
      assert.equal(await source.read(0, 60_000), undefined);
      const report = await watchMetrics(source, PRODUCTION, WINDOW, fakeClock());
      assert.equal(report.passed, false);
    });

    it("a refused query is an error, not no data", async () => {
      const source = prometheusMetrics("http://p:9090", target, undefined, async () => ({
        status: "error",
        error: "parse error",
      }));
      await assert.rejects(source.read(0, 60_000), /Prometheus refused the query: parse error/);
    });
  });
});
