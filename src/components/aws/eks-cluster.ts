import * as aws from "../../lib/aws";
import * as k8s from "../../lib/k8s";
import * as pulumi from "@pulumi/pulumi";
import { serviceTrust } from "../../lib/iam";
import { AccountContext, createKmsKey } from "../../lib/kms";
import { physicalName, rolePath } from "../../lib/naming";

/** Every control-plane log type (CKV_AWS_37). */
export const CONTROL_PLANE_LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"];

export interface EksNodeGroupArgs {
  readonly name: string;
  readonly instanceTypes: readonly string[];
  readonly minSize: number;
  readonly maxSize: number;
  readonly desiredSize: number;
  /** Root volume size, GiB (encrypted gp3). */
  readonly diskSizeGiB: number;
  readonly capacityType: "ON_DEMAND" | "SPOT";
}

export interface EksClusterArgs {
  /** Private subnets for the control-plane ENIs and the nodes. */
  readonly privateSubnetIds: pulumi.Input<string>[];
  /** Kubernetes minor version, e.g. "1.33". */
  readonly version: string;
  /** Public API endpoint (besides the private one); requires `publicAccessCidrs`. */
  readonly endpointPublicAccess: boolean;
  /** CIDRs allowed to a public endpoint; must be non-empty when it is public. */
  readonly publicAccessCidrs: readonly string[];
  readonly nodeGroups: readonly EksNodeGroupArgs[];
  /** Control-plane log retention, days. */
  readonly logRetentionDays: number;
  readonly account: AccountContext;
  /** Protect the cluster from deletion. */
  readonly protect: boolean;
}

/** Managed policies the roles need; attached as separate resources (never `managedPolicyArns`). */
export const CLUSTER_POLICIES = ["AmazonEKSClusterPolicy"];
export const NODE_POLICIES = [
  "AmazonEKSWorkerNodePolicy",
  "AmazonEKS_CNI_Policy",
  "AmazonEC2ContainerRegistryReadOnly",
];

/**
 * Throws when the endpoint is public without allowed CIDRs: EKS would then open it to
 * 0.0.0.0/0. (The stack config rejects this too; the component does not rely on it.)
 */
export function validateEksClusterArgs(
  name: string,
  args: Pick<EksClusterArgs, "endpointPublicAccess" | "publicAccessCidrs">,
): void {
  if (args.endpointPublicAccess && args.publicAccessCidrs.length === 0)
    throw new Error(
      `EksCluster ${name}: publicAccessCidrs got []; a public endpoint needs explicit allowed CIDRs`,
    );
}

/** The cluster's VPC config: private endpoint always, a public one only to the given CIDRs. */
export function clusterVpcConfig(
  subnetIds: pulumi.Input<string>[],
  args: Pick<EksClusterArgs, "endpointPublicAccess" | "publicAccessCidrs">,
) {
  return {
    subnetIds,
    endpointPrivateAccess: true,
    endpointPublicAccess: args.endpointPublicAccess,
    publicAccessCidrs: args.endpointPublicAccess ? [...args.publicAccessCidrs] : undefined,
  };
}

/** Instance metadata on nodes: IMDSv2 only, hop limit 1 so pods cannot reach node credentials (they use IRSA). */
export const NODE_METADATA_OPTIONS = {
  httpEndpoint: "enabled",
  httpTokens: "required",
  httpPutResponseHopLimit: 1,
} as const;

/** The launch template inputs of a node group: IMDSv2 only, encrypted gp3 root volume. */
export function nodeLaunchTemplate(clusterName: string, group: EksNodeGroupArgs) {
  return {
    description: `Nodes of ${clusterName}/${group.name}: IMDSv2 only, encrypted root volume`,
    metadataOptions: { ...NODE_METADATA_OPTIONS },
    blockDeviceMappings: [
      {
        deviceName: "/dev/xvda",
        ebs: {
          volumeSize: group.diskSizeGiB,
          volumeType: "gp3",
          encrypted: "true",
          deleteOnTermination: "true",
        },
      },
    ],
    updateDefaultVersion: true,
  };
}

/** The kubeconfig of a cluster using `aws eks get-token` (exec auth: no credential is stored). */
export function kubeconfigFor(clusterName: string, endpoint: string, caData: string, region: string): string {
  return JSON.stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: clusterName, cluster: { server: endpoint, "certificate-authority-data": caData } }],
    contexts: [{ name: clusterName, context: { cluster: clusterName, user: clusterName } }],
    "current-context": clusterName,
    users: [
      {
        name: clusterName,
        user: {
          exec: {
            apiVersion: "client.authentication.k8s.io/v1beta1",
            command: "aws",
            args: ["eks", "get-token", "--cluster-name", clusterName, "--region", region, "--output", "json"],
            interactiveMode: "Never",
          },
        },
      },
    ],
  });
}

/** A role the given service assumes, with AWS managed policies attached as separate resources. */
export function createServiceRole(
  name: string,
  service: string,
  policies: readonly string[],
  account: AccountContext,
  parent: pulumi.Resource,
  sourceAccount?: pulumi.Input<string>,
): { role: aws.iam.Role; attachments: aws.iam.RolePolicyAttachment[] } {
  const role = new aws.iam.Role(
    name,
    { path: rolePath(), assumeRolePolicy: serviceTrust(service, sourceAccount) },
    { parent },
  );
  const attachments = policies.map(
    (policy) =>
      new aws.iam.RolePolicyAttachment(
        `${name}-${policy}`,
        {
          role: role.name,
          policyArn: pulumi.interpolate`arn:${account.partition}:iam::aws:policy/${policy}`,
        },
        { parent },
      ),
  );
  return { role, attachments };
}

/**
 * The control plane: envelope encryption of Secrets with its own key, every log type to a
 * KMS-encrypted group created first (so retention and encryption are ours), API authentication.
 */
export function createControlPlane(
  name: string,
  args: EksClusterArgs,
  clusterRole: { role: aws.iam.Role; attachments: aws.iam.RolePolicyAttachment[] },
  parent: pulumi.Resource,
): aws.eks.Cluster {
  const clusterName = physicalName(name);
  const secretsKey = createKmsKey(
    `${name}-secrets`,
    args.account,
    { description: `Secrets of EKS ${clusterName}` },
    { parent },
  );
  const logKey = createKmsKey(
    `${name}-logs`,
    args.account,
    { description: `Control-plane logs of EKS ${clusterName}`, allowCloudWatchLogs: true },
    { parent },
  );
  // EKS writes to this exact group; creating it first sets retention and encryption.
  const logGroup = new aws.cloudwatch.LogGroup(
    `${name}-control-plane`,
    { name: `/aws/eks/${clusterName}/cluster`, retentionInDays: args.logRetentionDays, kmsKeyId: logKey.arn },
    { parent },
  );
  return new aws.eks.Cluster(
    `${name}-cluster`,
    {
      name: clusterName,
      version: args.version,
      roleArn: clusterRole.role.arn,
      vpcConfig: clusterVpcConfig(args.privateSubnetIds, args),
      encryptionConfig: { provider: { keyArn: secretsKey.arn }, resources: ["secrets"] },
      enabledClusterLogTypes: CONTROL_PLANE_LOG_TYPES,
      accessConfig: { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: true },
    },
    { parent, protect: args.protect, dependsOn: [logGroup, ...clusterRole.attachments] },
  );
}

/** One managed node group behind its own IMDSv2-only launch template, in the private subnets. */
export function createNodeGroup(
  name: string,
  group: EksNodeGroupArgs,
  cluster: aws.eks.Cluster,
  nodeRole: { role: aws.iam.Role; attachments: aws.iam.RolePolicyAttachment[] },
  subnetIds: pulumi.Input<string>[],
  parent: pulumi.Resource,
): aws.eks.NodeGroup {
  const template = new aws.ec2.LaunchTemplate(
    `${name}-${group.name}`,
    nodeLaunchTemplate(physicalName(name), group),
    { parent },
  );
  return new aws.eks.NodeGroup(
    `${name}-${group.name}`,
    {
      clusterName: cluster.name,
      nodeGroupName: group.name,
      nodeRoleArn: nodeRole.role.arn,
      subnetIds,
      instanceTypes: [...group.instanceTypes],
      capacityType: group.capacityType,
      scalingConfig: { minSize: group.minSize, maxSize: group.maxSize, desiredSize: group.desiredSize },
      updateConfig: { maxUnavailable: 1 },
      launchTemplate: { id: template.id, version: pulumi.interpolate`${template.latestVersion}` },
    },
    { parent, dependsOn: nodeRole.attachments, ignoreChanges: ["scalingConfig.desiredSize"] },
  );
}

/**
 * An EKS cluster built from `@pulumi/aws` resources so every part is visible to the policy pack:
 * private endpoint, envelope-encrypted Secrets, all control-plane logs, managed node groups behind
 * an IMDSv2-only launch template, the IRSA OIDC provider, and a Kubernetes provider for it.
 */
export class EksCluster extends pulumi.ComponentResource {
  public readonly clusterName: pulumi.Output<string>;
  public readonly endpoint: pulumi.Output<string>;
  public readonly oidcProviderArn: pulumi.Output<string>;
  public readonly oidcIssuer: pulumi.Output<string>;
  public readonly kubeconfig: pulumi.Output<string>;
  public readonly provider: k8s.Provider;

  constructor(name: string, args: EksClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:eks:EksCluster", name, {}, opts);
    validateEksClusterArgs(name, args);
    const child = { parent: this };

    const clusterRole = createServiceRole(
      `${name}-cluster`,
      "eks.amazonaws.com",
      CLUSTER_POLICIES,
      args.account,
      this,
      args.account.accountId,
    );
    const cluster = createControlPlane(name, args, clusterRole, this);
    this.clusterName = cluster.name;
    this.endpoint = cluster.endpoint;
    this.oidcIssuer = cluster.identities.apply((ids) => ids?.[0]?.oidcs?.[0]?.issuer ?? "");
    this.oidcProviderArn = new aws.iam.OpenIdConnectProvider(
      `${name}-oidc`,
      { url: this.oidcIssuer, clientIdLists: ["sts.amazonaws.com"] },
      child,
    ).arn;

    const nodeRole = createServiceRole(
      `${name}-node`,
      "ec2.amazonaws.com",
      NODE_POLICIES,
      args.account,
      this,
    );
    for (const group of args.nodeGroups)
      createNodeGroup(name, group, cluster, nodeRole, args.privateSubnetIds, this);

    this.kubeconfig = pulumi.secret(
      pulumi
        .all([cluster.name, cluster.endpoint, cluster.certificateAuthority, args.account.region])
        .apply(([n, endpoint, ca, region]) => kubeconfigFor(n, endpoint, ca.data ?? "", region)),
    );
    this.provider = new k8s.Provider(
      `${name}-k8s`,
      { kubeconfig: this.kubeconfig, enableServerSideApply: true },
      child,
    );

    this.registerOutputs({
      clusterName: this.clusterName,
      endpoint: this.endpoint,
      oidcProviderArn: this.oidcProviderArn,
      kubeconfig: this.kubeconfig,
    });
  }
}
