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

const selects = (selector: any, labels: Record<string, string>) =>
  Object.entries(selector?.matchLabels ?? {}).every(([k, v]) => labels[k] === v) &&
  asArray(selector?.matchExpressions).length === 0;

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
      summary: "Pods run with the RuntimeDefault (or a Localhost) seccomp profile.",
      severity: "medium",
      remediation: 'Set securityContext.seccompProfile.type = "RuntimeDefault" on the pod.',
    },
    (c, ps) => {
      const t = c?.securityContext?.seccompProfile?.type ?? ps?.securityContext?.seccompProfile?.type;
      return t === "RuntimeDefault" || t === "Localhost" ? undefined : `seccompProfile is ${t ?? "unset"}`;
    },
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
      anchors: ["CKV_K8S_26", "KSV-0024", "kyverno disallow-host-ports"],
      summary: "Containers bind no host ports.",
      severity: "medium",
      remediation: "Remove ports[].hostPort; expose the pod through a Service.",
    },
    (c) => (asArray(c?.ports).some((port: any) => port?.hostPort) ? "ports[].hostPort is set" : undefined),
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
      anchors: ["CKV_K8S_35", "KL env-var-secret"],
      summary: "No secret literals in container env; secrets come from Secret volumes or references.",
      severity: "high",
      remediation:
        "Store the value in a Secret (External Secrets) and mount it as a file or use valueFrom.secretKeyRef.",
    },
    (c) => {
      const bad = asArray(c?.env).filter(
        (e: any) =>
          e?.value !== undefined && (SECRET_NAME.test(String(e.name)) || SECRET_VALUE.test(String(e.value))),
      );
      return bad.length ? `env ${bad.map((e: any) => e.name).join(", ")} holds a literal secret` : undefined;
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
      anchors: ["KL hpa-minimum-three-replicas", "KL dangling-horizontalpodautoscaler"],
      summary: "Autoscalers keep a minimum of replicas and target a workload.",
      severity: "low",
      remediation: "Set minReplicas to at least the configured minimum and scaleTargetRef to a Deployment.",
      config: { minimumReplicas: { type: "number", default: 2, description: "Lowest allowed minReplicas." } },
    },
    (p, { config }) => [
      ...((p.spec?.minReplicas ?? 1) < config.minimumReplicas
        ? [`minReplicas is ${p.spec?.minReplicas ?? 1}; at least ${config.minimumReplicas}`]
        : []),
      ...(!p.spec?.scaleTargetRef?.name ? ["scaleTargetRef has no name"] : []),
    ],
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
