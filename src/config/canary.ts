/**
 * Canary weights as the replicas carry them: the traffic split is the canary track's share of
 * the pods (`canarySplit`), so a step is a weight only if k of the replicas make it.
 */
import { canarySplit } from "../components/kubernetes/app-spec";

/** The weights `replicas` pods can carry: k/replicas for k canary pods, 0 < k < replicas. */
export function achievableWeights(replicas: number): number[] {
  const out = new Set<number>();
  for (let k = 1; k < replicas; k++) out.add(Math.round((100 * k) / replicas));
  return [...out];
}

/** Whether a step's weight is the share `canarySplit` really gives at `replicas` pods. */
export function weightAchieved(replicas: number, weight: number): boolean {
  if (weight >= 100) return true;
  const { canary } = canarySplit(replicas, weight);
  return Math.round((100 * canary) / replicas) === weight;
}

/**
 * The default canary steps for `replicas` pods: the reachable weights nearest to 10, 25 and 50 %,
 * then 100. Two pods step 50 → 100; twenty step 10 → 25 → 50 → 100.
 */
export function defaultCanarySteps(replicas: number): number[] {
  const steps = [10, 25, 50].map((w) => {
    const { canary } = canarySplit(replicas, w);
    return Math.round((100 * canary) / replicas);
  });
  return [...new Set(steps.filter((w) => w > 0 && w < 100)), 100];
}
