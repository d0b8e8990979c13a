import { strict as assert } from "assert";
import { Evaluation } from "../../../dev/harness/evaluate";
import { evaluateStack } from "../../../dev/harness/program";
import { readStackConfig } from "../../../src/config/stack-files";
import { albSecurityGroupRules } from "../../../src/components/aws/ecs-cluster";
import { CI_ACCESS_POLICIES, planAccessConfig } from "../../../src/components/aws/eks-cluster";
import { committedStack } from "../../helpers/stacks";

const POLICY = (name: string) => `arn:aws:eks::aws:cluster-access-policy/${name}`;

describe("what the CI roles and runners may reach", function () {
  this.timeout(60000);
  let dev: Evaluation;
  before(async () => {
    dev = await committedStack("dev");
  });

  describe("EKS access entries", () => {
    it("map the stack's deploy role to cluster admin and its preview role to view, cluster-wide", () => {
      const deployRole = dev.get("aws:iam/role:Role", "ci-deploy");
      const previewRole = dev.get("aws:iam/role:Role", "ci-preview");
      assert.ok(deployRole && previewRole);
      const entries = dev.resources.filter((r) => r.type === "aws:eks/accessEntry:AccessEntry");
      assert.deepEqual(
        entries.map((e) => [e.name, e.inputs.clusterName, e.inputs.principalArn, e.inputs.type]),
        [
          ["eks-deploy", "platform-dev-eks", "arn:aws:iam:eu-west-1:123456789012:ci-deploy", "STANDARD"],
          ["eks-preview", "platform-dev-eks", "arn:aws:iam:eu-west-1:123456789012:ci-preview", "STANDARD"],
        ],
      );
      const associations = dev.resources.filter(
        (r) => r.type === "aws:eks/accessPolicyAssociation:AccessPolicyAssociation",
      );
      assert.deepEqual(
        associations.map((a) => [a.name, a.inputs.principalArn, a.inputs.policyArn, a.inputs.accessScope]),
        [
          [
            "eks-deploy",
            "arn:aws:iam:eu-west-1:123456789012:ci-deploy",
            POLICY("AmazonEKSClusterAdminPolicy"),
            { type: "cluster" },
          ],
          [
            "eks-preview",
            "arn:aws:iam:eu-west-1:123456789012:ci-preview",
            POLICY("AmazonEKSViewPolicy"),
            { type: "cluster" },
          ],
        ],
      );
      assert.deepEqual(CI_ACCESS_POLICIES, {
        deploy: "AmazonEKSClusterAdminPolicy",
        preview: "AmazonEKSViewPolicy",
      });
    });

    it("give the cluster creator no implicit entry, which would collide with the deploy role's when CI creates it", () => {
      const cluster = dev.get("aws:eks/cluster:Cluster", "eks-cluster");
      assert.deepEqual(cluster.inputs.accessConfig, {
        authenticationMode: "API",
        bootstrapClusterCreatorAdminPermissions: false,
      });
      assert.deepEqual(planAccessConfig(false), {
        authenticationMode: "API",
        bootstrapClusterCreatorAdminPermissions: true,
      });
    });

    it("exist before the Kubernetes provider deploys anything as the deploy role", () => {
      const provider = dev.get("pulumi:providers:kubernetes", "eks-k8s");
      const deployAdmin = dev.resources.find(
        (r) =>
          r.type === "aws:eks/accessPolicyAssociation:AccessPolicyAssociation" && r.name === "eks-deploy",
      )!;
      assert.ok(provider.dependencies.includes(deployAdmin.urn));
    });

    it("are left out for a stack CI does not deploy, whose creator keeps admin access", async () => {
      const e = await evaluateStack("dev", { "platform:github": undefined, "platform:ci": undefined } as any);
      assert.deepEqual(
        e.resources.filter((r) => r.type.startsWith("aws:eks/access")),
        [],
      );
      assert.equal(
        e.get("aws:eks/cluster:Cluster", "eks-cluster").inputs.accessConfig
          .bootstrapClusterCreatorAdminPermissions,
        true,
      );
    });
  });

  describe("the runners' network path", () => {
    it("reaches the private API endpoint: the cluster security group admits the runners on 443", () => {
      const rule = dev.get(
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        "eks-api-from-ci-runner",
      );
      assert.deepEqual(
        [
          rule.inputs.securityGroupId,
          rule.inputs.referencedSecurityGroupId,
          rule.inputs.ipProtocol,
          rule.inputs.fromPort,
          rule.inputs.toPort,
        ],
        ["sg-eks-cluster-cluster", "ci-runner-sg-id", "tcp", 443, 443],
      );
    });

    it("reaches an internal ALB through the VPC CIDR, which the ALB admits by default", () => {
      const alb = dev.get("aws:ec2/securityGroup:SecurityGroup", "ecs-alb");
      assert.deepEqual(
        alb.inputs.ingress.map((r: any) => [r.fromPort, r.cidrBlocks, r.securityGroups]),
        [
          [443, ["10.10.0.0/16"], undefined],
          [80, ["10.10.0.0/16"], undefined],
        ],
      );
    });

    it("is admitted by security group when an internal ALB's allowed CIDRs leave the VPC out", async () => {
      const ecs = { ...(readStackConfig("dev")["platform:ecs"] as object), allowedCidrs: ["192.168.0.0/16"] };
      const e = await evaluateStack("dev", { "platform:ecs": ecs });
      const alb = e.get("aws:ec2/securityGroup:SecurityGroup", "ecs-alb");
      assert.deepEqual(alb.inputs.ingress[2], {
        description: "HTTPS from CI runners in the VPC",
        protocol: "tcp",
        fromPort: 443,
        toPort: 443,
        securityGroups: ["ci-runner-sg-id"],
      });
      // An internet-facing ALB sees VPC clients by their NAT address: a security group rule would match nothing.
      assert.equal(
        albSecurityGroupRules(["192.168.0.0/16"], "10.0.0.0/16", {
          publicLoadBalancer: true,
          securityGroupIds: ["sg-1"],
        }).ingress.length,
        2,
      );
    });

    it("is published for later changes (a database admitting the migrations) as the runnerSecurityGroupId output", () => {
      assert.equal(dev.outputs.runnerSecurityGroupId, "ci-runner-sg-id");
    });
  });
});
