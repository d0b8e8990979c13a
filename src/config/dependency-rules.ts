/**
 * Cross-key rules of `services[].dependencies`: every reference resolves to something the
 * service's target can open a path to, and nothing is declared twice.
 */
import { isServiceDependency } from "./dependencies";
import type { ConfigProblem } from "./problem";
import { keyOf } from "./problem";
import { StackConfig } from "./schema";

export function dependencyProblems(c: StackConfig): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  const byName = new Map(c.services.map((s) => [s.name, s]));
  c.services.forEach((s, i) => {
    const seen = new Set<string>();
    s.dependencies.forEach((d, j) => {
      const at = (...rest: PropertyKey[]) => keyOf(["services", i, "dependencies", j, ...rest]);
      const id = isServiceDependency(d) ? `service ${d.service}` : `endpoint ${d.name}`;
      if (seen.has(id))
        out.push({ key: at(), value: d, allowed: `each dependency once; ${id} is declared twice` });
      seen.add(id);
      if (isServiceDependency(d)) {
        const called = byName.get(d.service);
        const others = c.services
          .filter((o) => o.name !== s.name && o.target === s.target)
          .map((o) => o.name);
        if (!called || called === s)
          out.push({
            key: at("service"),
            value: d.service,
            allowed: `another service of this stack on ${s.target} (${others.join(", ") || "none"})`,
          });
        else if (called.target !== s.target)
          out.push({
            key: at("service"),
            value: d.service,
            allowed: `a service on ${s.target}, like the caller (${others.join(", ") || "none"}): ${d.service} runs on ${called.target}, where no path from ${s.target} is opened; call its public URL as an external client`,
          });
        else if (s.target === "ecs" && c.ecs.publicLoadBalancer)
          out.push({
            key: at("service"),
            value: d.service,
            allowed:
              "no service dependency while ecs.publicLoadBalancer is true: ECS services call each other through the ALB, and tasks reach an internet-facing ALB only through the NAT gateway, where their security group no longer identifies them",
          });
        return;
      }
      if ((d.cidr === undefined) === (d.securityGroupId === undefined))
        out.push({
          key: at(),
          value: d,
          allowed: "exactly one of cidr or securityGroupId, with name and port",
        });
      else if (d.securityGroupId && s.target === "eks")
        out.push({
          key: at("securityGroupId"),
          value: d.securityGroupId,
          allowed:
            "cidr on eks: NetworkPolicy selects addresses, not security groups (declare the database's subnet range)",
        });
    });
  });
  return out;
}
