import { strict as assert } from "assert";
import { lbControllerStatements } from "../../../src/components/aws/lb-controller-policy";
import { MANAGED_RULE_GROUPS, planWebAcl } from "../../../src/components/aws/waf";
import { committedStack } from "../../helpers/stacks";

const A = "alb.ingress.kubernetes.io";

describe("the WAF web ACL in front of internet-facing ALBs", function () {
  this.timeout(120000);

  it("is regional, allows by default and enforces AWS's IP reputation, known-bad-input and common rule groups, in that order", () => {
    const acl = planWebAcl("platform-production-ecs-alb");
    assert.equal(acl.scope, "REGIONAL");
    assert.deepEqual(acl.defaultAction, { allow: {} });
    assert.deepEqual(
      acl.rules.map((r) => [r.priority, r.statement.managedRuleGroupStatement, r.overrideAction]),
      [
        [0, { vendorName: "AWS", name: "AWSManagedRulesAmazonIpReputationList" }, { none: {} }],
        [1, { vendorName: "AWS", name: "AWSManagedRulesKnownBadInputsRuleSet" }, { none: {} }],
        [2, { vendorName: "AWS", name: "AWSManagedRulesCommonRuleSet" }, { none: {} }],
      ],
    );
    assert.deepEqual(MANAGED_RULE_GROUPS.length, acl.rules.length);
    assert.deepEqual(acl.rules[2].visibilityConfig, {
      cloudwatchMetricsEnabled: true,
      metricName: "platform-production-ecs-alb-AWSManagedRulesCommonRuleSet",
      sampledRequestsEnabled: true,
    });
  });

  it("is associated with production's internet-facing ECS ALB, and not created for the internal ALBs of dev and staging", async () => {
    const production = await committedStack("production");
    const association = production.get("aws:wafv2/webAclAssociation:WebAclAssociation", "ecs-alb-waf");
    assert.equal(association.propertyDependencies.resourceArn.length, 1);
    assert.match(
      association.propertyDependencies.resourceArn[0],
      /aws:lb\/loadBalancer:LoadBalancer::ecs-alb$/,
    );
    assert.match(association.propertyDependencies.webAclArn[0], /aws:wafv2\/webAcl:WebAcl::ecs-alb-waf$/);
    assert.equal(
      production.get("aws:wafv2/webAcl:WebAcl", "ecs-alb-waf").inputs.name,
      "platform-production-ecs-alb",
    );
    for (const stack of ["dev", "staging"]) {
      const e = await committedStack(stack);
      assert.equal(e.get("aws:lb/loadBalancer:LoadBalancer", "ecs-alb").inputs.internal, true, stack);
      assert.deepEqual(e.ofType("aws:wafv2/webAclAssociation:WebAclAssociation"), [], stack);
    }
  });

  it("is named on public Ingresses for the load balancer controller to associate, and left off internal ones", async () => {
    const production = await committedStack("production");
    const ingresses = production.ofType("kubernetes:networking.k8s.io/v1:Ingress");
    const byScheme = (scheme: string) =>
      ingresses.filter((i) => i.inputs.metadata.annotations[`${A}/scheme`] === scheme);
    assert.ok(byScheme("internet-facing").length > 0 && byScheme("internal").length > 0);
    const acl = production.get("aws:wafv2/webAcl:WebAcl", "ingress-waf");
    assert.equal(acl.inputs.name, "platform-production-public");
    for (const i of byScheme("internet-facing"))
      assert.match(
        i.inputs.metadata.annotations[`${A}/wafv2-acl-arn`],
        /^arn:aws:wafv2:eu-west-1:\d{12}:regional\/webacl\/platform-production-public\/[0-9a-f-]{36}$/,
      );
    for (const i of byScheme("internal"))
      assert.equal(i.inputs.metadata.annotations[`${A}/wafv2-acl-arn`], undefined);
  });

  it("gives the load balancer controller no WAFv2 action where the stack has no web ACL for it", () => {
    const scope = { partition: "aws", region: "eu-west-1", accountId: "123456789012", vpcId: "vpc-1" };
    const actions = (statements: ReturnType<typeof lbControllerStatements>) =>
      statements.flatMap((st) => [st.Action].flat()).filter((a) => /^wafv2:|SetWebAcl$/.test(String(a)));
    assert.deepEqual(actions(lbControllerStatements(scope)), []);
    assert.deepEqual(
      actions(
        lbControllerStatements({ ...scope, webAclArn: "arn:aws:wafv2:eu-west-1:1:regional/webacl/a/b" }),
      ),
      [
        "wafv2:GetWebACL",
        "wafv2:GetWebACLForResource",
        "wafv2:AssociateWebACL",
        "wafv2:DisassociateWebACL",
        "elasticloadbalancing:SetWebAcl",
      ],
    );
  });

  it("is not created for a stack without a public EKS service", async () => {
    const dev = await committedStack("dev");
    assert.deepEqual(dev.ofType("aws:wafv2/webAcl:WebAcl"), []);
  });
});
