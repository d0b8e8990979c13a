import { strict as assert } from "assert";
import * as k8s from "../../../src/lib/k8s";
import {
  canarySplit,
  KubernetesApp,
  KubernetesAppArgs,
  KubernetesStrategy,
  planAutoscaling,
  planNamespaceLabels,
  planPdbSpec,
  planTopologySpread,
  planPodSpec,
  planServices,
  planTracks,
  planUpdateStrategy,
  RUN_AS,
  Track,
} from "../../../src/components/kubernetes/app";
import { evaluate, Evaluation } from "../../../dev/harness/evaluate";
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

const KUBECONFIG = `apiVersion: v1
kind: Config
clusters: [{ name: test, cluster: { server: "https://127.0.0.1:6443" } }]
contexts: [{ name: test, context: { cluster: test, user: test } }]
current-context: test
users: [{ name: test, user: { token: t } }]
`;
const DIGEST = "sha256:" + "a".repeat(64);
const NEXT = "sha256:" + "b".repeat(64);
const SECRET_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop/db-AbCdEf";

function appArgs(provider: k8s.Provider, overrides: Partial<KubernetesAppArgs>): KubernetesAppArgs {
  return {
    provider,
    namespace: "default-ns",
    strategy: { type: "rolling", image: `repo/x@${DIGEST}`, maxSurge: "25%", maxUnavailable: 0 },
    port: 8080,
    replicas: 2,
    cpu: 250,
    memoryMiB: 512,
    healthPath: "/health",
    env: {},
    secrets: {},
    ...overrides,
  };
}

describe("KubernetesApp built with explicit args", function () {
  this.timeout(60000);
  let e: Evaluation;
  let shopUrn: string;
  before(async () => {
    e = await evaluate("unit", {}, () => {
      const provider = new k8s.Provider("cluster", { kubeconfig: KUBECONFIG });
      const shop = new KubernetesApp(
        "shop",
        appArgs(provider, {
          namespace: "shop-team",
          strategy: { type: "rolling", image: `repo/shop@${DIGEST}`, maxSurge: 1, maxUnavailable: 0 },
          port: 9090,
          replicas: 3,
          autoscaling: { minReplicas: 2, maxReplicas: 6, cpuTarget: 60 },
          cpu: 500,
          memoryMiB: 1024,
          healthPath: "/ready",
          env: { LOG_LEVEL: "info" },
          secrets: { DATABASE_URL: SECRET_ARN },
          secretStore: "aws-secrets",
          irsaRoleArn: "arn:aws:iam::123456789012:role/shop",
        }),
      );
      shopUrn = "";
      shop.urn.apply((u) => (shopUrn = u));
      new KubernetesApp(
        "pay",
        appArgs(provider, {
          namespace: "pay",
          strategy: {
            type: "blueGreen",
            activeColor: "green",
            activeImage: `repo/pay@${DIGEST}`,
            idleImage: `repo/pay@${NEXT}`,
          },
        }),
      );
      new KubernetesApp(
        "ledger",
        appArgs(provider, {
          namespace: "ledger",
          strategy: { type: "rolling", image: `repo/ledger@${DIGEST}`, maxSurge: 1, maxUnavailable: 0 },
          env: { LOG_LEVEL: "info" },
          secrets: { DATABASE_URL: SECRET_ARN, API_KEY: SECRET_ARN },
          secretsAs: "environment",
          secretStore: "aws-secrets",
        }),
      );
      new KubernetesApp(
        "cart",
        appArgs(provider, {
          namespace: "cart",
          replicas: 4,
          strategy: {
            type: "canary",
            weight: 50,
            stableImage: `repo/cart@${DIGEST}`,
            canaryImage: `repo/cart@${NEXT}`,
          },
          autoscaling: { minReplicas: 2, maxReplicas: 8, cpuTarget: 70 },
        }),
      );
    });
  });
  const of = (app: string) =>
    e.resources
      .filter((r) => r.name === app || r.name.startsWith(`${app}-`))
      .filter((r) => r.type !== "platform:kubernetes:KubernetesApp");

  it("registers a namespace, service account, external secret, deployment, HPA, PDB, service and two network policies for a rolling app", () => {
    assert.deepEqual(
      of("shop")
        .map((r) => `${r.type} ${r.name}`)
        .sort(),
      [
        "kubernetes:apps/v1:Deployment shop-main",
        "kubernetes:autoscaling/v2:HorizontalPodAutoscaler shop-main",
        "kubernetes:core/v1:Namespace shop-ns",
        "kubernetes:core/v1:Service shop-svc",
        "kubernetes:core/v1:ServiceAccount shop-sa",
        "kubernetes:external-secrets.io/v1:ExternalSecret shop-secrets",
        "kubernetes:networking.k8s.io/v1:NetworkPolicy shop-allow",
        "kubernetes:networking.k8s.io/v1:NetworkPolicy shop-default-deny",
        "kubernetes:policy/v1:PodDisruptionBudget shop-main",
      ],
    );
  });

  it("parents every child to the component and deploys it with the given provider", () => {
    for (const r of of("shop")) {
      assert.equal(r.parent, shopUrn, r.name);
      assert.match(r.provider ?? "", /::cluster::/, r.name);
    }
  });

  it("creates the namespace it is given, enforcing, auditing and warning Pod Security restricted", () => {
    assert.deepEqual(e.get("kubernetes:core/v1:Namespace", "shop-ns").inputs.metadata, {
      name: "shop-team",
      labels: {
        "pod-security.kubernetes.io/enforce": "restricted",
        "pod-security.kubernetes.io/enforce-version": "latest",
        "pod-security.kubernetes.io/audit": "restricted",
        "pod-security.kubernetes.io/warn": "restricted",
      },
    });
  });

  it("gives the service account no token and the IRSA role it is given", () => {
    const sa = e.get("kubernetes:core/v1:ServiceAccount", "shop-sa").inputs;
    assert.equal(sa.automountServiceAccountToken, false);
    assert.deepEqual(sa.metadata.annotations, {
      "eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/shop",
    });
    assert.equal(sa.metadata.namespace, "shop-team");
  });

  it("syncs secrets through the given store and mounts them read-only as files", () => {
    const es = e.get("kubernetes:external-secrets.io/v1:ExternalSecret", "shop-secrets").inputs.spec;
    assert.deepEqual(es.secretStoreRef, { kind: "ClusterSecretStore", name: "aws-secrets" });
    assert.deepEqual(es.data, [{ secretKey: "DATABASE_URL", remoteRef: { key: SECRET_ARN } }]);
    const pod = e.get("kubernetes:apps/v1:Deployment", "shop-main").inputs.spec.template.spec;
    assert.deepEqual(pod.volumes[1], { name: "secrets", secret: { secretName: "shop-secrets" } });
    assert.deepEqual(pod.containers[0].volumeMounts[1], {
      name: "secrets",
      mountPath: "/var/run/secrets/app",
      readOnly: true,
    });
  });

  it("sets each secret as an environment variable from the synced Secret when asked, mounting nothing", () => {
    const pod = e.get("kubernetes:apps/v1:Deployment", "ledger-main").inputs.spec.template.spec;
    assert.deepEqual(pod.containers[0].env, [
      { name: "LOG_LEVEL", value: "info" },
      { name: "DATABASE_URL", valueFrom: { secretKeyRef: { name: "ledger-secrets", key: "DATABASE_URL" } } },
      { name: "API_KEY", valueFrom: { secretKeyRef: { name: "ledger-secrets", key: "API_KEY" } } },
    ]);
    assert.deepEqual(pod.volumes, [{ name: "tmp", emptyDir: { sizeLimit: "64Mi" } }]);
    assert.deepEqual(pod.containers[0].volumeMounts, [{ name: "tmp", mountPath: "/tmp" }]);
    const es = e.get("kubernetes:external-secrets.io/v1:ExternalSecret", "ledger-secrets").inputs.spec;
    assert.deepEqual(
      es.data.map((d: { secretKey: string }) => d.secretKey),
      ["DATABASE_URL", "API_KEY"],
    );
  });

  it("runs the container with the given port, env, resources as requests and limits, and probes on the health path", () => {
    const c = e.get("kubernetes:apps/v1:Deployment", "shop-main").inputs.spec.template.spec.containers[0];
    assert.deepEqual(c.ports, [{ name: "http", containerPort: 9090, protocol: "TCP" }]);
    assert.deepEqual(c.env, [{ name: "LOG_LEVEL", value: "info" }]);
    assert.deepEqual(c.resources, {
      requests: { cpu: "500m", memory: "1024Mi" },
      limits: { cpu: "500m", memory: "1024Mi" },
    });
    assert.deepEqual(
      [c.readinessProbe.httpGet, c.livenessProbe.httpGet],
      [
        { path: "/ready", port: "http" },
        { path: "/ready", port: "http" },
      ],
    );
  });

  it("keeps a pod disruption budget of one pod per track", () => {
    const names = ["shop-main", "pay-blue", "pay-green", "cart-stable", "cart-canary"];
    for (const name of names) {
      const pdb = e.get("kubernetes:policy/v1:PodDisruptionBudget", name).inputs.spec;
      assert.equal(pdb.maxUnavailable, 1, name);
      assert.equal(pdb.selector.matchLabels["platform.io/track"], name.split("-")[1], name);
    }
  });

  it("autoscales the rolling app on CPU but never a canary, whose split the replica counts carry", () => {
    const hpa = e.get("kubernetes:autoscaling/v2:HorizontalPodAutoscaler", "shop-main").inputs.spec;
    assert.deepEqual(
      [hpa.minReplicas, hpa.maxReplicas, hpa.metrics[0].resource.target.averageUtilization],
      [2, 6, 60],
    );
    assert.equal(e.get("kubernetes:apps/v1:Deployment", "shop-main").inputs.spec.replicas, undefined);
    assert.deepEqual(
      e.ofType("kubernetes:autoscaling/v2:HorizontalPodAutoscaler").map((r) => r.name),
      ["shop-main"],
    );
    const replicas = (n: string) => e.get("kubernetes:apps/v1:Deployment", n).inputs.spec.replicas;
    assert.deepEqual([replicas("cart-stable"), replicas("cart-canary")], [2, 2]);
  });

  it("exposes every app on a ClusterIP service only", () => {
    const services = e.ofType("kubernetes:core/v1:Service");
    assert.deepEqual(services.map((s) => s.name).sort(), [
      "cart-svc",
      "ledger-svc",
      "pay-preview-svc",
      "pay-svc",
      "shop-svc",
    ]);
    for (const s of services) {
      assert.equal(s.inputs.spec.type, "ClusterIP", s.name);
      assert.deepEqual(s.inputs.spec.ports, [
        { name: "http", port: 80, targetPort: "http", protocol: "TCP" },
      ]);
    }
  });

  it("admits ingress on the app port only and egress to DNS and HTTPS only", () => {
    const allow = e.get("kubernetes:networking.k8s.io/v1:NetworkPolicy", "shop-allow").inputs.spec;
    assert.deepEqual(allow.policyTypes, ["Ingress", "Egress"]);
    assert.deepEqual(allow.ingress, [{ ports: [{ protocol: "TCP", port: 9090 }] }]);
    assert.deepEqual(allow.egress, [
      {
        ports: [
          { protocol: "UDP", port: 53 },
          { protocol: "TCP", port: 53 },
        ],
      },
      { ports: [{ protocol: "TCP", port: 443 }] },
    ]);
    const deny = e.get("kubernetes:networking.k8s.io/v1:NetworkPolicy", "shop-default-deny").inputs;
    assert.deepEqual(deny.spec, { podSelector: {}, policyTypes: ["Ingress", "Egress"] });
    assert.equal(deny.metadata.namespace, "shop-team");
  });

  it("sends blue/green traffic to the active colour and previews the idle one with its image", () => {
    const selector = (n: string) =>
      e.get("kubernetes:core/v1:Service", n).inputs.spec.selector["platform.io/track"];
    assert.deepEqual([selector("pay-svc"), selector("pay-preview-svc")], ["green", "blue"]);
    const image = (n: string) =>
      e.get("kubernetes:apps/v1:Deployment", n).inputs.spec.template.spec.containers[0].image;
    assert.deepEqual([image("pay-green"), image("pay-blue")], [`repo/pay@${DIGEST}`, `repo/pay@${NEXT}`]);
  });

  it("refuses secrets without a secret store before registering anything", async () => {
    let message = "";
    const refused = await evaluate("unit", {}, () => {
      const provider = new k8s.Provider("cluster", { kubeconfig: KUBECONFIG });
      try {
        new KubernetesApp("leak", appArgs(provider, { secrets: { TOKEN: SECRET_ARN } }));
      } catch (err) {
        message = (err as Error).message;
      }
    });
    assert.equal(
      message,
      "KubernetesApp leak: secretStore is required when secrets are set (got secrets TOKEN)",
    );
    assert.deepEqual(
      refused.resources.map((r) => r.type),
      ["pulumi:providers:kubernetes"],
    );
  });
});

describe("KubernetesApp planners", () => {
  const rolling: KubernetesStrategy = { type: "rolling", image: "img@r", maxSurge: "25%", maxUnavailable: 0 };
  const blueGreen: KubernetesStrategy = {
    type: "blueGreen",
    activeColor: "blue",
    activeImage: "img@a",
    idleImage: "img@i",
  };
  const canary = (weight: number): KubernetesStrategy => ({
    type: "canary",
    weight,
    stableImage: "img@s",
    canaryImage: "img@c",
  });

  const tracks: [string, KubernetesStrategy, number, Track[]][] = [
    ["rolling runs one main track", rolling, 3, [{ track: "main", image: "img@r", replicas: 3 }]],
    [
      "blueGreen runs both colours at full size, the active one on the active image",
      blueGreen,
      2,
      [
        { track: "blue", image: "img@a", replicas: 2 },
        { track: "green", image: "img@i", replicas: 2 },
      ],
    ],
    [
      "canary at 25 of 4 runs one canary pod",
      canary(25),
      4,
      [
        { track: "stable", image: "img@s", replicas: 3 },
        { track: "canary", image: "img@c", replicas: 1 },
      ],
    ],
    [
      "canary at 0 runs no canary pod",
      canary(0),
      4,
      [
        { track: "stable", image: "img@s", replicas: 4 },
        { track: "canary", image: "img@c", replicas: 0 },
      ],
    ],
  ];
  for (const [when, strategy, replicas, expected] of tracks)
    it(`plans tracks: ${when}`, () => assert.deepEqual(planTracks(strategy, replicas), expected));

  const services: [string, KubernetesStrategy, { logicalName: string; track: string | undefined }[]][] = [
    ["rolling selects the main track", rolling, [{ logicalName: "web-svc", track: "main" }]],
    ["canary selects both tracks", canary(10), [{ logicalName: "web-svc", track: undefined }]],
    [
      "blueGreen selects the active colour and previews the idle one",
      blueGreen,
      [
        { logicalName: "web-svc", track: "blue" },
        { logicalName: "web-preview-svc", track: "green" },
      ],
    ],
    [
      "blueGreen with green active previews blue",
      { ...blueGreen, activeColor: "green" } as KubernetesStrategy,
      [
        { logicalName: "web-svc", track: "green" },
        { logicalName: "web-preview-svc", track: "blue" },
      ],
    ],
  ];
  for (const [when, strategy, expected] of services)
    it(`plans services: ${when}`, () =>
      assert.deepEqual(
        planServices("web", strategy).map((s) => ({
          logicalName: s.logicalName,
          track: s.selector["platform.io/track"],
        })),
        expected,
      ));

  const updates: [string, KubernetesStrategy, object][] = [
    [
      "rolling uses its bounds",
      rolling,
      { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: 0 } },
    ],
    [
      "blueGreen surges one pod, none unavailable",
      blueGreen,
      { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
    ],
    [
      "canary surges one pod, none unavailable",
      canary(50),
      { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
    ],
  ];
  for (const [when, strategy, expected] of updates)
    it(`plans the update strategy: ${when}`, () => assert.deepEqual(planUpdateStrategy(strategy), expected));

  const bounds = { minReplicas: 1, maxReplicas: 3, cpuTarget: 70 };
  const autoscaling: [string, KubernetesStrategy, typeof bounds | undefined, typeof bounds | undefined][] = [
    ["rolling keeps its HPA", rolling, bounds, bounds],
    ["blueGreen keeps its HPA", blueGreen, bounds, bounds],
    ["canary drops the HPA", canary(25), bounds, undefined],
    ["no bounds means no HPA", rolling, undefined, undefined],
  ];
  for (const [when, strategy, given, expected] of autoscaling)
    it(`plans autoscaling: ${when}`, () => assert.deepEqual(planAutoscaling(strategy, given), expected));

  it("plans a pod without secrets with only the /tmp volume", () => {
    const pod = planPodSpec({
      name: "web",
      image: "img@r",
      serviceAccountName: "web",
      port: 8080,
      cpu: 100,
      memoryMiB: 128,
      healthPath: "/h",
      env: {},
      secretName: undefined,
    });
    assert.deepEqual(pod.volumes, [{ name: "tmp", emptyDir: { sizeLimit: "64Mi" } }]);
    assert.deepEqual(pod.containers[0].volumeMounts, [{ name: "tmp", mountPath: "/tmp" }]);
    assert.equal(pod.automountServiceAccountToken, false);
  });

  it("labels namespaces restricted in every Pod Security mode", () => {
    const labels = planNamespaceLabels();
    for (const mode of ["enforce", "audit", "warn"])
      assert.equal(labels[`pod-security.kubernetes.io/${mode}`], "restricted", mode);
  });

  it("lets a PDB take one pod of the track at a time, and always evict pods that are not Ready", () => {
    assert.deepEqual(planPdbSpec("web", "blue"), {
      maxUnavailable: 1,
      unhealthyPodEvictionPolicy: "AlwaysAllow",
      selector: { matchLabels: { "app.kubernetes.io/name": "web", "platform.io/track": "blue" } },
    });
  });

  it("spreads a track's pods over zones, then nodes, as preferences that a single-node cluster still satisfies", () => {
    const selector = { matchLabels: { "app.kubernetes.io/name": "web", "platform.io/track": "blue" } };
    assert.deepEqual(planTopologySpread("web", "blue"), [
      {
        maxSkew: 1,
        topologyKey: "topology.kubernetes.io/zone",
        whenUnsatisfiable: "ScheduleAnyway",
        labelSelector: selector,
        matchLabelKeys: ["pod-template-hash"],
      },
      {
        maxSkew: 1,
        topologyKey: "kubernetes.io/hostname",
        whenUnsatisfiable: "ScheduleAnyway",
        labelSelector: selector,
        matchLabelKeys: ["pod-template-hash"],
      },
    ]);
  });

  it("puts the spread into every Deployment's pod template, next to the hardened pod spec", async () => {
    const dev = await committedStack("dev");
    const deployments = dev.ofType("kubernetes:apps/v1:Deployment");
    assert.ok(deployments.length > 0);
    for (const d of deployments) {
      const spec = d.inputs.spec.template.spec;
      assert.equal(spec.automountServiceAccountToken, false, d.name);
      assert.deepEqual(
        spec.topologySpreadConstraints.map((c: any) => [c.topologyKey, c.labelSelector.matchLabels]),
        [
          ["topology.kubernetes.io/zone", d.inputs.spec.selector.matchLabels],
          ["kubernetes.io/hostname", d.inputs.spec.selector.matchLabels],
        ],
        d.name,
      );
    }
  });
});
