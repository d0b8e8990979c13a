import { strict as assert } from "assert";
import { Evaluation } from "../../../dev/harness/evaluate";
import {
  albSecurityGroupRules,
  EcsCluster,
  EcsClusterArgs,
  loadBalancerSettings,
} from "../../../src/components/aws/ecs-cluster";
import { committedStack } from "../../helpers/stacks";
import { ACCOUNT, evaluateComponent } from "../../helpers/components";

function clusterArgs(overrides: Partial<EcsClusterArgs> = {}): EcsClusterArgs {
  return {
    vpcId: "vpc-1",
    vpcCidr: "10.20.0.0/16",
    publicSubnetIds: ["subnet-public-0", "subnet-public-1"],
    privateSubnetIds: ["subnet-private-0", "subnet-private-1"],
    certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/abc",
    publicLoadBalancer: false,
    allowedCidrs: [],
    logRetentionDays: 90,
    account: ACCOUNT,
    protect: false,
    ...overrides,
  };
}

describe("component", function () {
  this.timeout(60000);

  describe("EcsCluster built alone", () => {
    let e: Evaluation;
    before(async () => {
      e = await evaluateComponent(() => new EcsCluster("ecs", clusterArgs()));
    });

    it("keeps an internal ALB in the private subnets and drops invalid header fields", () => {
      const alb = e.get("aws:lb/loadBalancer:LoadBalancer", "ecs-alb").inputs;
      assert.equal(alb.internal, true);
      assert.deepEqual(alb.subnets, ["subnet-private-0", "subnet-private-1"]);
      assert.equal(alb.dropInvalidHeaderFields, true);
      assert.deepEqual(alb.accessLogs, {
        bucket: "platform-dev-ecs-alb-logs-abc123",
        prefix: "alb",
        enabled: true,
      });
    });

    it("answers HTTP only with a permanent redirect to HTTPS", () => {
      const http = e.get("aws:lb/listener:Listener", "ecs-http").inputs;
      assert.deepEqual(http.defaultActions, [
        { type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } },
      ]);
    });

    it("serves HTTPS with the TLS 1.3/1.2 policy and the given certificate, 404 for unknown hosts", () => {
      const https = e.get("aws:lb/listener:Listener", "ecs-https").inputs;
      assert.deepEqual(
        [https.protocol, https.port, https.sslPolicy, https.certificateArn],
        [
          "HTTPS",
          443,
          "ELBSecurityPolicy-TLS13-1-2-2021-06",
          "arn:aws:acm:eu-west-1:123456789012:certificate/abc",
        ],
      );
      assert.equal(https.defaultActions[0].fixedResponse.statusCode, "404");
    });

    it("opens the ALB to the VPC CIDR only when no CIDRs are allowed, and lets it out only to the VPC", () => {
      const sg = e.get("aws:ec2/securityGroup:SecurityGroup", "ecs-alb").inputs;
      assert.deepEqual(
        sg.ingress.map((r: any) => [r.fromPort, r.cidrBlocks]),
        [
          [443, ["10.20.0.0/16"]],
          [80, ["10.20.0.0/16"]],
        ],
      );
      assert.deepEqual(
        sg.egress.map((r: any) => [r.protocol, r.fromPort, r.toPort, r.cidrBlocks]),
        [["tcp", 1024, 65535, ["10.20.0.0/16"]]],
      );
    });

    it("enables Container Insights and logs ECS Exec sessions encrypted, to a rotated KMS key", () => {
      const cluster = e.get("aws:ecs/cluster:Cluster", "ecs-cluster").inputs;
      assert.deepEqual(cluster.settings, [{ name: "containerInsights", value: "enhanced" }]);
      const exec = cluster.configuration.executeCommandConfiguration;
      assert.equal(exec.logging, "OVERRIDE");
      assert.equal(exec.logConfiguration.cloudWatchEncryptionEnabled, true);
      assert.equal(e.get("aws:kms/key:Key", "ecs-logs").inputs.enableKeyRotation, true);
      assert.equal(e.get("aws:cloudwatch/logGroup:LogGroup", "ecs-exec").inputs.retentionInDays, 90);
    });

    it("lets only ELB log delivery write the access-log bucket, under this account's prefix", () => {
      const policy = JSON.parse(e.get("aws:s3/bucketPolicy:BucketPolicy", "ecs-alb-logs").inputs.policy);
      const delivery = policy.Statement.find((s: any) => s.Sid === "ElbLogDelivery");
      assert.equal(delivery.Action, "s3:PutObject");
      assert.match(delivery.Resource, /\/alb\/AWSLogs\/123456789012\/\*$/);
    });
  });

  describe("EcsCluster planners", () => {
    it("places the ALB by exposure and protects it only when asked", () => {
      const subnets = { publicSubnetIds: ["pub"], privateSubnetIds: ["priv"] };
      const table: [boolean, boolean, boolean, string[], boolean][] = [
        [false, false, true, ["priv"], false],
        [true, false, false, ["pub"], false],
        [true, true, false, ["pub"], true],
      ];
      for (const [publicLoadBalancer, protect, internal, placed, deletionProtection] of table) {
        const s = loadBalancerSettings({ ...subnets, publicLoadBalancer, protect });
        assert.deepEqual(
          [s.internal, s.subnets, s.enableDeletionProtection, s.dropInvalidHeaderFields],
          [internal, placed, deletionProtection, true],
        );
      }
    });

    it("opens the ALB to exactly the allowed CIDRs when some are given", () => {
      const rules = albSecurityGroupRules(["203.0.113.0/24"], "10.0.0.0/16");
      assert.deepEqual(
        rules.ingress.map((r) => r.cidrBlocks),
        [["203.0.113.0/24"], ["203.0.113.0/24"]],
      );
    });
  });

  describe("EcsCluster in the committed stacks", () => {
    let dev: Evaluation;
    let prod: Evaluation;
    before(async () => {
      dev = await committedStack("dev");
      prod = await committedStack("production");
    });

    it("enables Container Insights and encrypted, logged ECS Exec", () => {
      const cluster = dev.get("aws:ecs/cluster:Cluster", "ecs-cluster");
      assert.deepEqual(cluster.inputs.settings, [{ name: "containerInsights", value: "enhanced" }]);
      assert.equal(cluster.inputs.configuration.executeCommandConfiguration.logging, "OVERRIDE");
    });

    it("serves HTTPS with a TLS 1.2+ policy and only redirects HTTP", () => {
      const https = dev.get("aws:lb/listener:Listener", "ecs-https");
      assert.deepEqual(
        [https.inputs.protocol, https.inputs.sslPolicy],
        ["HTTPS", "ELBSecurityPolicy-TLS13-1-2-2021-06"],
      );
      const http = dev.get("aws:lb/listener:Listener", "ecs-http");
      assert.deepEqual(http.inputs.defaultActions[0].redirect, {
        protocol: "HTTPS",
        port: "443",
        statusCode: "HTTP_301",
      });
    });

    it("keeps the dev ALB internal, drops invalid headers and logs access", () => {
      const alb = dev.get("aws:lb/loadBalancer:LoadBalancer", "ecs-alb");
      assert.equal(alb.inputs.internal, true);
      assert.equal(alb.inputs.dropInvalidHeaderFields, true);
      assert.equal(alb.inputs.accessLogs.enabled, true);
      assert.deepEqual(alb.inputs.subnets, ["network-private-0-id", "network-private-1-id"]);
      assert.equal(prod.get("aws:lb/loadBalancer:LoadBalancer", "ecs-alb").inputs.internal, false);
    });
  });
});
