/**
 * NetworkPolicy semantics as the Kubernetes API defines them ("Network Policies", kubernetes.io
 * concepts page), evaluated over rendered objects without a CNI:
 * - a pod is isolated for a direction once any policy of its namespace selects it with that
 *   policy type; an isolated pod admits only what some selecting policy's rules allow (the union);
 * - a rule with no `from`/`to` matches every peer, with no `ports` every port;
 * - a peer's `podSelector` alone means pods of the policy's namespace, `namespaceSelector` alone
 *   every pod of the matching namespaces, both together the matching pods of those namespaces;
 * - a connection needs the source's egress and the destination's ingress both to allow it.
 * `ipBlock` is an address range: with the VPC CNI, pods take addresses of the VPC, so a range
 * overlapping the VPC's may reach every pod, and is counted as doing so.
 */

/** Whether two IPv4 CIDRs share an address. */
export function overlaps(a: string, b: string): boolean {
  const range = (cidr: string): [number, number] => {
    const [ip, bits] = cidr.split("/");
    const start = ip.split(".").reduce((n, o) => n * 256 + Number(o), 0);
    const size = 2 ** (32 - Number(bits));
    const first = start - (start % size);
    return [first, first + size - 1];
  };
  const [a0, a1] = range(a);
  const [b0, b1] = range(b);
  return a0 <= b1 && b0 <= a1;
}

export interface Selector {
  readonly matchLabels?: Record<string, string>;
  readonly matchExpressions?: readonly { key: string; operator: string; values?: string[] }[];
}
interface Peer {
  readonly podSelector?: Selector;
  readonly namespaceSelector?: Selector;
  readonly ipBlock?: { cidr: string; except?: string[] };
}
interface Rule {
  readonly from?: Peer[];
  readonly to?: Peer[];
  readonly ports?: { protocol?: string; port?: number | string; endPort?: number }[];
}
export interface Policy {
  readonly namespace: string;
  readonly name: string;
  readonly podSelector: Selector;
  readonly policyTypes: string[];
  readonly ingress?: Rule[];
  readonly egress?: Rule[];
}
export interface Pod {
  readonly namespace: string;
  /** The workload it belongs to. */
  readonly name: string;
  readonly labels: Record<string, string>;
  /** Named container ports, for rules that name a port. */
  readonly ports: Record<string, number>;
}

export function selects(selector: Selector, labels: Record<string, string>): boolean {
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = e.key in labels;
    const value = labels[e.key];
    const ok =
      e.operator === "In"
        ? has && (e.values ?? []).includes(value)
        : e.operator === "NotIn"
          ? !has || !(e.values ?? []).includes(value)
          : e.operator === "Exists"
            ? has
            : e.operator === "DoesNotExist"
              ? !has
              : (() => {
                  throw new Error(`unknown operator ${e.operator}`);
                })();
    if (!ok) return false;
  }
  return true;
}

export class Cluster {
  constructor(
    readonly pods: readonly Pod[],
    readonly policies: readonly Policy[],
    /** Namespace name → labels; the API server sets `kubernetes.io/metadata.name` on every one. */
    readonly namespaceLabels: (ns: string) => Record<string, string>,
    /** The CIDR pod addresses come from (the VPC's, with the VPC CNI). */
    readonly podCidr: string,
  ) {}

  private selecting(pod: Pod, type: "Ingress" | "Egress"): Policy[] {
    return this.policies.filter(
      (p) =>
        p.namespace === pod.namespace && p.policyTypes.includes(type) && selects(p.podSelector, pod.labels),
    );
  }

  isolated(pod: Pod, type: "Ingress" | "Egress"): boolean {
    return this.selecting(pod, type).length > 0;
  }

  private peerMatches(peer: Peer, policyNamespace: string, other: Pod): boolean {
    if (peer.ipBlock) return overlaps(peer.ipBlock.cidr, this.podCidr);
    const nsOk = peer.namespaceSelector
      ? selects(peer.namespaceSelector, this.namespaceLabels(other.namespace))
      : other.namespace === policyNamespace;
    const podOk = peer.podSelector ? selects(peer.podSelector, other.labels) : true;
    return nsOk && podOk;
  }

  private portMatches(rule: Rule, port: number, target: Pod): boolean {
    if (!rule.ports || rule.ports.length === 0) return true;
    return rule.ports.some((p) => {
      if ((p.protocol ?? "TCP") !== "TCP") return false;
      if (p.port === undefined) return true;
      const number = typeof p.port === "string" ? target.ports[p.port] : p.port;
      return number !== undefined && (p.endPort ? port >= number && port <= p.endPort : port === number);
    });
  }

  private allows(pod: Pod, type: "Ingress" | "Egress", other: Pod, port: number, target: Pod): boolean {
    const policies = this.selecting(pod, type);
    if (policies.length === 0) return true;
    return policies.some((p) =>
      ((type === "Ingress" ? p.ingress : p.egress) ?? []).some((rule) => {
        const peers = type === "Ingress" ? rule.from : rule.to;
        const peerOk =
          !peers || peers.length === 0 || peers.some((x) => this.peerMatches(x, p.namespace, other));
        return peerOk && this.portMatches(rule, port, target);
      }),
    );
  }

  /** Whether `from` can open a TCP connection to `to` on `port`. */
  connects(from: Pod, to: Pod, port: number): boolean {
    return this.allows(from, "Egress", to, port, to) && this.allows(to, "Ingress", from, port, to);
  }
}

type Declared = { type: string; inputs: any };

/** The pods (one per Deployment) and policies of rendered objects, as the API server would hold them. */
export function clusterOf(resources: readonly Declared[], podCidr: string): Cluster {
  const deployments = resources.filter((r) => r.type === "kubernetes:apps/v1:Deployment");
  const pods: Pod[] = deployments.map((d) => ({
    namespace: d.inputs.metadata.namespace,
    name: d.inputs.metadata.name,
    labels: d.inputs.spec.template.metadata.labels,
    ports: Object.fromEntries(
      (d.inputs.spec.template.spec.containers as any[]).flatMap((c) =>
        (c.ports ?? []).filter((p: any) => p.name).map((p: any) => [p.name, p.containerPort]),
      ),
    ),
  }));
  const policies: Policy[] = resources
    .filter((r) => r.type === "kubernetes:networking.k8s.io/v1:NetworkPolicy")
    .map((r) => ({ namespace: r.inputs.metadata.namespace, name: r.inputs.metadata.name, ...r.inputs.spec }));
  const namespaces = new Map<string, Record<string, string>>(
    resources
      .filter((r) => r.type === "kubernetes:core/v1:Namespace")
      .map((r) => [r.inputs.metadata.name, r.inputs.metadata.labels ?? {}]),
  );
  return new Cluster(
    pods,
    policies,
    (ns) => ({ ...(namespaces.get(ns) ?? {}), "kubernetes.io/metadata.name": ns }),
    podCidr,
  );
}
