import { strict as assert } from "assert";
import { Evaluation } from "../../../dev/harness/evaluate";
import { committedStack } from "../../helpers/stacks";

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
});
