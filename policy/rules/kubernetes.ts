import { PolicyResource } from "@pulumi/policy";
import { asArray, resourceRule, stackRule } from "../lib/rule";
import { SECRET_NAME, SECRET_VALUE } from "./ecs";

export const WORKLOADS = [
  "kubernetes:apps/v1:Deployment",
  "kubernetes:apps/v1:StatefulSet",
  "kubernetes:apps/v1:DaemonSet",
  "kubernetes:batch/v1:Job",
  "kubernetes:batch/v1:CronJob",
];
const LONG_RUNNING = WORKLOADS.slice(0, 3);

/** The pod spec of any workload kind (CronJob nests it one level deeper). */
export function podSpecOf(type: string, p: any): any {
  if (type === "kubernetes:batch/v1:CronJob") return p.spec?.jobTemplate?.spec?.template?.spec ?? {};
  return p.spec?.template?.spec ?? {};
}
function podLabelsOf(type: string, p: any): Record<string, string> {
  if (type === "kubernetes:batch/v1:CronJob")
    return p.spec?.jobTemplate?.spec?.template?.metadata?.labels ?? {};
  return p.spec?.template?.metadata?.labels ?? {};
}
const allContainers = (ps: any): any[] => [...asArray(ps.initContainers), ...asArray(ps.containers)];

/** A rule over every container of every workload. */
function containerRule(
  meta: Omit<Parameters<typeof resourceRule>[0], "types">,
  bad: (c: any, podSpec: any, config: Record<string, any>) => string | undefined,
) {
  return resourceRule({ ...meta, types: WORKLOADS }, (p, { type, config }) => {
    const ps = podSpecOf(type, p);
    return allContainers(ps).flatMap((c) => {
      const m = bad(c, ps, config);
      return m ? [`container ${c?.name ?? "?"}: ${m}`] : [];
    });
  });
}
function podRule(
  meta: Omit<Parameters<typeof resourceRule>[0], "types">,
  bad: (ps: any, p: any, type: string) => string[],
) {
  return resourceRule({ ...meta, types: WORKLOADS }, (p, { type }) => bad(podSpecOf(type, p), p, type));
}

/** Whether a LabelSelector (matchLabels and matchExpressions, ANDed) selects these labels. */
export function selects(selector: any, labels: Record<string, string>): boolean {
  const byExpression = (e: any): boolean => {
    const has = Object.prototype.hasOwnProperty.call(labels, e?.key);
    const values = asArray<string>(e?.values);
    switch (e?.operator) {
      case "In":
        return has && values.includes(labels[e.key]);
      case "NotIn":
        return !has || !values.includes(labels[e.key]);
      case "Exists":
        return has;
      case "DoesNotExist":
        return !has;
      default:
        return false; // an operator the API server refuses selects nothing
    }
  };
  return (
    Object.entries(selector?.matchLabels ?? {}).every(([k, v]) => labels[k] === v) &&
    asArray(selector?.matchExpressions).every(byExpression)
  );
}
/** A selector with neither matchLabels nor matchExpressions: every pod of the namespace. */
const selectsAll = (selector: any) =>
  Object.keys(selector?.matchLabels ?? {}).length === 0 && asArray(selector?.matchExpressions).length === 0;
const namespaceOf = (r: PolicyResource) => r.props.metadata?.namespace ?? "default";
const workloadsIn = (resources: PolicyResource[]) => resources.filter((r) => WORKLOADS.includes(r.type));

/**
 * Sysctls the Pod Security baseline profile allows (kubernetes.io pod-security-standards, as of
 * 1.29; the pack requires EKS ≥ 1.31). 1.32 adds net.ipv4.tcp_rmem/tcp_wmem: left out until the
 * minimum version reaches it, so a pod passing here is admitted by every supported cluster.
 */
export const SAFE_SYSCTLS = [
  "kernel.shm_rmid_forced",
  "net.ipv4.ip_local_port_range",
  "net.ipv4.ip_unprivileged_port_start",
  "net.ipv4.tcp_syncookies",
  "net.ipv4.ping_group_range",
  "net.ipv4.ip_local_reserved_ports",
  "net.ipv4.tcp_keepalive_time",
  "net.ipv4.tcp_fin_timeout",
  "net.ipv4.tcp_keepalive_intvl",
  "net.ipv4.tcp_keepalive_probes",
];

const RBAC_ROLES = [
  "kubernetes:rbac.authorization.k8s.io/v1:Role",
  "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole",
];
/** RBAC rules granting any of `verbs` on any of `resources` of the core API group. */
function coreGrants(p: any, resources: string[], verbs: string[]): string[] {
  return asArray(p.rules).flatMap((r: any, i: number) => {
    const groups = asArray<string>(r?.apiGroups);
    if (!groups.includes("") && !groups.includes("*")) return [];
    const onResources = asArray<string>(r?.resources).filter((x) => x === "*" || resources.includes(x));
    const granted = asArray<string>(r?.verbs).filter((v) => v === "*" || verbs.includes(v));
    return onResources.length && granted.length
      ? [`rules[${i}] grants ${granted.join(", ")} on ${onResources.join(", ")}`]
      : [];
  });
}

/** The port a probe targets (httpGet, tcpSocket or grpc), if any. */
const probePort = (probe: any): unknown =>
  probe?.httpGet?.port ?? probe?.tcpSocket?.port ?? probe?.grpc?.port;

export const kubernetesRules = [
  containerRule(
    {
      name: "kubernetes-workload-disallow-privileged",
      anchors: ["CKV_K8S_16", "KSV-0017", "KL privileged-container", "PSS baseline"],
      summary: "Containers never run privileged.",
      severity: "critical",
      remediation: "Remove securityContext.privileged: true.",
    },
    (c) => (c?.securityContext?.privileged === true ? "securityContext.privileged is true" : undefined),
  ),
  containerRule(
    {
      name: "kubernetes-workload-disallow-privilege-escalation",
      anchors: ["CKV_K8S_20", "KSV-0001", "KL privilege-escalation-container", "PSS restricted"],
      summary: "Containers set allowPrivilegeEscalation: false.",
      severity: "high",
      remediation: "Set securityContext.allowPrivilegeEscalation = false.",
    },
    (c) =>
      c?.securityContext?.allowPrivilegeEscalation === false
        ? undefined
        : "allowPrivilegeEscalation is not false",
  ),
  containerRule(
    {
      name: "kubernetes-workload-require-non-root",
      anchors: ["CKV_K8S_23", "CKV_K8S_40", "KSV-0012", "KSV-0020", "KSV-0105", "KL run-as-non-root"],
      summary: "Containers run as non-root (runAsNonRoot, and never uid 0).",
      severity: "high",
      remediation: "Set runAsNonRoot: true and a non-zero runAsUser on the pod or container.",
    },
    (c, ps) => {
      const nonRoot = c?.securityContext?.runAsNonRoot ?? ps?.securityContext?.runAsNonRoot;
      const uid = c?.securityContext?.runAsUser ?? ps?.securityContext?.runAsUser;
      if (uid === 0) return "runAsUser is 0";
      return nonRoot === true ? undefined : "runAsNonRoot is not true";
    },
  ),
  containerRule(
    {
      name: "kubernetes-workload-require-read-only-root",
      anchors: [
        "CKV_K8S_22",
        "KSV-0014",
        "KL no-read-only-root-fs",
        "CP kubernetes-apps-v1-deployment-enable-read-only-root-filesystem",
      ],
      summary: "Containers have a read-only root filesystem.",
      severity: "high",
      remediation:
        "Set securityContext.readOnlyRootFilesystem = true; mount emptyDir volumes for writable paths.",
    },
    (c) =>
      c?.securityContext?.readOnlyRootFilesystem === true ? undefined : "readOnlyRootFilesystem is not true",
  ),
  containerRule(
    {
      name: "kubernetes-workload-drop-all-capabilities",
      anchors: [
        "CKV_K8S_28",
        "CKV_K8S_37",
        "CKV_K8S_39",
        "KSV-0003",
        "KSV-0106",
        "KL drop-net-raw-capability",
      ],
      summary: "Containers drop ALL capabilities and add back at most NET_BIND_SERVICE.",
      severity: "high",
      remediation: 'Set securityContext.capabilities = { drop: ["ALL"] }.',
    },
    (c) => {
      const caps = c?.securityContext?.capabilities ?? {};
      if (!asArray(caps.drop).includes("ALL")) return "capabilities.drop does not include ALL";
      const extra = asArray(caps.add).filter((a) => a !== "NET_BIND_SERVICE");
      return extra.length ? `capabilities.add includes ${extra.join(", ")}` : undefined;
    },
  ),
  containerRule(
    {
      name: "kubernetes-workload-require-seccomp",
      anchors: ["CKV_K8S_31", "KSV-0030", "KSV-0104"],
      summary:
        "Pods name a seccomp profile (RuntimeDefault or Localhost), as the restricted profile requires; Unconfined is kubernetes-workload-disallow-unconfined-seccomp's.",
      severity: "medium",
      remediation: 'Set securityContext.seccompProfile.type = "RuntimeDefault" on the pod.',
    },
    (c, ps) =>
      (c?.securityContext?.seccompProfile?.type ?? ps?.securityContext?.seccompProfile?.type)
        ? undefined
        : "seccompProfile is unset",
  ),
  podRule(
    {
      name: "kubernetes-workload-disallow-unconfined-seccomp",
      anchors: ["PSS baseline", "CKV_K8S_31", "KSV-0104", "kyverno restrict-seccomp"],
      summary:
        "Neither the pod nor any container sets seccompProfile Unconfined, which the Pod Security baseline profile refuses.",
      severity: "high",
      remediation:
        'Set seccompProfile.type to "RuntimeDefault" (or a Localhost profile) instead of Unconfined.',
    },
    (ps) => [
      ...(ps?.securityContext?.seccompProfile?.type === "Unconfined"
        ? ["pod seccompProfile is Unconfined"]
        : []),
      ...allContainers(ps)
        .filter((c) => c?.securityContext?.seccompProfile?.type === "Unconfined")
        .map((c) => `container ${c?.name ?? "?"}: seccompProfile is Unconfined`),
    ],
  ),
  podRule(
    {
      name: "kubernetes-workload-disallow-host-namespaces",
      anchors: [
        "CKV_K8S_17",
        "CKV_K8S_18",
        "CKV_K8S_19",
        "KSV-0008",
        "KSV-0009",
        "KSV-0010",
        "KL host-network",
      ],
      summary: "Pods do not share the host's PID, IPC or network namespace.",
      severity: "critical",
      remediation: "Remove hostPID, hostIPC and hostNetwork.",
    },
    (ps) => ["hostPID", "hostIPC", "hostNetwork"].filter((k) => ps?.[k] === true).map((k) => `${k} is true`),
  ),
  podRule(
    {
      name: "kubernetes-workload-disallow-host-path",
      anchors: ["KSV-0023", "CKV_K8S_27", "KL sensitive-host-mounts", "kyverno disallow-host-path"],
      summary: "Pods mount no hostPath volumes.",
      severity: "high",
      remediation: "Use emptyDir, a PersistentVolumeClaim or a projected volume.",
    },
    (ps) =>
      asArray(ps?.volumes)
        .filter((v: any) => v?.hostPath)
        .map((v: any) => `volume ${v.name} mounts hostPath ${v.hostPath.path}`),
  ),
  containerRule(
    {
      name: "kubernetes-workload-disallow-host-ports",
      anchors: ["CKV_K8S_26", "KSV-0024", "kyverno disallow-host-ports", "PSS baseline"],
      summary: "Containers bind no host ports, which the Pod Security baseline profile refuses.",
      severity: "high",
      remediation: "Remove ports[].hostPort; expose the pod through a Service.",
    },
    (c) => (asArray(c?.ports).some((port: any) => port?.hostPort) ? "ports[].hostPort is set" : undefined),
  ),
  containerRule(
    {
      name: "kubernetes-workload-disallow-privileged-ports",
      anchors: ["KL privileged-ports", "KSV-0117"],
      summary:
        "Containers listen on ports 1024 and above, so they need no NET_BIND_SERVICE and can run with every capability dropped.",
      severity: "medium",
      remediation: "Listen on an unprivileged port (e.g. 8080); the Service maps port 80/443 to it.",
    },
    (c) => {
      const low = asArray(c?.ports)
        .map((port: any) => port?.containerPort)
        .filter((n: unknown) => typeof n === "number" && n < 1024);
      return low.length ? `containerPort ${low.join(", ")} is privileged (below 1024)` : undefined;
    },
  ),
  podRule(
    {
      name: "kubernetes-workload-restrict-sysctls",
      anchors: ["PSS baseline", "KSV-0026", "KL unsafe-sysctls", "kyverno restrict-sysctls"],
      summary: "Pods set only the sysctls the Pod Security baseline profile calls safe.",
      severity: "high",
      remediation: `Remove securityContext.sysctls outside ${SAFE_SYSCTLS.join(", ")}; tune the node instead.`,
    },
    (ps) =>
      asArray(ps?.securityContext?.sysctls)
        .filter((s: any) => !SAFE_SYSCTLS.includes(String(s?.name)))
        .map((s: any) => `sysctl ${s?.name} is not in the baseline safe set`),
  ),
  containerRule(
    {
      name: "kubernetes-workload-require-default-proc-mount",
      anchors: ["PSS baseline", "KSV-0027", "KL unsafe-proc-mount", "kyverno disallow-proc-mount"],
      summary:
        "Containers keep the default /proc masks (procMount Default), as the Pod Security baseline requires.",
      severity: "high",
      remediation: "Remove securityContext.procMount (or set it to Default).",
    },
    (c) => {
      const mount = c?.securityContext?.procMount;
      return mount === undefined || mount === "Default" ? undefined : `procMount is ${mount}`;
    },
  ),
  containerRule(
    {
      name: "kubernetes-workload-require-probe-ports",
      anchors: ["KL liveness-port", "KL readiness-port", "KL startup-port"],
      summary: "Probes target a port the container declares, by name or number.",
      severity: "medium",
      remediation:
        "Point the probe at a ports[] entry of the container (name or containerPort), or declare the port.",
    },
    (c) => {
      const ports = asArray(c?.ports);
      const bad = ["livenessProbe", "readinessProbe", "startupProbe"].flatMap((k) => {
        const port = probePort(c?.[k]);
        if (port === undefined) return [];
        const declared =
          typeof port === "string"
            ? ports.some((x: any) => x?.name === port)
            : ports.some((x: any) => x?.containerPort === port);
        return declared
          ? []
          : [`${k} targets port ${JSON.stringify(port)}, which the container does not declare`];
      });
      return bad.length ? bad.join("; ") : undefined;
    },
  ),
  containerRule(
    {
      name: "kubernetes-workload-disallow-duplicate-env",
      anchors: ["KL duplicate-env-var"],
      summary:
        "A container names each environment variable once; a second entry silently overrides the first.",
      severity: "medium",
      remediation: "Keep one env[] entry per name.",
    },
    (c) => {
      const names = asArray(c?.env).map((e: any) => String(e?.name));
      const dupes = [...new Set(names.filter((n, i) => names.indexOf(n) !== i))];
      return dupes.length ? `env ${dupes.join(", ")} is set more than once` : undefined;
    },
  ),
  resourceRule(
    {
      name: "kubernetes-workload-require-matching-selector",
      types: LONG_RUNNING,
      anchors: ["KL mismatching-selector"],
      summary: "A Deployment, StatefulSet or DaemonSet selector selects its own pod template's labels.",
      severity: "medium",
      remediation: "Make spec.selector.matchLabels a subset of spec.template.metadata.labels.",
    },
    (p, { type }) => {
      if (!p.spec?.selector) return ["spec.selector is unset"];
      return selects(p.spec.selector, podLabelsOf(type, p))
        ? []
        : [`spec.selector ${JSON.stringify(p.spec.selector)} does not select the pod template's labels`];
    },
  ),
  containerRule(
    {
      name: "kubernetes-workload-require-pinned-approved-image",
      anchors: [
        "CKV_K8S_14",
        "CKV_K8S_43",
        "KSV-0013",
        "KL latest-tag",
        "KSV-0035",
        "kyverno restrict-image-registries",
      ],
      summary: "Images are pinned by digest and come from an approved registry.",
      severity: "high",
      remediation: "Reference images as <approved registry>/<repo>@sha256:<digest>.",
      config: {
        approvedRegistries: {
          type: "array",
          items: { type: "string" },
          default: ["*.dkr.ecr.*.amazonaws.com/", "ghcr.io/"],
          description: "Registry prefixes images may come from; * matches one DNS label part.",
        },
      },
    },
    (c, _ps, config) => {
      const image = String(c?.image ?? "");
      if (!/@sha256:[a-f0-9]{64}$/.test(image)) return `image ${image} is not pinned by digest`;
      const approved = (config.approvedRegistries as string[]).some((prefix) =>
        new RegExp(`^${prefix.replace(/[.+?^${}()|[\]\\/]/g, "\\$&").replace(/\*/g, "[^/]*")}`).test(image),
      );
      return approved ? undefined : `image ${image} is not from an approved registry`;
    },
  ),
  containerRule(
    {
      name: "kubernetes-workload-require-resources",
      anchors: [
        "CKV_K8S_10",
        "CKV_K8S_11",
        "CKV_K8S_12",
        "CKV_K8S_13",
        "KSV-0011",
        "KSV-0015",
        "KSV-0016",
        "KSV-0018",
        "KL unset-cpu-requirements",
      ],
      summary: "Containers declare CPU and memory requests and limits.",
      severity: "medium",
      remediation: "Set resources.requests and resources.limits for cpu and memory.",
    },
    (c) => {
      const r = c?.resources ?? {};
      const missing = ["requests.cpu", "requests.memory", "limits.cpu", "limits.memory"].filter((k) => {
        const [a, b] = k.split(".");
        return !r[a]?.[b];
      });
      return missing.length ? `resources lack ${missing.join(", ")}` : undefined;
    },
  ),
  resourceRule(
    {
      name: "kubernetes-workload-require-probes",
      types: LONG_RUNNING,
      anchors: ["CKV_K8S_8", "CKV_K8S_9", "KL no-liveness-probe", "KL no-readiness-probe"],
      summary: "Long-running containers have liveness and readiness probes.",
      severity: "medium",
      remediation: "Add livenessProbe and readinessProbe (httpGet on the health path).",
    },
    (p, { type }) =>
      asArray(podSpecOf(type, p).containers).flatMap((c: any) =>
        ["livenessProbe", "readinessProbe"]
          .filter((k) => !c?.[k])
          .map((k) => `container ${c?.name}: no ${k}`),
      ),
  ),
  podRule(
    {
      name: "kubernetes-workload-disallow-token-automount",
      anchors: ["CKV_K8S_38", "CKV_K8S_41", "KSV-0036", "KL default-service-account"],
      summary: "Pods use their own ServiceAccount and do not mount its token unless they call the API.",
      severity: "medium",
      remediation: "Set serviceAccountName and automountServiceAccountToken: false.",
    },
    (ps) => [
      ...(ps?.automountServiceAccountToken === false ? [] : ["automountServiceAccountToken is not false"]),
      ...(!ps?.serviceAccountName || ps.serviceAccountName === "default"
        ? ["uses the default ServiceAccount"]
        : []),
    ],
  ),
  containerRule(
    {
      name: "kubernetes-workload-disallow-literal-secret-env",
      anchors: ["KL env-var-secret"],
      summary: "No secret literals in container env values (secret-looking names or values).",
      severity: "high",
      remediation:
        "Store the value in a Secret (External Secrets) and mount it as a file (a secret volume); see kubernetes-workload-prefer-secret-files.",
    },
    (c) => {
      const bad = asArray(c?.env).filter(
        (e: any) =>
          e?.value !== undefined && (SECRET_NAME.test(String(e.name)) || SECRET_VALUE.test(String(e.value))),
      );
      return bad.length ? `env ${bad.map((e: any) => e.name).join(", ")} holds a literal secret` : undefined;
    },
  ),
  containerRule(
    {
      name: "kubernetes-workload-prefer-secret-files",
      anchors: ["CKV_K8S_35", "KL read-secret-from-env-var"],
      summary:
        "Containers read Secrets as files, not as environment variables (secretKeyRef, envFrom secretRef), which leak into child processes, crash dumps and logs.",
      severity: "medium",
      remediation:
        "Mount the Secret as a read-only volume and read the file; drop valueFrom.secretKeyRef and envFrom.secretRef.",
    },
    (c) => {
      const refs = [
        ...asArray(c?.env)
          .filter((e: any) => e?.valueFrom?.secretKeyRef)
          .map((e: any) => `env ${e.name} (secretKeyRef ${e.valueFrom.secretKeyRef.name})`),
        ...asArray(c?.envFrom)
          .filter((e: any) => e?.secretRef)
          .map((e: any) => `envFrom secretRef ${e.secretRef.name}`),
      ];
      return refs.length ? `reads a Secret into the environment: ${refs.join(", ")}` : undefined;
    },
  ),
  resourceRule(
    {
      name: "kubernetes-workload-disallow-default-namespace",
      types: [...WORKLOADS, "kubernetes:core/v1:Service", "kubernetes:core/v1:ServiceAccount"],
      anchors: ["CKV_K8S_21", "KSV-0110", "KL use-namespace"],
      summary: "Workloads live in their own namespace, not default.",
      severity: "medium",
      remediation: "Set metadata.namespace to the app's namespace.",
    },
    (p) =>
      !p.metadata?.namespace || p.metadata.namespace === "default"
        ? ["metadata.namespace is default or unset"]
        : [],
  ),
  resourceRule(
    {
      name: "kubernetes-namespace-enforce-restricted",
      types: ["kubernetes:core/v1:Namespace"],
      anchors: ["PSS/PSA restricted", "CKV_K8S_21"],
      summary: "Namespaces enforce the restricted Pod Security Standard.",
      severity: "high",
      remediation: 'Label the namespace pod-security.kubernetes.io/enforce: "restricted".',
    },
    (p) =>
      p.metadata?.labels?.["pod-security.kubernetes.io/enforce"] === "restricted"
        ? []
        : ["pod-security.kubernetes.io/enforce is not restricted"],
  ),
  stackRule(
    {
      name: "kubernetes-workload-missing-network-policy",
      anchors: ["CKV2_K8S_6", "KL non-isolated-pod", "kyverno add-network-policy"],
      summary: "Every workload's pods are selected by a NetworkPolicy in their namespace.",
      severity: "medium",
      remediation: "Add a default-deny NetworkPolicy (podSelector: {}) to the namespace, plus allow rules.",
    },
    (resources) => {
      const policies = resources.filter((r) => r.type === "kubernetes:networking.k8s.io/v1:NetworkPolicy");
      return resources
        .filter((r) => WORKLOADS.includes(r.type))
        .filter(
          (w: PolicyResource) =>
            !policies.some(
              (np) =>
                np.props.metadata?.namespace === w.props.metadata?.namespace &&
                selects(np.props.spec?.podSelector, podLabelsOf(w.type, w.props)),
            ),
        )
        .map((w) => ({ urn: w.urn, message: `${w.name}: no NetworkPolicy selects its pods` }));
    },
  ),
  stackRule(
    {
      name: "kubernetes-networkpolicy-missing-workload",
      anchors: ["KL dangling-networkpolicy"],
      summary:
        "A NetworkPolicy with a pod selector selects a workload of its namespace; one that selects nothing protects nothing.",
      severity: "medium",
      remediation: "Fix spec.podSelector to the labels of the pods it is meant for, or delete the policy.",
    },
    (resources) => {
      const workloads = workloadsIn(resources);
      return resources
        .filter((r) => r.type === "kubernetes:networking.k8s.io/v1:NetworkPolicy")
        .filter((np) => !selectsAll(np.props.spec?.podSelector))
        .filter(
          (np) =>
            !workloads.some(
              (w) =>
                namespaceOf(w) === namespaceOf(np) &&
                selects(np.props.spec.podSelector, podLabelsOf(w.type, w.props)),
            ),
        )
        .map((np) => ({
          urn: np.urn,
          message: `NetworkPolicy ${np.name}: podSelector ${JSON.stringify(np.props.spec.podSelector)} selects no workload in namespace ${namespaceOf(np)}`,
        }));
    },
  ),
  stackRule(
    {
      name: "kubernetes-service-missing-workload",
      anchors: ["KL dangling-service"],
      summary: "A Service with a selector selects the pods of a workload of its namespace in the stack.",
      severity: "medium",
      remediation: "Fix spec.selector to the pod template labels of the workload it fronts.",
    },
    (resources) => {
      const workloads = workloadsIn(resources);
      return resources
        .filter((r) => r.type === "kubernetes:core/v1:Service")
        .filter((svc) => svc.props.spec?.type !== "ExternalName")
        .filter((svc) => Object.keys(svc.props.spec?.selector ?? {}).length > 0) // no selector: manual Endpoints
        .filter(
          (svc) =>
            !workloads.some(
              (w) =>
                namespaceOf(w) === namespaceOf(svc) &&
                selects({ matchLabels: svc.props.spec.selector }, podLabelsOf(w.type, w.props)),
            ),
        )
        .map((svc) => ({
          urn: svc.urn,
          message: `Service ${svc.name}: selector ${JSON.stringify(svc.props.spec.selector)} selects no workload in namespace ${namespaceOf(svc)}`,
        }));
    },
  ),
  resourceRule(
    {
      name: "kubernetes-service-disallow-external-exposure",
      types: ["kubernetes:core/v1:Service"],
      anchors: ["KL exposed-services", "CP kubernetes-core-v1-service-disallow-load-balancer", "KSV-0108"],
      summary:
        "Services are ClusterIP; NodePort, LoadBalancer and externalIPs only where the stack allows them.",
      severity: "high",
      remediation:
        "Use a ClusterIP Service behind the ingress/ALB, or allow exposure for this stack in its policy config.",
      config: {
        allowExternal: {
          type: "boolean",
          default: false,
          description: "This stack may expose Services outside the cluster.",
        },
      },
    },
    (p, { config }) => {
      if (config.allowExternal) return [];
      const out: string[] = [];
      if (["NodePort", "LoadBalancer"].includes(p.spec?.type)) out.push(`spec.type is ${p.spec.type}`);
      if (asArray(p.spec?.externalIPs).length) out.push("spec.externalIPs is set");
      return out;
    },
  ),
  resourceRule(
    {
      name: "kubernetes-ingress-require-tls-host",
      types: ["kubernetes:networking.k8s.io/v1:Ingress"],
      anchors: ["kyverno disallow-empty-ingress-host", "CKV_K8S_153"],
      summary: "Ingresses name their hosts, terminate TLS, and carry no nginx snippet annotations.",
      severity: "medium",
      remediation: "Set rules[].host and spec.tls; remove *-snippet annotations.",
    },
    (p) => [
      ...(asArray(p.spec?.tls).length === 0 ? ["spec.tls is empty"] : []),
      ...asArray(p.spec?.rules)
        .filter((r: any) => !r?.host)
        .map(() => "a rule has no host"),
      ...Object.keys(p.metadata?.annotations ?? {})
        .filter((k) => k.endsWith("-snippet"))
        .map((k) => `annotation ${k}`),
    ],
  ),
  resourceRule(
    {
      name: "kubernetes-pdb-allow-disruption",
      types: ["kubernetes:policy/v1:PodDisruptionBudget"],
      anchors: [
        "KL pdb-max-unavailable",
        "KL pdb-min-available",
        "CP kubernetes-policy-v1-poddisruptionbudget-disallow-zero-voluntary-disruption",
      ],
      summary: "Disruption budgets allow at least one voluntary disruption, so nodes can drain.",
      severity: "low",
      remediation: "Use maxUnavailable ≥ 1 rather than maxUnavailable: 0 or minAvailable: 100%.",
    },
    (p) =>
      p.spec?.maxUnavailable === 0 || p.spec?.maxUnavailable === "0%" || p.spec?.minAvailable === "100%"
        ? ["the budget allows no voluntary disruption"]
        : [],
  ),
  resourceRule(
    {
      name: "kubernetes-hpa-require-minimum-replicas",
      types: ["kubernetes:autoscaling/v2:HorizontalPodAutoscaler"],
      anchors: ["KL hpa-minimum-three-replicas"],
      summary: "Autoscalers keep a minimum of replicas.",
      severity: "low",
      remediation: "Set minReplicas to at least the configured minimum.",
      config: { minimumReplicas: { type: "number", default: 2, description: "Lowest allowed minReplicas." } },
    },
    (p, { config }) =>
      (p.spec?.minReplicas ?? 1) < config.minimumReplicas
        ? [`minReplicas is ${p.spec?.minReplicas ?? 1}; at least ${config.minimumReplicas}`]
        : [],
  ),
  stackRule(
    {
      name: "kubernetes-hpa-missing-target",
      anchors: ["KL dangling-horizontalpodautoscaler"],
      summary:
        "An autoscaler's scaleTargetRef names a Deployment or StatefulSet of its namespace in the stack; otherwise nothing scales.",
      severity: "medium",
      remediation:
        "Point scaleTargetRef (kind and name) at the workload, e.g. name: deployment.metadata.name.",
    },
    (resources) =>
      resources
        .filter((r) => r.type === "kubernetes:autoscaling/v2:HorizontalPodAutoscaler")
        .filter((hpa) => {
          const kind = hpa.props.spec?.scaleTargetRef?.kind;
          const candidates = resources.filter(
            (r) =>
              r.type.endsWith(`:${kind}`) &&
              LONG_RUNNING.includes(r.type) &&
              namespaceOf(r) === namespaceOf(hpa),
          );
          // A target built from the workload's own (possibly auto-generated) name is that workload;
          // checked first, so an unknown name never needs reading.
          if (asArray(hpa.propertyDependencies?.spec).some((d) => candidates.includes(d))) return false;
          const name = hpa.props.spec?.scaleTargetRef?.name;
          return !name || !candidates.some((w) => w.props.metadata?.name === name);
        })
        .map((hpa) => {
          const ref = hpa.props.spec?.scaleTargetRef ?? {};
          return {
            urn: hpa.urn,
            message: `HorizontalPodAutoscaler ${hpa.name}: scaleTargetRef ${ref.kind || "?"}/${ref.name || "?"} is no workload of namespace ${namespaceOf(hpa)} in the stack`,
          };
        }),
  ),
  resourceRule(
    {
      name: "kubernetes-rbac-disallow-wildcards",
      types: [
        "kubernetes:rbac.authorization.k8s.io/v1:Role",
        "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole",
      ],
      anchors: ["CKV_K8S_49", "KSV-0044", "KSV-0045", "KSV-0046", "KL wildcard-in-rules"],
      summary: "RBAC rules name their verbs, resources and API groups; no wildcards.",
      severity: "high",
      remediation: "Replace * with the verbs and resources the subject needs.",
    },
    (p) =>
      asArray(p.rules).flatMap((r: any, i: number) =>
        ["verbs", "resources", "apiGroups"]
          .filter((k) => asArray(r?.[k]).includes("*"))
          .map((k) => `rules[${i}].${k} contains "*"`),
      ),
  ),
  resourceRule(
    {
      name: "kubernetes-rbac-disallow-secret-reads",
      types: RBAC_ROLES,
      anchors: ["KSV-0041", "KSV-0113", "KL access-to-secrets"],
      summary: "Roles do not get, list or watch Secrets; a workload reads its own Secret as a mounted file.",
      severity: "high",
      remediation:
        "Mount the Secret into the pod instead; a controller that must read Secrets (External Secrets) is an exception the stack's policy config states.",
    },
    (p) => coreGrants(p, ["secrets"], ["get", "list", "watch"]),
  ),
  resourceRule(
    {
      name: "kubernetes-rbac-disallow-pod-creation",
      types: RBAC_ROLES,
      anchors: ["KSV-0048", "KL access-to-create-pods"],
      summary:
        "Roles do not create Pods: whoever creates a pod runs it with any ServiceAccount and Secret of the namespace.",
      severity: "high",
      remediation:
        "Let controllers (Deployments, Jobs) create pods; grant create on those, reviewed, instead.",
    },
    (p) => coreGrants(p, ["pods"], ["create"]),
  ),
  resourceRule(
    {
      name: "kubernetes-rbac-disallow-escalation-verbs",
      types: RBAC_ROLES,
      anchors: ["CKV_K8S_157", "CKV_K8S_158", "CKV2_K8S_3", "KSV-0043", "KSV-0050"],
      summary:
        "Roles grant no escalate, bind or impersonate verbs, which let a subject take permissions it does not hold.",
      severity: "critical",
      remediation: "Remove escalate, bind and impersonate; have an administrator create the bindings.",
    },
    (p) =>
      asArray(p.rules).flatMap((r: any, i: number) => {
        const verbs = asArray<string>(r?.verbs).filter((v) =>
          ["escalate", "bind", "impersonate"].includes(v),
        );
        return verbs.length ? [`rules[${i}] grants ${verbs.join(", ")}`] : [];
      }),
  ),
  resourceRule(
    {
      name: "kubernetes-rbac-disallow-cluster-admin-binding",
      types: [
        "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding",
        "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding",
      ],
      anchors: ["KL cluster-admin-role-binding", "KSV-0111"],
      summary: "Nothing is bound to cluster-admin.",
      severity: "critical",
      remediation: "Bind a narrower role.",
    },
    (p) => (p.roleRef?.name === "cluster-admin" ? ["binds cluster-admin"] : []),
  ),
];
