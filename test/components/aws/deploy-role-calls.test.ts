// Can the deploy role really run `pulumi up`? Each AWS resource type the committed stacks create
// is listed with the calls the provider makes to create and read it (action and the resource AWS
// authorises it on — `*` where the action has no resource-level permissions), and the IAM
// simulator evaluates every call against the deploy role's policy as the dev stack registers it.
import { strict as assert } from "assert";
import { isWildcardOnlyAction, runSimulation } from "@cloud-copilot/iam-simulate";
import { RESOURCELESS_CREATE_ACTIONS } from "../../../src/components/aws/deploy-roles";
import { Evaluation, MOCK_ACCOUNT } from "../../../dev/harness/evaluate";
import { committedStack } from "../../helpers/stacks";

const A = MOCK_ACCOUNT;
const R = "eu-west-1";
const ec2 = (resource: string) => `arn:aws:ec2:${R}:${A}:${resource}`;
const role = (name: string) => `arn:aws:iam::${A}:role/platform/dev/${name}`;
const key = `arn:aws:kms:${R}:${A}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const repo = `arn:aws:ecr:${R}:${A}:repository/platform-dev/api`;
const bucket = "arn:aws:s3:::platform-dev-ecs-alb-logs-20261123";
const logGroup = `arn:aws:logs:${R}:${A}:log-group:/platform-dev-api/ecs`;
const cluster = `arn:aws:eks:${R}:${A}:cluster/platform-dev-eks`;
const lb = `arn:aws:elasticloadbalancing:${R}:${A}:loadbalancer/app/platform-dev-alb/50dc6c495c0c9188`;
const zone = "arn:aws:route53:::hostedzone/Z0DEV000000000000001";
const webAcl = `arn:aws:wafv2:${R}:${A}:regional/webacl/platform-production-ecs-alb/a1b2c3d4-5678-90ab-cdef-EXAMPLE11111`;
const target = `arn:aws:application-autoscaling:${R}:${A}:scalable-target/0ec5a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6`;

const accessEntry = `arn:aws:eks:${R}:${A}:access-entry/platform-dev-eks/role/${A}/ci-deploy-1a2b/0ec5a1b2`;
const runnerProject = `arn:aws:codebuild:${R}:${A}:project/platform-dev-runner`;
const connection = `arn:aws:codeconnections:${R}:${A}:connection/c0de0000-1111-4c0d-8e00-000000000001`;

type Call = [action: string, resource: string, context?: Record<string, string>];

/** The calls behind creating (and refreshing) each resource type. */
const CALLS: Record<string, Call[]> = {
  "aws:ec2/vpc:Vpc": [
    ["ec2:CreateVpc", ec2("vpc/*")],
    ["ec2:DescribeVpcs", "*"],
    ["ec2:ModifyVpcAttribute", ec2("vpc/vpc-0a1b")],
    ["ec2:CreateTags", ec2("vpc/*")],
  ],
  "aws:ec2/subnet:Subnet": [
    ["ec2:CreateSubnet", ec2("subnet/*")],
    ["ec2:CreateSubnet", ec2("vpc/vpc-0a1b")],
    ["ec2:DescribeSubnets", "*"],
  ],
  "aws:ec2/internetGateway:InternetGateway": [
    ["ec2:CreateInternetGateway", ec2("internet-gateway/*")],
    ["ec2:AttachInternetGateway", ec2("internet-gateway/igw-0a1b")],
  ],
  "aws:ec2/routeTable:RouteTable": [["ec2:CreateRouteTable", ec2("route-table/*")]],
  "aws:ec2/route:Route": [["ec2:CreateRoute", ec2("route-table/rtb-0a1b")]],
  "aws:ec2/routeTableAssociation:RouteTableAssociation": [
    ["ec2:AssociateRouteTable", ec2("route-table/rtb-0a1b")],
  ],
  "aws:ec2/eip:Eip": [
    ["ec2:AllocateAddress", ec2("elastic-ip/*")],
    ["ec2:DescribeAddresses", "*"],
  ],
  "aws:ec2/natGateway:NatGateway": [["ec2:CreateNatGateway", ec2("natgateway/*")]],
  "aws:ec2/securityGroup:SecurityGroup": [
    ["ec2:CreateSecurityGroup", ec2("security-group/*")],
    ["ec2:AuthorizeSecurityGroupIngress", ec2("security-group/sg-0a1b")],
    ["ec2:DescribeSecurityGroups", "*"],
  ],
  // A path to a dependency's group (a database the stack does not own): the rule is its own resource.
  "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": [
    ["ec2:AuthorizeSecurityGroupIngress", ec2("security-group/sg-0a1b2c3d4e5f60718")],
    ["ec2:CreateTags", ec2("security-group-rule/*")],
    ["ec2:DescribeSecurityGroupRules", "*"],
    ["ec2:RevokeSecurityGroupIngress", ec2("security-group/sg-0a1b2c3d4e5f60718")],
    // The runner's paths: into the cluster's and the ALB's groups, which the stack owns.
    ["ec2:AuthorizeSecurityGroupIngress", ec2("security-group/sg-0a1b")],
  ],
  "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": [
    ["ec2:RevokeSecurityGroupEgress", ec2("security-group/sg-0a1b")],
  ],
  "aws:ec2/flowLog:FlowLog": [["ec2:CreateFlowLogs", ec2("vpc-flow-log/*")]],
  "aws:ec2/launchTemplate:LaunchTemplate": [
    ["ec2:CreateLaunchTemplate", ec2("launch-template/*")],
    ["ec2:DescribeLaunchTemplateVersions", "*"],
  ],
  "aws:cloudwatch/logGroup:LogGroup": [
    ["logs:CreateLogGroup", logGroup],
    ["logs:PutRetentionPolicy", logGroup],
    ["logs:DescribeLogGroups", "*"],
  ],
  "aws:kms/key:Key": [
    ["kms:CreateKey", "*"],
    ["kms:EnableKeyRotation", key],
    ["kms:PutKeyPolicy", key],
    ["kms:DescribeKey", key],
  ],
  "aws:kms/alias:Alias": [
    ["kms:CreateAlias", `arn:aws:kms:${R}:${A}:alias/platform-dev-state`],
    ["kms:CreateAlias", key],
  ],
  "aws:ecr/repository:Repository": [
    ["ecr:CreateRepository", repo],
    ["ecr:DescribeRepositories", repo],
    ["ecr:TagResource", repo],
  ],
  "aws:ecr/lifecyclePolicy:LifecyclePolicy": [["ecr:PutLifecyclePolicy", repo]],
  "aws:ecr/repositoryPolicy:RepositoryPolicy": [["ecr:SetRepositoryPolicy", repo]],
  "aws:ecs/cluster:Cluster": [["ecs:CreateCluster", `arn:aws:ecs:${R}:${A}:cluster/platform-dev-ecs`]],
  "aws:ecs/taskDefinition:TaskDefinition": [
    ["ecs:RegisterTaskDefinition", `arn:aws:ecs:${R}:${A}:task-definition/platform-dev-api:*`],
    ["ecs:DescribeTaskDefinition", "*"],
  ],
  "aws:ecs/service:Service": [
    ["ecs:CreateService", `arn:aws:ecs:${R}:${A}:service/platform-dev-ecs/api`],
    ["ecs:DescribeServices", `arn:aws:ecs:${R}:${A}:service/platform-dev-ecs/api`],
  ],
  "aws:appautoscaling/target:Target": [["application-autoscaling:RegisterScalableTarget", target]],
  "aws:appautoscaling/policy:Policy": [["application-autoscaling:PutScalingPolicy", target]],
  "aws:lb/loadBalancer:LoadBalancer": [
    ["elasticloadbalancing:CreateLoadBalancer", lb],
    ["elasticloadbalancing:DescribeLoadBalancers", "*"],
  ],
  "aws:wafv2/webAcl:WebAcl": [
    ["wafv2:CreateWebACL", webAcl],
    ["wafv2:GetWebACL", webAcl],
    ["wafv2:TagResource", webAcl],
    ["wafv2:ListTagsForResource", webAcl],
  ],
  "aws:wafv2/webAclAssociation:WebAclAssociation": [
    ["wafv2:AssociateWebACL", webAcl],
    ["wafv2:AssociateWebACL", lb],
    ["elasticloadbalancing:SetWebAcl", "*"],
    ["wafv2:GetWebACLForResource", lb],
  ],
  "aws:lb/targetGroup:TargetGroup": [
    [
      "elasticloadbalancing:CreateTargetGroup",
      `arn:aws:elasticloadbalancing:${R}:${A}:targetgroup/api-tg-1a2b/6d0ecf831eec9f09`,
    ],
  ],
  "aws:lb/listener:Listener": [["elasticloadbalancing:CreateListener", lb]],
  "aws:lb/listenerRule:ListenerRule": [
    [
      "elasticloadbalancing:CreateRule",
      `arn:aws:elasticloadbalancing:${R}:${A}:listener/app/platform-dev-alb/50dc6c495c0c9188/f2f7dc8efc522ab2`,
    ],
  ],
  "aws:eks/cluster:Cluster": [
    ["eks:CreateCluster", "*"],
    ["eks:DescribeCluster", cluster],
    [
      "iam:CreateServiceLinkedRole",
      `arn:aws:iam::${A}:role/aws-service-role/eks.amazonaws.com/AWSServiceRoleForAmazonEKS`,
      { "iam:AWSServiceName": "eks.amazonaws.com" },
    ],
  ],
  "aws:eks/nodeGroup:NodeGroup": [
    ["eks:CreateNodegroup", cluster],
    [
      "iam:CreateServiceLinkedRole",
      `arn:aws:iam::${A}:role/aws-service-role/eks-nodegroup.amazonaws.com/AWSServiceRoleForAmazonEKSNodegroup`,
      { "iam:AWSServiceName": "eks-nodegroup.amazonaws.com" },
    ],
  ],
  "aws:eks/accessEntry:AccessEntry": [
    ["eks:CreateAccessEntry", cluster],
    ["eks:DescribeAccessEntry", accessEntry],
  ],
  "aws:eks/accessPolicyAssociation:AccessPolicyAssociation": [
    ["eks:AssociateAccessPolicy", accessEntry],
    ["eks:ListAssociatedAccessPolicies", accessEntry],
  ],
  "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": [
    ["ec2:AuthorizeSecurityGroupEgress", ec2("security-group/sg-0a1b")],
    ["ec2:RevokeSecurityGroupEgress", ec2("security-group/sg-0a1b")],
  ],
  "aws:codebuild/project:Project": [
    ["codebuild:CreateProject", runnerProject],
    ["codebuild:BatchGetProjects", runnerProject],
    ["iam:PassRole", role("ci-runner-role-1a2b"), { "iam:PassedToService": "codebuild.amazonaws.com" }],
    ["codeconnections:PassConnection", connection],
    ["codeconnections:UseConnection", connection],
  ],
  "aws:codebuild/webhook:Webhook": [
    ["codebuild:CreateWebhook", runnerProject],
    ["codeconnections:UseConnection", connection],
  ],
  "aws:iam/openIdConnectProvider:OpenIdConnectProvider": [
    [
      "iam:CreateOpenIDConnectProvider",
      `arn:aws:iam::${A}:oidc-provider/oidc.eks.${R}.amazonaws.com/id/ABC123`,
    ],
    ["iam:GetOpenIDConnectProvider", `arn:aws:iam::${A}:oidc-provider/oidc.eks.${R}.amazonaws.com/id/ABC123`],
  ],
  "aws:iam/role:Role": [["iam:CreateRole", role("api-task-1a2b")]],
  "aws:iam/rolePolicy:RolePolicy": [["iam:PutRolePolicy", role("api-task-1a2b")]],
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment": [["iam:AttachRolePolicy", role("eks-nodes-1a2b")]],
  "aws:s3/bucket:Bucket": [
    ["s3:CreateBucket", bucket],
    ["s3:ListBucket", bucket],
    ["s3:GetBucketTagging", bucket],
    ["s3:PutBucketTagging", bucket],
  ],
  "aws:s3/bucketPolicy:BucketPolicy": [["s3:PutBucketPolicy", bucket]],
  "aws:s3/bucketVersioning:BucketVersioning": [["s3:PutBucketVersioning", bucket]],
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": [
    ["s3:PutEncryptionConfiguration", bucket],
  ],
  "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": [
    ["s3:PutLifecycleConfiguration", bucket],
  ],
  "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": [["s3:PutBucketPublicAccessBlock", bucket]],
  "aws:s3/bucketOwnershipControls:BucketOwnershipControls": [["s3:PutBucketOwnershipControls", bucket]],
  // The alarm topic and alarms (src/components/aws/alarms.ts), Chatbot, Container Insights.
  "aws:cloudwatch/metricAlarm:MetricAlarm": [
    ["cloudwatch:PutMetricAlarm", `arn:aws:cloudwatch:${R}:${A}:alarm:platform-dev-payments-5xx-rate`],
    ["cloudwatch:DescribeAlarms", "*"],
    ["cloudwatch:ListTagsForResource", `arn:aws:cloudwatch:${R}:${A}:alarm:platform-dev-payments-5xx-rate`],
    ["cloudwatch:DeleteAlarms", `arn:aws:cloudwatch:${R}:${A}:alarm:platform-dev-payments-5xx-rate`],
  ],
  "aws:sns/topic:Topic": [
    ["sns:CreateTopic", `arn:aws:sns:${R}:${A}:platform-dev-alarms`],
    ["sns:GetTopicAttributes", `arn:aws:sns:${R}:${A}:platform-dev-alarms`],
    ["sns:SetTopicAttributes", `arn:aws:sns:${R}:${A}:platform-dev-alarms`],
    ["sns:ListTagsForResource", `arn:aws:sns:${R}:${A}:platform-dev-alarms`],
  ],
  "aws:sns/topicSubscription:TopicSubscription": [
    ["sns:Subscribe", `arn:aws:sns:${R}:${A}:platform-production-alarms`],
    ["sns:GetSubscriptionAttributes", `arn:aws:sns:${R}:${A}:platform-production-alarms`],
  ],
  "aws:chatbot/slackChannelConfiguration:SlackChannelConfiguration": [
    ["chatbot:CreateSlackChannelConfiguration", "*"],
    ["chatbot:DescribeSlackChannelConfigurations", "*"],
    ["chatbot:ListTagsForResource", "*"],
    [
      "chatbot:UpdateSlackChannelConfiguration",
      `arn:aws:chatbot::${A}:chat-configuration/slack-channel/platform-dev-alarms`,
    ],
    ["iam:PassRole", role("alarms-chatbot-1a2b"), { "iam:PassedToService": "chatbot.amazonaws.com" }],
  ],
  "aws:eks/addon:Addon": [
    ["eks:CreateAddon", cluster],
    ["eks:DescribeAddon", `arn:aws:eks:${R}:${A}:addon/platform-dev-eks/amazon-cloudwatch-observability/*`],
    ["iam:PassRole", role("container-insights-agent-1a2b"), { "iam:PassedToService": "eks.amazonaws.com" }],
  ],
  "aws:route53/record:Record": [
    [
      "route53:ChangeResourceRecordSets",
      zone,
      {
        "route53:ChangeResourceRecordSetsNormalizedRecordNames": "payments.dev.example.com",
        "route53:ChangeResourceRecordSetsRecordTypes": "A",
        "route53:ChangeResourceRecordSetsActions": "UPSERT",
      },
    ],
    ["route53:GetChange", "arn:aws:route53:::change/C2682N5HXP0BZ4"],
    ["route53:GetHostedZone", zone],
    ["route53:ListResourceRecordSets", zone],
  ],
};

/** The key policy the stack's own keys carry: KMS needs it to allow as well as the role's policy. */
let keyPolicy: object;

async function decision(policy: object, [action, resource, context]: Call): Promise<string> {
  const r = await runSimulation(
    {
      identityPolicies: [{ name: "deploy", policy }],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: resource.includes(":key/") ? keyPolicy : undefined,
      request: {
        action,
        principal: `arn:aws:iam::${A}:role/platform-ci/ci-deploy`,
        resource: { accountId: A, resource },
        contextVariables: { "aws:RequestedRegion": R, ...context },
      },
    } as any,
    {},
  );
  if (r.resultType === "error") return `invalid: ${JSON.stringify(r.errors)}`;
  return r.overallResult;
}

describe("the deploy role against the calls `pulumi up` makes", function () {
  this.timeout(60000);
  let stacks: Evaluation[];
  let policy: object;
  before(async () => {
    stacks = [await committedStack("dev"), await committedStack("production")];
    policy = JSON.parse(stacks[0].get("aws:iam/rolePolicy:RolePolicy", "ci-deploy").inputs.policy);
    keyPolicy = JSON.parse(stacks[0].get("aws:kms/key:Key", "network-flow-logs").inputs.policy);
  });

  it("knows the calls of every AWS resource type the committed stacks create", () => {
    const types = new Set(
      stacks.flatMap((e) =>
        e.resources.filter((r) => r.custom && r.type.startsWith("aws:")).map((r) => r.type),
      ),
    );
    assert.deepEqual([...types].filter((t) => !CALLS[t]).sort(), []);
  });

  it("may make every one of those calls", async () => {
    const denied: string[] = [];
    for (const [type, calls] of Object.entries(CALLS))
      for (const call of calls) {
        const d = await decision(policy, call);
        if (d !== "Allowed") denied.push(`${d}: ${call[0]} ${call[1]} (${type})`);
      }
    assert.deepEqual(denied, []);
  });

  it("treats as resource-less exactly the actions the IAM reference gives no resource-level permissions", async () => {
    for (const action of [
      ...RESOURCELESS_CREATE_ACTIONS,
      "ecr:GetAuthorizationToken",
      "sts:GetCallerIdentity",
    ]) {
      const [service, name] = action.split(":");
      assert.equal(await isWildcardOnlyAction(service, name), true, action);
    }
    assert.equal(await isWildcardOnlyAction("ecs", "RegisterTaskDefinition"), false);
  });

  it("may not touch another stack's roles, repositories, buckets or records, nor create service-linked roles for other services", async () => {
    const outside: Call[] = [
      ["iam:CreateRole", `arn:aws:iam::${A}:role/platform/production/api-task`],
      ["iam:PutRolePolicy", `arn:aws:iam::${A}:role/platform-ci/ci-deploy`],
      ["ecr:CreateRepository", `arn:aws:ecr:${R}:${A}:repository/platform-production/api`],
      ["s3:CreateBucket", "arn:aws:s3:::platform-production-ecs-alb-logs-1"],
      ["s3:PutBucketPolicy", "arn:aws:s3:::platform-state-123456789012-eu-west-1"],
      [
        "iam:CreateServiceLinkedRole",
        `arn:aws:iam::${A}:role/aws-service-role/rds.amazonaws.com/AWSServiceRoleForRDS`,
        { "iam:AWSServiceName": "rds.amazonaws.com" },
      ],
      ["ec2:CreateVpc", `arn:aws:ec2:us-east-1:${A}:vpc/*`],
      [
        "route53:ChangeResourceRecordSets",
        "arn:aws:route53:::hostedzone/Z0OTHERZONE000000001",
        {
          "route53:ChangeResourceRecordSetsNormalizedRecordNames": "payments.dev.example.com",
          "route53:ChangeResourceRecordSetsRecordTypes": "A",
        },
      ],
      [
        "route53:ChangeResourceRecordSets",
        zone,
        {
          "route53:ChangeResourceRecordSetsNormalizedRecordNames": "dev.example.com",
          "route53:ChangeResourceRecordSetsRecordTypes": "A",
        },
      ],
      [
        "route53:ChangeResourceRecordSets",
        zone,
        {
          "route53:ChangeResourceRecordSetsNormalizedRecordNames": "payments.dev.example.com",
          "route53:ChangeResourceRecordSetsRecordTypes": "NS",
        },
      ],
    ];
    const allowed: string[] = [];
    for (const call of outside)
      if ((await decision(policy, call)) === "Allowed") allowed.push(`${call[0]} ${call[1]}`);
    assert.deepEqual(allowed, []);
  });

  it("may read the database URL of the service that migrates, and no other secret", async () => {
    const secret = (name: string) => `arn:aws:secretsmanager:eu-west-1:111111111111:secret:${name}`;
    assert.equal(
      await decision(policy, ["secretsmanager:GetSecretValue", secret("dev/payments/db-url-AbCdEf")]),
      "Allowed",
    );
    for (const other of [
      "dev/payments/db-AbCdEf",
      "dev/orders/db-url-AbCdEf",
      "production/payments/db-url-AbCdEf",
    ])
      assert.notEqual(
        await decision(policy, ["secretsmanager:GetSecretValue", secret(other)]),
        "Allowed",
        other,
      );
    assert.notEqual(
      await decision(policy, ["secretsmanager:PutSecretValue", secret("dev/payments/db-url-AbCdEf")]),
      "Allowed",
    );
  });
});
