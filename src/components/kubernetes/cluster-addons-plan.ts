/**
 * What the cluster add-ons are, as plain data: which of them a stack needs, the pinned Helm
 * charts, their namespaces, ServiceAccounts and hardened values, the IRSA trust of each, the
 * IngressClass of the AWS Load Balancer Controller and the ClusterSecretStore of External
 * Secrets. Pure functions without Pulumi resources, so tests read every field in a table.
 */
import * as pulumi from "@pulumi/pulumi";
import { Statement } from "../../lib/iam";
import { planNamespaceLabels } from "./app-spec";
import { ALB_INGRESS_CLASS, INGRESS_TLS_POLICY } from "./ingress-spec";

export type AddonName = "loadBalancerController" | "externalSecrets" | "metricsServer" | "prometheus";

/** A chart pinned to one version in its repository, installed into its own namespace. */
export interface AddonChart {
  /** Chart name in the repository. */
  readonly chart: string;
  /** Exact chart version (never a range). */
  readonly version: string;
  /** The application version the chart deploys (its `appVersion`). */
  readonly appVersion: string;
  /** The chart repository (HTTPS). */
  readonly repo: string;
  /** Namespace created for the add-on. */
  readonly namespace: string;
  /** The add-on's ServiceAccount, the IRSA subject when it calls AWS. */
  readonly serviceAccount: string;
  /**
   * The image the chart runs by default (its values.yaml): what the stack mirrors and pins by
   * digest in `eks.addons.images.<addon>`, since the policy pack refuses it as it stands.
   */
  readonly upstreamImage: string;
  /** What the add-on is, in the words a configuration problem uses. */
  readonly title: string;
}

/**
 * The charts, pinned. The end-to-end test applies the CRDs of exactly these versions, taken
 * from the Go modules of the same releases (see dev/tools/crds.sh).
 */
export const ADDON_CHARTS: Readonly<Record<AddonName, AddonChart>> = {
  loadBalancerController: {
    chart: "aws-load-balancer-controller",
    version: "3.2.2",
    appVersion: "v3.2.2",
    repo: "https://aws.github.io/eks-charts",
    namespace: "aws-load-balancer-controller",
    serviceAccount: "aws-load-balancer-controller",
    upstreamImage: "public.ecr.aws/eks/aws-load-balancer-controller:v3.2.2",
    title: "the AWS Load Balancer Controller",
  },
  externalSecrets: {
    chart: "external-secrets",
    version: "1.3.2",
    appVersion: "v1.3.2",
    repo: "https://charts.external-secrets.io",
    namespace: "external-secrets",
    serviceAccount: "external-secrets",
    upstreamImage: "ghcr.io/external-secrets/external-secrets:v1.3.2",
    title: "External Secrets Operator",
  },
  metricsServer: {
    chart: "metrics-server",
    version: "3.13.1",
    appVersion: "0.8.1",
    repo: "https://kubernetes-sigs.github.io/metrics-server/",
    namespace: "metrics-server",
    serviceAccount: "metrics-server",
    upstreamImage: "registry.k8s.io/metrics-server/metrics-server:v0.8.1",
    title: "metrics-server",
  },
  // prometheus-community/helm-charts charts/prometheus/Chart.yaml (version 29.27.0, appVersion
  // v3.14.0, last changed in ca06aaef8a20ca639f06523f467cb0ef8a114feb).
  prometheus: {
    chart: "prometheus",
    version: "29.27.0",
    appVersion: "v3.14.0",
    repo: "https://prometheus-community.github.io/helm-charts",
    namespace: "prometheus",
    serviceAccount: "prometheus-server",
    upstreamImage: "quay.io/prometheus/prometheus:v3.14.0",
    title: "Prometheus",
  },
};

/**
 * Where the metric gate reads the add-on Prometheus: its server Service (`server.fullnameOverride`
 * below) in its namespace, port 80, reached through a port-forward like any in-cluster Prometheus.
 */
export const ADDON_PROMETHEUS_URL = `http://prometheus-server.${"prometheus"}.svc:80`;

/**
 * The annotations the add-on Prometheus scrapes a pod by (the chart's `kubernetes-pods`
 * convention): the service's own port, path `/metrics`. The pods' NetworkPolicy admits ingress on
 * that port from any pod, so Prometheus reaches it with no rule of its own.
 */
export const METRICS_PATH = "/metrics";
export function scrapeAnnotations(port: number): Record<string, string> {
  return {
    "prometheus.io/scrape": "true",
    "prometheus.io/port": String(port),
    "prometheus.io/path": METRICS_PATH,
  };
}

/** What a service asks of the cluster (the parts of its config that need an add-on). */
export interface AddonDemand {
  readonly name: string;
  /** Its namespace. @default its name */
  readonly namespace?: string;
  /** `cluster`, `internal` or `public` (see config/dns.ts). */
  readonly exposure: string;
  /** Runs an HPA (autoscaling on a strategy that keeps one). */
  readonly autoscaled: boolean;
  /** Env name → Secrets Manager ARN. */
  readonly secrets: Readonly<Record<string, string>>;
}

/** The add-ons a cluster runs, and for External Secrets the namespaces and secrets it serves. */
export interface AddonPlan {
  /** Any service has an ALB Ingress. */
  readonly loadBalancerController: boolean;
  /** Any service has secrets: the store, the namespaces allowed to use it and the secret ARNs. */
  readonly externalSecrets?: {
    readonly storeName: string;
    readonly namespaces: readonly string[];
    readonly secretArns: readonly string[];
  };
  /** Any service runs an HPA (resource metrics come from metrics-server). */
  readonly metricsServer: boolean;
  /**
   * Any service is reachable only inside the cluster, so no ALB's metrics judge its releases:
   * Prometheus scrapes the namespaces of those services, for the metric gate.
   */
  readonly prometheus?: { readonly namespaces: readonly string[] };
}

/** Whether one service needs an add-on: an Ingress, a secret, an HPA. */
const NEEDS: Readonly<Record<AddonName, (s: AddonDemand) => boolean>> = {
  loadBalancerController: (s) => s.exposure !== "cluster",
  externalSecrets: (s) => Object.keys(s.secrets).length > 0,
  metricsServer: (s) => s.autoscaled,
  prometheus: (s) => s.exposure === "cluster",
};

/** Why a service needs an add-on, in the words a configuration problem uses. */
export const ADDON_REASONS: Readonly<Record<AddonName, string>> = {
  loadBalancerController: "an internal or public exposure (an ALB Ingress)",
  externalSecrets: "secrets (ExternalSecrets)",
  metricsServer: "autoscaling (an HPA)",
  prometheus: "exposure cluster (no ALB measures its releases; the metric gate reads Prometheus)",
};

/** The services that need an add-on (whether it is installed also depends on `planAddons`). */
export function servicesNeeding(addon: AddonName, services: readonly AddonDemand[]): string[] {
  return services.filter(NEEDS[addon]).map((s) => s.name);
}

/** The add-ons a plan installs. */
export function plannedAddons(plan: AddonPlan): AddonName[] {
  return (Object.keys(ADDON_CHARTS) as AddonName[]).filter((a) =>
    a === "externalSecrets" || a === "prometheus" ? plan[a] !== undefined : plan[a],
  );
}

/**
 * The add-ons the services of an EKS cluster need: the load balancer controller for any Ingress,
 * External Secrets (with `secretStore`) for any secret, metrics-server for any HPA. Each service
 * lives in a namespace of its own name.
 */
export function planAddons(services: readonly AddonDemand[], secretStore: string | undefined): AddonPlan {
  const withSecrets = services.filter(NEEDS.externalSecrets);
  return {
    loadBalancerController: services.some(NEEDS.loadBalancerController),
    externalSecrets:
      withSecrets.length > 0 && secretStore
        ? {
            storeName: secretStore,
            namespaces: withSecrets.map((s) => s.namespace ?? s.name),
            secretArns: [...new Set(withSecrets.flatMap((s) => Object.values(s.secrets)))].sort(),
          }
        : undefined,
    metricsServer: services.some(NEEDS.metricsServer),
    prometheus: services.some(NEEDS.prometheus)
      ? { namespaces: services.filter(NEEDS.prometheus).map((s) => s.namespace ?? s.name) }
      : undefined,
  };
}

/** An image as the charts here take it: `repository`, and `tag` carrying the digest. */
export interface ChartImage {
  readonly repository: string;
  readonly tag: string;
}

/**
 * `<registry>/<repository>:<tag>@sha256:<hex>` → `{ repository, tag: "<tag>@sha256:<hex>" }`.
 * Every chart here renders its images as `<repository>:<tag>` (values keys in the value planners
 * below), so this pair renders exactly the configured reference. The config schema admits only
 * references with a tag (config/addon-images.ts); one without is refused here too rather than
 * rendered as `<repository>:@sha256:…`.
 */
export function chartImage(reference: string): ChartImage {
  const at = reference.indexOf("@");
  const colon = at < 0 ? -1 : reference.lastIndexOf(":", at);
  if (at < 0 || colon < 0 || colon < reference.lastIndexOf("/", at))
    throw new Error(
      `${reference}: an image reference <registry>/<repository>:<tag>@sha256:<digest> is expected`,
    );
  return { repository: reference.slice(0, colon), tag: reference.slice(colon + 1) };
}

/** An add-on namespace: Pod Security `restricted`, which every chart here runs under. */
export function planAddonNamespace(addon: AddonName) {
  return {
    name: ADDON_CHARTS[addon].namespace,
    labels: { ...planNamespaceLabels(), "app.kubernetes.io/part-of": "cluster-addons" },
  };
}

/** The OIDC issuer as IAM condition keys name it: without `https://`. */
export function issuerHostPath(issuerUrl: string): string {
  return issuerUrl.replace(/^https:\/\//, "");
}

/**
 * IRSA trust: the cluster's OIDC provider may assume the role for exactly one ServiceAccount,
 * and only with a token meant for STS.
 */
export function planIrsaTrust(
  oidcProviderArn: pulumi.Input<string>,
  issuer: string,
  namespace: string,
  serviceAccount: string,
): Statement[] {
  const host = issuerHostPath(issuer);
  return [
    {
      Effect: "Allow",
      Principal: { Federated: oidcProviderArn },
      Action: "sts:AssumeRoleWithWebIdentity",
      Condition: {
        StringEquals: {
          [`${host}:sub`]: `system:serviceaccount:${namespace}:${serviceAccount}`,
          [`${host}:aud`]: "sts.amazonaws.com",
        },
      },
    },
  ];
}

/** External Secrets reads exactly the secrets the services reference, nothing else. */
export function externalSecretsStatements(secretArns: readonly string[]): Statement[] {
  return [
    {
      Sid: "ReadServiceSecrets",
      Effect: "Allow",
      Action: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
      Resource: [...secretArns],
    },
  ];
}

/** Container settings every add-on pod runs with (Pod Security restricted, the policy pack's rules). */
export const ADDON_CONTAINER_SECURITY = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  capabilities: { drop: ["ALL"] },
  seccompProfile: { type: "RuntimeDefault" },
};

/** Requests and limits of the controllers whose charts set none (memory request = limit). */
export const ADDON_RESOURCES = {
  requests: { cpu: "100m", memory: "256Mi" },
  limits: { cpu: "500m", memory: "256Mi" },
};

/** Pod settings every add-on pod runs with. */
export const ADDON_POD_SECURITY = {
  runAsNonRoot: true,
  seccompProfile: { type: "RuntimeDefault" },
};

/**
 * The load balancer controller's values: `image`; this cluster, region and VPC; the IRSA ServiceAccount;
 * two replicas; no IngressClass from the chart (the program owns it, with its params); no classic
 * WAF, Shield or Service mutator webhook (its IAM policy has none of their actions); WAFv2 only
 * where the stack has a web ACL for public Ingresses (`wafv2`); TLS 1.3 by default.
 */
export function planLoadBalancerControllerValues(p: {
  clusterName: pulumi.Input<string>;
  region: pulumi.Input<string>;
  vpcId: pulumi.Input<string>;
  roleArn: pulumi.Input<string>;
  /** `eks.addons.images.loadBalancerController`. */
  image: string;
  /** The controller applies Ingresses' `wafv2-acl-arn` annotations. @default false */
  wafv2?: boolean;
}) {
  return {
    // templates/deployment.yaml (chart 3.2.2): image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
    image: chartImage(p.image),
    clusterName: p.clusterName,
    region: p.region,
    vpcId: p.vpcId,
    replicaCount: 2,
    podDisruptionBudget: { maxUnavailable: 1 },
    resources: ADDON_RESOURCES,
    serviceAccount: {
      create: true,
      name: ADDON_CHARTS.loadBalancerController.serviceAccount,
      annotations: { "eks.amazonaws.com/role-arn": p.roleArn },
    },
    createIngressClassResource: false,
    ingressClass: ALB_INGRESS_CLASS,
    ingressClassParams: { create: false },
    enableShield: false,
    enableWaf: false,
    enableWafv2: p.wafv2 ?? false,
    enableServiceMutatorWebhook: false,
    defaultSSLPolicy: INGRESS_TLS_POLICY,
    podSecurityContext: { ...ADDON_POD_SECURITY, fsGroup: 65534 },
    securityContext: ADDON_CONTAINER_SECURITY,
  };
}

/**
 * External Secrets' values: its CRDs, the IRSA ServiceAccount, hardened controller, webhook and
 * cert controller, all three running `image` (the chart's one image with different arguments).
 */
export function planExternalSecretsValues(roleArn: pulumi.Input<string>, image: string) {
  // templates/_helpers.tpl (chart 1.3.2), "external-secrets.image", used by deployment.yaml
  // (.Values.image), webhook-deployment.yaml (.Values.webhook.image) and
  // cert-controller-deployment.yaml (.Values.certController.image):
  //   printf "%s:%s" $repository (.image.tag | default .chartAppVersion)
  // with $repository = .Values.global.repository when set (left unset here) else .image.repository,
  // and "-<flavour>" appended to the tag when .image.flavour is set (set empty here, explicitly).
  const pinned = { ...chartImage(image), flavour: "" };
  const hardened = {
    podSecurityContext: ADDON_POD_SECURITY,
    securityContext: ADDON_CONTAINER_SECURITY,
    resources: ADDON_RESOURCES,
  };
  return {
    installCRDs: true,
    image: pinned,
    serviceAccount: {
      create: true,
      name: ADDON_CHARTS.externalSecrets.serviceAccount,
      annotations: { "eks.amazonaws.com/role-arn": roleArn },
    },
    ...hardened,
    webhook: { ...hardened, image: pinned },
    certController: { ...hardened, image: pinned },
  };
}

/** metrics-server's values: `image`, hardened pod and container, two replicas behind a disruption budget. */
export function planMetricsServerValues(image: string) {
  return {
    // templates/_helpers.tpl (chart 3.13.1), "metrics-server.image":
    //   printf "%s:%s" .Values.image.repository (default (printf "v%s" .Chart.AppVersion) .Values.image.tag)
    // The chart's other image, addonResizer, runs only with addonResizer.enabled (false by default, kept).
    image: chartImage(image),
    replicas: 2,
    podDisruptionBudget: { enabled: true, maxUnavailable: 1 },
    podSecurityContext: ADDON_POD_SECURITY,
    securityContext: ADDON_CONTAINER_SECURITY,
  };
}

/**
 * Prometheus's values: the server alone (the chart's alertmanager, kube-state-metrics,
 * node-exporter and pushgateway subcharts and its config-reloader sidecar off, each an image of
 * its own), `image` by digest, hardened, keeping two days in an emptyDir (the gate reads minutes),
 * and one scrape job: the pods annotated for scraping (`scrapeAnnotations`) in the namespaces of
 * the services it measures, labelled `namespace` as the gate's queries select them.
 */
export function planPrometheusValues(image: string, namespaces: readonly string[]) {
  // templates/deploy.yaml (chart 29.27.0): with server.image.digest empty the image is
  // "<repository>:<tag>" (with server.image.distroless false), so the tag carries the digest and
  // the configured reference renders exactly, as in the other charts.
  return {
    alertmanager: { enabled: false },
    "kube-state-metrics": { enabled: false },
    "prometheus-node-exporter": { enabled: false },
    "prometheus-pushgateway": { enabled: false },
    configmapReload: { prometheus: { enabled: false } },
    server: {
      fullnameOverride: "prometheus-server",
      image: { ...chartImage(image), digest: "", distroless: false },
      replicaCount: 1,
      persistentVolume: { enabled: false },
      retention: "2d",
      securityContext: { ...ADDON_POD_SECURITY, runAsUser: 65534, runAsGroup: 65534, fsGroup: 65534 },
      containerSecurityContext: ADDON_CONTAINER_SECURITY,
      resources: { requests: { cpu: "250m", memory: "1Gi" }, limits: { cpu: "1", memory: "1Gi" } },
    },
    serviceAccounts: { server: { create: true, name: ADDON_CHARTS.prometheus.serviceAccount } },
    // The chart's own jobs (apiservers, nodes, cAdvisor, every annotated endpoint) are not asked
    // for: `scrapeConfigs: null` hands the server exactly the jobs below (chart README).
    scrapeConfigs: null,
    serverFiles: {
      "prometheus.yml": {
        scrape_configs: [
          {
            job_name: "platform-services",
            kubernetes_sd_configs: [{ role: "pod", namespaces: { names: [...namespaces] } }],
            relabel_configs: [
              {
                source_labels: ["__meta_kubernetes_pod_annotation_prometheus_io_scrape"],
                action: "keep",
                regex: "true",
              },
              {
                source_labels: ["__meta_kubernetes_pod_annotation_prometheus_io_path"],
                action: "replace",
                target_label: "__metrics_path__",
                regex: "(.+)",
              },
              {
                source_labels: ["__address__", "__meta_kubernetes_pod_annotation_prometheus_io_port"],
                action: "replace",
                regex: "([^:]+)(?::\\d+)?;(\\d+)",
                replacement: "$1:$2",
                target_label: "__address__",
              },
              {
                source_labels: ["__meta_kubernetes_namespace"],
                action: "replace",
                target_label: "namespace",
              },
              { source_labels: ["__meta_kubernetes_pod_name"], action: "replace", target_label: "pod" },
            ],
          },
        ],
      },
    },
  };
}

/**
 * The IngressClassParams the `alb` class enforces on every Ingress, whatever its annotations say:
 * the TLS 1.3 policy, pod IPs as targets and IPv4.
 */
export function planIngressClassParamsSpec() {
  return { sslPolicy: INGRESS_TLS_POLICY, targetType: "ip", ipAddressType: "ipv4" };
}

/** The `alb` IngressClass: served by the controller, parameters from the IngressClassParams of the same name. */
export function planIngressClassSpec() {
  return {
    controller: "ingress.k8s.aws/alb",
    parameters: {
      apiGroup: "elbv2.k8s.aws",
      kind: "IngressClassParams",
      name: ALB_INGRESS_CLASS,
      scope: "Cluster",
    },
  };
}

/**
 * The ClusterSecretStore: Secrets Manager in the stack's region, authenticated as External
 * Secrets' own IRSA ServiceAccount, usable only from the namespaces of services with secrets.
 */
export function planClusterSecretStoreSpec(region: pulumi.Input<string>, namespaces: readonly string[]) {
  const eso = ADDON_CHARTS.externalSecrets;
  return {
    provider: {
      aws: {
        service: "SecretsManager",
        region,
        auth: { jwt: { serviceAccountRef: { name: eso.serviceAccount, namespace: eso.namespace } } },
      },
    },
    conditions: [{ namespaces: [...namespaces] }],
  };
}
