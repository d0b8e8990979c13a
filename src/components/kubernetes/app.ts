import * as k8s from "../../lib/k8s";
import * as pulumi from "@pulumi/pulumi";

export type Color = "blue" | "green";

/** How new versions reach users. */
export type KubernetesStrategy =
  | { readonly type: "rolling"; readonly maxSurge: number | string; readonly maxUnavailable: number | string }
  | {
      readonly type: "blueGreen";
      readonly activeColor: Color;
      readonly activeImage: pulumi.Input<string>;
      readonly idleImage: pulumi.Input<string>;
    }
  | {
      readonly type: "canary";
      readonly weight: number;
      readonly stableImage: pulumi.Input<string>;
      readonly canaryImage: pulumi.Input<string>;
    };

export interface KubernetesAppArgs {
  /** Provider of the target cluster (EKS, kind, minikube, a local API server). */
  readonly provider: k8s.Provider;
  /** Namespace created for the app, labelled Pod Security `restricted`. @default the app name */
  readonly namespace?: string;
  /** Image by digest for `rolling`; the other strategies carry their images. */
  readonly image?: pulumi.Input<string>;
  readonly strategy: KubernetesStrategy;
  readonly port: number;
  /** Pods per Deployment (per colour for blueGreen; in total for canary). @default 2 */
  readonly replicas?: number;
  /** HPA bounds (not with canary, which splits traffic by replica ratio). */
  readonly autoscaling?: {
    readonly minReplicas: number;
    readonly maxReplicas: number;
    readonly cpuTarget: number;
  };
  /** CPU request and limit, millicores. @default 250 */
  readonly cpu?: number;
  /** Memory request and limit, MiB. @default 512 */
  readonly memoryMiB?: number;
  /** @default "/health" */
  readonly healthPath?: string;
  /** @default {} */
  readonly env?: Readonly<Record<string, string>>;
  /** Env name → Secrets Manager ARN; synced by External Secrets into a Secret mounted as files. @default {} */
  readonly secrets?: Readonly<Record<string, string>>;
  /** ClusterSecretStore resolving `secrets`; required when there are secrets. */
  readonly secretStore?: string;
  /** IAM role for the ServiceAccount (IRSA on EKS). */
  readonly irsaRoleArn?: pulumi.Input<string>;
}

/** The uid/gid every container runs as. */
export const RUN_AS = 10001;

/** Canary pods for a weight: at least one while 0 < weight < 100, never all of them until 100. */
export function canarySplit(total: number, weight: number): { stable: number; canary: number } {
  if (weight <= 0) return { stable: total, canary: 0 };
  if (weight >= 100) return { stable: 0, canary: total };
  const canary = Math.min(total - 1, Math.max(1, Math.round((total * weight) / 100)));
  return { stable: total - canary, canary };
}

interface Track {
  readonly track: string;
  readonly image: pulumi.Input<string>;
  readonly replicas: number;
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

  constructor(name: string, args: KubernetesAppArgs, opts?: pulumi.ComponentResourceOptions) {
    super(
      "platform:kubernetes:KubernetesApp",
      name,
      {},
      { ...opts, providers: { kubernetes: args.provider } },
    );
    const child = { parent: this, provider: args.provider };
    const nsName = args.namespace ?? name;
    const appLabels = { "app.kubernetes.io/name": name, "app.kubernetes.io/managed-by": "pulumi" };
    const replicas = args.replicas ?? 2;

    const ns = new k8s.core.v1.Namespace(
      `${name}-ns`,
      {
        metadata: {
          name: nsName,
          labels: {
            "pod-security.kubernetes.io/enforce": "restricted",
            "pod-security.kubernetes.io/enforce-version": "latest",
            "pod-security.kubernetes.io/audit": "restricted",
            "pod-security.kubernetes.io/warn": "restricted",
          },
        },
      },
      child,
    );
    this.namespace = ns.metadata.name;
    const meta = (resourceName: string, labels: Record<string, string> = appLabels) => ({
      name: resourceName,
      namespace: this.namespace,
      labels,
    });

    const sa = new k8s.core.v1.ServiceAccount(
      `${name}-sa`,
      {
        metadata: {
          ...meta(name),
          annotations: args.irsaRoleArn ? { "eks.amazonaws.com/role-arn": args.irsaRoleArn } : undefined,
        },
        automountServiceAccountToken: false,
      },
      child,
    );

    const secretNames = Object.keys(args.secrets ?? {});
    const secretName = `${name}-secrets`;
    if (secretNames.length > 0) {
      if (!args.secretStore)
        throw new Error(`KubernetesApp ${name}: secretStore is required when secrets are set`);
      new k8s.apiextensions.CustomResource(
        `${name}-secrets`,
        {
          apiVersion: "external-secrets.io/v1",
          kind: "ExternalSecret",
          metadata: meta(secretName),
          spec: {
            refreshInterval: "1h",
            secretStoreRef: { kind: "ClusterSecretStore", name: args.secretStore },
            target: { name: secretName, creationPolicy: "Owner" },
            data: Object.entries(args.secrets ?? {}).map(([envName, arn]) => ({
              secretKey: envName,
              remoteRef: { key: arn },
            })),
          },
        },
        child,
      );
    }

    const tracks = this.tracks(args, replicas);
    const hpa = args.autoscaling && args.strategy.type !== "canary" ? args.autoscaling : undefined;
    for (const t of tracks) {
      const labels = { ...appLabels, "platform.io/track": t.track };
      const deploymentName = t.track === "main" ? name : `${name}-${t.track}`;
      const deployment = new k8s.apps.v1.Deployment(
        `${name}-${t.track}`,
        {
          metadata: meta(deploymentName, labels),
          spec: {
            // With an HPA the replica count belongs to the autoscaler.
            replicas: hpa ? undefined : t.replicas,
            selector: { matchLabels: { "app.kubernetes.io/name": name, "platform.io/track": t.track } },
            strategy:
              args.strategy.type === "rolling"
                ? {
                    type: "RollingUpdate",
                    rollingUpdate: {
                      maxSurge: args.strategy.maxSurge,
                      maxUnavailable: args.strategy.maxUnavailable,
                    },
                  }
                : { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
            template: {
              metadata: { labels },
              spec: this.podSpec(
                name,
                t.image,
                sa.metadata.name,
                args,
                secretNames.length > 0 ? secretName : undefined,
              ),
            },
          },
        },
        child,
      );
      if (hpa) {
        new k8s.autoscaling.v2.HorizontalPodAutoscaler(
          `${name}-${t.track}`,
          {
            metadata: meta(deploymentName, labels),
            spec: {
              scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: deployment.metadata.name },
              minReplicas: hpa.minReplicas,
              maxReplicas: hpa.maxReplicas,
              metrics: [
                {
                  type: "Resource",
                  resource: {
                    name: "cpu",
                    target: { type: "Utilization", averageUtilization: hpa.cpuTarget },
                  },
                },
              ],
            },
          },
          child,
        );
      }
      new k8s.policy.v1.PodDisruptionBudget(
        `${name}-${t.track}`,
        {
          metadata: meta(deploymentName, labels),
          spec: {
            maxUnavailable: 1,
            selector: { matchLabels: { "app.kubernetes.io/name": name, "platform.io/track": t.track } },
          },
        },
        child,
      );
    }

    const service = (resourceName: string, selector: Record<string, string>, logical: string) =>
      new k8s.core.v1.Service(
        logical,
        {
          metadata: meta(resourceName),
          spec: {
            type: "ClusterIP",
            selector,
            ports: [{ name: "http", port: 80, targetPort: "http", protocol: "TCP" }],
          },
        },
        child,
      );
    const selectorBase = { "app.kubernetes.io/name": name };
    const main =
      args.strategy.type === "blueGreen"
        ? service(name, { ...selectorBase, "platform.io/track": args.strategy.activeColor }, `${name}-svc`)
        : args.strategy.type === "rolling"
          ? service(name, { ...selectorBase, "platform.io/track": "main" }, `${name}-svc`)
          : service(name, selectorBase, `${name}-svc`); // canary: both tracks, split by replicas
    this.serviceName = main.metadata.name;
    this.url = pulumi.interpolate`http://${main.metadata.name}.${this.namespace}.svc.cluster.local`;
    if (args.strategy.type === "blueGreen") {
      const idle: Color = args.strategy.activeColor === "blue" ? "green" : "blue";
      const preview = service(
        `${name}-preview`,
        { ...selectorBase, "platform.io/track": idle },
        `${name}-preview-svc`,
      );
      this.previewUrl = pulumi.interpolate`http://${preview.metadata.name}.${this.namespace}.svc.cluster.local`;
    }

    new k8s.networking.v1.NetworkPolicy(
      `${name}-default-deny`,
      { metadata: meta("default-deny"), spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] } },
      child,
    );
    new k8s.networking.v1.NetworkPolicy(
      `${name}-allow`,
      {
        metadata: meta(`${name}-allow`),
        spec: {
          podSelector: { matchLabels: selectorBase },
          policyTypes: ["Ingress", "Egress"],
          ingress: [{ ports: [{ protocol: "TCP", port: args.port }] }],
          egress: [
            {
              ports: [
                { protocol: "UDP", port: 53 },
                { protocol: "TCP", port: 53 },
              ],
            },
            { ports: [{ protocol: "TCP", port: 443 }] },
          ],
        },
      },
      child,
    );

    this.registerOutputs({
      namespace: this.namespace,
      serviceName: this.serviceName,
      url: this.url,
      previewUrl: this.previewUrl,
    });
  }

  private tracks(args: KubernetesAppArgs, replicas: number): Track[] {
    const s = args.strategy;
    switch (s.type) {
      case "rolling":
        if (!args.image) throw new Error("KubernetesApp: image is required for the rolling strategy");
        return [{ track: "main", image: args.image, replicas }];
      case "blueGreen":
        return (["blue", "green"] as const).map((color) => ({
          track: color,
          image: color === s.activeColor ? s.activeImage : s.idleImage,
          replicas,
        }));
      case "canary": {
        const split = canarySplit(replicas, s.weight);
        return [
          { track: "stable", image: s.stableImage, replicas: split.stable },
          { track: "canary", image: s.canaryImage, replicas: split.canary },
        ];
      }
    }
  }

  private podSpec(
    name: string,
    image: pulumi.Input<string>,
    serviceAccountName: pulumi.Input<string>,
    args: KubernetesAppArgs,
    secretName: string | undefined,
  ): k8s.types.input.core.v1.PodSpec {
    const resources = { cpu: `${args.cpu ?? 250}m`, memory: `${args.memoryMiB ?? 512}Mi` };
    const probe = (initialDelaySeconds: number) => ({
      httpGet: { path: args.healthPath ?? "/health", port: "http" },
      initialDelaySeconds,
      periodSeconds: 10,
      timeoutSeconds: 2,
      failureThreshold: 3,
    });
    return {
      serviceAccountName,
      automountServiceAccountToken: false,
      securityContext: {
        runAsNonRoot: true,
        runAsUser: RUN_AS,
        runAsGroup: RUN_AS,
        fsGroup: RUN_AS,
        seccompProfile: { type: "RuntimeDefault" },
      },
      containers: [
        {
          name,
          image,
          ports: [{ name: "http", containerPort: args.port, protocol: "TCP" }],
          env: Object.entries(args.env ?? {}).map(([envName, value]) => ({ name: envName, value })),
          resources: { requests: resources, limits: resources },
          readinessProbe: probe(5),
          livenessProbe: probe(15),
          securityContext: {
            allowPrivilegeEscalation: false,
            privileged: false,
            readOnlyRootFilesystem: true,
            runAsNonRoot: true,
            capabilities: { drop: ["ALL"] },
          },
          volumeMounts: [
            { name: "tmp", mountPath: "/tmp" },
            ...(secretName ? [{ name: "secrets", mountPath: "/var/run/secrets/app", readOnly: true }] : []),
          ],
        },
      ],
      volumes: [
        { name: "tmp", emptyDir: { sizeLimit: "64Mi" } },
        ...(secretName ? [{ name: "secrets", secret: { secretName } }] : []),
      ],
    };
  }
}
