/**
 * What AWS has, as data: its regions with the availability zones an account can use in each, and
 * the EC2 instance shapes a node group may use. The AWS provider does not check a region (it skips
 * region validation by default) and a VPC asked for more zones than its region has would get
 * fewer, or fail at apply; an unknown instance type fails when EKS creates the node group.
 */

/**
 * Region → availability zones open to a new account ("Regions and Availability Zones", AWS
 * General Reference; `aws ec2 describe-availability-zones --filters Name=zone-type,Values=availability-zone`).
 * Where a region has a zone new accounts cannot use (us-west-1, ap-northeast-1), the count is the
 * usable one. Opt-in regions are listed: enabling one is the account owner's step, not the stack's.
 */
export const AWS_REGION_ZONES: Readonly<Record<string, number>> = {
  "us-east-1": 6,
  "us-east-2": 3,
  "us-west-1": 2,
  "us-west-2": 4,
  "af-south-1": 3,
  "ap-east-1": 3,
  "ap-east-2": 3,
  "ap-south-1": 3,
  "ap-south-2": 3,
  "ap-southeast-1": 3,
  "ap-southeast-2": 3,
  "ap-southeast-3": 3,
  "ap-southeast-4": 3,
  "ap-southeast-5": 3,
  "ap-southeast-7": 3,
  "ap-northeast-1": 3,
  "ap-northeast-2": 4,
  "ap-northeast-3": 3,
  "ca-central-1": 3,
  "ca-west-1": 3,
  "eu-central-1": 3,
  "eu-central-2": 3,
  "eu-west-1": 3,
  "eu-west-2": 3,
  "eu-west-3": 3,
  "eu-south-1": 3,
  "eu-south-2": 3,
  "eu-north-1": 3,
  "il-central-1": 3,
  "me-south-1": 3,
  "me-central-1": 3,
  "mx-central-1": 3,
  "sa-east-1": 3,
  "us-gov-west-1": 3,
  "us-gov-east-1": 3,
  "cn-north-1": 3,
  "cn-northwest-1": 3,
};

/** The zones of a region, or undefined for a name AWS does not have. */
export function zonesOf(region: string): number | undefined {
  return Object.hasOwn(AWS_REGION_ZONES, region) ? AWS_REGION_ZONES[region] : undefined;
}

/**
 * Memory per vCPU (GiB) of the current-generation EC2 families a node group may use ("Amazon EC2
 * instance types", Instance Types guide): general purpose 4, compute optimised 2, memory optimised
 * 8. Burstable `t` families are sized per instance below. A family outside this table is refused:
 * a typo there surfaces only when EKS creates the node group.
 */
export const INSTANCE_FAMILY_GIB_PER_VCPU: Readonly<Record<string, number>> = {
  m5: 4,
  m5a: 4,
  m5n: 4,
  m6a: 4,
  m6g: 4,
  m6i: 4,
  m7a: 4,
  m7g: 4,
  m7i: 4,
  "m7i-flex": 4,
  m8g: 4,
  c5: 2,
  c5a: 2,
  c5n: 2.625,
  c6a: 2,
  c6g: 2,
  c6i: 2,
  c7a: 2,
  c7g: 2,
  c7i: 2,
  c8g: 2,
  r5: 8,
  r5a: 8,
  r6a: 8,
  r6g: 8,
  r6i: 8,
  r7a: 8,
  r7g: 8,
  r7i: 8,
  r8g: 8,
};

/** vCPUs by size ("large" 2, "xlarge" 4, "Nxlarge" 4N); `metal` and `medium` vary by family and are left out. */
const VCPUS_BY_SIZE: Readonly<Record<string, number>> = {
  large: 2,
  xlarge: 4,
  "2xlarge": 8,
  "4xlarge": 16,
  "8xlarge": 32,
  "12xlarge": 48,
  "16xlarge": 64,
  "24xlarge": 96,
  "32xlarge": 128,
  "48xlarge": 192,
};

/** Burstable instances: vCPUs and GiB per size (t3, t3a and t4g share them). */
const BURSTABLE_SIZES: Readonly<Record<string, { vcpus: number; gib: number }>> = {
  medium: { vcpus: 2, gib: 4 },
  large: { vcpus: 2, gib: 8 },
  xlarge: { vcpus: 4, gib: 16 },
  "2xlarge": { vcpus: 8, gib: 32 },
};
const BURSTABLE_FAMILIES = ["t3", "t3a", "t4g"];

export interface InstanceShape {
  readonly vcpus: number;
  readonly memoryMiB: number;
}

/** The vCPUs and memory of an instance type, or undefined for one this table does not know. */
export function instanceShape(type: string): InstanceShape | undefined {
  const [family, size] = type.split(".");
  if (BURSTABLE_FAMILIES.includes(family)) {
    const shape = Object.hasOwn(BURSTABLE_SIZES, size) ? BURSTABLE_SIZES[size] : undefined;
    return shape && { vcpus: shape.vcpus, memoryMiB: shape.gib * 1024 };
  }
  if (!Object.hasOwn(INSTANCE_FAMILY_GIB_PER_VCPU, family) || !Object.hasOwn(VCPUS_BY_SIZE, size))
    return undefined;
  const vcpus = VCPUS_BY_SIZE[size];
  return { vcpus, memoryMiB: Math.round(vcpus * INSTANCE_FAMILY_GIB_PER_VCPU[family] * 1024) };
}

/** Every instance type `instanceShape` knows, for "what is allowed" messages. */
export function describeInstanceTypes(): string {
  return `families ${[...BURSTABLE_FAMILIES, ...Object.keys(INSTANCE_FAMILY_GIB_PER_VCPU)].join(", ")} in sizes ${Object.keys(VCPUS_BY_SIZE).join(", ")} (burstable: ${Object.keys(BURSTABLE_SIZES).join(", ")})`;
}

/**
 * What a node keeps for itself before pods are scheduled, as the EKS-optimised AMI's bootstrap
 * reserves it (kube-reserved: CPU 6 % of the first core, 1 % of the second, 0.5 % of the next two,
 * 0.25 % of the rest; memory 255 MiB + 11 MiB per pod the node may hold) plus the kubelet's
 * 100 MiB hard eviction threshold. Pods per node follow the VPC CNI's ENI limits; the figure here
 * is the smallest of common types of that vCPU count, so the estimate errs toward admitting a pod.
 */
export function allocatable(shape: InstanceShape): InstanceShape {
  const cores = shape.vcpus;
  const reservedMillicores =
    60 + (cores > 1 ? 10 : 0) + Math.min(Math.max(cores - 2, 0), 2) * 5 + Math.max(cores - 4, 0) * 2.5;
  const maxPods = cores <= 2 ? 17 : cores <= 4 ? 58 : 110;
  return {
    vcpus: (cores * 1000 - reservedMillicores) / 1000,
    memoryMiB: shape.memoryMiB - (255 + 11 * maxPods) - 100,
  };
}

/**
 * The regions where AWS Chatbot's API (and so `aws.chatbot.SlackChannelConfiguration`) exists:
 * "AWS Chatbot APIs are currently available in the following Regions: us-east-2, us-west-2,
 * ap-southeast-1, eu-west-1" (AWS Chatbot API Reference, Welcome). A configuration made there
 * may subscribe to SNS topics of any commercial region ("You can combine Amazon SNS topics from
 * multiple Regions in a single … configuration", Chatbot administrator guide, Regions and quotas).
 */
export const CHATBOT_API_REGIONS = ["us-east-2", "us-west-2", "eu-west-1", "ap-southeast-1"] as const;
export type ChatbotRegion = (typeof CHATBOT_API_REGIONS)[number];

/**
 * Where a stack in `region` makes its Chatbot configuration: its own region when the API is
 * there, else the API region on the same continent (the Americas → us-east-2, or us-west-2 for
 * the US West regions; Europe, the Middle East, Israel and Africa → eu-west-1; Asia Pacific →
 * ap-southeast-1).
 */
export function chatbotRegionFor(region: string): ChatbotRegion {
  if ((CHATBOT_API_REGIONS as readonly string[]).includes(region)) return region as ChatbotRegion;
  if (region.startsWith("us-west-")) return "us-west-2";
  if (/^(eu|me|il|af)-/.test(region)) return "eu-west-1";
  if (region.startsWith("ap-")) return "ap-southeast-1";
  return "us-east-2";
}

/**
 * The `vpc-cni` managed add-on version pinned per Kubernetes minor version: the latest EKS lists
 * for each (docs.aws.amazon.com/eks/latest/userguide/managing-vpc-cni.html, "Amazon VPC CNI
 * versions"; 1.33 from vpc-add-on-update.html). Network policy enforcement needs ≥ v1.14 on a
 * cluster ≥ 1.25 (cni-network-policy.html). `eks.vpcCniVersion` pins another.
 */
export const VPC_CNI_VERSIONS: Readonly<Record<string, string>> = {
  "1.31": "v1.19.0-eksbuild.1",
  "1.32": "v1.19.2-eksbuild.1",
  "1.33": "v1.20.0-eksbuild.1",
};
