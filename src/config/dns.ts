/**
 * How services are reached: the Route 53 zone and certificate of the stack's domain, and each
 * service's exposure. One domain per stack; every service answers at `<service>.<domain>`, on ECS
 * through the shared ALB and on EKS through an Ingress of the AWS Load Balancer Controller.
 */
import { z } from "zod";
import type { ConfigProblem, ConfigRule } from "./problem";
import type { ServiceConfig, StackConfig } from "./schema";

/** Where a service answers: inside its cluster only, on an internal ALB, or on an internet-facing ALB. */
export const EXPOSURES = ["cluster", "internal", "public"] as const;
export type Exposure = (typeof EXPOSURES)[number];

const domain = z.string().regex(/^([a-z0-9-]+\.)+[a-z]{2,}$/, "must be a DNS domain such as dev.example.com");
// The same shape as the network CIDRs of schema.ts (which imports this file, so it cannot export them here).
const cidr = z
  .string()
  .regex(/^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$/, "must be an IPv4 CIDR such as 10.0.0.0/16")
  .refine((v) => v.split(/[./]/).every((n, i) => Number(n) <= (i === 4 ? 32 : 255)), {
    message: "must be an IPv4 CIDR with octets 0-255 and a prefix 0-32",
  });

export const dnsSchema = z.strictObject({
  /** Route 53 hosted zone (public or private) holding `<service>.<domain>` for every exposed service. */
  hostedZoneId: z
    .string()
    .regex(/^Z[A-Z0-9]{1,31}$/, "must be a Route 53 hosted zone id such as Z0123456789ABC"),
  /** The stack's domain, inside that zone: each service is served as `<service>.<domain>`. */
  domain,
  /**
   * ACM certificate covering `*.<domain>`: the ECS ALB's HTTPS listener and every EKS Ingress
   * serve it. Required when ECS is enabled or an EKS service is `internal` or `public`.
   */
  certificateArn: z
    .string()
    .regex(
      /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[A-Za-z0-9-]+$/,
      "must be an ACM certificate ARN",
    )
    .optional(),
});

/**
 * Who reaches the service: `cluster` (a ClusterIP Service only), `internal` (an internal ALB, from
 * inside the VPC) or `public` (an internet-facing ALB, to `kubernetes.ingress.allowedCidrs`).
 * @default "cluster" on EKS; on ECS the shared ALB's scheme (`ecs.publicLoadBalancer`)
 */
export const exposureSchema = z.enum(EXPOSURES).optional();

export const ingressSchema = z.strictObject({
  /**
   * CIDRs allowed to reach the ALB of `public` EKS services (its `inbound-cidrs`); required when
   * one is public. Internal ALBs admit the VPC CIDR. @default []
   */
  allowedCidrs: z.array(cidr).default([]),
});

/** The exposure a service gets: its own, else `cluster` on EKS and the ALB's scheme on ECS. */
export function exposureOf(
  service: Pick<ServiceConfig, "target" | "exposure">,
  config: Pick<StackConfig, "ecs">,
): Exposure {
  if (service.exposure) return service.exposure;
  if (service.target === "eks") return "cluster";
  return config.ecs.publicLoadBalancer ? "public" : "internal";
}

/** The host name a service answers at, when it has one outside its cluster. */
export function hostNameOf(
  service: Pick<ServiceConfig, "name" | "target" | "exposure">,
  config: Pick<StackConfig, "ecs" | "dns">,
): string | undefined {
  if (!config.dns || exposureOf(service, config) === "cluster") return undefined;
  return `${service.name}.${config.dns.domain}`;
}

const key = (path: string) => `platform:${path}`;

/**
 * The certificate the ALB listener and the Ingresses serve is one they can use: ACM certificates
 * are regional, and an ALB takes only a certificate of its own region ("the certificate must be in
 * the same Region as the load balancer", ELB's HTTPS listener docs) and its own account (an ACM
 * certificate is not shared across accounts). The stack's account is its state key's, from the
 * bootstrap stack of that account (`github.backend.stateKeyArn`).
 */
export function certificateProblems(c: Pick<StackConfig, "dns" | "awsRegion" | "github">): ConfigProblem[] {
  const arn = c.dns?.certificateArn;
  if (!arn) return [];
  const [, , , region, account] = arn.split(":");
  const out: ConfigProblem[] = [];
  if (c.awsRegion && region !== c.awsRegion)
    out.push({
      key: key("dns.certificateArn"),
      value: arn,
      allowed: `a certificate of the stack's region ${c.awsRegion} (ACM certificates are regional, and the ALB takes only one of its own region); this one is in ${region}`,
    });
  const backend = c.github?.backend;
  const stackAccount = backend?.kind === "s3" ? backend.stateKeyArn.split(":")[4] : undefined;
  if (stackAccount && account !== stackAccount)
    out.push({
      key: key("dns.certificateArn"),
      value: arn,
      allowed: `a certificate of the stack's account ${stackAccount} (github.backend.stateKeyArn's): an ALB cannot serve another account's ACM certificate, and this one is ${account}'s`,
    });
  return out;
}

/**
 * ECS serves HTTPS by host name under `dns`; an exposed EKS service needs EKS (the AWS Load
 * Balancer Controller), the zone and the certificate, and a public one explicit CIDRs.
 */
/**
 * DNS names Route 53 takes: each label of 1-63 characters, not starting or ending with a hyphen,
 * and a whole name of at most 253 (RFC 1035 section 2.3.4, "labels 63 octets or less, names 255
 * octets or less" on the wire, 253 characters written out; Route 53's "DNS domain name format").
 */
export const DNS_LIMITS = { maxLabel: 63, maxName: 253 } as const;

/** The stack's domain and every service's host name are names Route 53 can hold, and `dns` serves something. */
export function hostNameProblems(c: Pick<StackConfig, "dns" | "ecs" | "services">): ConfigProblem[] {
  if (!c.dns) return [];
  const out: ConfigProblem[] = [];
  const bad = c.dns.domain
    .split(".")
    .filter((l) => l.length > DNS_LIMITS.maxLabel || l.startsWith("-") || l.endsWith("-"));
  if (bad.length)
    out.push({
      key: key("dns.domain"),
      value: c.dns.domain,
      allowed: `labels of 1-${DNS_LIMITS.maxLabel} characters, none starting or ending with a hyphen (RFC 1035; Route 53 refuses the record): ${bad.map((l) => `"${l.length > 20 ? `${l.slice(0, 20)}…` : l}" (${l.length})`).join(", ")}`,
    });
  const named = c.services.flatMap((s, i) => {
    const host = hostNameOf(s, c);
    return host ? [{ i, host }] : [];
  });
  for (const { i, host } of named)
    if (host.length > DNS_LIMITS.maxName)
      out.push({
        key: key(`services[${i}].name`),
        value: c.services[i].name,
        allowed: `a name whose host name ${host.slice(0, 30)}… fits DNS's ${DNS_LIMITS.maxName} characters with the domain (${host.length} now)`,
      });
  // `dns` with no service answering at a host name would be accepted and used by nothing.
  // (ECS requires it whatever its services: the ALB's listener serves its certificate.)
  if (named.length === 0 && !c.ecs.enabled)
    out.push({
      key: key("dns"),
      value: c.dns.domain,
      allowed:
        "unset while no service answers at a host name: only ECS, or an EKS service with exposure internal or public, uses the zone",
    });
  return out;
}

export const dnsRules: ConfigRule = (c) => {
  const out: ConfigProblem[] = [];
  if (c.ecs.enabled && !c.dns)
    out.push({
      key: key("dns"),
      value: undefined,
      allowed:
        "required when ecs.enabled: services are routed by host name (<service>.<domain>) in a Route 53 zone",
    });
  if (c.ecs.enabled && c.dns && !c.dns.certificateArn)
    out.push({
      key: key("dns.certificateArn"),
      value: undefined,
      allowed: "required when ecs.enabled: the ALB serves HTTPS only",
    });
  const albScheme = c.ecs.publicLoadBalancer ? "public" : "internal";
  let publicEks = false;
  c.services.forEach((s, i) => {
    const exposure = exposureOf(s, c);
    const at = key(`services[${i}].exposure`);
    if (s.target === "ecs" && exposure !== albScheme)
      out.push({
        key: at,
        value: exposure,
        allowed: `"${albScheme}" or unset: ECS services are reached through the shared ALB, which ecs.publicLoadBalancer makes ${albScheme}`,
      });
    if (s.target !== "eks" || exposure === "cluster") return;
    if (!c.eks.enabled)
      out.push({
        key: at,
        value: exposure,
        allowed:
          '"cluster" unless eks.enabled: the ALB Ingress needs the AWS Load Balancer Controller on EKS',
      });
    else if (!c.dns?.certificateArn)
      out.push({
        key: c.dns ? key("dns.certificateArn") : key("dns"),
        value: undefined,
        allowed: `required when an EKS service is ${exposure} (services[${i}] ${s.name}): its Ingress serves HTTPS at <service>.<domain>`,
      });
    if (exposure === "public") publicEks = true;
  });
  out.push(...certificateProblems(c));
  out.push(...hostNameProblems(c));
  if (publicEks && c.eks.enabled && c.kubernetes.ingress.allowedCidrs.length === 0)
    out.push({
      key: key("kubernetes.ingress.allowedCidrs"),
      value: [],
      allowed: "explicit CIDRs when an EKS service is public (0.0.0.0/0 only when meant)",
    });
  return out;
};
