// Which metrics judge a cluster-only EKS service's release: the platform's own Prometheus on a
// cluster it creates (the add-on), a Prometheus the stack names, or, on a cluster it does not
// create with a gate that fails closed, a config error before any release.
import { strict as assert } from "assert";
import { ADDON_PROMETHEUS_URL } from "../../src/components/kubernetes/cluster-addons-plan";
import { parseStackConfig } from "../../src/config";
import { readStackConfig } from "../../src/config/stack-files";
import { gatePrometheusUrl, metricGate } from "../../src/operations/gate";
import { PrometheusResponse } from "../../src/operations/metric-gate";
import { PulumiCli } from "../../src/release/pulumi-cli";

const values = (stack: string): Record<string, any> =>
  Object.fromEntries(
    Object.entries(readStackConfig(stack))
      .filter(([k]) => k.startsWith("platform:"))
      .map(([k, v]) => [k.slice(9), structuredClone(v)]),
  );

const problems = (stack: string, v: Record<string, any>): string[] => {
  try {
    parseStackConfig(stack, v, "eu-west-1");
    return [];
  } catch (e) {
    return (e as Error).message.split("\n").slice(1);
  }
};

describe("the metric gate's Prometheus for services reachable only inside the cluster", () => {
  it("is the platform's add-on where the stack creates the cluster, and the named one where it names one", () => {
    const production = parseStackConfig("production", values("production"), "eu-west-1");
    assert.equal(gatePrometheusUrl(production), ADDON_PROMETHEUS_URL);
    assert.equal(ADDON_PROMETHEUS_URL, "http://prometheus-server.prometheus.svc:80");
    const named = values("production");
    named.operations = { ...named.operations, gate: { prometheusUrl: "http://prom.monitoring.svc:9090" } };
    assert.equal(
      gatePrometheusUrl(parseStackConfig("production", named, "eu-west-1")),
      "http://prom.monitoring.svc:9090",
    );
  });

  it("reads the committed production canary, which no ALB measures, from the add-on through a port-forward", async () => {
    const config = parseStackConfig("production", values("production"), "eu-west-1");
    const orders = config.services.find((s) => s.name === "orders")!;
    assert.equal(orders.strategy.type, "canary");
    const opened: string[] = [];
    const queries: string[] = [];
    const pulumi = {
      outputs: async () => ({ namespaces: { orders: "orders" } }),
      secretOutput: async () => "kubeconfig-yaml",
    } as unknown as PulumiCli;
    const answer = (v: number): PrometheusResponse => ({
      status: "success",
      data: { result: [{ value: [0, String(v)] }] },
    });
    let now = 0;
    const gate = metricGate(config, {
      pulumi,
      forwarder: {
        open: async (service, kubeconfig) => {
          opened.push(`${service.namespace}/${service.name}:${service.port} with ${kubeconfig}`);
          return { url: "http://127.0.0.1:40123", close: async () => undefined };
        },
      },
      prometheusQuery: (base) => async (promql) => {
        queries.push(`${base} ${promql}`);
        return answer(promql.includes("5..") ? 1 : promql.startsWith("histogram_quantile") ? 0.1 : 1000);
      },
      clock: { now: () => now, sleep: async (ms: number) => void (now += ms) },
    });
    const report = await gate("production", orders);
    assert.deepEqual(opened, ["prometheus/prometheus-server:80 with kubeconfig-yaml"]);
    assert.ok(queries.length > 0 && queries.every((q) => q.startsWith("http://127.0.0.1:40123 ")));
    assert.ok(
      queries.some((q) => q.includes('namespace="orders"')),
      queries[0],
    );
    assert.equal(report.passed, true, report.summary);
    assert.match(report.source, /Prometheus \(http:\/\/prometheus-server\.prometheus\.svc:80\)/);
  });

  it("is refused at config time on a cluster the stack does not create, when the gate fails closed and none is named", () => {
    const v = values("production");
    v.eks = { enabled: false };
    v.kubernetes = { ...v.kubernetes, kubeconfig: "./shared.kubeconfig" };
    const lines = problems("production", v).filter((l) => l.includes("gate.prometheusUrl"));
    assert.deepEqual(lines, [
      "  - platform:operations.gate.prometheusUrl: got nothing; the in-cluster Prometheus of the cluster kubernetes.kubeconfig reaches (http://<service>.<namespace>.svc[:port]): orders is reachable only inside the cluster, so no ALB measures its releases, and this stack's gate fails on no data (noData: fail)",
    ]);
  });
});
