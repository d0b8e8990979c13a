/**
 * A small Kubernetes API client over node:https with a kubeconfig's client certificate: enough
 * for the end-to-end tests to server-side apply objects (for real or as a dry run), read them
 * back and list them. Any kubeconfig with certificate data works (the local control plane,
 * kind, minikube).
 */
import * as fs from "fs";
import * as https from "https";
import YAML from "yaml";

/** Where each kind the platform creates lives in the API: plural, and whether it is namespaced. */
const RESOURCES: Record<string, { plural: string; namespaced: boolean }> = {
  "v1/Namespace": { plural: "namespaces", namespaced: false },
  "v1/Node": { plural: "nodes", namespaced: false },
  "v1/ServiceAccount": { plural: "serviceaccounts", namespaced: true },
  "v1/Service": { plural: "services", namespaced: true },
  "v1/Pod": { plural: "pods", namespaced: true },
  "v1/Secret": { plural: "secrets", namespaced: true },
  "v1/ConfigMap": { plural: "configmaps", namespaced: true },
  "apps/v1/Deployment": { plural: "deployments", namespaced: true },
  "policy/v1/PodDisruptionBudget": { plural: "poddisruptionbudgets", namespaced: true },
  "autoscaling/v2/HorizontalPodAutoscaler": { plural: "horizontalpodautoscalers", namespaced: true },
  "networking.k8s.io/v1/NetworkPolicy": { plural: "networkpolicies", namespaced: true },
  "external-secrets.io/v1/ExternalSecret": { plural: "externalsecrets", namespaced: true },
  "external-secrets.io/v1/ClusterSecretStore": { plural: "clustersecretstores", namespaced: false },
  "networking.k8s.io/v1/Ingress": { plural: "ingresses", namespaced: true },
  "networking.k8s.io/v1/IngressClass": { plural: "ingressclasses", namespaced: false },
  "elbv2.k8s.aws/v1beta1/IngressClassParams": { plural: "ingressclassparams", namespaced: false },
  "apiextensions.k8s.io/v1/CustomResourceDefinition": {
    plural: "customresourcedefinitions",
    namespaced: false,
  },
};

export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { name: string; namespace?: string; [key: string]: unknown };
  readonly [key: string]: unknown;
}

export class KubeApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
    what: string,
  ) {
    super(`${what}: ${status} ${body.slice(0, 400)}`);
  }
}

export class KubeClient {
  private constructor(
    readonly server: string,
    private readonly tls: { ca: Buffer; cert: Buffer; key: Buffer },
  ) {}

  static fromKubeconfig(file: string, context?: string): KubeClient {
    const config = YAML.parse(fs.readFileSync(file, "utf8"));
    const ctx = config.contexts.find((c: any) => c.name === (context ?? config["current-context"])).context;
    const cluster = config.clusters.find((c: any) => c.name === ctx.cluster).cluster;
    const user = config.users.find((u: any) => u.name === ctx.user).user;
    const read = (data: string | undefined, path: string | undefined) =>
      data ? Buffer.from(data, "base64") : fs.readFileSync(path!);
    return new KubeClient(cluster.server, {
      ca: read(cluster["certificate-authority-data"], cluster["certificate-authority"]),
      cert: read(user["client-certificate-data"], user["client-certificate"]),
      key: read(user["client-key-data"], user["client-key"]),
    });
  }

  raw(
    method: string,
    path: string,
    body?: string,
    contentType = "application/json",
  ): Promise<{ status: number; body: string }> {
    const url = new URL(path, this.server);
    return new Promise((resolve, reject) => {
      const req = https.request(
        url,
        {
          method,
          ...this.tls,
          headers: {
            Accept: "application/json",
            ...(body !== undefined ? { "Content-Type": contentType } : {}),
          },
        },
        (res) => {
          let text = "";
          res.on("data", (d) => (text += d));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
        },
      );
      req.on("error", reject);
      req.end(body);
    });
  }

  async get(path: string): Promise<any> {
    const r = await this.raw("GET", path);
    if (r.status !== 200) throw new KubeApiError(r.status, r.body, `GET ${path}`);
    return JSON.parse(r.body);
  }

  /** The API path of an object, or of its collection when `name` is false. */
  static pathOf(
    obj: Pick<KubeObject, "apiVersion" | "kind"> & { metadata: { name?: string; namespace?: string } },
    name = true,
  ): string {
    const resource = RESOURCES[`${obj.apiVersion}/${obj.kind}`];
    if (!resource) throw new Error(`no API path known for ${obj.apiVersion} ${obj.kind}`);
    const base = obj.apiVersion.includes("/") ? `/apis/${obj.apiVersion}` : `/api/${obj.apiVersion}`;
    const ns = resource.namespaced ? `/namespaces/${obj.metadata.namespace ?? "default"}` : "";
    return `${base}${ns}/${resource.plural}${name ? `/${obj.metadata.name}` : ""}`;
  }

  /** Server-side apply (forced, one field manager); `dryRun` validates and admits without persisting. */
  async apply(obj: KubeObject, options: { dryRun?: boolean } = {}): Promise<any> {
    const query = `?fieldManager=platform-e2e&force=true${options.dryRun ? "&dryRun=All" : ""}`;
    const path = `${KubeClient.pathOf(obj)}${query}`;
    const r = await this.raw("PATCH", path, JSON.stringify(obj), "application/apply-patch+yaml");
    if (r.status !== 200 && r.status !== 201)
      throw new KubeApiError(
        r.status,
        r.body,
        `apply ${obj.kind} ${obj.metadata.namespace ?? ""}/${obj.metadata.name}`,
      );
    return JSON.parse(r.body);
  }

  /** Creates an object (POST), for admission checks that must fail. */
  async create(obj: KubeObject): Promise<{ status: number; body: string }> {
    return this.raw("POST", KubeClient.pathOf(obj, false), JSON.stringify(obj));
  }
}
