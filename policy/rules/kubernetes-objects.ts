/**
 * Kubernetes objects beside the containers: pod specs that name their ServiceAccount the current
 * way, Jobs that clean up after themselves, NetworkPolicies that do not undo the namespace's
 * default deny, and Secrets that hold no values of their own (External Secrets delivers them).
 */
import { asArray, resourceRule } from "../lib/rule";
import { podSpecOf, WORKLOADS } from "./kubernetes";

const JOB = "kubernetes:batch/v1:Job";
const CRONJOB = "kubernetes:batch/v1:CronJob";
const NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
const SECRET = "kubernetes:core/v1:Secret";

/** A LabelSelector that selects everything: no matchLabels, no matchExpressions. */
const selectsAll = (selector: any) =>
  Object.keys(selector?.matchLabels ?? {}).length === 0 && asArray(selector?.matchExpressions).length === 0;

/** Why a `from` peer admits every source, or undefined: all namespaces' pods, or every address. */
function everySource(peer: any): string | undefined {
  if (
    peer?.namespaceSelector &&
    selectsAll(peer.namespaceSelector) &&
    (!peer.podSelector || selectsAll(peer.podSelector))
  )
    return "every pod of every namespace (an empty namespaceSelector)";
  const cidr = peer?.ipBlock?.cidr;
  if (cidr === "0.0.0.0/0" || cidr === "::/0") return `every address (ipBlock ${cidr})`;
  return undefined;
}

/**
 * Why an ingress rule admits all traffic, or undefined. A rule with ports admits those ports only,
 * whatever its sources (the program's allow policy: any source, the service's port), so only a
 * rule without ports counts: one without sources (`{}`), or one with an every-source peer.
 */
export function allIngress(rule: any): string | undefined {
  if (asArray(rule?.ports).length > 0) return undefined;
  const from = asArray(rule?.from);
  if (from.length === 0) return "has neither from nor ports: it admits every source on every port";
  const all = from.map(everySource).find((why) => why !== undefined);
  return all ? `admits ${all} on every port` : undefined;
}

export const kubernetesObjectRules = [
  resourceRule(
    {
      name: "kubernetes-workload-disallow-deprecated-service-account-field",
      types: WORKLOADS,
      anchors: ["KL deprecated-service-account-field"],
      summary:
        "Pod specs name their ServiceAccount in serviceAccountName, not in serviceAccount, its deprecated alias, which tools reading serviceAccountName miss.",
      severity: "low",
      remediation: "Move the name to serviceAccountName and remove serviceAccount.",
    },
    (p, { type }) => {
      const name = podSpecOf(type, p)?.serviceAccount;
      return name
        ? [`serviceAccount is ${JSON.stringify(name)}: the deprecated alias of serviceAccountName`]
        : [];
    },
  ),
  resourceRule(
    {
      name: "kubernetes-job-require-ttl-after-finished",
      types: [JOB, CRONJOB],
      anchors: ["kyverno add-ttl-jobs"],
      summary:
        "Jobs, and the Jobs a CronJob creates, set ttlSecondsAfterFinished, so finished Jobs and their pods (logs, environment) do not pile up in the namespace.",
      severity: "low",
      remediation:
        "Set spec.ttlSecondsAfterFinished on a Job, spec.jobTemplate.spec.ttlSecondsAfterFinished on a CronJob (e.g. 86400). A Job the program itself declares is recreated by the next `pulumi up` once the TTL deleted it: prefer a CronJob, or a Job whose rerun is harmless.",
    },
    (p, { type }) => {
      const path = type === CRONJOB ? "spec.jobTemplate.spec" : "spec";
      const spec = type === CRONJOB ? p.spec?.jobTemplate?.spec : p.spec;
      return typeof spec?.ttlSecondsAfterFinished === "number"
        ? []
        : [
            `${path}.ttlSecondsAfterFinished is unset: finished Jobs and their pods stay until deleted by hand`,
          ];
    },
  ),
  resourceRule(
    {
      name: "kubernetes-networkpolicy-disallow-allow-all-ingress",
      types: [NETWORK_POLICY],
      anchors: ["KSV-0038", "NSA/CISA Kubernetes Hardening Guide"],
      summary:
        "No NetworkPolicy ingress rule admits all traffic: a rule without ports needs sources narrower than every pod of every namespace (an empty namespaceSelector) or every address (0.0.0.0/0, ::/0). A rule with ports admits those ports only.",
      severity: "high",
      remediation:
        "Name the ports (ports: [{ protocol: TCP, port: 8080 }]) and the sources (a podSelector, a namespaceSelector by kubernetes.io/metadata.name, or the load balancer's subnets as ipBlocks).",
    },
    (p) =>
      asArray(p.spec?.ingress).flatMap((rule: any, i: number) => {
        const why = allIngress(rule);
        return why ? [`spec.ingress[${i}] ${why}`] : [];
      }),
  ),
  resourceRule(
    {
      name: "kubernetes-secret-disallow-literal-data",
      types: [SECRET],
      anchors: ["CIS Kubernetes 5.4.2"],
      summary:
        "The program declares no Secret with values of its own (data or stringData): those values sit in the program's config and state. Secrets come from the secret store through an ExternalSecret, like the workloads' secrets.",
      severity: "high",
      remediation:
        "Put the value in AWS Secrets Manager and declare an ExternalSecret (external-secrets.io/v1) that writes the Secret; remove the Secret resource.",
    },
    (p) =>
      ["data", "stringData"].flatMap((field) => {
        const value = p[field];
        const keys = value && typeof value === "object" ? Object.keys(value) : [];
        return keys.length ? [`${field} holds ${keys.join(", ")}: values declared in the program`] : [];
      }),
  ),
];
