/**
 * What a service talks to besides DNS and HTTPS: another service of the stack, or a managed
 * database or cache by CIDR or security group and port. The program opens exactly these paths —
 * security-group rules on ECS, NetworkPolicy egress on Kubernetes — and nothing else.
 */
import { z } from "zod";
import { cidr, dnsLabel as label } from "./primitives";

/** Another service of this stack, reached the way its target serves it. */
export const serviceDependencySchema = z.strictObject({
  /** Name of the service called. */
  service: label,
});

/** A managed database, cache or broker outside the stack's services. */
export const endpointDependencySchema = z.strictObject({
  /** What it is, for rule descriptions, e.g. `orders-db`. */
  name: label,
  /** TCP port, e.g. 5432 (Postgres), 6379 (Redis), 5671 (RabbitMQ over TLS). */
  port: z.number().int().min(1).max(65535),
  /** Addresses it listens on (RDS subnets, an ElastiCache node group, a peered VPC range). */
  cidr: cidr.optional(),
  /** Its security group (ECS only): the task may reach it and it admits the task's group on `port`. */
  securityGroupId: z
    .string()
    .regex(/^sg-[0-9a-f]{8}([0-9a-f]{9})?$/, "must be a security group id such as sg-0123456789abcdef0")
    .optional(),
});

export const dependencySchema = z.union([serviceDependencySchema, endpointDependencySchema]);

export type ServiceDependency = z.output<typeof serviceDependencySchema>;
export type EndpointDependency = z.output<typeof endpointDependencySchema>;
export type Dependency = z.output<typeof dependencySchema>;

export const isServiceDependency = (d: Dependency): d is ServiceDependency => "service" in d;

/** What a dependency resolves to once the called service is known. */
export type ResolvedDependency =
  | {
      readonly kind: "service";
      readonly service: string;
      /** The called service's namespace. @default its name */
      readonly namespace?: string;
      /** The called service's container port (NetworkPolicy sees the pod's port, after the Service). */
      readonly port: number;
    }
  | {
      readonly kind: "cidr";
      readonly name: string;
      readonly cidr: string;
      readonly port: number;
    }
  | {
      readonly kind: "securityGroup";
      readonly name: string;
      readonly securityGroupId: string;
      readonly port: number;
    };

/** The dependencies of a service with the called services' ports filled in (validated config only). */
export function resolveDependencies(
  dependencies: readonly Dependency[],
  services: readonly { readonly name: string; readonly port: number }[],
  namespaceOf: (service: string) => string = (service) => service,
): ResolvedDependency[] {
  return dependencies.map((d): ResolvedDependency => {
    if (isServiceDependency(d)) {
      const called = services.find((s) => s.name === d.service);
      if (!called) throw new Error(`dependency on unknown service ${d.service} (validated before this runs)`);
      const namespace = namespaceOf(d.service);
      return {
        kind: "service",
        service: d.service,
        port: called.port,
        ...(namespace !== d.service ? { namespace } : {}),
      };
    }
    if (d.cidr) return { kind: "cidr", name: d.name, cidr: d.cidr, port: d.port };
    return { kind: "securityGroup", name: d.name, securityGroupId: d.securityGroupId ?? "", port: d.port };
  });
}
