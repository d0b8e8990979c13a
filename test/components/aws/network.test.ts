import { strict as assert } from "assert";
import { Evaluation, mockKeyArn } from "../../../dev/harness/evaluate";
import { committedStack } from "../../helpers/stacks";
import { Network, planNetwork } from "../../../src/components/aws/network";
import { ACCOUNT, evaluateComponent } from "../../helpers/components";

describe("component", function () {
  this.timeout(60000);
  let dev: Evaluation;
  let prod: Evaluation;
  before(async () => {
    dev = await committedStack("dev");
    prod = await committedStack("production");
  });

  describe("Network", () => {
    it("writes VPC flow logs of all traffic to a KMS-encrypted log group", () => {
      const flow = dev.get("aws:ec2/flowLog:FlowLog", "network-flow-logs");
      assert.equal(flow.inputs.trafficType, "ALL");
      assert.equal(flow.inputs.logDestinationType, "cloud-watch-logs");
      const group = dev.get("aws:cloudwatch/logGroup:LogGroup", "network-flow-logs");
      assert.equal(group.inputs.name, "/platform-dev-network/vpc-flow-logs");
      assert.equal(group.inputs.retentionInDays, 30);
      assert.match(group.inputs.kmsKeyId, /^arn:aws:kms:/);
    });

    it("empties the default security group and gives no subnet automatic public IPs", () => {
      const sg = dev.get("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", "network-default-sg");
      assert.deepEqual([sg.inputs.ingress, sg.inputs.egress], [[], []]);
      assert.ok(dev.ofType("aws:ec2/subnet:Subnet").every((s) => s.inputs.mapPublicIpOnLaunch === false));
    });

    it("routes each private subnet through the NAT gateway of its own AZ in production", () => {
      const routes = prod
        .ofType("aws:ec2/route:Route")
        .filter((r) => r.name.startsWith("network-private-default"));
      assert.deepEqual(routes.map((r) => r.inputs.natGatewayId).sort(), [
        "network-nat-0-id",
        "network-nat-1-id",
        "network-nat-2-id",
      ]);
    });

    it("lets CloudWatch Logs use the flow-log key, scoped to this account's log groups", () => {
      const policy = JSON.parse(dev.get("aws:kms/key:Key", "network-flow-logs").inputs.policy);
      const logs = policy.Statement.find((s: any) => s.Sid === "CloudWatchLogsEncrypt");
      assert.equal(logs.Principal.Service, "logs.eu-west-1.amazonaws.com");
      assert.equal(
        logs.Condition.ArnLike["kms:EncryptionContext:aws:logs:arn"],
        "arn:aws:logs:eu-west-1:123456789012:log-group:*",
      );
    });
  });
  describe("Network built alone", () => {
    let e: Evaluation;
    before(async () => {
      e = await evaluateComponent(
        () =>
          new Network("net", {
            cidr: "10.30.0.0/16",
            azCount: 3,
            natGateways: "perAz",
            flowLogRetentionDays: 90,
            account: ACCOUNT,
          }),
      );
    });

    it("logs all VPC traffic to a KMS-encrypted group through a role under the stack's path", () => {
      const flows = e
        .ofType("aws:ec2/flowLog:FlowLog")
        .map((f) => [f.name, f.inputs.trafficType, f.inputs.vpcId]);
      assert.deepEqual(flows, [["net-flow-logs", "ALL", "net-vpc-id"]]);
      const group = e.get("aws:cloudwatch/logGroup:LogGroup", "net-flow-logs").inputs;
      assert.deepEqual([group.retentionInDays, group.kmsKeyId], [90, mockKeyArn("net-flow-logs")]);
      assert.equal(e.get("aws:kms/key:Key", "net-flow-logs").inputs.enableKeyRotation, true);
      assert.equal(e.get("aws:iam/role:Role", "net-flow-logs").inputs.path, "/platform/dev/");
    });

    it("empties the default security group", () => {
      const sg = e.get("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", "net-default-sg").inputs;
      assert.deepEqual([sg.vpcId, sg.ingress, sg.egress], ["net-vpc-id", [], []]);
    });

    it("maps no public IP on launch in any of the six subnets", () => {
      const subnets = e.ofType("aws:ec2/subnet:Subnet");
      assert.equal(subnets.length, 6);
      assert.deepEqual(
        subnets.map((s) => s.inputs.mapPublicIpOnLaunch),
        [false, false, false, false, false, false],
      );
    });

    it("routes each private subnet to the NAT gateway of its own AZ", () => {
      const routes = e
        .ofType("aws:ec2/route:Route")
        .filter((r) => r.name.startsWith("net-private-default"))
        .map((r) => [r.name, r.inputs.natGatewayId]);
      assert.deepEqual(routes, [
        ["net-private-default-0", "net-nat-0-id"],
        ["net-private-default-1", "net-nat-1-id"],
        ["net-private-default-2", "net-nat-2-id"],
      ]);
    });
  });

  describe("Network planner", () => {
    it("plans one NAT gateway or one per AZ, and which one each private subnet uses", () => {
      const table: [number, "single" | "perAz", number, number[]][] = [
        [2, "single", 1, [0, 0]],
        [3, "single", 1, [0, 0, 0]],
        [2, "perAz", 2, [0, 1]],
        [3, "perAz", 3, [0, 1, 2]],
      ];
      for (const [azCount, natGateways, natCount, natOfPrivateSubnet] of table) {
        const plan = planNetwork({ cidr: "10.0.0.0/16", azCount, natGateways });
        assert.deepEqual([plan.natCount, plan.natOfPrivateSubnet], [natCount, natOfPrivateSubnet]);
        assert.equal(plan.publicCidrs.length, azCount);
      }
    });
  });
});
