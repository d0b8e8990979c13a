import { strict as assert } from "assert";
import { canarySplit, RUN_AS } from "../../../src/components/kubernetes/app";
import { Evaluation } from "../../../dev/harness/evaluate";
import { committedStack } from "../../helpers/stacks";

describe("component", function () {
  this.timeout(60000);
  let dev: Evaluation;
  let prod: Evaluation;
  before(async () => {
    dev = await committedStack("dev");
    prod = await committedStack("production");
  });

  describe("KubernetesApp", () => {
    it("labels its namespace Pod Security restricted", () => {
      const ns = dev.get("kubernetes:core/v1:Namespace", "api-ns");
      assert.equal(ns.inputs.metadata.labels["pod-security.kubernetes.io/enforce"], "restricted");
    });

    it("hardens the pod: non-root, read-only root, no escalation, drop ALL, RuntimeDefault seccomp, no token", () => {
      const spec = dev.get("kubernetes:apps/v1:Deployment", "api-main").inputs.spec.template.spec;
      assert.deepEqual(spec.securityContext, {
        runAsNonRoot: true,
        runAsUser: RUN_AS,
        runAsGroup: RUN_AS,
        fsGroup: RUN_AS,
        seccompProfile: { type: "RuntimeDefault" },
      });
      assert.equal(spec.automountServiceAccountToken, false);
      const c = spec.containers[0];
      assert.deepEqual(c.securityContext, {
        allowPrivilegeEscalation: false,
        privileged: false,
        readOnlyRootFilesystem: true,
        runAsNonRoot: true,
        capabilities: { drop: ["ALL"] },
      });
      assert.deepEqual(c.resources, {
        requests: { cpu: "250m", memory: "512Mi" },
        limits: { cpu: "250m", memory: "512Mi" },
      });
      assert.equal(c.readinessProbe.httpGet.path, "/health");
      assert.match(c.image, /@sha256:[a-f0-9]{64}$/);
    });

    it("uses the configured rolling update bounds", () => {
      const strategy = dev.get("kubernetes:apps/v1:Deployment", "api-main").inputs.spec.strategy;
      assert.deepEqual(strategy, {
        type: "RollingUpdate",
        rollingUpdate: { maxSurge: 1, maxUnavailable: 0 },
      });
    });

    it("leaves replicas to the HPA when autoscaling is configured", () => {
      const staging = prod.get("kubernetes:apps/v1:Deployment", "api-main");
      assert.equal(staging.inputs.spec.replicas, undefined);
      const hpa = prod.get("kubernetes:autoscaling/v2:HorizontalPodAutoscaler", "api-main");
      assert.deepEqual(
        [hpa.inputs.spec.minReplicas, hpa.inputs.spec.maxReplicas, hpa.inputs.spec.scaleTargetRef.name],
        [3, 12, "api"],
      );
    });

    it("denies all traffic by default and admits only the service port", () => {
      const deny = dev.get("kubernetes:networking.k8s.io/v1:NetworkPolicy", "api-default-deny");
      assert.deepEqual(deny.inputs.spec, { podSelector: {}, policyTypes: ["Ingress", "Egress"] });
      const allow = dev.get("kubernetes:networking.k8s.io/v1:NetworkPolicy", "api-allow");
      assert.deepEqual(allow.inputs.spec.ingress, [{ ports: [{ protocol: "TCP", port: 8080 }] }]);
    });

    it("routes blue/green traffic to the active colour and previews the idle one", () => {
      const main = dev.get("kubernetes:core/v1:Service", "web-svc").inputs.spec.selector;
      const preview = dev.get("kubernetes:core/v1:Service", "web-preview-svc").inputs.spec.selector;
      assert.deepEqual(main, { "app.kubernetes.io/name": "web", "platform.io/track": "blue" });
      assert.deepEqual(preview, { "app.kubernetes.io/name": "web", "platform.io/track": "green" });
      assert.match(
        dev.get("kubernetes:apps/v1:Deployment", "web-green").inputs.spec.template.spec.containers[0].image,
        /612f7a0e/,
      );
      assert.equal((dev.outputs.previewUrls as any).web, "http://web-preview.web.svc.cluster.local");
    });

    it("splits canary traffic by replica ratio across both tracks behind one Service", () => {
      const replicas = (n: string) => dev.get("kubernetes:apps/v1:Deployment", n).inputs.spec.replicas;
      assert.deepEqual([replicas("orders-stable"), replicas("orders-canary")], [3, 1]);
      assert.deepEqual(dev.get("kubernetes:core/v1:Service", "orders-svc").inputs.spec.selector, {
        "app.kubernetes.io/name": "orders",
      });
    });

    const splits: [number, number, { stable: number; canary: number }][] = [
      [10, 0, { stable: 10, canary: 0 }],
      [10, 10, { stable: 9, canary: 1 }],
      [10, 25, { stable: 7, canary: 3 }],
      [4, 10, { stable: 3, canary: 1 }],
      [4, 50, { stable: 2, canary: 2 }],
      [2, 99, { stable: 1, canary: 1 }],
      [4, 100, { stable: 0, canary: 4 }],
    ];
    for (const [total, weight, expected] of splits) {
      it(`runs ${expected.canary} of ${total} pods as canary at weight ${weight}`, () => {
        assert.deepEqual(canarySplit(total, weight), expected);
      });
    }
  });
});
