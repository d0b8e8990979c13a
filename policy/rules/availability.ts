/**
 * Availability of Kubernetes workloads, as kube-linter checks it: disruption budgets that let
 * nodes drain past pods that serve nothing, and replicas spread so one node or zone cannot take
 * them all down.
 */
import { PolicyResource } from "@pulumi/policy";
import { asArray, resourceRule, stackRule } from "../lib/rule";
import { podSpecOf, selects } from "./kubernetes";

const PDB = "kubernetes:policy/v1:PodDisruptionBudget";
const HPA = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler";
/** Workloads that keep several replicas of one pod (DaemonSets run one per node by design). */
const REPLICATED = ["kubernetes:apps/v1:Deployment", "kubernetes:apps/v1:StatefulSet"];
const KIND_OF: Record<string, string> = {
  "kubernetes:apps/v1:Deployment": "Deployment",
  "kubernetes:apps/v1:StatefulSet": "StatefulSet",
};
/** Node labels a spread or anti-affinity term must use to keep replicas apart. */
const SPREAD_KEYS = ["kubernetes.io/hostname", "topology.kubernetes.io/zone"];

/**
 * The most replicas a workload can run: its own `replicas` (Kubernetes' default is 1), or, when an
 * autoscaler in its namespace targets it, the autoscaler's `maxReplicas`.
 */
export function maxReplicasOf(workload: PolicyResource, autoscalers: PolicyResource[]): number {
  const { name, namespace } = workload.props.metadata ?? {};
  const scaler = autoscalers.find(
    (h) =>
      h.props.metadata?.namespace === namespace &&
      h.props.spec?.scaleTargetRef?.kind === KIND_OF[workload.type] &&
      h.props.spec?.scaleTargetRef?.name === name,
  );
  return Math.max(workload.props.spec?.replicas ?? 1, scaler?.props.spec?.maxReplicas ?? 0);
}

/**
 * The spread constraints and pod anti-affinity terms of a pod spec by node or zone, and whether
 * each counts the workload's own pods: a term whose labelSelector misses the pod template's labels
 * (or has none, which selects nothing) spreads nothing (kube-linter no-anti-affinity checks it too).
 */
export function spreadTerms(podSpec: any, podLabels: Record<string, string>): { ownPods: boolean }[] {
  const anti = podSpec?.affinity?.podAntiAffinity;
  return [
    ...asArray(podSpec?.topologySpreadConstraints),
    ...asArray(anti?.requiredDuringSchedulingIgnoredDuringExecution),
    ...asArray(anti?.preferredDuringSchedulingIgnoredDuringExecution).map((t: any) => t?.podAffinityTerm),
  ]
    .filter((t: any) => SPREAD_KEYS.includes(t?.topologyKey))
    .map((t: any) => ({ ownPods: t?.labelSelector != null && selects(t.labelSelector, podLabels) }));
}

/** Whether a pod spec keeps its replicas apart: a topology spread or pod anti-affinity term by node or zone over its own pods. */
export function spreadsReplicas(podSpec: any, podLabels: Record<string, string>): boolean {
  return spreadTerms(podSpec, podLabels).some((t) => t.ownPods);
}

export const availabilityRules = [
  resourceRule(
    {
      name: "kubernetes-pdb-allow-unhealthy-pod-eviction",
      types: [PDB],
      anchors: ["KL pdb-unhealthy-pod-eviction-policy"],
      summary:
        "Disruption budgets let pods that are running but not Ready be evicted (unhealthyPodEvictionPolicy AlwaysAllow), so a failing workload cannot block node drains.",
      severity: "medium",
      remediation: 'Set spec.unhealthyPodEvictionPolicy = "AlwaysAllow".',
    },
    (p) =>
      p.spec?.unhealthyPodEvictionPolicy === "AlwaysAllow"
        ? []
        : [
            `unhealthyPodEvictionPolicy is ${p.spec?.unhealthyPodEvictionPolicy ?? "unset (IfHealthyBudget)"}, not AlwaysAllow`,
          ],
  ),
  stackRule(
    {
      name: "kubernetes-workload-require-replica-spread",
      anchors: ["KL no-anti-affinity"],
      summary:
        "Workloads that can run more than one replica (replicas, or their autoscaler's maxReplicas) spread them over nodes or zones: a topology spread constraint or pod anti-affinity by kubernetes.io/hostname or topology.kubernetes.io/zone whose labelSelector selects the workload's own pods.",
      severity: "medium",
      remediation:
        'Add spec.template.spec.topologySpreadConstraints on "topology.kubernetes.io/zone" and "kubernetes.io/hostname" selecting the workload\'s pods (whenUnsatisfiable: ScheduleAnyway keeps small clusters scheduling).',
    },
    (resources) => {
      const autoscalers = resources.filter((r) => r.type === HPA);
      return resources
        .filter((r) => REPLICATED.includes(r.type))
        .flatMap((w) => {
          const replicas = maxReplicasOf(w, autoscalers);
          if (replicas < 2) return [];
          const labels = w.props.spec?.template?.metadata?.labels ?? {};
          const terms = spreadTerms(podSpecOf(w.type, w.props), labels);
          if (terms.some((t) => t.ownPods)) return [];
          return [
            {
              urn: w.urn,
              message: terms.length
                ? `${w.name}: up to ${replicas} replicas, and none of its topology spread or pod anti-affinity terms by node or zone selects its own pods (labels ${JSON.stringify(labels)})`
                : `${w.name}: up to ${replicas} replicas with no topology spread or pod anti-affinity by node or zone`,
            },
          ];
        });
    },
  ),
];
