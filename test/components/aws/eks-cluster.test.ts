import { strict as assert } from "assert";
import { CONTROL_PLANE_LOG_TYPES } from "../../../src/components/aws/eks-cluster";
import { Evaluation } from "../../../dev/harness/evaluate";
import { evaluateStack } from "../../../dev/harness/program";
import { committedStack } from "../../helpers/stacks";

describe("component", function () {
  this.timeout(60000);
  let dev: Evaluation;
  before(async () => {
    dev = await committedStack("dev");
  });

  describe("EksCluster", () => {
    it("keeps the API endpoint private, encrypts Secrets and ships all control-plane logs", () => {
      const cluster = dev.get("aws:eks/cluster:Cluster", "eks-cluster");
      assert.equal(cluster.inputs.name, "platform-dev-eks");
      assert.equal(cluster.inputs.vpcConfig.endpointPrivateAccess, true);
      assert.equal(cluster.inputs.vpcConfig.endpointPublicAccess, false);
      assert.equal(cluster.inputs.vpcConfig.publicAccessCidrs, undefined);
      assert.deepEqual(cluster.inputs.encryptionConfig.resources, ["secrets"]);
      assert.deepEqual(cluster.inputs.enabledClusterLogTypes, CONTROL_PLANE_LOG_TYPES);
      assert.deepEqual(cluster.inputs.vpcConfig.subnetIds, ["network-private-0-id", "network-private-1-id"]);
    });

    it("opens a public endpoint only to the configured CIDRs", async () => {
      const eks = {
        ...((await import("../../../src/config/stack-files")).readStackConfig("dev")[
          "platform:eks"
        ] as object),
        endpointPublicAccess: true,
        publicAccessCidrs: ["203.0.113.0/24"],
      };
      const e = await evaluateStack("dev", { "platform:eks": eks });
      const vpc = e.get("aws:eks/cluster:Cluster", "eks-cluster").inputs.vpcConfig;
      assert.deepEqual([vpc.endpointPublicAccess, vpc.publicAccessCidrs], [true, ["203.0.113.0/24"]]);
    });

    it("runs nodes in private subnets behind an IMDSv2-only launch template with hop limit 1", () => {
      const lt = dev.get("aws:ec2/launchTemplate:LaunchTemplate", "eks-general");
      assert.deepEqual(lt.inputs.metadataOptions, {
        httpEndpoint: "enabled",
        httpTokens: "required",
        httpPutResponseHopLimit: 1,
      });
      assert.equal(lt.inputs.blockDeviceMappings[0].ebs.encrypted, "true");
      const ng = dev.get("aws:eks/nodeGroup:NodeGroup", "eks-general");
      assert.deepEqual(ng.inputs.subnetIds, ["network-private-0-id", "network-private-1-id"]);
      assert.deepEqual(ng.inputs.scalingConfig, { minSize: 1, maxSize: 3, desiredSize: 2 });
      assert.equal(ng.inputs.capacityType, "SPOT");
    });

    it("registers the IRSA OIDC provider for sts.amazonaws.com and an exec-auth kubeconfig", () => {
      const oidc = dev.get("aws:iam/openIdConnectProvider:OpenIdConnectProvider", "eks-oidc");
      assert.deepEqual(oidc.inputs.clientIdLists, ["sts.amazonaws.com"]);
      assert.match(oidc.inputs.url, /^https:\/\/oidc\.eks\.eu-west-1\.amazonaws\.com\/id\//);
      const kubeconfig = JSON.parse(dev.outputs.kubeconfig as string);
      assert.deepEqual(kubeconfig.users[0].user.exec.args.slice(0, 4), [
        "eks",
        "get-token",
        "--cluster-name",
        "platform-dev-eks",
      ]);
    });

    it("attaches managed policies as separate resources, never inline on the role", () => {
      const attachments = dev
        .ofType("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
        .map((a) => a.inputs.policyArn.split("/").pop());
      assert.deepEqual(attachments.sort(), [
        "AmazonEC2ContainerRegistryReadOnly",
        "AmazonEKSClusterPolicy",
        "AmazonEKSWorkerNodePolicy",
        "AmazonEKS_CNI_Policy",
      ]);
      assert.ok(dev.ofType("aws:iam/role:Role").every((r) => r.inputs.managedPolicyArns === undefined));
    });
  });
});
