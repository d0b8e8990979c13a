/**
 * AWS CodeBuild-hosted GitHub Actions runners inside the stack's VPC: a CodeBuild project in
 * runner mode (a GitHub webhook on `WORKFLOW_JOB_QUEUED` starts one build per job labelled
 * `codebuild-<project>-<run id>-<run attempt>`, which registers an ephemeral runner for it), in the
 * private subnets behind its own security group. The jobs it runs reach the private EKS endpoint
 * and internal ALBs; the clusters admit its security group (see EksCluster `apiClients`, EcsCluster
 * `httpsClients`).
 */
import { DEPLOY_JOB_TIMEOUT_MINUTES } from "../../config/release-limits";
import * as aws from "../../lib/aws";
import * as pulumi from "@pulumi/pulumi";
import { policyDocument, serviceTrust, Statement } from "../../lib/iam";
import { AccountContext, createKmsKey } from "../../lib/kms";
import { rolePath } from "../../lib/naming";
import { runnerProjectName } from "../../config/runners";

export interface CodeBuildRunnerArgs {
  /** GitHub owner and repository whose workflow jobs the runners take. */
  readonly owner: string;
  readonly repository: string;
  /** CodeConnections connection to GitHub (authorised once in the console). */
  readonly connectionArn: string;
  /** CodeBuild compute type. @default "BUILD_GENERAL1_MEDIUM" */
  readonly computeType?: string;
  /** CodeBuild curated image. @default "aws/codebuild/standard:7.0" */
  readonly image?: string;
  /** Minutes a job may run. @default 60 */
  readonly timeoutMinutes?: number;
  readonly vpcId: pulumi.Input<string>;
  /** CIDR of the VPC: where its DNS resolver answers. */
  readonly vpcCidr: string;
  /** Private subnets (NAT egress) the runners' network interfaces are placed in. */
  readonly privateSubnetIds: pulumi.Input<string>[];
  /** Retention of the runners' build logs, days. */
  readonly logRetentionDays: number;
  readonly account: AccountContext;
}

/**
 * The runners' outbound rules: HTTPS (GitHub, the AWS APIs through the NAT, the private EKS
 * endpoint and internal ALBs in the VPC) and DNS to the VPC resolver. Nothing inbound. They are
 * separate rule resources, not inline, so a later change can add one (a database port for
 * migrations) without the group's inline rules reverting it.
 */
export function planRunnerEgressRules(vpcCidr: string) {
  const dns = (ipProtocol: string) => ({
    name: `dns-${ipProtocol}`,
    description: `DNS (${ipProtocol}) to the VPC resolver`,
    ipProtocol,
    fromPort: 53,
    toPort: 53,
    cidrIpv4: vpcCidr,
  });
  return [
    {
      name: "https",
      description: "HTTPS: GitHub, AWS APIs, the private EKS endpoint and internal ALBs",
      ipProtocol: "tcp",
      fromPort: 443,
      toPort: 443,
      cidrIpv4: "0.0.0.0/0",
    },
    dns("tcp"),
    dns("udp"),
  ];
}

/** What the service role acts on: its log group, its key, the subnets, the connection. */
export interface RunnerRoleScope {
  readonly partition: pulumi.Input<string>;
  readonly accountId: pulumi.Input<string>;
  readonly region: pulumi.Input<string>;
  readonly logGroupArn: pulumi.Input<string>;
  readonly keyArn: pulumi.Input<string>;
  readonly subnetIds: pulumi.Input<string>[];
  /** The runners' security group: the only one their interfaces may be created in. */
  readonly securityGroupId: pulumi.Input<string>;
  readonly connectionArn: string;
}

/** `codeconnections` or `codestar-connections`: the IAM prefix of the connection's own service. */
export function connectionService(connectionArn: string): string {
  return connectionArn.split(":")[2];
}

/** Read-only EC2 calls CodeBuild makes to place a build in a VPC; they have no resource-level permissions. */
export const VPC_DESCRIBE_ACTIONS = [
  "ec2:DescribeDhcpOptions",
  "ec2:DescribeNetworkInterfaces",
  "ec2:DescribeSubnets",
  "ec2:DescribeSecurityGroups",
  "ec2:DescribeVpcs",
];

/**
 * The service role's policy (CodeBuild's documented VPC policy, narrowed): build logs into its own
 * group; the network interfaces of a VPC build, whose permission is granted only to CodeBuild and
 * only in the runner's subnets; its key; and the connection, to fetch the repository and register.
 */
export function planRunnerRoleStatements(s: RunnerRoleScope): Statement[] {
  const service = connectionService(s.connectionArn);
  const ec2 = (resource: pulumi.Input<string>) =>
    pulumi.interpolate`arn:${s.partition}:ec2:${s.region}:${s.accountId}:${resource}`;
  const subnets = s.subnetIds.map((id) => ec2(pulumi.interpolate`subnet/${id}`));
  return [
    {
      Sid: "BuildLogs",
      Effect: "Allow",
      Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
      Resource: [s.logGroupArn, pulumi.interpolate`${s.logGroupArn}:log-stream:*`],
    },
    { Sid: "VpcDescribe", Effect: "Allow", Action: VPC_DESCRIBE_ACTIONS, Resource: "*" },
    {
      // An interface is authorised on itself, its subnet and its security group: the runner's only.
      Sid: "VpcNetworkInterfaces",
      Effect: "Allow",
      Action: "ec2:CreateNetworkInterface",
      Resource: [
        ec2("network-interface/*"),
        ...subnets,
        ec2(pulumi.interpolate`security-group/${s.securityGroupId}`),
      ],
    },
    {
      Sid: "VpcNetworkInterfaceCleanup",
      Effect: "Allow",
      Action: "ec2:DeleteNetworkInterface",
      Resource: ec2("network-interface/*"),
    },
    {
      Sid: "VpcInterfacePermission",
      Effect: "Allow",
      Action: "ec2:CreateNetworkInterfacePermission",
      Resource: ec2("network-interface/*"),
      Condition: {
        StringEquals: { "ec2:AuthorizedService": "codebuild.amazonaws.com", "ec2:Subnet": subnets },
      },
    },
    {
      Sid: "RunnerKey",
      Effect: "Allow",
      Action: ["kms:Decrypt", "kms:GenerateDataKey"],
      Resource: s.keyArn,
    },
    {
      Sid: "GitHubConnection",
      Effect: "Allow",
      Action: [`${service}:UseConnection`, `${service}:GetConnectionToken`],
      Resource: s.connectionArn,
    },
  ];
}

/** The webhook filter: every queued workflow job of the source repository (the label picks the project). */
export const RUNNER_WEBHOOK_FILTER_GROUPS = [
  { filters: [{ type: "EVENT", pattern: "WORKFLOW_JOB_QUEUED" }] },
];

/** The CodeBuild project's settings in runner mode. */
export function planRunnerProject(
  args: Pick<
    CodeBuildRunnerArgs,
    "owner" | "repository" | "connectionArn" | "computeType" | "image" | "timeoutMinutes"
  >,
  projectName: string,
) {
  return {
    name: projectName,
    description: `GitHub Actions runners of ${args.owner}/${args.repository} inside the stack's VPC`,
    buildTimeout: args.timeoutMinutes ?? DEPLOY_JOB_TIMEOUT_MINUTES,
    // A project-level webhook lives in the repository of the source: no organisation scope.
    source: {
      type: "GITHUB",
      location: `https://github.com/${args.owner}/${args.repository}.git`,
      gitCloneDepth: 1,
      auth: { type: "CODECONNECTIONS", resource: args.connectionArn },
    },
    artifacts: { type: "NO_ARTIFACTS" },
    environment: {
      type: "LINUX_CONTAINER",
      computeType: args.computeType ?? "BUILD_GENERAL1_MEDIUM",
      image: args.image ?? "aws/codebuild/standard:7.0",
      imagePullCredentialsType: "CODEBUILD",
      // Jobs build no images here (build-image.yml stays on GitHub-hosted runners).
      privilegedMode: false,
    },
  };
}

export class CodeBuildRunner extends pulumi.ComponentResource {
  /** The CodeBuild project; jobs select it with `codebuild-<projectName>-<run id>-<run attempt>`. */
  public readonly projectName: pulumi.Output<string>;
  /** The runners' security group: what private endpoints admit (and a database may, later). */
  public readonly securityGroupId: pulumi.Output<string>;
  public readonly roleArn: pulumi.Output<string>;

  constructor(name: string, args: CodeBuildRunnerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:ci:CodeBuildRunner", name, {}, opts);
    const parent = { parent: this };
    const { partition, accountId, region } = args.account;
    const projectName = runnerProjectName(pulumi.getStack(), pulumi.getProject());

    const key = createKmsKey(
      `${name}-logs`,
      args.account,
      { description: `Build logs of the CI runners ${projectName}`, allowCloudWatchLogs: true },
      parent,
    );
    const logGroup = new aws.cloudwatch.LogGroup(
      `${name}-logs`,
      { name: `/aws/codebuild/${projectName}`, retentionInDays: args.logRetentionDays, kmsKeyId: key.arn },
      parent,
    );
    // No inline rules: the provider removes the default allow-all egress of a new group.
    const securityGroup = new aws.ec2.SecurityGroup(
      `${name}-sg`,
      { vpcId: args.vpcId, description: `CI runners ${projectName}: no inbound; HTTPS and DNS out` },
      parent,
    );
    const egress = planRunnerEgressRules(args.vpcCidr).map(
      ({ name: rule, ...spec }) =>
        new aws.vpc.SecurityGroupEgressRule(
          `${name}-sg-${rule}`,
          { securityGroupId: securityGroup.id, ...spec },
          parent,
        ),
    );
    const role = new aws.iam.Role(
      `${name}-role`,
      { path: rolePath(), assumeRolePolicy: serviceTrust("codebuild.amazonaws.com", accountId) },
      parent,
    );
    const rolePolicy = new aws.iam.RolePolicy(
      `${name}-role`,
      {
        role: role.name,
        policy: policyDocument(
          planRunnerRoleStatements({
            partition,
            accountId,
            region,
            logGroupArn: logGroup.arn,
            keyArn: key.arn,
            subnetIds: args.privateSubnetIds,
            securityGroupId: securityGroup.id,
            connectionArn: args.connectionArn,
          }),
        ),
      },
      parent,
    );
    // CodeBuild checks the role's VPC permissions when the project is created: policy first.
    const project = new aws.codebuild.Project(
      `${name}-project`,
      {
        ...planRunnerProject(args, projectName),
        serviceRole: role.arn,
        encryptionKey: key.arn,
        logsConfig: {
          cloudwatchLogs: { status: "ENABLED", groupName: logGroup.name },
          s3Logs: { status: "DISABLED" },
        },
        vpcConfig: {
          vpcId: args.vpcId,
          subnets: args.privateSubnetIds,
          securityGroupIds: [securityGroup.id],
        },
      },
      { parent: this, dependsOn: [rolePolicy, ...egress] },
    );
    new aws.codebuild.Webhook(
      `${name}-webhook`,
      { projectName: project.name, buildType: "BUILD", filterGroups: RUNNER_WEBHOOK_FILTER_GROUPS },
      parent,
    );

    this.projectName = project.name;
    this.securityGroupId = securityGroup.id;
    this.roleArn = role.arn;
    this.registerOutputs({
      projectName: this.projectName,
      securityGroupId: this.securityGroupId,
      roleArn: this.roleArn,
    });
  }
}

/** A database the runners migrate: a path on its port to its CIDR or security group. */
export interface RunnerDatabase {
  readonly name: string;
  readonly port: number;
  readonly cidr?: string;
  readonly securityGroupId?: string;
}

/**
 * The runners' paths to the databases the deploy job migrates (db-migrate), exactly as the
 * services reach them: an egress rule on the runners' group per database, and for a database
 * known by security group the ingress rule on that group admitting the runners on its port.
 */
export function createDatabasePaths(
  runner: CodeBuildRunner,
  name: string,
  databases: readonly RunnerDatabase[],
): void {
  const parent = { parent: runner };
  for (const db of databases) {
    const to = db.cidr ? { cidrIpv4: db.cidr } : { referencedSecurityGroupId: db.securityGroupId };
    new aws.vpc.SecurityGroupEgressRule(
      `${name}-sg-${db.name}`,
      {
        securityGroupId: runner.securityGroupId,
        description: `Migrations: ${db.name}`,
        ipProtocol: "tcp",
        fromPort: db.port,
        toPort: db.port,
        ...to,
      },
      parent,
    );
    if (db.securityGroupId)
      new aws.vpc.SecurityGroupIngressRule(
        `${name}-to-${db.name}`,
        {
          securityGroupId: db.securityGroupId,
          referencedSecurityGroupId: runner.securityGroupId,
          description: `${db.name} from the CI runners (migrations)`,
          ipProtocol: "tcp",
          fromPort: db.port,
          toPort: db.port,
        },
        parent,
      );
  }
}
