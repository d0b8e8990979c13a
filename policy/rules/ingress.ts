/**
 * Ingresses of the AWS Load Balancer Controller (class `alb`): the controller creates their ALBs
 * outside the program, so the load balancer and listener rules never see them. These rules hold
 * the same line on the Ingress, where the ALB is declared: HTTPS with TLS 1.2 or newer and HTTP
 * only redirected; internet-facing only where the stack allows it, and then to listed CIDRs.
 */
import { asArray, parseJson, resourceRule } from "../lib/rule";
import { TLS12_POLICIES } from "./lb";

const INGRESS = "kubernetes:networking.k8s.io/v1:Ingress";
const A = "alb.ingress.kubernetes.io";

/** The controller's annotations of an Ingress it serves; undefined for any other Ingress. */
function albAnnotations(p: any): Record<string, string> | undefined {
  const annotations = p.metadata?.annotations ?? {};
  const cls = p.spec?.ingressClassName ?? annotations["kubernetes.io/ingress.class"];
  return cls === "alb" ? annotations : undefined;
}

/** The listener protocols the Ingress asks for (the controller's default is HTTP 80 alone). */
function listenProtocols(annotations: Record<string, string>): string[] {
  const ports = parseJson(annotations[`${A}/listen-ports`] ?? '[{"HTTP":80}]');
  return asArray(ports).flatMap((entry: any) =>
    entry && typeof entry === "object" ? Object.keys(entry) : [],
  );
}

export const ingressRules = [
  resourceRule(
    {
      name: "lb-ingress-require-https",
      types: [INGRESS],
      anchors: ["CKV_AWS_2", "CKV_AWS_103", "AG alb-http-to-https-redirection"],
      summary:
        "ALB Ingresses listen on HTTPS with a TLS 1.2+ policy and a certificate; HTTP only redirects to HTTPS.",
      severity: "high",
      remediation:
        'Annotate listen-ports [{"HTTP":80},{"HTTPS":443}], ssl-redirect "443", certificate-arn and ssl-policy "ELBSecurityPolicy-TLS13-1-2-2021-06".',
    },
    (p) => {
      const a = albAnnotations(p);
      if (!a) return [];
      const protocols = listenProtocols(a);
      const out: string[] = [];
      if (!protocols.includes("HTTPS")) out.push("listen-ports has no HTTPS listener");
      if (protocols.includes("HTTP") && !a[`${A}/ssl-redirect`])
        out.push("HTTP is served without ssl-redirect");
      if (!TLS12_POLICIES.test(String(a[`${A}/ssl-policy`] ?? "")))
        out.push(`ssl-policy ${JSON.stringify(a[`${A}/ssl-policy`] ?? "default")} allows TLS older than 1.2`);
      if (!a[`${A}/certificate-arn`]) out.push("certificate-arn is not set");
      return out;
    },
  ),
  resourceRule(
    {
      name: "lb-ingress-disallow-unapproved-internet-facing",
      types: [INGRESS],
      anchors: ["AVD-AWS-0053"],
      summary:
        "ALB Ingresses are internal unless the stack allows internet-facing load balancers, and then name their inbound CIDRs.",
      severity: "high",
      remediation:
        'Annotate scheme "internal", or allow internet-facing load balancers for this stack in its policy config and annotate inbound-cidrs.',
      config: {
        allowInternetFacing: {
          type: "boolean",
          default: false,
          description: "This stack may expose ALB Ingresses to the internet.",
        },
      },
    },
    (p, { config }) => {
      const a = albAnnotations(p);
      // The controller's default scheme is internal.
      if (!a || a[`${A}/scheme`] !== "internet-facing") return [];
      const out: string[] = [];
      if (!config.allowInternetFacing) out.push("the Ingress's ALB is internet-facing");
      if (!a[`${A}/inbound-cidrs`])
        out.push("inbound-cidrs is not set (the controller would admit 0.0.0.0/0)");
      return out;
    },
  ),
];
