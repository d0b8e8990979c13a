/**
 * The Ingress of an app exposed outside its cluster through the AWS Load Balancer Controller, as
 * plain data: one shared ALB per scheme (an IngressGroup), HTTPS only with HTTP redirected, TLS
 * 1.3, pod IPs as targets, health checks on the app's health path.
 */
import * as pulumi from "@pulumi/pulumi";

/** The IngressClass (and its IngressClassParams) the controller serves; created by the cluster add-ons. */
export const ALB_INGRESS_CLASS = "alb";

/** TLS 1.3 with 1.2 fallback: the ECS ALB's policy too (`ALB_TLS_POLICY` of ecs-cluster.ts; a test keeps them equal). */
export const INGRESS_TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06";

/** The controller's annotation prefix. */
const A = "alb.ingress.kubernetes.io";

/**
 * The namespace label that has the controller's webhook inject its target-health readiness gate
 * into the app's pods: a rollout then waits until the ALB sends new pods traffic before it stops
 * old ones (with `target-type: ip`, no gate means requests to terminated pods during a rollout).
 */
export function planIngressNamespaceLabels(): Record<string, string> {
  return { "elbv2.k8s.aws/pod-readiness-gate-inject": "enabled" };
}

/** How one app is reached through an ALB. */
export interface AppIngress {
  /** `internet-facing` (public) or `internal`. */
  readonly scheme: "internet-facing" | "internal";
  /** The host name the ALB routes to the app, `<service>.<domain>`. */
  readonly host: string;
  /** IngressGroup: the apps of one group share one ALB (see `ingressGroupName`). */
  readonly groupName: string;
  /** ACM certificate of the HTTPS listener. */
  readonly certificateArn: string;
  /** CIDRs the ALB's security group admits. */
  readonly allowedCidrs: readonly string[];
  /**
   * The WAF web ACL the controller associates with an internet-facing ALB (the stack's one for
   * public Ingresses); the pack requires it there. @default undefined
   */
  readonly webAclArn?: pulumi.Input<string>;
}

/** The IngressGroup of a stack's ALB of one scheme: public and internal apps cannot share one. */
export function ingressGroupName(prefix: string, scheme: AppIngress["scheme"]): string {
  return `${prefix}-${scheme === "internet-facing" ? "public" : "internal"}`;
}

/**
 * The controller's annotations: the shared group, the scheme, pod IPs as targets, HTTPS on 443
 * only with HTTP 80 redirected, the certificate, the TLS 1.3 policy, the health check on the
 * app's path, the admitted CIDRs and, on an internet-facing ALB, its WAF web ACL.
 */
export function planIngressAnnotations(
  ingress: AppIngress,
  healthPath: string,
): Record<string, pulumi.Input<string>> {
  const waf: Record<string, pulumi.Input<string>> = {};
  if (ingress.scheme === "internet-facing" && ingress.webAclArn !== undefined)
    waf[`${A}/wafv2-acl-arn`] = ingress.webAclArn;
  return {
    ...waf,
    [`${A}/group.name`]: ingress.groupName,
    [`${A}/scheme`]: ingress.scheme,
    [`${A}/target-type`]: "ip",
    [`${A}/listen-ports`]: JSON.stringify([{ HTTP: 80 }, { HTTPS: 443 }]),
    [`${A}/ssl-redirect`]: "443",
    [`${A}/certificate-arn`]: ingress.certificateArn,
    [`${A}/ssl-policy`]: INGRESS_TLS_POLICY,
    [`${A}/backend-protocol`]: "HTTP",
    [`${A}/healthcheck-path`]: healthPath,
    [`${A}/success-codes`]: "200-399",
    [`${A}/inbound-cidrs`]: ingress.allowedCidrs.join(","),
    [`${A}/load-balancer-attributes`]: "routing.http.drop_invalid_header_fields.enabled=true",
  };
}

/**
 * The Ingress spec: the `alb` class, TLS for the host, and one rule sending every path of the
 * host to the app's main Service (port `http`); the controller targets the Service's pod IPs.
 */
export function planIngressSpec(host: string, serviceName: string) {
  return {
    ingressClassName: ALB_INGRESS_CLASS,
    tls: [{ hosts: [host] }],
    rules: [
      {
        host,
        http: {
          paths: [
            {
              path: "/",
              pathType: "Prefix",
              backend: { service: { name: serviceName, port: { name: "http" } } },
            },
          ],
        },
      },
    ],
  };
}
