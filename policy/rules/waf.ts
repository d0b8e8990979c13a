/**
 * Internet-facing application load balancers sit behind AWS WAF: the ones the program creates
 * (associated by an aws.wafv2.WebAclAssociation) and the ones the AWS Load Balancer Controller
 * creates for ALB Ingresses (associated through the `wafv2-acl-arn` annotation), with AWS's managed
 * rule groups for common exploits, known bad inputs and addresses of bad reputation.
 */
import { PolicyResource } from "@pulumi/policy";
import { asArray, resourceRule, stackRule } from "../lib/rule";

const LB = "aws:lb/loadBalancer:LoadBalancer";
const ASSOCIATION = "aws:wafv2/webAclAssociation:WebAclAssociation";
const WEB_ACL = "aws:wafv2/webAcl:WebAcl";
const INGRESS = "kubernetes:networking.k8s.io/v1:Ingress";
const A = "alb.ingress.kubernetes.io";

/** The AWS managed rule groups every web ACL in front of the internet runs. */
export const REQUIRED_MANAGED_RULE_GROUPS = [
  "AWSManagedRulesCommonRuleSet",
  "AWSManagedRulesKnownBadInputsRuleSet",
  "AWSManagedRulesAmazonIpReputationList",
];

const isInternetFacingAlb = (p: any) =>
  p.internal !== true && (p.loadBalancerType ?? "application") === "application";

/** Whether an association names this load balancer: by the resource its resourceArn came from, or by ARN. */
function associates(association: PolicyResource, lb: PolicyResource): boolean {
  const sources = association.propertyDependencies?.resourceArn ?? [];
  if (sources.some((s) => s.urn === lb.urn)) return true;
  return lb.props.arn !== undefined && association.props.resourceArn === lb.props.arn;
}

/** The managed rule groups (AWS's) a web ACL's rules enforce; a group overridden to count only is left out. */
export function managedRuleGroups(webAcl: any): string[] {
  return asArray(webAcl?.rules)
    .filter((r: any) => r?.overrideAction?.count === undefined)
    .map((r: any) => r?.statement?.managedRuleGroupStatement)
    .filter((m: any) => m && (m.vendorName ?? "AWS") === "AWS")
    .map((m: any) => String(m.name));
}

export const wafRules = [
  stackRule(
    {
      name: "lb-loadbalancer-require-waf",
      anchors: ["CKV2_AWS_28"],
      summary:
        "Internet-facing application load balancers are associated with a WAFv2 web ACL: the program's ALBs through a WebAclAssociation, ALB Ingresses through the alb.ingress.kubernetes.io/wafv2-acl-arn annotation.",
      severity: "high",
      remediation:
        "Create an aws.wafv2.WebAcl (scope REGIONAL) with AWS managed rule groups and an aws.wafv2.WebAclAssociation for the ALB; annotate internet-facing ALB Ingresses with alb.ingress.kubernetes.io/wafv2-acl-arn.",
    },
    (resources) => {
      const associations = resources.filter((r) => r.type === ASSOCIATION);
      const albs = resources
        .filter((r) => r.type === LB && isInternetFacingAlb(r.props))
        .filter((lb) => !associations.some((a) => associates(a, lb)))
        .map((lb) => ({
          urn: lb.urn,
          message: `${lb.name}: internet-facing ALB with no WAF web ACL associated`,
        }));
      const ingresses = resources
        .filter((r) => r.type === INGRESS)
        .filter((r) => {
          const annotations = r.props.metadata?.annotations ?? {};
          const cls = r.props.spec?.ingressClassName ?? annotations["kubernetes.io/ingress.class"];
          return (
            cls === "alb" &&
            annotations[`${A}/scheme`] === "internet-facing" &&
            !annotations[`${A}/wafv2-acl-arn`]
          );
        })
        .map((r) => ({
          urn: r.urn,
          message: `${r.name}: internet-facing ALB Ingress without the ${A}/wafv2-acl-arn annotation`,
        }));
      return [...albs, ...ingresses];
    },
  ),
  resourceRule(
    {
      name: "wafv2-webacl-require-managed-rule-groups",
      types: [WEB_ACL],
      anchors: ["CKV_AWS_192", "AWS WAF managed rule groups (baseline, IP reputation)"],
      summary:
        "Web ACLs run AWS's managed rule groups for common exploits (CommonRuleSet), known bad inputs such as Log4j lookups (KnownBadInputsRuleSet) and addresses of bad reputation (AmazonIpReputationList).",
      severity: "high",
      remediation: `Add a rule per group with statement.managedRuleGroupStatement { vendorName: "AWS", name } and overrideAction none: ${REQUIRED_MANAGED_RULE_GROUPS.join(", ")}.`,
    },
    (p) => {
      const running = managedRuleGroups(p);
      return REQUIRED_MANAGED_RULE_GROUPS.filter((g) => !running.includes(g)).map(
        (g) => `managed rule group ${g} is not in the web ACL's rules`,
      );
    },
  ),
];
