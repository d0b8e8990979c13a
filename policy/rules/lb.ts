import { asArray, resourceRule } from "../lib/rule";

const LISTENER = "aws:lb/listener:Listener";
const LB = "aws:lb/loadBalancer:LoadBalancer";
const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";

/** ELB security policies that allow only TLS 1.2 and 1.3. */
export const TLS12_POLICIES =
  /^(ELBSecurityPolicy-TLS13-1-[23]-|ELBSecurityPolicy-TLS-1-2-|ELBSecurityPolicy-FS-1-2-|ELBSecurityPolicy-TLS13-1-2-)/;

export const lbRules = [
  resourceRule(
    {
      name: "lb-listener-require-https",
      types: [LISTENER],
      anchors: [
        "CKV_AWS_2",
        "CKV_AWS_378",
        "AVD-AWS-0054",
        "AG alb-http-to-https-redirection",
        "CKV2_AWS_20",
      ],
      summary: "Listeners serve HTTPS; an HTTP listener only redirects to HTTPS.",
      severity: "high",
      remediation: 'Use protocol "HTTPS", or make the HTTP listener\'s default action a redirect to HTTPS.',
    },
    (p) => {
      if (p.protocol !== "HTTP") return [];
      const actions = asArray(p.defaultActions);
      return actions.length > 0 &&
        actions.every((a: any) => a?.type === "redirect" && a.redirect?.protocol === "HTTPS")
        ? []
        : ["HTTP listener does not redirect to HTTPS"];
    },
  ),
  resourceRule(
    {
      name: "lb-listener-require-tls12",
      types: [LISTENER],
      anchors: ["CKV_AWS_103", "AVD-AWS-0047", "CP aws-lb-listener-configure-secure-tls"],
      summary: "HTTPS listeners negotiate TLS 1.2 or newer only.",
      severity: "high",
      remediation: 'Set sslPolicy = "ELBSecurityPolicy-TLS13-1-2-2021-06" (or another TLS 1.2+ policy).',
    },
    (p) =>
      p.protocol === "HTTPS" || p.protocol === "TLS"
        ? TLS12_POLICIES.test(String(p.sslPolicy ?? ""))
          ? []
          : [`sslPolicy ${JSON.stringify(p.sslPolicy ?? "default")} allows TLS older than 1.2`]
        : [],
  ),
  resourceRule(
    {
      name: "lb-loadbalancer-drop-invalid-headers",
      types: [LB],
      anchors: ["CKV_AWS_131", "AVD-AWS-0052"],
      summary: "Application load balancers drop invalid HTTP headers.",
      severity: "medium",
      remediation: "Set dropInvalidHeaderFields = true.",
      fix: {
        why: "An in-place ALB attribute: only requests whose header names are invalid per RFC 7230 change behaviour; the listener, DNS name and targets stay.",
        apply: (p) =>
          (p.loadBalancerType ?? "application") !== "application" || p.dropInvalidHeaderFields === true
            ? undefined
            : { ...p, dropInvalidHeaderFields: true },
      },
    },
    (p) =>
      (p.loadBalancerType ?? "application") === "application" && p.dropInvalidHeaderFields !== true
        ? ["dropInvalidHeaderFields is not true"]
        : [],
  ),
  resourceRule(
    {
      name: "lb-loadbalancer-enable-access-logs",
      types: [LB],
      anchors: ["CKV_AWS_91", "AG elb-logging-enabled", "CP aws-lb-loadbalancer-enable-access-logging"],
      summary: "Load balancers write access logs.",
      severity: "medium",
      remediation: "Set accessLogs = { bucket, enabled: true }.",
    },
    (p) => (p.accessLogs?.enabled === true && p.accessLogs?.bucket ? [] : ["access logs are not enabled"]),
  ),
  resourceRule(
    {
      name: "lb-loadbalancer-enable-deletion-protection",
      types: [LB],
      anchors: ["CKV_AWS_150", "AG elb-deletion-protection-enabled"],
      summary: "Load balancers have deletion protection (production stacks).",
      severity: "low",
      remediation: "Set enableDeletionProtection = true (the program does when protect is on).",
    },
    (p) => (p.enableDeletionProtection === true ? [] : ["enableDeletionProtection is not true"]),
  ),
  resourceRule(
    {
      name: "lb-loadbalancer-disallow-unapproved-internet-facing",
      types: [LB],
      anchors: ["AVD-AWS-0053"],
      summary: "Load balancers are internal unless the stack allows internet-facing ones.",
      severity: "high",
      remediation:
        "Set internal = true, or allow internet-facing load balancers for this stack in its policy config.",
      config: {
        allowInternetFacing: {
          type: "boolean",
          default: false,
          description: "This stack may expose load balancers to the internet.",
        },
      },
    },
    (p, { config }) =>
      p.internal === true || config.allowInternetFacing ? [] : ["load balancer is internet-facing"],
  ),
  resourceRule(
    {
      name: "cloudwatch-loggroup-configure-retention",
      types: [LOG_GROUP],
      anchors: ["CKV_AWS_66", "CKV_AWS_338"],
      summary: "Log groups keep logs for at least the configured number of days.",
      severity: "medium",
      remediation: "Set retentionInDays to at least the configured minimum (CKV_AWS_338 asks for 365).",
      config: { minimumDays: { type: "number", default: 365, description: "Shortest allowed retention." } },
    },
    (p, { config }) =>
      typeof p.retentionInDays === "number" && p.retentionInDays >= config.minimumDays
        ? []
        : [
            `retentionInDays is ${p.retentionInDays ?? "unset (never expires, never reviewed)"}; at least ${config.minimumDays}`,
          ],
  ),
  resourceRule(
    {
      name: "cloudwatch-loggroup-configure-kms",
      types: [LOG_GROUP],
      anchors: ["CKV_AWS_158", "AVD-AWS-0017"],
      summary: "Log groups are encrypted with a customer-managed KMS key.",
      severity: "medium",
      remediation: "Set kmsKeyId to a key whose policy lets logs.<region>.amazonaws.com use it.",
    },
    (p) => (p.kmsKeyId ? [] : ["kmsKeyId is not set"]),
  ),
];
