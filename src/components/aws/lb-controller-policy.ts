/**
 * The IAM policy of the AWS Load Balancer Controller, as data.
 *
 * Source: kubernetes-sigs/aws-load-balancer-controller `docs/install/iam_policy.json` at v3.2.2
 * (the chart's appVersion, see cluster-addons-plan.ts). Changes from the upstream document, each
 * narrowing it:
 * - every `arn:aws:…:*:*:` is this partition, region and account; resources upstream leaves at
 *   "*" for writes carry the ARN types AWS authorises them on (security groups and the cluster's
 *   VPC, application load balancers, their listeners, rules and target groups);
 * - security-group ingress changes are confined to the cluster's VPC (`ec2:Vpc`);
 * - only application load balancers (`app/`): the program exposes services through Ingresses,
 *   and the chart's Service mutator webhook (NLBs for Services) is off;
 * - no WAF (classic) or Shield actions: the chart runs with `enableWaf` and `enableShield` off;
 * - WAFv2 only where the stack has a web ACL for its public Ingresses (`webAclArn`), and then only
 *   that ACL: the controller associates it with the ALBs it created, as each Ingress's
 *   `wafv2-acl-arn` annotation asks (`enableWafv2` is on exactly then);
 * - the service-linked role is the ELB one by name.
 * Reads that AWS does not authorise per resource (Describe*, Get*, List*) keep "*".
 */
import * as pulumi from "@pulumi/pulumi";
import { Statement } from "../../lib/iam";

/** The tag the controller puts on everything it creates, naming the cluster. */
export const LB_CONTROLLER_CLUSTER_TAG = "elbv2.k8s.aws/cluster";

/** Where the controller works: partition, region, account and the cluster's VPC id. */
export interface LbControllerScope {
  readonly partition: pulumi.Input<string>;
  readonly region: pulumi.Input<string>;
  readonly accountId: pulumi.Input<string>;
  readonly vpcId: pulumi.Input<string>;
  /** The stack's WAF web ACL for internet-facing Ingress ALBs; none: no WAFv2 action at all. */
  readonly webAclArn?: pulumi.Input<string>;
}

const READ_ACTIONS = [
  "ec2:DescribeAccountAttributes",
  "ec2:DescribeAddresses",
  "ec2:DescribeAvailabilityZones",
  "ec2:DescribeInternetGateways",
  "ec2:DescribeVpcs",
  "ec2:DescribeVpcPeeringConnections",
  "ec2:DescribeSubnets",
  "ec2:DescribeSecurityGroups",
  "ec2:DescribeInstances",
  "ec2:DescribeNetworkInterfaces",
  "ec2:DescribeTags",
  "ec2:GetCoipPoolUsage",
  "ec2:DescribeCoipPools",
  "ec2:GetSecurityGroupsForVpc",
  "ec2:DescribeIpamPools",
  "ec2:DescribeRouteTables",
  "elasticloadbalancing:DescribeLoadBalancers",
  "elasticloadbalancing:DescribeLoadBalancerAttributes",
  "elasticloadbalancing:DescribeListeners",
  "elasticloadbalancing:DescribeListenerCertificates",
  "elasticloadbalancing:DescribeSSLPolicies",
  "elasticloadbalancing:DescribeRules",
  "elasticloadbalancing:DescribeTargetGroups",
  "elasticloadbalancing:DescribeTargetGroupAttributes",
  "elasticloadbalancing:DescribeTargetHealth",
  "elasticloadbalancing:DescribeTags",
  "elasticloadbalancing:DescribeTrustStores",
  "elasticloadbalancing:DescribeListenerAttributes",
  "elasticloadbalancing:DescribeCapacityReservation",
  "cognito-idp:DescribeUserPoolClient",
  "acm:ListCertificates",
  "acm:DescribeCertificate",
  "iam:ListServerCertificates",
  "iam:GetServerCertificate",
];

/** The controller's statements, scoped to `scope` (see the file comment for each narrowing). */
export function lbControllerStatements(scope: LbControllerScope): Statement[] {
  const { partition: p, region: r, accountId: a } = scope;
  const ec2 = (resource: string) => pulumi.interpolate`arn:${p}:ec2:${r}:${a}:${resource}`;
  const elb = (resource: string) => pulumi.interpolate`arn:${p}:elasticloadbalancing:${r}:${a}:${resource}`;
  const securityGroups = ec2("security-group/*");
  const vpc = pulumi.interpolate`arn:${p}:ec2:${r}:${a}:vpc/${scope.vpcId}`;
  const loadBalancers = elb("loadbalancer/app/*/*");
  const targetGroups = elb("targetgroup/*/*");
  const listeners = elb("listener/app/*/*/*");
  const rules = elb("listener-rule/app/*/*/*");
  const tagged = { Null: { [`aws:ResourceTag/${LB_CONTROLLER_CLUSTER_TAG}`]: "false" } };
  const requestTagged = { Null: { [`aws:RequestTag/${LB_CONTROLLER_CLUSTER_TAG}`]: "false" } };
  const retagging = {
    Null: {
      [`aws:RequestTag/${LB_CONTROLLER_CLUSTER_TAG}`]: "true",
      [`aws:ResourceTag/${LB_CONTROLLER_CLUSTER_TAG}`]: "false",
    },
  };
  return [
    {
      Sid: "ElbServiceLinkedRole",
      Effect: "Allow",
      Action: "iam:CreateServiceLinkedRole",
      Resource: pulumi.interpolate`arn:${p}:iam::${a}:role/aws-service-role/elasticloadbalancing.amazonaws.com/AWSServiceRoleForElasticLoadBalancing`,
      Condition: { StringEquals: { "iam:AWSServiceName": "elasticloadbalancing.amazonaws.com" } },
    },
    // Describe*, Get* and List* have no resource-level permissions: "*" is their only resource.
    { Sid: "Read", Effect: "Allow", Action: READ_ACTIONS, Resource: "*" },
    {
      Sid: "SecurityGroupRulesInVpc",
      Effect: "Allow",
      Action: ["ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress"],
      Resource: securityGroups,
      Condition: { StringEquals: { "ec2:Vpc": vpc } },
    },
    {
      Sid: "CreateSecurityGroupInVpc",
      Effect: "Allow",
      Action: "ec2:CreateSecurityGroup",
      Resource: [securityGroups, vpc],
    },
    {
      Sid: "TagNewSecurityGroup",
      Effect: "Allow",
      Action: "ec2:CreateTags",
      Resource: securityGroups,
      Condition: { StringEquals: { "ec2:CreateAction": "CreateSecurityGroup" }, ...requestTagged },
    },
    {
      Sid: "RetagOwnSecurityGroups",
      Effect: "Allow",
      Action: ["ec2:CreateTags", "ec2:DeleteTags"],
      Resource: securityGroups,
      Condition: retagging,
    },
    {
      Sid: "ManageOwnSecurityGroups",
      Effect: "Allow",
      Action: [
        "ec2:AuthorizeSecurityGroupIngress",
        "ec2:RevokeSecurityGroupIngress",
        "ec2:DeleteSecurityGroup",
      ],
      Resource: securityGroups,
      Condition: tagged,
    },
    {
      Sid: "CreateTaggedLoadBalancers",
      Effect: "Allow",
      Action: ["elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:CreateTargetGroup"],
      Resource: [loadBalancers, targetGroups],
      Condition: requestTagged,
    },
    {
      Sid: "ListenersAndRules",
      Effect: "Allow",
      Action: [
        "elasticloadbalancing:CreateListener",
        "elasticloadbalancing:DeleteListener",
        "elasticloadbalancing:CreateRule",
        "elasticloadbalancing:DeleteRule",
      ],
      Resource: [loadBalancers, listeners, rules],
    },
    {
      Sid: "RetagOwnLoadBalancers",
      Effect: "Allow",
      Action: ["elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"],
      Resource: [targetGroups, loadBalancers],
      Condition: retagging,
    },
    {
      Sid: "TagListenersAndRules",
      Effect: "Allow",
      Action: ["elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"],
      Resource: [listeners, rules],
    },
    {
      Sid: "ManageOwnLoadBalancers",
      Effect: "Allow",
      Action: [
        "elasticloadbalancing:ModifyLoadBalancerAttributes",
        "elasticloadbalancing:SetIpAddressType",
        "elasticloadbalancing:SetSecurityGroups",
        "elasticloadbalancing:SetSubnets",
        "elasticloadbalancing:DeleteLoadBalancer",
        "elasticloadbalancing:ModifyTargetGroup",
        "elasticloadbalancing:ModifyTargetGroupAttributes",
        "elasticloadbalancing:DeleteTargetGroup",
        "elasticloadbalancing:ModifyListenerAttributes",
        "elasticloadbalancing:ModifyCapacityReservation",
        "elasticloadbalancing:ModifyIpPools",
      ],
      Resource: [loadBalancers, targetGroups, listeners],
      Condition: tagged,
    },
    {
      Sid: "TagOnCreate",
      Effect: "Allow",
      Action: "elasticloadbalancing:AddTags",
      Resource: [targetGroups, loadBalancers],
      Condition: {
        StringEquals: { "elasticloadbalancing:CreateAction": ["CreateTargetGroup", "CreateLoadBalancer"] },
        ...requestTagged,
      },
    },
    {
      Sid: "Targets",
      Effect: "Allow",
      Action: ["elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets"],
      Resource: targetGroups,
    },
    {
      Sid: "ModifyListenersAndRules",
      Effect: "Allow",
      Action: [
        "elasticloadbalancing:ModifyListener",
        "elasticloadbalancing:AddListenerCertificates",
        "elasticloadbalancing:RemoveListenerCertificates",
        "elasticloadbalancing:ModifyRule",
        "elasticloadbalancing:SetRulePriorities",
      ],
      Resource: [listeners, rules],
    },
    ...(scope.webAclArn === undefined ? [] : webAclStatements(scope.webAclArn, loadBalancers)),
  ];
}

/**
 * Associating the stack's web ACL with the controller's ALBs: AWS authorises AssociateWebACL on
 * both the ACL and the ALB, DisassociateWebACL on the ALB; the ALB side also needs SetWebAcl,
 * which AWS authorises on "*" only (what upstream grants it on).
 */
function webAclStatements(webAclArn: pulumi.Input<string>, loadBalancers: pulumi.Input<string>): Statement[] {
  return [
    {
      Sid: "ReadWebAcls",
      Effect: "Allow",
      Action: ["wafv2:GetWebACL", "wafv2:GetWebACLForResource"],
      Resource: "*",
    },
    {
      Sid: "AssociateStackWebAcl",
      Effect: "Allow",
      Action: "wafv2:AssociateWebACL",
      Resource: [webAclArn, loadBalancers],
    },
    {
      Sid: "DisassociateWebAcl",
      Effect: "Allow",
      Action: "wafv2:DisassociateWebACL",
      Resource: loadBalancers,
    },
    { Sid: "SetWebAcl", Effect: "Allow", Action: "elasticloadbalancing:SetWebAcl", Resource: "*" },
  ];
}
