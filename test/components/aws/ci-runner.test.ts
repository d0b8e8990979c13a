import { strict as assert } from "assert";
import { Evaluation, MOCK_ACCOUNT, mockKeyArn } from "../../../dev/harness/evaluate";
import { evaluateStack } from "../../../dev/harness/program";
import { connectionService } from "../../../src/components/aws/ci-runner";
import { decide, Decision, IamRequest, Scene } from "../../helpers/iam-requests";
import { committedStack } from "../../helpers/stacks";

const CONNECTION =
  "arn:aws:codeconnections:eu-west-1:111111111111:connection/c0de0000-1111-4c0d-8e00-000000000001";
const SUBNETS = ["network-private-0-id", "network-private-1-id"];
const LOG_GROUP = `arn:aws:logs:eu-west-1:${MOCK_ACCOUNT}:log-group:/aws/codebuild/platform-dev-runner`;
const SCENE: Scene = {
  bucket: "none",
  region: "eu-west-1",
  account: MOCK_ACCOUNT,
  bucketKeyArn: "",
  keys: {},
};

describe("component CodeBuildRunner", function () {
  this.timeout(60000);
  let dev: Evaluation;
  before(async () => {
    dev = await committedStack("dev");
  });

  it("is a CodeBuild project in runner mode for the stack's repository, through its connection", () => {
    const project = dev.get("aws:codebuild/project:Project", "ci-runner-project");
    assert.equal(project.inputs.name, "platform-dev-runner");
    assert.deepEqual(project.inputs.source, {
      type: "GITHUB",
      location: "https://github.com/acme-shop/shop.git",
      gitCloneDepth: 1,
      auth: { type: "CODECONNECTIONS", resource: CONNECTION },
    });
    assert.deepEqual(project.inputs.artifacts, { type: "NO_ARTIFACTS" });
    assert.deepEqual(project.inputs.environment, {
      type: "LINUX_CONTAINER",
      computeType: "BUILD_GENERAL1_MEDIUM",
      image: "aws/codebuild/standard:7.0",
      imagePullCredentialsType: "CODEBUILD",
      privilegedMode: false,
    });
    assert.equal(project.inputs.buildTimeout, 60);
    // The mocks name a role's ARN after its logical name.
    assert.equal(project.inputs.serviceRole, `arn:aws:iam:eu-west-1:${MOCK_ACCOUNT}:ci-runner-role`);
  });

  it("starts a runner for every queued workflow job of the repository", () => {
    const webhook = dev.get("aws:codebuild/webhook:Webhook", "ci-runner-webhook");
    assert.equal(webhook.inputs.projectName, "platform-dev-runner");
    assert.equal(webhook.inputs.buildType, "BUILD");
    assert.deepEqual(webhook.inputs.filterGroups, [
      { filters: [{ type: "EVENT", pattern: "WORKFLOW_JOB_QUEUED" }] },
    ]);
  });

  it("runs in the private subnets behind its own security group, which admits nothing and sends only HTTPS and DNS", () => {
    const project = dev.get("aws:codebuild/project:Project", "ci-runner-project");
    const sg = dev.get("aws:ec2/securityGroup:SecurityGroup", "ci-runner-sg");
    assert.deepEqual(project.inputs.vpcConfig, {
      vpcId: "network-vpc-id",
      subnets: SUBNETS,
      securityGroupIds: ["ci-runner-sg-id"],
    });
    // No inline rules (the provider drops a new group's default egress), so later rules can be added.
    assert.deepEqual([sg.inputs.ingress, sg.inputs.egress], [undefined, undefined]);
    assert.deepEqual(
      dev.resources.filter(
        (r) =>
          r.type === "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule" &&
          r.inputs.securityGroupId === "ci-runner-sg-id",
      ),
      [],
    );
    assert.deepEqual(
      dev.resources
        .filter((r) => r.type === "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule")
        // The paths to the databases services migrate: test/stack/dependencies.test.ts.
        .filter((r) => !r.inputs.description?.startsWith("Migrations"))
        .map((r) => [
          r.name,
          r.inputs.securityGroupId,
          r.inputs.ipProtocol,
          r.inputs.fromPort,
          r.inputs.toPort,
          r.inputs.cidrIpv4,
        ]),
      [
        ["ci-runner-sg-https", "ci-runner-sg-id", "tcp", 443, 443, "0.0.0.0/0"],
        ["ci-runner-sg-dns-tcp", "ci-runner-sg-id", "tcp", 53, 53, "10.10.0.0/16"],
        ["ci-runner-sg-dns-udp", "ci-runner-sg-id", "udp", 53, 53, "10.10.0.0/16"],
      ],
    );
  });

  it("logs to its own KMS-encrypted group kept for the stack's retention, and encrypts with that key", () => {
    const group = dev.get("aws:cloudwatch/logGroup:LogGroup", "ci-runner-logs");
    assert.equal(group.inputs.name, "/aws/codebuild/platform-dev-runner");
    assert.equal(group.inputs.retentionInDays, 30);
    assert.equal(group.inputs.kmsKeyId, mockKeyArn("ci-runner-logs"));
    const project = dev.get("aws:codebuild/project:Project", "ci-runner-project");
    assert.equal(project.inputs.encryptionKey, mockKeyArn("ci-runner-logs"));
    assert.deepEqual(project.inputs.logsConfig, {
      cloudwatchLogs: { status: "ENABLED", groupName: "/aws/codebuild/platform-dev-runner" },
      s3Logs: { status: "DISABLED" },
    });
  });

  it("creates the project after the role's policy, which CodeBuild checks for VPC access at creation", () => {
    const project = dev.get("aws:codebuild/project:Project", "ci-runner-project");
    assert.ok(project.dependencies.includes(dev.get("aws:iam/rolePolicy:RolePolicy", "ci-runner-role").urn));
  });

  it("takes its CodeConnections actions from the connection's own service prefix", () => {
    assert.equal(connectionService(CONNECTION), "codeconnections");
    assert.equal(
      connectionService("arn:aws:codestar-connections:eu-west-1:111111111111:connection/x"),
      "codestar-connections",
    );
  });

  describe("its service role, evaluated by the IAM simulator", () => {
    let identity: object;
    let keyPolicy: object;
    before(() => {
      const role = dev.get("aws:iam/role:Role", "ci-runner-role");
      assert.equal(role.inputs.path, "/platform/dev/");
      assert.deepEqual(JSON.parse(role.inputs.assumeRolePolicy).Statement[0].Principal, {
        Service: "codebuild.amazonaws.com",
      });
      identity = JSON.parse(dev.get("aws:iam/rolePolicy:RolePolicy", "ci-runner-role").inputs.policy);
      keyPolicy = JSON.parse(dev.get("aws:kms/key:Key", "ci-runner-logs").inputs.policy);
    });

    const ask = (
      action: string,
      resource: string,
      context: Record<string, string> = {},
    ): Promise<Decision> => {
      const request: IamRequest = { action, resource, context, sent: action };
      return decide(request, { identity, keyPolicies: { [mockKeyArn("ci-runner-logs")]: keyPolicy } }, SCENE);
    };
    const eni = `arn:aws:ec2:eu-west-1:${MOCK_ACCOUNT}:network-interface/eni-0123`;
    const subnet = (id: string) => `arn:aws:ec2:eu-west-1:${MOCK_ACCOUNT}:subnet/${id}`;

    it("writes build logs into its own group only", async () => {
      assert.equal(await ask("logs:PutLogEvents", `${LOG_GROUP}:log-stream:build-1`), "Allowed");
      assert.equal(await ask("logs:CreateLogStream", `${LOG_GROUP}:log-stream:build-1`), "Allowed");
      assert.equal(
        await ask(
          "logs:PutLogEvents",
          `arn:aws:logs:eu-west-1:${MOCK_ACCOUNT}:log-group:/other:log-stream:x`,
        ),
        "ImplicitlyDenied",
      );
    });

    it("lets CodeBuild attach network interfaces in the runner's subnets, and nowhere else", async () => {
      const granted = {
        "ec2:AuthorizedService": "codebuild.amazonaws.com",
        "ec2:Subnet": subnet(SUBNETS[0]),
      };
      assert.equal(await ask("ec2:CreateNetworkInterfacePermission", eni, granted), "Allowed");
      assert.equal(
        await ask("ec2:CreateNetworkInterfacePermission", eni, {
          ...granted,
          "ec2:Subnet": subnet("subnet-public"),
        }),
        "ImplicitlyDenied",
      );
      assert.equal(
        await ask("ec2:CreateNetworkInterfacePermission", eni, {
          ...granted,
          "ec2:AuthorizedService": "lambda.amazonaws.com",
        }),
        "ImplicitlyDenied",
      );
      assert.equal(await ask("ec2:CreateNetworkInterface", eni), "Allowed");
      assert.equal(await ask("ec2:CreateNetworkInterface", subnet(SUBNETS[1])), "Allowed");
      assert.equal(await ask("ec2:CreateNetworkInterface", subnet("subnet-public")), "ImplicitlyDenied");
      assert.equal(
        await ask(
          "ec2:CreateNetworkInterface",
          `arn:aws:ec2:eu-west-1:${MOCK_ACCOUNT}:security-group/ci-runner-sg-id`,
        ),
        "Allowed",
      );
      assert.equal(
        await ask(
          "ec2:CreateNetworkInterface",
          `arn:aws:ec2:eu-west-1:${MOCK_ACCOUNT}:security-group/sg-other`,
        ),
        "ImplicitlyDenied",
      );
      assert.equal(await ask("ec2:DeleteNetworkInterface", eni), "Allowed");
      assert.equal(await ask("ec2:DescribeSubnets", "*"), "Allowed");
    });

    it("uses the configured connection, and no other", async () => {
      assert.equal(await ask("codeconnections:UseConnection", CONNECTION), "Allowed");
      assert.equal(await ask("codeconnections:GetConnectionToken", CONNECTION), "Allowed");
      assert.equal(
        await ask("codeconnections:UseConnection", CONNECTION.replace(/0001$/, "0009")),
        "ImplicitlyDenied",
      );
    });

    it("decrypts with its own key and touches nothing the jobs themselves do", async () => {
      assert.equal(await ask("kms:GenerateDataKey", mockKeyArn("ci-runner-logs")), "Allowed");
      for (const [action, resource] of [
        ["eks:DescribeCluster", `arn:aws:eks:eu-west-1:${MOCK_ACCOUNT}:cluster/platform-dev-eks`],
        ["iam:PassRole", `arn:aws:iam::${MOCK_ACCOUNT}:role/platform-ci/ci-deploy-abc`],
        ["sts:AssumeRole", `arn:aws:iam::${MOCK_ACCOUNT}:role/platform-ci/ci-deploy-abc`],
        ["s3:GetObject", "arn:aws:s3:::platform-state-111111111111-eu-west-1/x"],
      ])
        assert.equal(await ask(action, resource), "ImplicitlyDenied", action);
    });
  });

  it("is not created for a stack whose runners are its own (self-hosted)", async () => {
    const e = await evaluateStack("dev", {
      "platform:ci": { runner: { kind: "self-hosted", labels: ["vpc-dev"] } },
    });
    assert.deepEqual(
      e.resources.filter(
        (r) => r.type.startsWith("aws:codebuild") || r.type === "platform:ci:CodeBuildRunner",
      ),
      [],
    );
    assert.equal(e.outputs.runnerSecurityGroupId, null);
  });
});
