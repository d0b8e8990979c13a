import { strict as assert } from "assert";
import { ResourceValidationPolicy } from "@pulumi/policy";
import {
  ADDON_CHARTS,
  AddonDemand,
  AddonName,
  chartImage,
  issuerHostPath,
  planAddons,
  planExternalSecretsValues,
  planLoadBalancerControllerValues,
  planMetricsServerValues,
  planPrometheusValues,
} from "../../../src/components/kubernetes/cluster-addons";
import { policies } from "../../../policy/policies";
import { checkResource, readPackConfig } from "../../../dev/harness/policy-harness";
import { deployment } from "../../policy/fixtures";
import { Evaluation, MOCK_ACCOUNT } from "../../../dev/harness/evaluate";
import { evaluateStack } from "../../../dev/harness/program";
import { readStackConfig } from "../../../src/config/stack-files";
import { committedStack } from "../../helpers/stacks";
import { IamCall, mismatches } from "../../helpers/iam-simulate";

const A = MOCK_ACCOUNT;
const R = "eu-west-1";
const demand = (over: Partial<AddonDemand>): AddonDemand => ({
  name: "api",
  exposure: "cluster",
  autoscaled: false,
  secrets: {},
  ...over,
});
/**
 * The images a chart renders from its values, as its templates build them (the charts' sources
 * are the Go modules dev/tools/crds.sh downloads; no helm binary renders them here):
 * - aws-load-balancer-controller 3.2.2, templates/deployment.yaml:
 *   `image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"`;
 * - external-secrets 1.3.2, templates/_helpers.tpl "external-secrets.image", called with
 *   `.Values.image` (deployment.yaml), `.Values.webhook.image` (webhook-deployment.yaml) and
 *   `.Values.certController.image` (cert-controller-deployment.yaml):
 *   `printf "%s:%s" $repository (.image.tag | default .chartAppVersion)`, where $repository is
 *   `.Values.global.repository` when set, and `-<flavour>` follows the tag when `.image.flavour` is set;
 * - metrics-server 3.13.1, templates/_helpers.tpl "metrics-server.image":
 *   `printf "%s:%s" .Values.image.repository (default (printf "v%s" .Chart.AppVersion) .Values.image.tag)`
 *   (addonResizer's image renders only with addonResizer.enabled, false by default).
 */
const RENDERED_IMAGES: Record<AddonName, (values: any) => string[]> = {
  loadBalancerController: (v) => [`${v.image.repository}:${v.image.tag}`],
  externalSecrets: (v) =>
    [v.image, v.webhook.image, v.certController.image].map((image) => {
      const repository = v.global?.repository || image.repository;
      const tag = image.tag || "v1.3.2";
      return image.flavour ? `${repository}:${tag}-${image.flavour}` : `${repository}:${tag}`;
    }),
  metricsServer: (v) => [`${v.image.repository}:${v.image.tag || "v0.8.1"}`],
  // prometheus 29.27.0, templates/deploy.yaml: `repository@digest` when server.image.digest is set,
  // else `repository:(tag | default .Chart.AppVersion)` and `-distroless` when server.image.distroless.
  prometheus: (v) => {
    const i = v.server.image;
    if (i.digest) return [`${i.repository}@${i.digest}`];
    return [`${i.repository}:${i.tag || "v3.14.0"}${i.distroless ? "-distroless" : ""}`];
  },
};

const pinnedImageRule = policies.find(
  (p) => p.name === "kubernetes-workload-require-pinned-approved-image",
) as ResourceValidationPolicy;

/** The rule's config for a stack as the engine resolves it: the stack's pack config, else the rule's default. */
function approvedRegistriesOf(stack: string): string[] {
  const entry = readPackConfig(stack)[pinnedImageRule.name];
  const configured =
    typeof entry === "object" ? (entry.approvedRegistries as string[] | undefined) : undefined;
  return configured ?? (pinnedImageRule.configSchema!.properties!.approvedRegistries as any).default;
}

/** The pinned-image rule's findings on a Deployment running `image`, under a stack's pack config. */
function pinnedImageFindings(stack: string, image: string): string[] {
  const d = structuredClone(deployment);
  d.spec.template.spec.containers[0].image = image;
  return checkResource(pinnedImageRule, "kubernetes:apps/v1:Deployment", d, {
    config: { approvedRegistries: approvedRegistriesOf(stack) },
  }).map((f) => f.message);
}

/** The add-on images a committed stack file configures (`eks.addons.images`). */
const configuredImages = (stack: string): Partial<Record<AddonName, string>> =>
  (readStackConfig(stack)["platform:eks"] as any).addons.images;

const SECRET = (n: string) => `arn:aws:secretsmanager:eu-west-1:333333333333:secret:production/${n}-AbCdEf`;

describe("cluster add-ons", function () {
  this.timeout(120000);

  describe("planAddons", () => {
    const cases: [when: string, services: AddonDemand[], store: string | undefined, expected: object][] = [
      [
        "every service stays in the cluster without secrets or autoscaling",
        [demand({}), demand({ name: "web" })],
        "store",
        {
          loadBalancerController: false,
          externalSecrets: undefined,
          metricsServer: false,
          // Reachable only inside the cluster: Prometheus measures their releases.
          prometheus: { namespaces: ["api", "web"] },
        },
      ],
      [
        "one service is internal",
        [demand({}), demand({ name: "web", exposure: "internal" })],
        undefined,
        {
          loadBalancerController: true,
          externalSecrets: undefined,
          metricsServer: false,
          prometheus: { namespaces: ["api"] },
        },
      ],
      [
        "one service is public and another autoscales",
        [demand({ exposure: "public" }), demand({ name: "web", autoscaled: true })],
        undefined,
        {
          loadBalancerController: true,
          externalSecrets: undefined,
          metricsServer: true,
          prometheus: { namespaces: ["web"] },
        },
      ],
      [
        "every service is behind an ALB, whose metrics judge their releases",
        [demand({ exposure: "public" }), demand({ name: "web", exposure: "internal" })],
        undefined,
        {
          loadBalancerController: true,
          externalSecrets: undefined,
          metricsServer: false,
          prometheus: undefined,
        },
      ],
      [
        "two services share a secret and a third has none",
        [
          demand({ secrets: { DB: SECRET("db"), TOKEN: SECRET("token") } }),
          demand({ name: "orders", secrets: { DB: SECRET("db") } }),
          demand({ name: "web" }),
        ],
        "aws-secrets-manager",
        {
          loadBalancerController: false,
          externalSecrets: {
            storeName: "aws-secrets-manager",
            namespaces: ["api", "orders"],
            secretArns: [SECRET("db"), SECRET("token")],
          },
          metricsServer: false,
          prometheus: { namespaces: ["api", "orders", "web"] },
        },
      ],
    ];
    for (const [when, services, store, expected] of cases)
      it(`plans ${JSON.stringify(expected)} when ${when}`, () =>
        assert.deepEqual(planAddons(services, store), expected));
  });

  it("pins every chart to an exact version in an HTTPS repository", () => {
    for (const chart of Object.values(ADDON_CHARTS)) {
      assert.match(chart.version, /^\d+\.\d+\.\d+$/, chart.chart);
      assert.match(chart.repo, /^https:\/\//, chart.chart);
    }
  });

  describe("chart images", () => {
    const D = "sha256:" + "0123456789abcdef".repeat(4);
    const references: [where: string, reference: string][] = [
      [
        "mirrored into the stack's ECR",
        `111111111111.dkr.ecr.eu-west-1.amazonaws.com/mirror/metrics-server:v0.8.1@${D}`,
      ],
      [
        "under an ECR pull-through cache prefix",
        `111111111111.dkr.ecr.eu-west-1.amazonaws.com/ecr-public/eks/aws-load-balancer-controller:v3.2.2@${D}`,
      ],
      ["in a registry with a port", `registry.internal:5000/k8s/metrics-server:v0.8.1@${D}`],
    ];
    const valuesOf: Record<AddonName, (image: string) => unknown> = {
      loadBalancerController: (image) =>
        planLoadBalancerControllerValues({
          clusterName: "c",
          region: R,
          vpcId: "vpc-1",
          roleArn: "r",
          image,
        }),
      externalSecrets: (image) => planExternalSecretsValues("r", image),
      metricsServer: (image) => planMetricsServerValues(image),
      prometheus: (image) => planPrometheusValues(image, ["api"]),
    };
    for (const addon of Object.keys(ADDON_CHARTS) as AddonName[])
      for (const [where, reference] of references)
        it(`renders every ${addon} container with exactly the configured image ${where}`, () => {
          const images = RENDERED_IMAGES[addon](valuesOf[addon](reference));
          assert.deepEqual(images, Array(addon === "externalSecrets" ? 3 : 1).fill(reference));
        });

    it("splits a reference into the charts' repository and a tag carrying the digest", () =>
      assert.deepEqual(chartImage(`registry.internal:5000/k8s/metrics-server:v0.8.1@${D}`), {
        repository: "registry.internal:5000/k8s/metrics-server",
        tag: `v0.8.1@${D}`,
      }));

    it("refuses a reference without a tag, which the charts' <repository>:<tag> cannot render", () => {
      for (const reference of [
        `registry.internal:5000/k8s/metrics-server@${D}`,
        "registry.k8s.io/metrics-server",
      ])
        assert.throws(
          () => chartImage(reference),
          /<registry>\/<repository>:<tag>@sha256:<digest> is expected/,
        );
    });
  });

  it("names the issuer in IAM condition keys without its scheme", () =>
    assert.equal(
      issuerHostPath("https://oidc.eks.eu-west-1.amazonaws.com/id/ABC"),
      "oidc.eks.eu-west-1.amazonaws.com/id/ABC",
    ));

  describe("in the committed stacks", () => {
    let dev: Evaluation;
    let staging: Evaluation;
    let production: Evaluation;
    before(async () => {
      dev = await committedStack("dev");
      staging = await committedStack("staging");
      production = await committedStack("production");
    });
    const charts = (e: Evaluation) =>
      e.ofType("kubernetes:helm.sh/v4:Chart").map((r) => [r.name, r.inputs.chart, r.inputs.version]);

    it("installs exactly the add-ons the services need", () => {
      // dev: api and orders are reachable only inside the cluster.
      assert.deepEqual(charts(dev), [["addons-prometheus", "prometheus", "29.27.0"]]);
      // staging: web is public, api autoscales; no service has secrets.
      assert.deepEqual(charts(staging).sort(), [
        ["addons-loadBalancerController", "aws-load-balancer-controller", "3.2.2"],
        ["addons-metricsServer", "metrics-server", "3.13.1"],
        ["addons-prometheus", "prometheus", "29.27.0"],
      ]);
      assert.deepEqual(staging.ofType("kubernetes:external-secrets.io/v1:ClusterSecretStore"), []);
      // production: web public, api internal and autoscaled, orders has a secret.
      assert.deepEqual(charts(production).sort(), [
        ["addons-externalSecrets", "external-secrets", "1.3.2"],
        ["addons-loadBalancerController", "aws-load-balancer-controller", "3.2.2"],
        ["addons-metricsServer", "metrics-server", "3.13.1"],
        ["addons-prometheus", "prometheus", "29.27.0"],
      ]);
    });

    it("runs in every add-on container exactly the image its stack configures, pinned by digest", () => {
      for (const [stack, evaluation] of [
        ["dev", dev],
        ["staging", staging],
        ["production", production],
      ] as const) {
        const images = configuredImages(stack);
        for (const chart of evaluation.ofType("kubernetes:helm.sh/v4:Chart")) {
          const addon = chart.name.replace(/^addons-/, "") as AddonName;
          const expected = images[addon];
          assert.match(expected ?? "", /@sha256:[a-f0-9]{64}$/, `${stack} ${addon}`);
          assert.deepEqual(
            RENDERED_IMAGES[addon](chart.inputs.values),
            Array(addon === "externalSecrets" ? 3 : 1).fill(expected),
            `${stack} ${addon}`,
          );
        }
      }
    });

    it("passes the pack's pinned-image rule with each configured image, and fails it with the charts' defaults", () => {
      for (const stack of ["staging", "production"]) {
        const images = configuredImages(stack);
        for (const addon of Object.keys(images) as AddonName[])
          assert.deepEqual(pinnedImageFindings(stack, images[addon]!), [], `${stack} ${addon}`);
        for (const chart of Object.values(ADDON_CHARTS))
          assert.deepEqual(pinnedImageFindings(stack, chart.upstreamImage), [
            `container app: image ${chart.upstreamImage} is not pinned by digest`,
          ]);
      }
    });

    it("refuses add-on images pinned by digest outside the stack's own ECR registry", () => {
      const digest = "sha256:" + "a".repeat(64);
      for (const [stack, other] of [
        ["staging", "333333333333"],
        ["production", "222222222222"],
      ]) {
        const elsewhere = [
          `ghcr.io/external-secrets/external-secrets:v1.3.2@${digest}`,
          `public.ecr.aws/eks/aws-load-balancer-controller:v3.2.2@${digest}`,
          `${other}.dkr.ecr.eu-west-1.amazonaws.com/mirror/metrics-server:v0.8.1@${digest}`,
        ];
        for (const image of elsewhere)
          assert.deepEqual(pinnedImageFindings(stack, image), [
            `container app: image ${image} is not from an approved registry`,
          ]);
      }
    });

    it("installs each chart from its repository into its own namespace labelled Pod Security restricted", () => {
      for (const [addon, chart] of Object.entries(ADDON_CHARTS)) {
        const r = production.get("kubernetes:helm.sh/v4:Chart", `addons-${addon}`).inputs;
        assert.deepEqual([r.repositoryOpts, r.namespace], [{ repo: chart.repo }, chart.namespace]);
        const ns = production.get("kubernetes:core/v1:Namespace", `addons-${addon}-ns`).inputs.metadata;
        assert.equal(ns.name, chart.namespace);
        assert.equal(ns.labels["pod-security.kubernetes.io/enforce"], "restricted");
      }
    });

    it("runs the controller for this cluster and VPC, without the chart's IngressClass, classic WAF, Shield or Service webhook, with WAFv2 for the public Ingresses' web ACL, hardened", () => {
      const v = production.get("kubernetes:helm.sh/v4:Chart", "addons-loadBalancerController").inputs.values;
      assert.equal(v.clusterName, "platform-production-eks");
      assert.deepEqual(
        [
          v.createIngressClassResource,
          v.enableWaf,
          v.enableWafv2,
          v.enableShield,
          v.enableServiceMutatorWebhook,
        ],
        [false, false, true, false, false],
      );
      assert.equal(v.serviceAccount.name, "aws-load-balancer-controller");
      assert.match(
        v.serviceAccount.annotations["eks.amazonaws.com/role-arn"],
        /addons-loadBalancerController/,
      );
      assert.deepEqual(v.securityContext, {
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        runAsNonRoot: true,
        capabilities: { drop: ["ALL"] },
        seccompProfile: { type: "RuntimeDefault" },
      });
    });

    it("trusts the cluster's OIDC provider for exactly each add-on's ServiceAccount, audience STS", () => {
      const issuer = "oidc.eks.eu-west-1.amazonaws.com/id/EKS-CLUSTER";
      for (const [addon, sa] of [
        [
          "loadBalancerController",
          "system:serviceaccount:aws-load-balancer-controller:aws-load-balancer-controller",
        ],
        ["externalSecrets", "system:serviceaccount:external-secrets:external-secrets"],
      ])
        assert.deepEqual(
          JSON.parse(production.get("aws:iam/role:Role", `addons-${addon}`).inputs.assumeRolePolicy),
          {
            Version: "2012-10-17",
            Statement: [
              {
                Effect: "Allow",
                Principal: { Federated: `arn:aws:iam:eu-west-1:${A}:eks-oidc` },
                Action: "sts:AssumeRoleWithWebIdentity",
                Condition: {
                  StringEquals: { [`${issuer}:sub`]: sa, [`${issuer}:aud`]: "sts.amazonaws.com" },
                },
              },
            ],
          },
        );
      assert.deepEqual(
        production
          .ofType("aws:iam/role:Role")
          .filter((r) => r.name.startsWith("addons-"))
          .map((r) => r.name)
          .sort(),
        ["addons-externalSecrets", "addons-loadBalancerController"],
      );
    });

    it("declares the alb IngressClass with params enforcing TLS 1.3 and pod IPs", () => {
      const cls = production.get(
        "kubernetes:networking.k8s.io/v1:IngressClass",
        "addons-ingress-class",
      ).inputs;
      assert.deepEqual(cls.spec, {
        controller: "ingress.k8s.aws/alb",
        parameters: { apiGroup: "elbv2.k8s.aws", kind: "IngressClassParams", name: "alb", scope: "Cluster" },
      });
      const params = production.get(
        "kubernetes:elbv2.k8s.aws/v1beta1:IngressClassParams",
        "addons-ingress-class-params",
      ).inputs;
      assert.deepEqual(params.spec, {
        sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
        targetType: "ip",
        ipAddressType: "ipv4",
      });
    });

    it("creates the store the ExternalSecrets reference, usable only from the namespaces of services with secrets", () => {
      const store = production.get(
        "kubernetes:external-secrets.io/v1:ClusterSecretStore",
        "addons-secret-store",
      ).inputs;
      assert.equal(store.metadata.name, "aws-secrets-manager");
      assert.deepEqual(store.spec, {
        provider: {
          aws: {
            service: "SecretsManager",
            region: "eu-west-1",
            auth: { jwt: { serviceAccountRef: { name: "external-secrets", namespace: "external-secrets" } } },
          },
        },
        conditions: [{ namespaces: ["orders"] }],
      });
      const es = production.get("kubernetes:external-secrets.io/v1:ExternalSecret", "orders-secrets").inputs;
      assert.deepEqual(es.spec.secretStoreRef, { kind: "ClusterSecretStore", name: "aws-secrets-manager" });
    });

    it("makes the workloads of a stack that holds them wait for the add-ons they use (a component dependency is its children's)", async () => {
      // Application stacks run after their platform's up, which installs every add-on they need.
      const single = await evaluateStack("production", { "platform:applicationStacks": false });
      const urn = (type: string, name: string) => single.get(type, name).urn;
      const controller = urn("kubernetes:helm.sh/v4:Chart", "addons-loadBalancerController");
      const ingressClass = urn("kubernetes:networking.k8s.io/v1:IngressClass", "addons-ingress-class");
      const store = urn("kubernetes:external-secrets.io/v1:ClusterSecretStore", "addons-secret-store");
      const metrics = urn("kubernetes:helm.sh/v4:Chart", "addons-metricsServer");
      const needs: [type: string, name: string, urns: string[]][] = [
        ["kubernetes:networking.k8s.io/v1:Ingress", "web-ingress", [controller, ingressClass]],
        ["kubernetes:external-secrets.io/v1:ExternalSecret", "orders-secrets", [store]],
        ["kubernetes:autoscaling/v2:HorizontalPodAutoscaler", "api-main", [metrics]],
      ];
      for (const [type, name, urns] of needs) {
        const deps = single.get(type, name).dependencies;
        assert.deepEqual(
          urns.filter((u) => !deps.includes(u)),
          [],
          name,
        );
      }
    });

    describe("External Secrets' IAM policy in the simulator", () => {
      let policy: object;
      before(() => {
        policy = JSON.parse(
          production.get("aws:iam/rolePolicy:RolePolicy", "addons-externalSecrets").inputs.policy,
        );
      });
      const DB = "arn:aws:secretsmanager:eu-west-1:333333333333:secret:production/orders/db-AbCdEf";

      it("may read and describe the secret a service references", async () =>
        assert.deepEqual(
          await mismatches(
            policy,
            [
              ["secretsmanager:GetSecretValue", DB],
              ["secretsmanager:DescribeSecret", DB],
            ],
            "Allowed",
          ),
          [],
        ));

      it("may not read another secret, list secrets or write one", async () =>
        assert.deepEqual(
          await mismatches(
            policy,
            [
              ["secretsmanager:GetSecretValue", DB.replace("orders/db", "payments/db")],
              ["secretsmanager:GetSecretValue", `${DB}-x`],
              ["secretsmanager:ListSecrets", "*"],
              ["secretsmanager:PutSecretValue", DB],
            ],
            "ImplicitlyDenied",
          ),
          [],
        ));
    });

    describe("the load balancer controller's IAM policy in the simulator", () => {
      let policy: object;
      before(() => {
        policy = JSON.parse(
          production.get("aws:iam/rolePolicy:RolePolicy", "addons-loadBalancerController").inputs.policy,
        );
      });
      const vpc = `arn:aws:ec2:${R}:${A}:vpc/network-vpc-id`;
      const sg = `arn:aws:ec2:${R}:${A}:security-group/sg-0a1b2c`;
      const alb = `arn:aws:elasticloadbalancing:${R}:${A}:loadbalancer/app/k8s-platformproductionpu/50dc6c495c0c9188`;
      const tg = `arn:aws:elasticloadbalancing:${R}:${A}:targetgroup/k8s-web-web-1a2b/6d0ecf831eec9f09`;
      const listener = `arn:aws:elasticloadbalancing:${R}:${A}:listener/app/k8s-platformproductionpu/50dc6c495c0c9188/f2f7dc8efc522ab2`;
      const owned = { "aws:ResourceTag/elbv2.k8s.aws/cluster": "platform-production-eks" };
      const tagging = { "aws:RequestTag/elbv2.k8s.aws/cluster": "platform-production-eks" };

      it("may build and run an ALB for the cluster's Ingresses", async () => {
        const calls: IamCall[] = [
          ["ec2:DescribeSubnets", "*"],
          ["elasticloadbalancing:DescribeLoadBalancers", "*"],
          ["acm:DescribeCertificate", `arn:aws:acm:${R}:${A}:certificate/abc`],
          ["ec2:CreateSecurityGroup", sg],
          ["ec2:CreateSecurityGroup", vpc],
          ["ec2:CreateTags", sg, { "ec2:CreateAction": "CreateSecurityGroup", ...tagging }],
          ["ec2:AuthorizeSecurityGroupIngress", sg, { "ec2:Vpc": vpc }],
          ["ec2:DeleteSecurityGroup", sg, owned],
          ["elasticloadbalancing:CreateLoadBalancer", alb, tagging],
          ["elasticloadbalancing:CreateTargetGroup", tg, tagging],
          [
            "elasticloadbalancing:AddTags",
            alb,
            { "elasticloadbalancing:CreateAction": "CreateLoadBalancer", ...tagging },
          ],
          ["elasticloadbalancing:CreateListener", alb],
          ["elasticloadbalancing:CreateRule", listener],
          ["elasticloadbalancing:ModifyListener", listener],
          ["elasticloadbalancing:ModifyLoadBalancerAttributes", alb, owned],
          ["elasticloadbalancing:RegisterTargets", tg],
          ["elasticloadbalancing:DeleteLoadBalancer", alb, owned],
          [
            "iam:CreateServiceLinkedRole",
            `arn:aws:iam::${A}:role/aws-service-role/elasticloadbalancing.amazonaws.com/AWSServiceRoleForElasticLoadBalancing`,
            { "iam:AWSServiceName": "elasticloadbalancing.amazonaws.com" },
          ],
        ];
        assert.deepEqual(await mismatches(policy, calls, "Allowed"), []);
      });

      it("associates the stack's web ACL with its ALBs, and no other web ACL", async () => {
        const webAcl = production.get("kubernetes:networking.k8s.io/v1:Ingress", "web-ingress").inputs
          .metadata.annotations["alb.ingress.kubernetes.io/wafv2-acl-arn"];
        assert.match(webAcl, /^arn:aws:wafv2:/);
        const calls: IamCall[] = [
          ["wafv2:GetWebACLForResource", "*"],
          ["wafv2:GetWebACL", "*"],
          ["wafv2:AssociateWebACL", webAcl],
          ["wafv2:AssociateWebACL", alb],
          ["wafv2:DisassociateWebACL", alb],
          ["elasticloadbalancing:SetWebAcl", "*"],
        ];
        assert.deepEqual(await mismatches(policy, calls, "Allowed"), []);
      });

      it("may not touch load balancers or security groups it did not create, other VPCs, regions or NLBs, other web ACLs, classic WAF or Shield", async () => {
        const calls: IamCall[] = [
          ["elasticloadbalancing:DeleteLoadBalancer", alb],
          ["elasticloadbalancing:ModifyLoadBalancerAttributes", alb],
          ["elasticloadbalancing:CreateLoadBalancer", alb],
          ["ec2:DeleteSecurityGroup", sg],
          ["ec2:AuthorizeSecurityGroupIngress", sg, { "ec2:Vpc": `arn:aws:ec2:${R}:${A}:vpc/vpc-other` }],
          ["ec2:CreateSecurityGroup", `arn:aws:ec2:${R}:${A}:vpc/vpc-other`],
          ["elasticloadbalancing:CreateLoadBalancer", alb.replace(R, "us-east-1"), tagging],
          [
            "elasticloadbalancing:CreateLoadBalancer",
            `arn:aws:elasticloadbalancing:${R}:${A}:loadbalancer/net/k8s-nlb/50dc6c495c0c9188`,
            tagging,
          ],
          ["wafv2:AssociateWebACL", `arn:aws:wafv2:${R}:${A}:regional/webacl/another/0a1b2c3d`],
          ["waf-regional:AssociateWebACL", alb],
          ["shield:CreateProtection", "*"],
          [
            "iam:CreateServiceLinkedRole",
            `arn:aws:iam::${A}:role/aws-service-role/rds.amazonaws.com/AWSServiceRoleForRDS`,
            { "iam:AWSServiceName": "rds.amazonaws.com" },
          ],
        ];
        assert.deepEqual(await mismatches(policy, calls, "ImplicitlyDenied"), []);
      });
    });
  });

  it("installs no External Secrets when services have secrets but the cluster is not EKS", async () => {
    const e = await evaluateStack("local", {
      "platform:kubernetes": {
        ...(readStackConfig("local")["platform:kubernetes"] as object),
        secretStore: "s",
      },
    });
    assert.deepEqual(e.ofType("kubernetes:helm.sh/v4:Chart"), []);
  });
});
