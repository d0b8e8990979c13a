import { opensToInternet } from "../lib/address-coverage";
import { asArray, resourceRule, stackRule } from "../lib/rule";

const SG = "aws:ec2/securityGroup:SecurityGroup";
const SG_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule";
const SG_INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";

interface Ingress {
  readonly from: number;
  readonly to: number;
  readonly protocol: string;
  readonly open: boolean;
  readonly description?: string;
}

/** Ingress rules of any of the three shapes, normalised. */
function ingressOf(type: string, p: any): Ingress[] {
  const norm = (r: any, cidrs: unknown[]): Ingress => ({
    from: Number(r?.fromPort ?? 0),
    to: Number(r?.toPort ?? 65535),
    protocol: String(r?.protocol ?? r?.ipProtocol ?? "-1"),
    // By coverage: 0.0.0.0/1 with 128.0.0.0/1 is as open as 0.0.0.0/0.
    open: opensToInternet(cidrs),
    description: r?.description,
  });
  if (type === SG)
    return asArray(p.ingress).map((r: any) =>
      norm(r, [...asArray(r?.cidrBlocks), ...asArray(r?.ipv6CidrBlocks)]),
    );
  if (type === SG_RULE)
    return p.type === "ingress" ? [norm(p, [...asArray(p.cidrBlocks), ...asArray(p.ipv6CidrBlocks)])] : [];
  return [norm(p, [p.cidrIpv4, p.cidrIpv6])];
}
const allPorts = (r: Ingress) => r.protocol === "-1" || r.protocol === "all";
const covers = (r: Ingress, port: number) => allPorts(r) || (r.from <= port && port <= r.to);

export const networkRules = [
  resourceRule(
    {
      name: "ec2-securitygroup-disallow-public-admin-ports",
      types: [SG, SG_RULE, SG_INGRESS],
      anchors: ["CKV_AWS_24", "CKV_AWS_25", "AVD-AWS-0107"],
      summary: "SSH (22) and RDP (3389) are never open to 0.0.0.0/0 or ::/0.",
      severity: "critical",
      remediation: "Remove the rule; use SSM Session Manager or a bastion reachable from named networks.",
    },
    (p, { type }) =>
      ingressOf(type, p)
        .filter((r) => r.open)
        .flatMap((r) =>
          [22, 3389].filter((port) => covers(r, port)).map((port) => `port ${port} is open to the internet`),
        ),
  ),
  resourceRule(
    {
      name: "ec2-securitygroup-disallow-public-ingress",
      types: [SG, SG_RULE, SG_INGRESS],
      anchors: ["CKV_AWS_277", "CKV_AWS_260", "CP aws-ec2-securitygroup-disallow-public-internet-ingress"],
      summary: "Internet ingress is allowed only on the allow-listed ports (HTTPS, and HTTP that redirects).",
      severity: "high",
      remediation: "Restrict cidrBlocks to known networks, or serve through the ALB on an allowed port.",
      config: {
        allowedPorts: {
          type: "array",
          items: { type: "number" },
          default: [443, 80],
          description: "Ports that may be open to the internet.",
        },
      },
    },
    (p, { type, config }) =>
      ingressOf(type, p)
        .filter((r) => r.open)
        .filter((r) => allPorts(r) || r.from !== r.to || !config.allowedPorts.includes(r.from))
        .map((r) =>
          allPorts(r)
            ? "all ports are open to the internet"
            : `ports ${r.from}-${r.to} are open to the internet`,
        ),
  ),
  resourceRule(
    {
      name: "ec2-securitygroup-require-descriptions",
      types: [SG, SG_RULE, SG_INGRESS],
      anchors: ["CKV_AWS_23", "AVD-AWS-0099", "AVD-AWS-0124"],
      summary: "Security groups and their rules say what they are for.",
      severity: "low",
      remediation: "Set description on the group and on each rule.",
    },
    (p, { type }) => [
      ...(type === SG && !p.description ? ["the security group has no description"] : []),
      ...ingressOf(type, p)
        .filter((r) => !r.description)
        .map((r) => `ingress ${r.from}-${r.to} has no description`),
    ],
  ),
  resourceRule(
    {
      name: "ec2-defaultsecuritygroup-deny-all",
      types: ["aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"],
      anchors: ["CKV2_AWS_12", "AVD-AWS-0173"],
      summary: "The VPC's default security group allows nothing.",
      severity: "medium",
      remediation: "Manage the default security group with empty ingress and egress.",
    },
    (p) =>
      asArray(p.ingress).length + asArray(p.egress).length > 0
        ? ["the default security group has rules"]
        : [],
  ),
  resourceRule(
    {
      name: "ec2-subnet-disallow-public-ip-on-launch",
      types: ["aws:ec2/subnet:Subnet"],
      anchors: ["CKV_AWS_130", "AVD-AWS-0164"],
      summary: "Subnets do not give instances public IPs automatically.",
      severity: "medium",
      remediation: "Set mapPublicIpOnLaunch = false; attach public addresses explicitly where needed.",
    },
    (p) => (p.mapPublicIpOnLaunch === true ? ["mapPublicIpOnLaunch is true"] : []),
  ),
  resourceRule(
    {
      name: "ec2-defaultvpc-disallow",
      types: ["aws:ec2/defaultVpc:DefaultVpc"],
      anchors: ["CKV_AWS_148", "AVD-AWS-0101"],
      summary: "Workloads do not use the default VPC.",
      severity: "medium",
      remediation: "Create a dedicated VPC (components/network.ts).",
    },
    () => ["manages the default VPC"],
  ),
  stackRule(
    {
      name: "ec2-vpc-missing-flow-logs",
      anchors: ["CKV2_AWS_11"],
      summary: "Every VPC has flow logs.",
      severity: "medium",
      remediation: "Add an aws.ec2.FlowLog with vpcId of the VPC.",
    },
    (resources) => {
      const flowVpcs = new Set(
        resources
          .filter((r) => r.type === "aws:ec2/flowLog:FlowLog")
          .flatMap((r) => [String(r.props.vpcId), ...r.dependencies.map((d) => d.urn)]),
      );
      return resources
        .filter((r) => r.type === "aws:ec2/vpc:Vpc" && !flowVpcs.has(r.urn))
        .map((r) => ({ urn: r.urn, message: `VPC ${r.name} has no flow log` }));
    },
  ),
];
