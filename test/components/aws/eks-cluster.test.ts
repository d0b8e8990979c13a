import { strict as assert } from "assert";
import { CONTROL_PLANE_LOG_TYPES } from "../../../src/components/aws/eks-cluster";
import { Evaluation, mockKeyArn } from "../../../dev/harness/evaluate";
import { evaluateStack } from "../../../dev/harness/program";
import { committedStack } from "../../helpers/stacks";
import { clusterVpcConfig, EksCluster, EksClusterArgs } from "../../../src/components/aws/eks-cluster";
import { ACCOUNT, evaluateComponent } from "../../helpers/components";
import { ConfigError, stackConfigFromFile } from "../../../src/config";
import { readStackConfig } from "../../../src/config/stack-files";

function eksArgs(overrides: Partial<EksClusterArgs> = {}): EksClusterArgs {
  return {
    privateSubnetIds: ["subnet-private-0", "subnet-private-1"],
    version: "1.33",
    endpointPublicAccess: false,
    publicAccessCidrs: [],
    nodeGroups: [
      {
        name: "general",
        instanceTypes: ["m7i.large"],
        minSize: 1,
        maxSize: 4,
        desiredSize: 2,
        diskSizeGiB: 80,
        capacityType: "ON_DEMAND",
      },
    ],
    logRetentionDays: 90,
    account: ACCOUNT,
    protect: true,
    ...overrides,
  };
}

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
        // The Container Insights agent's IRSA role (src/components/aws/container-insights.ts).
        "CloudWatchAgentServerPolicy",
      ]);
      assert.ok(dev.ofType("aws:iam/role:Role").every((r) => r.inputs.managedPolicyArns === undefined));
    });
  });
  describe("EksCluster built alone", () => {
    let e: Evaluation;
    before(async () => {
      e = await evaluateComponent(() => new EksCluster("k", eksArgs()));
    });

    it("keeps the API endpoint private and the cluster protected", () => {
      const cluster = e.get("aws:eks/cluster:Cluster", "k-cluster");
      assert.deepEqual(cluster.inputs.vpcConfig, {
        subnetIds: ["subnet-private-0", "subnet-private-1"],
        endpointPrivateAccess: true,
        endpointPublicAccess: false,
      });
      assert.equal(cluster.protect, true);
    });

    it("opens a public endpoint only to exactly the given CIDRs", async () => {
      const pub = await evaluateComponent(
        () =>
          new EksCluster("k", eksArgs({ endpointPublicAccess: true, publicAccessCidrs: ["203.0.113.0/24"] })),
      );
      const vpc = pub.get("aws:eks/cluster:Cluster", "k-cluster").inputs.vpcConfig;
      assert.deepEqual([vpc.endpointPublicAccess, vpc.publicAccessCidrs], [true, ["203.0.113.0/24"]]);
    });

    it("refuses a public endpoint without CIDRs before creating anything", () => {
      assert.throws(
        () => new EksCluster("k", eksArgs({ endpointPublicAccess: true, publicAccessCidrs: [] })),
        /^Error: EksCluster k: publicAccessCidrs got \[\]; a public endpoint needs explicit allowed CIDRs$/,
      );
    });

    it("requires IMDSv2 with hop limit 1 and an encrypted root volume on every node", () => {
      const lt = e.get("aws:ec2/launchTemplate:LaunchTemplate", "k-general").inputs;
      assert.deepEqual(lt.metadataOptions, {
        httpEndpoint: "enabled",
        httpTokens: "required",
        httpPutResponseHopLimit: 1,
      });
      assert.deepEqual(lt.blockDeviceMappings[0].ebs, {
        volumeSize: 80,
        volumeType: "gp3",
        encrypted: "true",
        deleteOnTermination: "true",
      });
      const ng = e.get("aws:eks/nodeGroup:NodeGroup", "k-general").inputs;
      assert.deepEqual([ng.launchTemplate.id, ng.capacityType], ["k-general-id", "ON_DEMAND"]);
    });

    it("encrypts Secrets and control-plane logs with rotated keys and creates roles under the stack's path", () => {
      const cluster = e.get("aws:eks/cluster:Cluster", "k-cluster").inputs;
      assert.deepEqual(cluster.encryptionConfig, {
        provider: { keyArn: mockKeyArn("k-secrets") },
        resources: ["secrets"],
      });
      assert.deepEqual(
        e.ofType("aws:kms/key:Key").map((k) => [k.name, k.inputs.enableKeyRotation]),
        [
          ["k-secrets", true],
          ["k-logs", true],
        ],
      );
      assert.deepEqual(
        e.ofType("aws:iam/role:Role").map((r) => [r.name, r.inputs.path]),
        [
          ["k-cluster", "/platform/dev/"],
          ["k-node", "/platform/dev/"],
          ["k-vpc-cni", "/platform/dev/"],
        ],
      );
    });
  });

  describe("EksCluster planner", () => {
    it("sets public access CIDRs only when the endpoint is public", () => {
      const table: [boolean, string[], string[] | undefined][] = [
        [false, [], undefined],
        [false, ["203.0.113.0/24"], undefined],
        [true, ["203.0.113.0/24", "198.51.100.0/24"], ["203.0.113.0/24", "198.51.100.0/24"]],
      ];
      for (const [endpointPublicAccess, publicAccessCidrs, expected] of table) {
        const vpc = clusterVpcConfig(["s"], { endpointPublicAccess, publicAccessCidrs });
        assert.deepEqual([vpc.endpointPrivateAccess, vpc.publicAccessCidrs], [true, expected]);
      }
    });
  });
});

describe("people's access to the EKS cluster", function () {
  this.timeout(60000);

  it("gives production's on-call role the view policy and its break-glass role cluster admin, each at cluster scope", async () => {
    const e = await committedStack("production");
    const associations = e
      .ofType("aws:eks/accessPolicyAssociation:AccessPolicyAssociation")
      .filter((r) => /-(oncall|breakglass)-/.test(r.name))
      .map((r) => `${r.name} ${String(r.inputs.policyArn).split("/").pop()} ${r.inputs.accessScope.type}`);
    assert.deepEqual(associations, [
      "eks-oncall-AWSReservedSSO_OnCall_5f1c2d3e4a5b6c7d AmazonEKSViewPolicy cluster",
      "eks-breakglass-AWSReservedSSO_BreakGlass_8e9f0a1b2c3d4e5f AmazonEKSClusterAdminPolicy cluster",
    ]);
    const entries = e
      .ofType("aws:eks/accessEntry:AccessEntry")
      .filter((r) => /-(oncall|breakglass)-/.test(r.name))
      .map((r) => r.inputs.principalArn);
    assert.deepEqual(entries, [
      "arn:aws:iam::333333333333:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_OnCall_5f1c2d3e4a5b6c7d",
      "arn:aws:iam::333333333333:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_BreakGlass_8e9f0a1b2c3d4e5f",
    ]);
  });

  it("refuses a production cluster nobody can read or take over, naming both keys", () => {
    const eks = readStackConfig("production")["platform:eks"] as Record<string, unknown>;
    assert.throws(
      () => stackConfigFromFile("production", undefined, { "platform:eks": { ...eks, access: {} } }),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.deepEqual(
          err.problems
            .filter((p) => p.key.startsWith("platform:eks.access"))
            .map((p) => p.key)
            .sort(),
          ["platform:eks.access.breakGlass", "platform:eks.access.onCall"],
        );
        return true;
      },
    );
  });
});

describe("NetworkPolicy enforcement on EKS", function () {
  this.timeout(60000);

  it("runs the pinned vpc-cni add-on with its network policy agent, its permissions through IRSA only", async () => {
    const e = await committedStack("dev");
    const addon = e.get("aws:eks/addon:Addon", "eks-vpc-cni");
    assert.equal(addon.inputs.addonName, "vpc-cni");
    assert.equal(addon.inputs.addonVersion, "v1.20.0-eksbuild.1");
    assert.deepEqual(JSON.parse(addon.inputs.configurationValues), { enableNetworkPolicy: "true" });
    const role = e.get("aws:iam/role:Role", "eks-vpc-cni");
    const trust = JSON.parse(role.inputs.assumeRolePolicy);
    assert.deepEqual(Object.values(trust.Statement[0].Condition.StringEquals).sort(), [
      "sts.amazonaws.com",
      "system:serviceaccount:kube-system:aws-node",
    ]);
    const cni = e
      .ofType("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
      .filter((a) => String(a.inputs.policyArn).endsWith("/AmazonEKS_CNI_Policy"))
      .map((a) => a.name);
    assert.deepEqual(cni, ["eks-vpc-cni"], "the nodes no longer hold the CNI's permissions");
  });

  it("refuses a Kubernetes version without a pinned add-on, saying how to find one", () => {
    const eks = readStackConfig("dev")["platform:eks"] as Record<string, unknown>;
    assert.throws(
      () => stackConfigFromFile("dev", undefined, { "platform:eks": { ...eks, version: "1.34" } }),
      /platform:eks\.vpcCniVersion: got nothing; the vpc-cni add-on version for Kubernetes 1\.34 \(pinned here for 1\.31, 1\.32, 1\.33\): aws eks describe-addon-versions/,
    );
    assert.equal(
      stackConfigFromFile("dev", undefined, {
        "platform:eks": { ...eks, version: "1.34", vpcCniVersion: "v1.20.4-eksbuild.2" },
      }).eks.vpcCniVersion,
      "v1.20.4-eksbuild.2",
    );
  });
});
