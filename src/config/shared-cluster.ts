/**
 * Environments and applications sharing one Kubernetes cluster (`kubernetes.sharedWith`): every
 * namespace a tenant's workloads take is derived from its stack and service names
 * (`kubernetes.namespaces`), and no two tenants may derive the same one — the second `up` would
 * adopt, then fight over, the first one's objects. Pure: the caller reads the tenants' files.
 */
import { namespaceOf } from "./applications";
import type { ConfigProblem } from "./problem";
import { PROJECT, StackConfig } from "./schema";

/** The namespaces a stack's Kubernetes workloads take, by service. */
export function namespacesOf(config: StackConfig): Map<string, string> {
  return new Map(
    config.services.filter((s) => s.target === "eks").map((s) => [namespaceOf(s.name, config), s.name]),
  );
}

/** Kubernetes names (namespaces) are DNS labels of at most 63 characters. */
const MAX_NAMESPACE = 63;

/**
 * Problems of `config` against the tenants it shares its cluster with: a namespace two of them
 * derive, a tenant without a stack file, a namespace longer than Kubernetes allows.
 */
export function sharedClusterProblems(
  config: StackConfig,
  tenants: ReadonlyMap<string, StackConfig | undefined>,
): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  const own = namespacesOf(config);
  for (const [namespace, service] of own)
    if (namespace.length > MAX_NAMESPACE)
      out.push({
        key: `${PROJECT}:kubernetes.namespaces`,
        value: namespace,
        allowed: `namespaces of at most ${MAX_NAMESPACE} characters: ${service}'s is ${namespace.length} (a shorter stack or service name)`,
      });
  config.kubernetes.sharedWith.forEach((tenant, i) => {
    const key = `${PROJECT}:kubernetes.sharedWith[${i}]`;
    const other = tenants.get(tenant);
    if (tenant === config.stack) {
      out.push({ key, value: tenant, allowed: "another stack than this one" });
      return;
    }
    if (!other) {
      out.push({
        key,
        value: tenant,
        allowed: `a platform stack with a file beside this one (Pulumi.${tenant}.yaml)`,
      });
      return;
    }
    const clashes = [...namespacesOf(other).keys()].filter((n) => own.has(n)).sort();
    if (clashes.length)
      out.push({
        key,
        value: tenant,
        allowed: `a tenant deriving other namespaces: both stacks put workloads in ${clashes.join(", ")}; set kubernetes.namespaces: stack-service in both`,
      });
  });
  return out;
}
