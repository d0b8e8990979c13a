import * as aws from "../../lib/aws";
import * as pulumi from "@pulumi/pulumi";
import { planSubnets } from "../../lib/cidr";
import { serviceTrust, policyDocument } from "../../lib/iam";
import { AccountContext, createKmsKey } from "../../lib/kms";
import { physicalName, rolePath } from "../../lib/naming";

export interface NetworkArgs {
  /** VPC CIDR block. @default "10.0.0.0/16" */
  readonly cidr?: string;
  /** Availability zones to span (public + private subnet in each). @default 2 */
  readonly azCount?: number;
  /** One NAT gateway, or one per AZ so an AZ outage does not cut egress elsewhere. @default "single" */
  readonly natGateways?: "single" | "perAz";
  /** Retention of the VPC flow log group, days. @default 365 */
  readonly flowLogRetentionDays?: number;
  /** Account, region and partition for KMS key policies. */
  readonly account: AccountContext;
}

/**
 * A VPC over several AZs: public subnets (ALB, NAT) and private subnets (nodes, tasks), NAT
 * egress, VPC flow logs to an encrypted log group, and a default security group with no rules.
 */
export class Network extends pulumi.ComponentResource {
  public readonly vpcId: pulumi.Output<string>;
  public readonly vpcCidr: string;
  public readonly publicSubnetIds: pulumi.Output<string>[];
  public readonly privateSubnetIds: pulumi.Output<string>[];
  public readonly availabilityZones: pulumi.Output<string>[];

  constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:network:Network", name, {}, opts);
    const child = { parent: this };
    const cidr = args.cidr ?? "10.0.0.0/16";
    const azCount = args.azCount ?? 2;
    const plan = planSubnets(cidr, azCount);
    this.vpcCidr = cidr;

    const zones = aws.getAvailabilityZonesOutput({ state: "available" }, child);
    this.availabilityZones = plan.publicCidrs.map((_, i) => zones.names.apply((names) => names[i]));

    const vpc = new aws.ec2.Vpc(
      `${name}-vpc`,
      { cidrBlock: cidr, enableDnsHostnames: true, enableDnsSupport: true, tags: { Name: `${name}-vpc` } },
      child,
    );
    this.vpcId = vpc.id;

    // The default security group is adopted and emptied so nothing can use it by accident.
    new aws.ec2.DefaultSecurityGroup(`${name}-default-sg`, { vpcId: vpc.id, ingress: [], egress: [] }, child);

    const igw = new aws.ec2.InternetGateway(`${name}-igw`, { vpcId: vpc.id }, child);
    const publicRoutes = new aws.ec2.RouteTable(`${name}-public-rt`, { vpcId: vpc.id }, child);
    new aws.ec2.Route(
      `${name}-public-default`,
      { routeTableId: publicRoutes.id, destinationCidrBlock: "0.0.0.0/0", gatewayId: igw.id },
      child,
    );

    const publicSubnets = plan.publicCidrs.map(
      (subnetCidr, i) =>
        new aws.ec2.Subnet(
          `${name}-public-${i}`,
          {
            vpcId: vpc.id,
            cidrBlock: subnetCidr,
            availabilityZone: this.availabilityZones[i],
            // Public tier hosts only the ALB and NAT gateways, which get addresses explicitly.
            mapPublicIpOnLaunch: false,
            tags: { Name: `${name}-public-${i}`, "kubernetes.io/role/elb": "1" },
          },
          child,
        ),
    );
    publicSubnets.forEach(
      (subnet, i) =>
        new aws.ec2.RouteTableAssociation(
          `${name}-public-${i}`,
          { subnetId: subnet.id, routeTableId: publicRoutes.id },
          child,
        ),
    );

    const natCount = args.natGateways === "perAz" ? azCount : 1;
    const nats = Array.from({ length: natCount }, (_, i) => {
      const eip = new aws.ec2.Eip(`${name}-nat-${i}`, { domain: "vpc" }, child);
      return new aws.ec2.NatGateway(
        `${name}-nat-${i}`,
        { allocationId: eip.id, subnetId: publicSubnets[i].id, tags: { Name: `${name}-nat-${i}` } },
        { parent: this, dependsOn: [igw] },
      );
    });

    const privateSubnets = plan.privateCidrs.map((subnetCidr, i) => {
      const subnet = new aws.ec2.Subnet(
        `${name}-private-${i}`,
        {
          vpcId: vpc.id,
          cidrBlock: subnetCidr,
          availabilityZone: this.availabilityZones[i],
          mapPublicIpOnLaunch: false,
          tags: { Name: `${name}-private-${i}`, "kubernetes.io/role/internal-elb": "1" },
        },
        child,
      );
      const routes = new aws.ec2.RouteTable(`${name}-private-rt-${i}`, { vpcId: vpc.id }, child);
      new aws.ec2.Route(
        `${name}-private-default-${i}`,
        { routeTableId: routes.id, destinationCidrBlock: "0.0.0.0/0", natGatewayId: nats[i % natCount].id },
        child,
      );
      new aws.ec2.RouteTableAssociation(
        `${name}-private-${i}`,
        { subnetId: subnet.id, routeTableId: routes.id },
        child,
      );
      return subnet;
    });
    this.publicSubnetIds = publicSubnets.map((s) => s.id);
    this.privateSubnetIds = privateSubnets.map((s) => s.id);

    const flowLogKey = createKmsKey(
      `${name}-flow-logs`,
      args.account,
      { description: `VPC flow logs of ${name}`, allowCloudWatchLogs: true },
      child,
    );
    const flowLogGroup = new aws.cloudwatch.LogGroup(
      `${name}-flow-logs`,
      {
        name: `/${physicalName(name)}/vpc-flow-logs`,
        retentionInDays: args.flowLogRetentionDays ?? 365,
        kmsKeyId: flowLogKey.arn,
      },
      child,
    );
    const flowLogRole = new aws.iam.Role(
      `${name}-flow-logs`,
      {
        path: rolePath(),
        assumeRolePolicy: serviceTrust("vpc-flow-logs.amazonaws.com", args.account.accountId),
      },
      child,
    );
    new aws.iam.RolePolicy(
      `${name}-flow-logs`,
      {
        role: flowLogRole.id,
        policy: policyDocument([
          {
            Effect: "Allow",
            Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
            Resource: [flowLogGroup.arn, pulumi.interpolate`${flowLogGroup.arn}:*`],
          },
        ]),
      },
      child,
    );
    new aws.ec2.FlowLog(
      `${name}-flow-logs`,
      {
        vpcId: vpc.id,
        trafficType: "ALL",
        logDestinationType: "cloud-watch-logs",
        logDestination: flowLogGroup.arn,
        iamRoleArn: flowLogRole.arn,
      },
      child,
    );

    this.registerOutputs({
      vpcId: this.vpcId,
      publicSubnetIds: this.publicSubnetIds,
      privateSubnetIds: this.privateSubnetIds,
    });
  }
}
