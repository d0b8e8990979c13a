import { strict as assert } from "assert";
import { ALB_TLS_POLICY } from "../../../src/components/aws/ecs-cluster";
import {
  AppIngress,
  ingressGroupName,
  INGRESS_TLS_POLICY,
  planAllowSpec,
  planIngressAnnotations,
  planIngressSpec,
} from "../../../src/components/kubernetes/app";
import { evaluateStack } from "../../../dev/harness/program";
import { Evaluation } from "../../../dev/harness/evaluate";
import { committedStack } from "../../helpers/stacks";

const CERT = "arn:aws:acm:eu-west-1:333333333333:certificate/0d2c7a7e-3333-4a2b-9c3d-000000000003";
const PUBLIC: AppIngress = {
  scheme: "internet-facing",
  host: "web.example.com",
  groupName: "platform-production-public",
  certificateArn: CERT,
  allowedCidrs: ["198.51.100.0/24", "203.0.113.0/24"],
};

const ofType = (e: Evaluation, type: string) => e.ofType(type).map((r) => r.name);

describe("ingress of exposed EKS services", function () {
  this.timeout(120000);

  describe("planIngressAnnotations", () => {
    it("puts the app in its scheme's shared group, HTTPS only with HTTP redirected, TLS 1.3, pod IPs as targets", () => {
      assert.deepEqual(planIngressAnnotations(PUBLIC, "/healthz"), {
        "alb.ingress.kubernetes.io/group.name": "platform-production-public",
        "alb.ingress.kubernetes.io/scheme": "internet-facing",
        "alb.ingress.kubernetes.io/target-type": "ip",
        "alb.ingress.kubernetes.io/listen-ports": '[{"HTTP":80},{"HTTPS":443}]',
        "alb.ingress.kubernetes.io/ssl-redirect": "443",
        "alb.ingress.kubernetes.io/certificate-arn": CERT,
        "alb.ingress.kubernetes.io/ssl-policy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
        "alb.ingress.kubernetes.io/backend-protocol": "HTTP",
        "alb.ingress.kubernetes.io/healthcheck-path": "/healthz",
        "alb.ingress.kubernetes.io/success-codes": "200-399",
        "alb.ingress.kubernetes.io/inbound-cidrs": "198.51.100.0/24,203.0.113.0/24",
        "alb.ingress.kubernetes.io/load-balancer-attributes":
          "routing.http.drop_invalid_header_fields.enabled=true",
      });
    });

    it("serves the same TLS policy as the ECS ALB", () => assert.equal(INGRESS_TLS_POLICY, ALB_TLS_POLICY));
  });

  describe("ingressGroupName", () => {
    for (const [scheme, group] of [
      ["internet-facing", "platform-dev-public"],
      ["internal", "platform-dev-internal"],
    ] as const)
      it(`names the ${scheme} group ${group}`, () =>
        assert.equal(ingressGroupName("platform-dev", scheme), group));
  });

  describe("planIngressSpec", () => {
    it("sends every path of the host, over TLS, to the main Service's http port through the alb class", () =>
      assert.deepEqual(planIngressSpec("web.example.com", "web"), {
        ingressClassName: "alb",
        tls: [{ hosts: ["web.example.com"] }],
        rules: [
          {
            host: "web.example.com",
            http: {
              paths: [
                {
                  path: "/",
                  pathType: "Prefix",
                  backend: { service: { name: "web", port: { name: "http" } } },
                },
              ],
            },
          },
        ],
      }));
  });

  it("keeps the NetworkPolicy admitting exactly the container port the ALB targets (target-type ip)", () =>
    assert.deepEqual(planAllowSpec("web", 3000).ingress, [{ ports: [{ protocol: "TCP", port: 3000 }] }]));

  describe("in the committed stacks", () => {
    let production: Evaluation;
    let staging: Evaluation;
    let dev: Evaluation;
    let local: Evaluation;
    before(async () => {
      // One at a time: the mocks are global to the runtime.
      production = await committedStack("production");
      staging = await committedStack("staging");
      dev = await committedStack("dev");
      local = await committedStack("local");
    });

    it("gives an Ingress to exactly the internal and public EKS services", () => {
      assert.deepEqual(ofType(production, "kubernetes:networking.k8s.io/v1:Ingress").sort(), [
        "api-ingress",
        "web-ingress",
      ]);
      assert.deepEqual(ofType(staging, "kubernetes:networking.k8s.io/v1:Ingress"), ["web-ingress"]);
      assert.deepEqual(ofType(dev, "kubernetes:networking.k8s.io/v1:Ingress"), []);
      assert.deepEqual(ofType(local, "kubernetes:networking.k8s.io/v1:Ingress"), []);
    });

    it("puts the public service on an internet-facing ALB open to the configured CIDRs and the internal one on an internal ALB open to the VPC", () => {
      const annotations = (name: string) =>
        production.get("kubernetes:networking.k8s.io/v1:Ingress", name).inputs.metadata.annotations;
      const pick = (a: Record<string, string>) => [
        a["alb.ingress.kubernetes.io/scheme"],
        a["alb.ingress.kubernetes.io/group.name"],
        a["alb.ingress.kubernetes.io/inbound-cidrs"],
      ];
      assert.deepEqual(pick(annotations("web-ingress")), [
        "internet-facing",
        "platform-production-public",
        "0.0.0.0/0",
      ]);
      assert.deepEqual(pick(annotations("api-ingress")), [
        "internal",
        "platform-production-internal",
        "10.30.0.0/16",
      ]);
    });

    it("labels exactly the exposed services' namespaces for the controller's readiness gate", () => {
      const gated = (e: Evaluation) =>
        e
          .ofType("kubernetes:core/v1:Namespace")
          .filter((r) => r.inputs.metadata.labels["elbv2.k8s.aws/pod-readiness-gate-inject"] === "enabled")
          .map((r) => r.inputs.metadata.name)
          .sort();
      assert.deepEqual(gated(production), ["api", "web"]);
      assert.deepEqual(gated(dev), []);
    });

    it("routes the blue/green service's host to its main Service, which selects the active colour", () => {
      const ingress = production.get("kubernetes:networking.k8s.io/v1:Ingress", "web-ingress").inputs;
      assert.equal(ingress.metadata.namespace, "web");
      assert.equal(ingress.spec.rules[0].host, "web.example.com");
      assert.equal(ingress.spec.rules[0].http.paths[0].backend.service.name, "web");
    });

    it("creates an alias A record for exactly the ECS services and the EKS services with an Ingress", () => {
      const records = (e: Evaluation) =>
        Object.fromEntries(
          e
            .ofType("aws:route53/record:Record")
            .map((r) => [
              r.inputs.name,
              [r.inputs.zoneId, r.inputs.type, r.inputs.aliases[0].name, r.inputs.aliases[0].zoneId],
            ]),
        );
      assert.deepEqual(records(production), {
        "payments.example.com": ["Z0PRODUCTION0000003", "A", "ecs-alb.elb.amazonaws.com", "Z32O12XQLNTSW2"],
        "api.example.com": [
          "Z0PRODUCTION0000003",
          "A",
          "k8s-platform-production-internal-0123456789.eu-west-1.elb.amazonaws.com",
          "Z32O12XQLNTSW2",
        ],
        "web.example.com": [
          "Z0PRODUCTION0000003",
          "A",
          "k8s-platform-production-public-0123456789.eu-west-1.elb.amazonaws.com",
          "Z32O12XQLNTSW2",
        ],
      });
      assert.deepEqual(Object.keys(records(dev)), ["payments.dev.example.com"]);
      assert.deepEqual(Object.keys(records(local)), []);
    });

    it("smoke-tests the ECS service at the name its record holds", () =>
      assert.equal(
        (production.outputs.serviceUrls as Record<string, string>).payments,
        "https://payments.example.com",
      ));

    it("keeps a cluster-only service without Ingress or record when the stack turns exposure off", async () => {
      const services = structuredClone(
        (await import("../../../src/config/stack-files")).readStackConfig("production")["platform:services"],
      ) as any[];
      for (const s of services) if (s.target === "eks") s.exposure = "cluster";
      const e = await evaluateStack("production", { "platform:services": services });
      assert.deepEqual(ofType(e, "kubernetes:networking.k8s.io/v1:Ingress"), []);
      assert.deepEqual(
        e.ofType("aws:route53/record:Record").map((r) => r.inputs.name),
        ["payments.example.com"],
      );
    });
  });
});
