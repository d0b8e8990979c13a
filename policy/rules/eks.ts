import { opensToInternet } from "../lib/address-coverage";
import { asArray, parseJson, resourceRule, stackRule } from "../lib/rule";

const CLUSTER = "aws:eks/cluster:Cluster";
export const CONTROL_PLANE_LOGS = ["api", "audit", "authenticator", "controllerManager", "scheduler"];

function versionBelow(version: string, minimum: string): boolean {
  const [a, b] = version.split(".").map(Number);
  const [x, y] = minimum.split(".").map(Number);
  return a < x || (a === x && b < y);
}

export const eksRules = [
  resourceRule(
    {
      name: "eks-cluster-enable-private-endpoint",
      types: [CLUSTER],
      anchors: ["CKV_AWS_39", "AVD-AWS-0040", "CP aws-eks-cluster-disallow-api-endpoint-public-access"],
      summary: "The EKS API endpoint is reachable privately from the VPC.",
      severity: "high",
      remediation:
        "Set vpcConfig.endpointPrivateAccess = true (and endpointPublicAccess = false unless CIDRs are listed).",
    },
    (p) =>
      p.vpcConfig?.endpointPrivateAccess === true ? [] : ["vpcConfig.endpointPrivateAccess is not true"],
  ),
  resourceRule(
    {
      name: "eks-cluster-disallow-unrestricted-public-endpoint",
      types: [CLUSTER],
      anchors: ["CKV_AWS_38", "AVD-AWS-0041"],
      summary: "A public EKS endpoint is limited to listed CIDRs, never the whole internet.",
      severity: "critical",
      remediation:
        "Set vpcConfig.endpointPublicAccess = false, or list vpcConfig.publicAccessCidrs without 0.0.0.0/0.",
    },
    (p) => {
      // EKS defaults a public endpoint on, open to 0.0.0.0/0, when these are omitted.
      if (p.vpcConfig?.endpointPublicAccess === false) return [];
      const cidrs = asArray(p.vpcConfig?.publicAccessCidrs);
      if (cidrs.length === 0)
        return ["the public endpoint has no publicAccessCidrs (EKS then allows 0.0.0.0/0)"];
      return opensToInternet(cidrs)
        ? [`publicAccessCidrs ${cidrs.join(", ")} together admit the whole internet`]
        : [];
    },
  ),
  resourceRule(
    {
      name: "eks-cluster-enable-secrets-encryption",
      types: [CLUSTER],
      anchors: ["CKV_AWS_58", "AVD-AWS-0039", "CP aws-eks-cluster-enable-cluster-encryption-config"],
      summary: "Kubernetes Secrets are envelope-encrypted with a KMS key.",
      severity: "high",
      remediation: 'Set encryptionConfig = { provider: { keyArn }, resources: ["secrets"] }.',
    },
    (p) =>
      asArray(p.encryptionConfig?.resources).includes("secrets") && p.encryptionConfig?.provider?.keyArn
        ? []
        : ["encryptionConfig does not encrypt secrets with a KMS key"],
  ),
  resourceRule(
    {
      name: "eks-cluster-enable-control-plane-logs",
      types: [CLUSTER],
      anchors: ["CKV_AWS_37", "AVD-AWS-0038"],
      summary: "All five control-plane log types are shipped to CloudWatch.",
      severity: "medium",
      remediation: `Set enabledClusterLogTypes = ${JSON.stringify(CONTROL_PLANE_LOGS)}.`,
    },
    (p) => {
      const missing = CONTROL_PLANE_LOGS.filter((t) => !asArray(p.enabledClusterLogTypes).includes(t));
      return missing.length ? [`enabledClusterLogTypes lacks ${missing.join(", ")}`] : [];
    },
  ),
  resourceRule(
    {
      name: "eks-cluster-require-supported-version",
      types: [CLUSTER],
      anchors: ["CKV_AWS_339"],
      summary: "EKS runs a supported Kubernetes version.",
      severity: "high",
      remediation: "Upgrade version to the configured minimum or newer.",
      config: {
        minimumVersion: {
          type: "string",
          default: "1.31",
          description: "Oldest allowed Kubernetes minor version.",
        },
      },
    },
    (p, { config }) =>
      typeof p.version !== "string"
        ? ["version is not pinned (EKS would choose one)"]
        : versionBelow(p.version, config.minimumVersion)
          ? [`version ${p.version} is older than ${config.minimumVersion}`]
          : [],
  ),
  resourceRule(
    {
      name: "eks-nodegroup-disallow-open-ssh",
      types: ["aws:eks/nodeGroup:NodeGroup"],
      anchors: ["CKV_AWS_100"],
      summary: "Node group SSH access, if any, is limited to named security groups.",
      severity: "high",
      remediation: "Remove remoteAccess, or set remoteAccess.sourceSecurityGroupIds.",
    },
    (p) =>
      p.remoteAccess?.ec2SshKey && asArray(p.remoteAccess?.sourceSecurityGroupIds).length === 0
        ? ["remoteAccess.ec2SshKey is set without sourceSecurityGroupIds (SSH open to the world)"]
        : [],
  ),
  resourceRule(
    {
      name: "ec2-launchtemplate-require-imdsv2",
      types: ["aws:ec2/launchTemplate:LaunchTemplate"],
      anchors: ["CKV_AWS_79", "CKV_AWS_341", "AVD-AWS-0130"],
      summary: "Instances require IMDSv2 tokens with a hop limit that keeps pods away from node credentials.",
      severity: "high",
      remediation: 'Set metadataOptions = { httpTokens: "required", httpPutResponseHopLimit: 1 }.',
      config: {
        maxHopLimit: { type: "number", default: 1, description: "Highest allowed httpPutResponseHopLimit." },
      },
    },
    (p, { config }) => {
      const m = p.metadataOptions ?? {};
      const out: string[] = [];
      if (m.httpEndpoint !== "disabled" && m.httpTokens !== "required")
        out.push('metadataOptions.httpTokens is not "required"');
      if (
        m.httpEndpoint !== "disabled" &&
        !(typeof m.httpPutResponseHopLimit === "number" && m.httpPutResponseHopLimit <= config.maxHopLimit)
      )
        out.push(
          `metadataOptions.httpPutResponseHopLimit is ${m.httpPutResponseHopLimit ?? "unset"}; at most ${config.maxHopLimit}`,
        );
      return out;
    },
  ),
];

/**
 * Every EKS cluster enforces NetworkPolicies: EKS stores them whatever the CNI, and only the VPC
 * CNI's network policy agent (or another enforcing CNI) applies them. The platform's stacks own
 * the cluster while application stacks carry the policies, so the cluster's stack is judged.
 */
export const networkPolicyEnforcementRules = [
  stackRule(
    {
      name: "eks-cluster-require-network-policy-enforcement",
      anchors: ["DD def-000-y9t", "AWS EKS best practices: network security"],
      summary:
        "Every EKS cluster runs the vpc-cni add-on with enableNetworkPolicy, so the workloads' NetworkPolicies are enforced, not just stored.",
      severity: "high",
      remediation:
        'Add aws.eks.Addon { addonName: "vpc-cni", configurationValues: {"enableNetworkPolicy": "true"} } for the cluster.',
    },
    (resources) => {
      const addons = resources
        .filter((r) => r.type === "aws:eks/addon:Addon" && r.props.addonName === "vpc-cni")
        .filter((r) => String(parseJson(r.props.configurationValues)?.enableNetworkPolicy) === "true");
      // The add-on names its cluster by the cluster's output (unknown in a preview of a new
      // cluster): matched by that input's dependency, or by a known name.
      const enforces = (cluster: (typeof resources)[number]) =>
        addons.some(
          (a) =>
            asArray(a.propertyDependencies?.clusterName).some((d) => d.urn === cluster.urn) ||
            (cluster.props.name !== undefined && a.props.clusterName === cluster.props.name),
        );
      return resources
        .filter((r) => r.type === CLUSTER && !enforces(r))
        .map((r) => ({
          urn: r.urn,
          message: `cluster ${r.props.name ?? r.name} has no vpc-cni add-on with enableNetworkPolicy: its NetworkPolicies are stored, not enforced`,
        }));
    },
  ),
];
