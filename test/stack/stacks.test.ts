import { strict as assert } from "assert";
import { Evaluation } from "../../dev/harness/evaluate";
import { committedStack } from "../helpers/stacks";
import { evaluateApplicationStack, evaluatePlatformStack } from "../../dev/harness/program";

const count = (e: Evaluation, type: string) => e.ofType(type).length;

describe("stacks under mocks", function () {
  this.timeout(60000);
  const evaluations: Record<string, Evaluation> = {};
  before(async () => {
    for (const stack of ["dev", "staging", "production", "local"])
      evaluations[stack] = await committedStack(stack);
  });

  it("dev spans two AZs with one NAT gateway", () => {
    const dev = evaluations.dev;
    assert.equal(count(dev, "aws:ec2/subnet:Subnet"), 4);
    assert.equal(count(dev, "aws:ec2/natGateway:NatGateway"), 1);
  });

  it("staging spans two AZs with a NAT gateway in each", () => {
    assert.equal(count(evaluations.staging, "aws:ec2/subnet:Subnet"), 4);
    assert.equal(count(evaluations.staging, "aws:ec2/natGateway:NatGateway"), 2);
  });

  it("production spans three AZs with a NAT gateway in each", () => {
    const prod = evaluations.production;
    assert.equal(count(prod, "aws:ec2/subnet:Subnet"), 6);
    assert.equal(count(prod, "aws:ec2/natGateway:NatGateway"), 3);
    const zones = prod.ofType("aws:ec2/subnet:Subnet").map((s) => s.inputs.availabilityZone);
    assert.deepEqual([...new Set(zones)].sort(), ["eu-west-1a", "eu-west-1b", "eu-west-1c"]);
  });

  it("production protects the EKS and ECS clusters and the ECR repositories; dev protects only the GitHub repository it owns", () => {
    const protectedTypes = (e: Evaluation) =>
      [...new Set(e.resources.filter((r) => r.protect).map((r) => r.type))].sort();
    assert.deepEqual(protectedTypes(evaluations.production), [
      "aws:ecr/repository:Repository",
      "aws:ecs/cluster:Cluster",
      "aws:eks/cluster:Cluster",
    ]);
    assert.deepEqual(protectedTypes(evaluations.dev), ["github:index/repository:Repository"]);
    assert.equal(
      evaluations.production.get("aws:lb/loadBalancer:LoadBalancer", "ecs-alb").inputs
        .enableDeletionProtection,
      true,
    );
  });

  it("every stack creates one ECR repository and lifecycle policy per service", () => {
    for (const stack of ["dev", "staging", "production"]) {
      assert.equal(count(evaluations[stack], "aws:ecr/repository:Repository"), 4, stack);
      assert.equal(count(evaluations[stack], "aws:ecr/lifecyclePolicy:LifecyclePolicy"), 4, stack);
    }
  });

  it("production lets only the named DR account pull images", () => {
    const policy = JSON.parse(
      evaluations.production.get("aws:ecr/repositoryPolicy:RepositoryPolicy", "registry-api-pull").inputs
        .policy,
    );
    assert.deepEqual(policy.Statement[0].Principal, { AWS: ["arn:aws:iam::444444444444:root"] });
    assert.equal(count(evaluations.dev, "aws:ecr/repositoryPolicy:RepositoryPolicy"), 0);
  });

  it("the local stack and its application stacks create Kubernetes resources only, through the kubeconfig provider", async () => {
    const local = await evaluatePlatformStack("local");
    const types = (e: Evaluation) => [...new Set(e.resources.map((r) => r.type.split(":")[0]))].sort();
    assert.deepEqual(types(local), ["platform", "pulumi"]);
    assert.equal(
      local.get("pulumi:providers:kubernetes", "kubernetes").inputs.kubeconfig,
      "./.local/kubeconfig",
    );
    for (const stack of ["shop-local", "storefront-local"]) {
      const { application } = await evaluateApplicationStack(stack);
      assert.deepEqual(types(application), ["kubernetes", "platform", "pulumi"]);
      // The kubeconfig the platform's contract carries (the file's contents, or its path when absent).
      assert.ok(application.get("pulumi:providers:kubernetes", "kubernetes").inputs.kubeconfig);
    }
    assert.deepEqual(local.outputs.registryUrls, {
      api: "ghcr.io/example-org/api",
      web: "ghcr.io/example-org/web",
      orders: "ghcr.io/example-org/orders",
    });
  });

  it("parents every child resource to a component named after it", () => {
    const dev = evaluations.dev;
    const orphans = dev.resources.filter(
      (r) => r.custom && !r.type.startsWith("pulumi:providers:") && !(r.parent ?? "").includes("::platform:"),
    );
    assert.deepEqual(
      orphans.map((r) => `${r.type} ${r.name}`),
      [],
    );
    for (const r of dev.resources.filter((x) => x.parent?.includes("::platform:"))) {
      const parentName = r.parent!.split("::").pop()!;
      assert.ok(r.name.startsWith(parentName), `${r.name} is named from its parent ${parentName}`);
    }
  });

  it("tags every AWS resource with the stack through the provider's default tags", () => {
    const provider = evaluations.staging.get("pulumi:providers:aws", "aws");
    const tags = JSON.parse(provider.inputs.defaultTags).tags;
    assert.deepEqual(tags, {
      "platform:stack": "staging",
      "platform:environment": "staging",
      team: "platform",
      "cost-center": "staging",
    });
  });
});
