import * as aws from "../../lib/aws";
import * as pulumi from "@pulumi/pulumi";
import { planSubnets } from "../../lib/cidr";
import { serviceTrust, policyDocument, Statement } from "../../lib/iam";
import { AccountContext, createKmsKey } from "../../lib/kms";
import { physicalName, rolePath } from "../../lib/naming";

export interface NetworkArgs {
  /** VPC CIDR block, split into a public and a private subnet per AZ. */
  readonly cidr: string;
  /** Availability zones to span (public + private subnet in each). */
  readonly azCount: number;
  /** One NAT gateway, or one per AZ so an AZ outage does not cut egress elsewhere. */
  readonly natGateways: "single" | "perAz";
  /** Retention of the VPC flow log group, days. */
  readonly flowLogRetentionDays: number;
  /** Account, region and partition for KMS key policies. */
  readonly account: AccountContext;
}

/** Subnet CIDRs per tier and, per private subnet, the index of the NAT gateway it routes through. */
export interface NetworkPlan {
  readonly publicCidrs: string[];
  readonly privateCidrs: string[];
  readonly natCount: number;
  readonly natOfPrivateSubnet: number[];
}

/** The subnets and NAT layout of a VPC (pure). */
export function planNetwork(args: Pick<NetworkArgs, "cidr" | "azCount" | "natGateways">): NetworkPlan {
  const { publicCidrs, privateCidrs } = planSubnets(args.cidr, args.azCount);
  const natCount = args.natGateways === "perAz" ? args.azCount : 1;
  return {
    publicCidrs,
    privateCidrs,
    natCount,
    natOfPrivateSubnet: privateCidrs.map((_, i) => i % natCount),
  };
}

/**
 * The fixed inputs of a subnet: no subnet maps public IPs on launch (the public tier hosts only
 * the ALB and NAT gateways, which get addresses explicitly); tags mark the tier for load balancers.
 */
export function subnetSettings(name: string, tier: "public" | "private", index: number, cidr: string) {
  return {
    cidrBlock: cidr,
    mapPublicIpOnLaunch: false,
    tags: {
      Name: `${name}-${tier}-${index}`,
      [tier === "public" ? "kubernetes.io/role/elb" : "kubernetes.io/role/internal-elb"]: "1",
    },
  };
}

/** Flow logs capture all traffic (accepted and rejected) to CloudWatch Logs. */
export const FLOW_LOG_SETTINGS = { trafficType: "ALL", logDestinationType: "cloud-watch-logs" } as const;

/** What the flow-log service role may do: write to its own log group only. */
export function flowLogRoleStatements(logGroupArn: pulumi.Input<string>): Statement[] {
  return [
    {
      Effect: "Allow",
      Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
      Resource: [logGroupArn, pulumi.interpolate`${logGroupArn}:*`],
    },
  ];
}

/** The VPC and its default security group, adopted and emptied so nothing can use it by accident. */
export function createVpc(name: string, cidr: string, parent: pulumi.Resource): aws.ec2.Vpc {
  const vpc = new aws.ec2.Vpc(
    `${name}-vpc`,
    { cidrBlock: cidr, enableDnsHostnames: true, enableDnsSupport: true, tags: { Name: `${name}-vpc` } },
    { parent },
  );
  new aws.ec2.DefaultSecurityGroup(
    `${name}-default-sg`,
    { vpcId: vpc.id, ingress: [], egress: [] },
    { parent },
  );
  return vpc;
}

/** Public subnets routed to an internet gateway, and the NAT gateways in the first of them. */
export function createPublicTier(
  name: string,
  vpc: aws.ec2.Vpc,
  plan: NetworkPlan,
  zones: pulumi.Input<string>[],
  parent: pulumi.Resource,
): { subnets: aws.ec2.Subnet[]; nats: aws.ec2.NatGateway[] } {
  const igw = new aws.ec2.InternetGateway(`${name}-igw`, { vpcId: vpc.id }, { parent });
  const routes = new aws.ec2.RouteTable(`${name}-public-rt`, { vpcId: vpc.id }, { parent });
  new aws.ec2.Route(
    `${name}-public-default`,
    { routeTableId: routes.id, destinationCidrBlock: "0.0.0.0/0", gatewayId: igw.id },
    { parent },
  );
  const subnets = plan.publicCidrs.map(
    (cidr, i) =>
      new aws.ec2.Subnet(
        `${name}-public-${i}`,
        { vpcId: vpc.id, availabilityZone: zones[i], ...subnetSettings(name, "public", i, cidr) },
        { parent },
      ),
  );
  subnets.forEach(
    (subnet, i) =>
      new aws.ec2.RouteTableAssociation(
        `${name}-public-${i}`,
        { subnetId: subnet.id, routeTableId: routes.id },
        { parent },
      ),
  );
  const nats = Array.from({ length: plan.natCount }, (_, i) => {
    const eip = new aws.ec2.Eip(`${name}-nat-${i}`, { domain: "vpc" }, { parent });
    return new aws.ec2.NatGateway(
      `${name}-nat-${i}`,
      { allocationId: eip.id, subnetId: subnets[i].id, tags: { Name: `${name}-nat-${i}` } },
      { parent, dependsOn: [igw] },
    );
  });
  return { subnets, nats };
}

/** Private subnets, each with its own route table whose default route is its planned NAT gateway. */
export function createPrivateTier(
  name: string,
  vpc: aws.ec2.Vpc,
  plan: NetworkPlan,
  zones: pulumi.Input<string>[],
  nats: aws.ec2.NatGateway[],
  parent: pulumi.Resource,
): aws.ec2.Subnet[] {
  return plan.privateCidrs.map((cidr, i) => {
    const subnet = new aws.ec2.Subnet(
      `${name}-private-${i}`,
      { vpcId: vpc.id, availabilityZone: zones[i], ...subnetSettings(name, "private", i, cidr) },
      { parent },
    );
    const routes = new aws.ec2.RouteTable(`${name}-private-rt-${i}`, { vpcId: vpc.id }, { parent });
    new aws.ec2.Route(
      `${name}-private-default-${i}`,
      {
        routeTableId: routes.id,
        destinationCidrBlock: "0.0.0.0/0",
        natGatewayId: nats[plan.natOfPrivateSubnet[i]].id,
      },
      { parent },
    );
    new aws.ec2.RouteTableAssociation(
      `${name}-private-${i}`,
      { subnetId: subnet.id, routeTableId: routes.id },
      { parent },
    );
    return subnet;
  });
}

/** VPC flow logs of all traffic to a KMS-encrypted log group, written by a role scoped to it. */
export function createFlowLogs(
  name: string,
  vpcId: pulumi.Input<string>,
  retentionDays: number,
  account: AccountContext,
  parent: pulumi.Resource,
): aws.ec2.FlowLog {
  const key = createKmsKey(
    `${name}-flow-logs`,
    account,
    { description: `VPC flow logs of ${name}`, allowCloudWatchLogs: true },
    { parent },
  );
  const group = new aws.cloudwatch.LogGroup(
    `${name}-flow-logs`,
    { name: `/${physicalName(name)}/vpc-flow-logs`, retentionInDays: retentionDays, kmsKeyId: key.arn },
    { parent },
  );
  const role = new aws.iam.Role(
    `${name}-flow-logs`,
    { path: rolePath(), assumeRolePolicy: serviceTrust("vpc-flow-logs.amazonaws.com", account.accountId) },
    { parent },
  );
  new aws.iam.RolePolicy(
    `${name}-flow-logs`,
    { role: role.id, policy: policyDocument(flowLogRoleStatements(group.arn)) },
    { parent },
  );
  return new aws.ec2.FlowLog(
    `${name}-flow-logs`,
    { vpcId, ...FLOW_LOG_SETTINGS, logDestination: group.arn, iamRoleArn: role.arn },
    { parent },
  );
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
    const plan = planNetwork(args);
    this.vpcCidr = args.cidr;

    const zones = aws.getAvailabilityZonesOutput({ state: "available" }, { parent: this });
    // The config checks azCount against the region's zones; an account seeing fewer (a zone
    // withheld from it) fails here, by name, rather than placing two subnets in one zone.
    this.availabilityZones = plan.publicCidrs.map((_, i) =>
      zones.names.apply((names) => {
        if (i >= names.length)
          throw new Error(
            `network.azCount is ${plan.publicCidrs.length}, but the region offers this account ${names.length} zones (${names.join(", ")})`,
          );
        return names[i];
      }),
    );

    const vpc = createVpc(name, args.cidr, this);
    this.vpcId = vpc.id;
    const publicTier = createPublicTier(name, vpc, plan, this.availabilityZones, this);
    const privateSubnets = createPrivateTier(name, vpc, plan, this.availabilityZones, publicTier.nats, this);
    this.publicSubnetIds = publicTier.subnets.map((s) => s.id);
    this.privateSubnetIds = privateSubnets.map((s) => s.id);
    createFlowLogs(name, vpc.id, args.flowLogRetentionDays, args.account, this);

    this.registerOutputs({
      vpcId: this.vpcId,
      publicSubnetIds: this.publicSubnetIds,
      privateSubnetIds: this.privateSubnetIds,
    });
  }
}
