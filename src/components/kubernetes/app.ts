import * as k8s from "../../lib/k8s";
import * as pulumi from "@pulumi/pulumi";
import { ResolvedDependency } from "../../config/dependencies";
import {
  appLabels,
  KubernetesAutoscaling,
  KubernetesStrategy,
  planAllowSpec,
  planAutoscaling,
  planDefaultDenySpec,
  planDeploymentSpec,
  planExternalSecretSpec,
  planPullSecretSpec,
  planHpaSpec,
  planNamespaceLabels,
  planPdbSpec,
  planPodSpec,
  planServices,
  planServiceSpec,
  planTracks,
  Track,
  trackLabels,
  trackResourceName,
} from "./app-spec";
import {
  AppIngress,
  planIngressAnnotations,
  planIngressNamespaceLabels,
  planIngressSpec,
} from "./ingress-spec";
import { scrapeAnnotations } from "./cluster-addons-plan";

export * from "./app-spec";
export * from "./ingress-spec";

export interface KubernetesAppArgs {
  /** Provider of the target cluster (EKS, kind, minikube, a local API server). */
  readonly provider: k8s.Provider;
  /** Namespace created for the app, labelled Pod Security `restricted`. */
  readonly namespace: string;
  /**
   * The namespace exists already, created (with the same labels) by the platform stack: an
   * application's deploy role may edit inside its namespaces only, never create one. @default false
   */
  readonly namespaceExists?: boolean;
  /** How versions reach users; it carries the image(s) by digest. */
  readonly strategy: KubernetesStrategy;
  /** Container port the app listens on; the only port its NetworkPolicy admits. */
  readonly port: number;
  /** Pods per Deployment (per colour for blueGreen; in total for canary). */
  readonly replicas: number;
  /** HPA bounds (ignored for canary, which splits traffic by replica ratio); none when undefined. */
  readonly autoscaling?: KubernetesAutoscaling;
  /** CPU request and limit, millicores. */
  readonly cpu: number;
  /** Memory request and limit, MiB. */
  readonly memoryMiB: number;
  /** HTTP path of the readiness and liveness probes. */
  readonly healthPath: string;
  /** Plain environment variables. */
  readonly env: Readonly<Record<string, string>>;
  /** Env name → Secrets Manager ARN; synced by External Secrets into a Secret mounted as files. */
  readonly secrets: Readonly<Record<string, string>>;
  /**
   * How the containers read `secrets`: files under `/var/run/secrets/app`, or environment
   * variables from the synced Secret. @default "files"
   */
  readonly secretsAs?: "files" | "environment";
  /** ClusterSecretStore resolving `secrets`; required when there are secrets. */
  readonly secretStore?: string;
  /**
   * A private registry's pull credential (Secrets Manager ARN of `{"username", "password"}`) and
   * the registry host: synced through `secretStore` into a dockerconfigjson Secret the pods pull
   * with. @default none (a public registry, or ECR through the node role)
   */
  readonly pullCredentials?: { readonly secretArn: string; readonly registry: string };
  /** What the pods talk to besides DNS and HTTPS; each opens exactly its egress path. @default [] */
  readonly dependencies?: readonly ResolvedDependency[];
  /**
   * An ALB in front of the main Service through the AWS Load Balancer Controller (EKS only).
   * @default undefined (reached inside the cluster only)
   */
  readonly ingress?: AppIngress;
  /** IAM role for the ServiceAccount (IRSA on EKS); no annotation when undefined. */
  readonly irsaRoleArn?: pulumi.Input<string>;
}

/** What is wrong with the args, as messages naming the arg and its value; empty when valid. */
export function kubernetesAppProblems(name: string, args: KubernetesAppArgs): string[] {
  const problems: string[] = [];
  if (args.pullCredentials && !args.secretStore)
    problems.push(`KubernetesApp ${name}: secretStore is required to sync the registry pull credential`);
  if (Object.keys(args.secrets).length > 0 && !args.secretStore)
    problems.push(
      `KubernetesApp ${name}: secretStore is required when secrets are set (got secrets ${Object.keys(args.secrets).join(", ")})`,
    );
  return problems;
}

/** Where a create function registers children: the component's name, namespace and options. */
export interface AppScope {
  /** The component's name: prefix of every logical name and the `app.kubernetes.io/name` label. */
  readonly name: string;
  /** The created namespace's name. */
  readonly namespace: pulumi.Output<string>;
  /** `parent` (the component) and `provider` of every child. */
  readonly opts: pulumi.CustomResourceOptions;
}

function metadata(scope: AppScope, resourceName: string, labels = appLabels(scope.name)) {
  return { name: resourceName, namespace: scope.namespace, labels };
}

/**
 * The app's namespace, `${name}-ns`, labelled Pod Security `restricted`; with an ALB Ingress, also
 * for the controller's readiness gate (see `planIngressNamespaceLabels`).
 */
export function createNamespace(
  name: string,
  namespace: string,
  opts: pulumi.CustomResourceOptions,
  exposed = false,
): k8s.core.v1.Namespace {
  const labels = { ...planNamespaceLabels(), ...(exposed ? planIngressNamespaceLabels() : {}) };
  return new k8s.core.v1.Namespace(`${name}-ns`, { metadata: { name: namespace, labels } }, opts);
}

/** The pods' ServiceAccount, `${name}-sa`: no token automount, IRSA annotation when a role is given. */
export function createServiceAccount(
  scope: AppScope,
  irsaRoleArn: pulumi.Input<string> | undefined,
): k8s.core.v1.ServiceAccount {
  return new k8s.core.v1.ServiceAccount(
    `${scope.name}-sa`,
    {
      metadata: {
        ...metadata(scope, scope.name),
        annotations: irsaRoleArn ? { "eks.amazonaws.com/role-arn": irsaRoleArn } : undefined,
      },
      automountServiceAccountToken: false,
    },
    scope.opts,
  );
}

/** The ExternalSecret `${name}-secrets` and the name of the Secret it syncs; none without secrets. */
export function createExternalSecret(
  scope: AppScope,
  secrets: Readonly<Record<string, string>>,
  store: string | undefined,
): string | undefined {
  if (Object.keys(secrets).length === 0 || !store) return undefined;
  const secretName = `${scope.name}-secrets`;
  new k8s.apiextensions.CustomResource(
    `${scope.name}-secrets`,
    {
      apiVersion: "external-secrets.io/v1",
      kind: "ExternalSecret",
      metadata: metadata(scope, secretName),
      spec: planExternalSecretSpec(secretName, store, secrets),
    },
    scope.opts,
  );
  return secretName;
}

/** The ExternalSecret `${name}-registry-pull` and the Secret it syncs; none without pull credentials. */
export function createPullSecret(
  scope: AppScope,
  credentials: KubernetesAppArgs["pullCredentials"],
  store: string | undefined,
): string | undefined {
  if (!credentials || !store) return undefined;
  const secretName = `${scope.name}-registry-pull`;
  new k8s.apiextensions.CustomResource(
    secretName,
    {
      apiVersion: "external-secrets.io/v1",
      kind: "ExternalSecret",
      metadata: metadata(scope, secretName),
      spec: planPullSecretSpec(secretName, store, credentials.secretArn, credentials.registry),
    },
    scope.opts,
  );
  return secretName;
}

/** One track's Deployment, its HPA when autoscaled and its PDB, all named `${name}-${track}`. */
export function createTrack(
  scope: AppScope,
  track: Track,
  args: KubernetesAppArgs,
  pod: { serviceAccountName: pulumi.Input<string>; secretName: string | undefined; imagePullSecret?: string },
): k8s.apps.v1.Deployment {
  const { name } = scope;
  const logicalName = `${name}-${track.track}`;
  const meta = metadata(scope, trackResourceName(name, track.track), trackLabels(name, track.track));
  const hpa = planAutoscaling(args.strategy, args.autoscaling);
  const podSpec = planPodSpec({
    name,
    image: track.image,
    serviceAccountName: pod.serviceAccountName,
    port: args.port,
    cpu: args.cpu,
    memoryMiB: args.memoryMiB,
    healthPath: args.healthPath,
    env: args.env,
    secretName: pod.secretName,
    secretKeys: Object.keys(args.secrets),
    secretsAs: args.secretsAs,
    imagePullSecret: pod.imagePullSecret,
  });
  const deployment = new k8s.apps.v1.Deployment(
    logicalName,
    {
      metadata: meta,
      // A service without an Ingress is measured by no ALB: the add-on Prometheus scrapes it.
      spec: planDeploymentSpec(
        name,
        track,
        args.strategy,
        hpa !== undefined,
        podSpec,
        args.ingress ? undefined : scrapeAnnotations(args.port),
      ),
    },
    scope.opts,
  );
  if (hpa)
    new k8s.autoscaling.v2.HorizontalPodAutoscaler(
      logicalName,
      { metadata: meta, spec: planHpaSpec(deployment.metadata.name, hpa) },
      scope.opts,
    );
  new k8s.policy.v1.PodDisruptionBudget(
    logicalName,
    { metadata: meta, spec: planPdbSpec(name, track.track) },
    scope.opts,
  );
  return deployment;
}

/** The Services of the strategy (see `planServices`) with their in-cluster URLs. */
export function createServices(
  scope: AppScope,
  strategy: KubernetesStrategy,
): { main: k8s.core.v1.Service; mainUrl: pulumi.Output<string>; previewUrl?: pulumi.Output<string> } {
  const created = planServices(scope.name, strategy).map((plan) => {
    const service = new k8s.core.v1.Service(
      plan.logicalName,
      { metadata: metadata(scope, plan.resourceName), spec: planServiceSpec(plan.selector) },
      scope.opts,
    );
    const url = pulumi.interpolate`http://${service.metadata.name}.${scope.namespace}.svc.cluster.local`;
    return { plan, service, url };
  });
  const main = created.find((c) => !c.plan.preview)!;
  return { main: main.service, mainUrl: main.url, previewUrl: created.find((c) => c.plan.preview)?.url };
}

/**
 * The namespace's default-deny NetworkPolicy and the app's allow policy (service port, DNS,
 * HTTPS, each declared dependency).
 */
export function createNetworkPolicies(
  scope: AppScope,
  port: number,
  dependencies: readonly ResolvedDependency[] = [],
): void {
  new k8s.networking.v1.NetworkPolicy(
    `${scope.name}-default-deny`,
    { metadata: metadata(scope, "default-deny"), spec: planDefaultDenySpec() },
    scope.opts,
  );
  new k8s.networking.v1.NetworkPolicy(
    `${scope.name}-allow`,
    { metadata: metadata(scope, `${scope.name}-allow`), spec: planAllowSpec(scope.name, port, dependencies) },
    scope.opts,
  );
}

/** The Ingress `${name}-ingress` in front of the main Service (see `planIngressSpec`). */
export function createIngress(
  scope: AppScope,
  ingress: AppIngress,
  healthPath: string,
  serviceName: pulumi.Input<string>,
): k8s.networking.v1.Ingress {
  return new k8s.networking.v1.Ingress(
    `${scope.name}-ingress`,
    {
      metadata: { ...metadata(scope, scope.name), annotations: planIngressAnnotations(ingress, healthPath) },
      spec: pulumi.output(serviceName).apply((service) => planIngressSpec(ingress.host, service)),
    },
    scope.opts,
  );
}

/**
 * An application on any Kubernetes cluster, secure by default: its own `restricted` namespace,
 * a ServiceAccount without token automount, hardened Deployments with probes and resources, a
 * Service, HPA, PDB and a default-deny NetworkPolicy that admits only the service port.
 * Strategies: `rolling`; `blueGreen` (two colour Deployments, the Service selects the active colour
 * and a preview Service the idle one); `canary` (stable and canary tracks behind one Service,
 * traffic split by replica ratio).
 */
export class KubernetesApp extends pulumi.ComponentResource {
  public readonly namespace: pulumi.Output<string>;
  public readonly serviceName: pulumi.Output<string>;
  /** In-cluster URL of the main Service. */
  public readonly url: pulumi.Output<string>;
  /** blueGreen only: in-cluster URL of the preview Service (idle colour). */
  public readonly previewUrl?: pulumi.Output<string>;
  /** With `ingress`: the DNS name of the ALB the controller put in front of the app. */
  public readonly loadBalancerHostname?: pulumi.Output<string>;

  constructor(name: string, args: KubernetesAppArgs, opts?: pulumi.ComponentResourceOptions) {
    const problems = kubernetesAppProblems(name, args);
    if (problems.length > 0) throw new Error(problems.join("\n"));
    super(
      "platform:kubernetes:KubernetesApp",
      name,
      {},
      { ...opts, providers: { kubernetes: args.provider } },
    );
    // Children wait for what the app waits for (the cluster add-ons: CRDs, controller, store).
    const opt = { parent: this, provider: args.provider, dependsOn: opts?.dependsOn };
    this.namespace = args.namespaceExists
      ? pulumi.output(args.namespace)
      : createNamespace(name, args.namespace, opt, args.ingress !== undefined).metadata.name;
    const scope: AppScope = { name, namespace: this.namespace, opts: opt };

    const sa = createServiceAccount(scope, args.irsaRoleArn);
    const secretName = createExternalSecret(scope, args.secrets, args.secretStore);
    const imagePullSecret = createPullSecret(scope, args.pullCredentials, args.secretStore);
    for (const track of planTracks(args.strategy, args.replicas))
      createTrack(scope, track, args, { serviceAccountName: sa.metadata.name, secretName, imagePullSecret });
    const services = createServices(scope, args.strategy);
    this.serviceName = services.main.metadata.name;
    this.url = services.mainUrl;
    this.previewUrl = services.previewUrl;
    createNetworkPolicies(scope, args.port, args.dependencies);
    if (args.ingress)
      this.loadBalancerHostname = createIngress(
        scope,
        args.ingress,
        args.healthPath,
        this.serviceName,
      ).status.apply((s) => s?.loadBalancer?.ingress?.[0]?.hostname ?? "");

    this.registerOutputs({
      namespace: this.namespace,
      serviceName: this.serviceName,
      url: this.url,
      previewUrl: this.previewUrl,
      loadBalancerHostname: this.loadBalancerHostname,
    });
  }
}
