/**
 * What a `KubernetesApp` creates, as plain data: the tracks each strategy runs, the namespace
 * labels, the pod spec and the Deployment, Service, HPA, PDB, NetworkPolicy and ExternalSecret
 * specs. Pure functions without Pulumi resources, so tests can read every security-relevant field
 * in a table; the component only wires them to resources.
 */
import * as pulumi from "@pulumi/pulumi";
import { ResolvedDependency } from "../../config/dependencies";

export type Color = "blue" | "green";

/** How new versions reach users. */
export type KubernetesStrategy =
  | {
      readonly type: "rolling";
      /** Image by digest of the one Deployment. */
      readonly image: pulumi.Input<string>;
      readonly maxSurge: number | string;
      readonly maxUnavailable: number | string;
    }
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

/** HPA bounds of each Deployment. */
export interface KubernetesAutoscaling {
  readonly minReplicas: number;
  readonly maxReplicas: number;
  /** Target average CPU utilisation, percent. */
  readonly cpuTarget: number;
}

/** The uid/gid every container runs as. */
export const RUN_AS = 10001;

/** Label that tells the tracks (`main`, `blue`/`green`, `stable`/`canary`) of one app apart. */
export const TRACK_LABEL = "platform.io/track";

/** Where the synced secret's files are mounted in the container. */
export const SECRETS_MOUNT_PATH = "/var/run/secrets/app";

/** One Deployment of an app: its track label, the image it runs and its pod count. */
export interface Track {
  readonly track: string;
  readonly image: pulumi.Input<string>;
  readonly replicas: number;
}

/** Canary pods for a weight: at least one while 0 < weight < 100, never all of them until 100. */
export function canarySplit(total: number, weight: number): { stable: number; canary: number } {
  if (weight <= 0) return { stable: total, canary: 0 };
  if (weight >= 100) return { stable: 0, canary: total };
  const canary = Math.min(total - 1, Math.max(1, Math.round((total * weight) / 100)));
  return { stable: total - canary, canary };
}

/**
 * The Deployments a strategy runs: `rolling` one `main` track; `blueGreen` a `blue` and a `green`
 * track of `replicas` pods each; `canary` a `stable` and a `canary` track sharing `replicas`.
 */
export function planTracks(strategy: KubernetesStrategy, replicas: number): Track[] {
  switch (strategy.type) {
    case "rolling":
      return [{ track: "main", image: strategy.image, replicas }];
    case "blueGreen":
      return (["blue", "green"] as const).map((color) => ({
        track: color,
        image: color === strategy.activeColor ? strategy.activeImage : strategy.idleImage,
        replicas,
      }));
    case "canary": {
      const split = canarySplit(replicas, strategy.weight);
      return [
        { track: "stable", image: strategy.stableImage, replicas: split.stable },
        { track: "canary", image: strategy.canaryImage, replicas: split.canary },
      ];
    }
  }
}

/** Labels on every object of the app. */
export function appLabels(name: string): Record<string, string> {
  return { "app.kubernetes.io/name": name, "app.kubernetes.io/managed-by": "pulumi" };
}

/** Labels of one track's Deployment, pods, HPA and PDB. */
export function trackLabels(name: string, track: string): Record<string, string> {
  return { ...appLabels(name), [TRACK_LABEL]: track };
}

/** The pods of one track. */
export function trackSelector(name: string, track: string): Record<string, string> {
  return { "app.kubernetes.io/name": name, [TRACK_LABEL]: track };
}

/** Kubernetes name of a track's Deployment, HPA and PDB: the app name for `main`. */
export function trackResourceName(name: string, track: string): string {
  return track === "main" ? name : `${name}-${track}`;
}

/** Pod Security Admission labels: `restricted` enforced, audited and warned, at the latest version. */
export function planNamespaceLabels(): Record<string, string> {
  return {
    "pod-security.kubernetes.io/enforce": "restricted",
    "pod-security.kubernetes.io/enforce-version": "latest",
    "pod-security.kubernetes.io/audit": "restricted",
    "pod-security.kubernetes.io/warn": "restricted",
  };
}

/** What one container needs to know to run. */
export interface PodSpecInput {
  /** App name, also the container name. */
  readonly name: string;
  readonly image: pulumi.Input<string>;
  readonly serviceAccountName: pulumi.Input<string>;
  /** Container port, named `http`. */
  readonly port: number;
  /** CPU request and limit, millicores. */
  readonly cpu: number;
  /** Memory request and limit, MiB. */
  readonly memoryMiB: number;
  /** HTTP path of the readiness and liveness probes. */
  readonly healthPath: string;
  readonly env: Readonly<Record<string, string>>;
  /** Secret synced from `secrets`; none when undefined. */
  readonly secretName: string | undefined;
  /**
   * Its keys (the secrets' environment names) and how the container reads them: mounted
   * read-only at `SECRETS_MOUNT_PATH` (`files`), or each set from it by `secretKeyRef`. @default files
   */
  readonly secretKeys?: readonly string[];
  readonly secretsAs?: "files" | "environment";
  /** A `kubernetes.io/dockerconfigjson` Secret the kubelet pulls the image with (private GHCR). */
  readonly imagePullSecret?: string;
}

/** An HTTP probe on the `http` port. */
export function planProbe(healthPath: string, initialDelaySeconds: number) {
  return {
    httpGet: { path: healthPath, port: "http" },
    initialDelaySeconds,
    periodSeconds: 10,
    timeoutSeconds: 2,
    failureThreshold: 3,
  };
}

/**
 * A hardened pod: non-root uid/gid `RUN_AS`, RuntimeDefault seccomp, no token automount, a
 * read-only root with a writable `/tmp`, no privilege escalation, all capabilities dropped,
 * requests equal to limits, readiness and liveness probes.
 */
export function planPodSpec(input: PodSpecInput) {
  const resources = { cpu: `${input.cpu}m`, memory: `${input.memoryMiB}Mi` };
  const asEnvironment = input.secretsAs === "environment";
  const secretName = asEnvironment ? undefined : input.secretName;
  const secretEnv =
    asEnvironment && input.secretName
      ? (input.secretKeys ?? []).map((key) => ({
          name: key,
          valueFrom: { secretKeyRef: { name: input.secretName!, key } },
        }))
      : [];
  return {
    serviceAccountName: input.serviceAccountName,
    automountServiceAccountToken: false,
    ...(input.imagePullSecret ? { imagePullSecrets: [{ name: input.imagePullSecret }] } : {}),
    securityContext: {
      runAsNonRoot: true,
      runAsUser: RUN_AS,
      runAsGroup: RUN_AS,
      fsGroup: RUN_AS,
      seccompProfile: { type: "RuntimeDefault" },
    },
    containers: [
      {
        name: input.name,
        image: input.image,
        ports: [{ name: "http", containerPort: input.port, protocol: "TCP" }],
        env: [
          ...Object.entries(input.env).map(([envName, value]) => ({ name: envName, value })),
          ...secretEnv,
        ],
        resources: { requests: resources, limits: resources },
        readinessProbe: planProbe(input.healthPath, 5),
        livenessProbe: planProbe(input.healthPath, 15),
        securityContext: {
          allowPrivilegeEscalation: false,
          privileged: false,
          readOnlyRootFilesystem: true,
          runAsNonRoot: true,
          capabilities: { drop: ["ALL"] },
        },
        volumeMounts: [
          { name: "tmp", mountPath: "/tmp" },
          ...(secretName ? [{ name: "secrets", mountPath: SECRETS_MOUNT_PATH, readOnly: true }] : []),
        ],
      },
    ],
    volumes: [
      { name: "tmp", emptyDir: { sizeLimit: "64Mi" } },
      ...(secretName ? [{ name: "secrets", secret: { secretName } }] : []),
    ],
  };
}

/**
 * The rollout of one track's Deployment: the configured bounds for `rolling`; one pod at a time
 * with none unavailable for the colour and canary tracks, whose traffic moves by other means.
 */
export function planUpdateStrategy(strategy: KubernetesStrategy) {
  return strategy.type === "rolling"
    ? {
        type: "RollingUpdate",
        rollingUpdate: { maxSurge: strategy.maxSurge, maxUnavailable: strategy.maxUnavailable },
      }
    : { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } };
}

/** The node label of a node's availability zone (set by the cloud provider) and of its host. */
export const ZONE_TOPOLOGY_KEY = "topology.kubernetes.io/zone";
export const HOST_TOPOLOGY_KEY = "kubernetes.io/hostname";

/**
 * How a track's pods spread: across zones first, then across nodes, at most one pod of skew each.
 * Both are preferences (`ScheduleAnyway`), never conditions, for three reasons:
 * - a hard constraint rejects every node that lacks the key, and kind, minikube and the kwok node
 *   of the end-to-end cluster carry no zone label: their pods would stay Pending;
 * - on a single-node cluster, or one with fewer nodes than replicas, a hard hostname spread would
 *   leave the surplus replicas (and a rollout's surge pod) Pending;
 * - when a zone is lost its nodes still count as a domain with no pods, so a hard zone spread
 *   refuses the replacement pods in the surviving zones once their skew passes one — the outage
 *   spreading is meant to ride out.
 * The scheduler still scores every placement to minimise the skew, so on a multi-zone EKS node
 * group the replicas land in different zones and on different nodes. `pod-template-hash` keeps
 * each rollout's ReplicaSet spreading on its own, so old pods being replaced skew nothing.
 */
export function planTopologySpread(name: string, track: string) {
  return [ZONE_TOPOLOGY_KEY, HOST_TOPOLOGY_KEY].map((topologyKey) => ({
    maxSkew: 1,
    topologyKey,
    whenUnsatisfiable: "ScheduleAnyway",
    labelSelector: { matchLabels: trackSelector(name, track) },
    matchLabelKeys: ["pod-template-hash"],
  }));
}

/**
 * A track's Deployment spec: its pods spread over zones and nodes; with an HPA the replica count
 * belongs to the autoscaler.
 */
export function planDeploymentSpec<P extends object>(
  name: string,
  track: Track,
  strategy: KubernetesStrategy,
  autoscaled: boolean,
  podSpec: P,
  /** Pod annotations, such as the ones the add-on Prometheus scrapes by. @default none */
  annotations?: Record<string, string>,
) {
  return {
    replicas: autoscaled ? undefined : track.replicas,
    selector: { matchLabels: trackSelector(name, track.track) },
    strategy: planUpdateStrategy(strategy),
    template: {
      metadata: { labels: trackLabels(name, track.track), ...(annotations ? { annotations } : {}) },
      spec: { ...podSpec, topologySpreadConstraints: planTopologySpread(name, track.track) },
    },
  };
}

/**
 * The autoscaling of each Deployment, or none: canary splits traffic by replica ratio, which an
 * autoscaler would undo.
 */
export function planAutoscaling(
  strategy: KubernetesStrategy,
  autoscaling: KubernetesAutoscaling | undefined,
): KubernetesAutoscaling | undefined {
  return autoscaling && strategy.type !== "canary" ? autoscaling : undefined;
}

/** An HPA on CPU utilisation for the Deployment named `deploymentName`. */
export function planHpaSpec(deploymentName: pulumi.Input<string>, autoscaling: KubernetesAutoscaling) {
  return {
    scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: deploymentName },
    minReplicas: autoscaling.minReplicas,
    maxReplicas: autoscaling.maxReplicas,
    metrics: [
      {
        type: "Resource",
        resource: {
          name: "cpu",
          target: { type: "Utilization", averageUtilization: autoscaling.cpuTarget },
        },
      },
    ],
  };
}

/**
 * A PDB letting voluntary disruptions (node drains) take one pod of the track at a time. Pods that
 * are running but not Ready may always be evicted (`AlwaysAllow`): they serve nothing, and with the
 * default (`IfHealthyBudget`) a track whose pods are all failing would block every node drain.
 */
export function planPdbSpec(name: string, track: string) {
  return {
    maxUnavailable: 1,
    unhealthyPodEvictionPolicy: "AlwaysAllow",
    selector: { matchLabels: trackSelector(name, track) },
  };
}

/** One Service of the app: its logical name, Kubernetes name and pod selector. */
export interface ServicePlan {
  readonly logicalName: string;
  readonly resourceName: string;
  readonly selector: Record<string, string>;
  /** The preview Service of blueGreen (idle colour) rather than the main one. */
  readonly preview: boolean;
}

/** The colour a blueGreen release does not serve. */
export function idleColor(active: Color): Color {
  return active === "blue" ? "green" : "blue";
}

/**
 * The Services: the main one selects the `main` track (rolling), the active colour (blueGreen)
 * or both tracks (canary, split by replicas); blueGreen adds a preview Service on the idle colour.
 */
export function planServices(name: string, strategy: KubernetesStrategy): ServicePlan[] {
  const base = { "app.kubernetes.io/name": name };
  const main = (selector: Record<string, string>): ServicePlan => ({
    logicalName: `${name}-svc`,
    resourceName: name,
    selector,
    preview: false,
  });
  switch (strategy.type) {
    case "rolling":
      return [main({ ...base, [TRACK_LABEL]: "main" })];
    case "canary":
      return [main(base)];
    case "blueGreen":
      return [
        main({ ...base, [TRACK_LABEL]: strategy.activeColor }),
        {
          logicalName: `${name}-preview-svc`,
          resourceName: `${name}-preview`,
          selector: { ...base, [TRACK_LABEL]: idleColor(strategy.activeColor) },
          preview: true,
        },
      ];
  }
}

/** A cluster-internal Service: port 80 to the pods' `http` port. */
export function planServiceSpec(selector: Record<string, string>) {
  return {
    type: "ClusterIP",
    selector,
    ports: [{ name: "http", port: 80, targetPort: "http", protocol: "TCP" }],
  };
}

/** Denies all ingress and egress of every pod in the namespace. */
export function planDefaultDenySpec() {
  return { podSelector: {}, policyTypes: ["Ingress", "Egress"] };
}

/**
 * One egress rule per declared dependency: to the called service's pods (in its own namespace) on
 * their container port — NetworkPolicy sees the pod's address and port, after the Service — or
 * to a database's or cache's addresses on its port.
 */
export function planDependencyEgress(dependencies: readonly ResolvedDependency[]) {
  return dependencies.map((d) => {
    const ports = [{ protocol: "TCP", port: d.port }];
    if (d.kind === "service")
      return {
        to: [
          {
            namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": d.namespace ?? d.service } },
            podSelector: { matchLabels: { "app.kubernetes.io/name": d.service } },
          },
        ],
        ports,
      };
    if (d.kind === "cidr") return { to: [{ ipBlock: { cidr: d.cidr } }], ports };
    // Refused by the config rules: a NetworkPolicy cannot select a security group.
    throw new Error(
      `${d.name}: a Kubernetes dependency needs a CIDR, not security group ${d.securityGroupId}`,
    );
  });
}

/**
 * Admits the app's pods: ingress to `port` only; egress to DNS, HTTPS and each declared
 * dependency only.
 */
export function planAllowSpec(name: string, port: number, dependencies: readonly ResolvedDependency[] = []) {
  return {
    podSelector: { matchLabels: { "app.kubernetes.io/name": name } },
    policyTypes: ["Ingress", "Egress"],
    ingress: [{ ports: [{ protocol: "TCP", port }] }],
    egress: [
      {
        ports: [
          { protocol: "UDP", port: 53 },
          { protocol: "TCP", port: 53 },
        ],
      },
      { ports: [{ protocol: "TCP", port: 443 }] },
      ...planDependencyEgress(dependencies),
    ],
  };
}

/**
 * The ExternalSecret turning a registry pull credential (a Secrets Manager secret of
 * `{"username", "password"}`) into the `kubernetes.io/dockerconfigjson` Secret `secretName` for
 * `registry` (ghcr.io), which pods name in `imagePullSecrets`.
 */
export function planPullSecretSpec(
  secretName: string,
  store: string,
  credentialsArn: string,
  registry: string,
) {
  return {
    refreshInterval: "1h",
    secretStoreRef: { kind: "ClusterSecretStore", name: store },
    target: {
      name: secretName,
      creationPolicy: "Owner",
      template: {
        type: "kubernetes.io/dockerconfigjson",
        engineVersion: "v2",
        data: {
          ".dockerconfigjson": `{"auths":{"${registry}":{"username":"{{ .username }}","password":"{{ .password }}","auth":"{{ printf "%s:%s" .username .password | b64enc }}"}}}`,
        },
      },
    },
    data: [
      { secretKey: "username", remoteRef: { key: credentialsArn, property: "username" } },
      { secretKey: "password", remoteRef: { key: credentialsArn, property: "password" } },
    ],
  };
}

/**
 * The ExternalSecret syncing `secrets` (env name → Secrets Manager ARN) through the
 * ClusterSecretStore `store` into the Secret `secretName`, refreshed hourly and owned by it.
 */
export function planExternalSecretSpec(
  secretName: string,
  store: string,
  secrets: Readonly<Record<string, string>>,
) {
  return {
    refreshInterval: "1h",
    secretStoreRef: { kind: "ClusterSecretStore", name: store },
    target: { name: secretName, creationPolicy: "Owner" },
    data: Object.entries(secrets).map(([envName, arn]) => ({ secretKey: envName, remoteRef: { key: arn } })),
  };
}
