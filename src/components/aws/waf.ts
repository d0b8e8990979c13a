/**
 * The AWS WAF web ACL in front of a stack's internet-facing application load balancers: the ECS
 * ALB (associated here) and the ALBs the AWS Load Balancer Controller creates for public Ingresses
 * (associated by the controller, through the Ingress's `wafv2-acl-arn` annotation).
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws from "../../lib/aws";

/**
 * AWS's managed rule groups the ACL runs, in evaluation order: addresses AWS has seen attack
 * (cheapest, first), then request patterns of known exploits (Log4j lookups, Java deserialisation,
 * localhost Host headers), then the OWASP-style common rule set. Together about 925 WCUs, within
 * the 1,500 a web ACL includes. The common rule set blocks request bodies over 8 KB
 * (`SizeRestrictions_BODY`): a service taking larger uploads needs a rule action override there.
 */
export const MANAGED_RULE_GROUPS = [
  "AWSManagedRulesAmazonIpReputationList",
  "AWSManagedRulesKnownBadInputsRuleSet",
  "AWSManagedRulesCommonRuleSet",
] as const;

/** CloudWatch metrics and sampled requests under one name, so blocked requests can be looked at. */
const visibility = (metricName: string) => ({
  cloudwatchMetricsEnabled: true,
  metricName,
  sampledRequestsEnabled: true,
});

/**
 * The web ACL's arguments: regional (ALBs), allowing what no rule blocks, each managed rule group
 * enforced as AWS publishes it (`overrideAction: none`; `count` would only observe).
 */
export function planWebAcl(name: string) {
  return {
    name,
    description: `AWS managed rule groups in front of the internet-facing ALBs of ${name}`,
    scope: "REGIONAL",
    defaultAction: { allow: {} },
    rules: MANAGED_RULE_GROUPS.map((group, priority) => ({
      name: group,
      priority,
      overrideAction: { none: {} },
      statement: { managedRuleGroupStatement: { vendorName: "AWS", name: group } },
      visibilityConfig: visibility(`${name}-${group}`),
    })),
    visibilityConfig: visibility(name),
  };
}

/** The web ACL `<name>-waf`; `physicalName` is its name in AWS (and its metrics' prefix). */
export function createWebAcl(
  name: string,
  physicalName: string,
  opts: pulumi.CustomResourceOptions,
): aws.wafv2.WebAcl {
  return new aws.wafv2.WebAcl(`${name}-waf`, planWebAcl(physicalName), opts);
}
