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
  /** Root volume, GiB (encrypted gp3). @default 50 */
  readonly diskSizeGiB?: number;
  /** @default "ON_DEMAND" */
  readonly capacityType?: "ON_DEMAND" | "SPOT";
}

export interface EksClusterArgs {
  /** Private subnets for the control-plane ENIs and the nodes. */
  readonly privateSubnetIds: pulumi.Input<string>[];
  /** Kubernetes minor version. @default "1.33" */
  readonly version?: string;
  /** Public API endpoint; requires `publicAccessCidrs`. @default false */
  readonly endpointPublicAccess?: boolean;
  /** CIDRs allowed to a public endpoint. @default [] */
  readonly publicAccessCidrs?: readonly string[];
  readonly nodeGroups: readonly EksNodeGroupArgs[];
  /** Control-plane log retention, days. @default 365 */
  readonly logRetentionDays?: number;
  readonly account: AccountContext;
  /** Protect the cluster from deletion. @default false */
  readonly protect?: boolean;
}

/** Managed policies the roles need; attached as separate resources (never `managedPolicyArns`). */
const CLUSTER_POLICIES = ["AmazonEKSClusterPolicy"];
const NODE_POLICIES = [
  "AmazonEKSWorkerNodePolicy",
  "AmazonEKS_CNI_Policy",
  "AmazonEC2ContainerRegistryReadOnly",
];

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
    const child = { parent: this };
    const clusterName = physicalName(name);

    const clusterRole = new aws.iam.Role(
      `${name}-cluster`,
      {
        path: rolePath(),
        assumeRolePolicy: serviceTrust("eks.amazonaws.com", args.account.accountId),
      },
      child,
    );
    const clusterAttachments = CLUSTER_POLICIES.map(
      (policy) =>
        new aws.iam.RolePolicyAttachment(
          `${name}-cluster-${policy}`,
          {
            role: clusterRole.name,
            policyArn: pulumi.interpolate`arn:${args.account.partition}:iam::aws:policy/${policy}`,
          },
          child,
        ),
    );

    const secretsKey = createKmsKey(
      `${name}-secrets`,
      args.account,
      { description: `Secrets of EKS ${clusterName}` },
      child,
    );
    const logKey = createKmsKey(
      `${name}-logs`,
      args.account,
      { description: `Control-plane logs of EKS ${clusterName}`, allowCloudWatchLogs: true },
      child,
    );
    // EKS writes to this exact group; creating it first sets retention and encryption.
    const logGroup = new aws.cloudwatch.LogGroup(
      `${name}-control-plane`,
      {
        name: `/aws/eks/${clusterName}/cluster`,
        retentionInDays: args.logRetentionDays ?? 365,
        kmsKeyId: logKey.arn,
      },
      child,
    );

    const publicAccess = args.endpointPublicAccess ?? false;
    const cluster = new aws.eks.Cluster(
      `${name}-cluster`,
      {
        name: clusterName,
        version: args.version ?? "1.33",
        roleArn: clusterRole.arn,
        vpcConfig: {
          subnetIds: args.privateSubnetIds,
          endpointPrivateAccess: true,
          endpointPublicAccess: publicAccess,
          publicAccessCidrs: publicAccess ? [...(args.publicAccessCidrs ?? [])] : undefined,
        },
        encryptionConfig: { provider: { keyArn: secretsKey.arn }, resources: ["secrets"] },
        enabledClusterLogTypes: CONTROL_PLANE_LOG_TYPES,
        accessConfig: { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: true },
      },
      { parent: this, protect: args.protect, dependsOn: [logGroup, ...clusterAttachments] },
    );
    this.clusterName = cluster.name;
    this.endpoint = cluster.endpoint;
    this.oidcIssuer = cluster.identities.apply((ids) => ids?.[0]?.oidcs?.[0]?.issuer ?? "");

    const oidc = new aws.iam.OpenIdConnectProvider(
      `${name}-oidc`,
      { url: this.oidcIssuer, clientIdLists: ["sts.amazonaws.com"] },
      child,
    );
    this.oidcProviderArn = oidc.arn;

    const nodeRole = new aws.iam.Role(
      `${name}-node`,
      {
        path: rolePath(),
        assumeRolePolicy: serviceTrust("ec2.amazonaws.com"),
      },
      child,
    );
    const nodeAttachments = NODE_POLICIES.map(
      (policy) =>
        new aws.iam.RolePolicyAttachment(
          `${name}-node-${policy}`,
          {
            role: nodeRole.name,
            policyArn: pulumi.interpolate`arn:${args.account.partition}:iam::aws:policy/${policy}`,
          },
          child,
        ),
    );

    for (const group of args.nodeGroups) {
      const template = new aws.ec2.LaunchTemplate(
        `${name}-${group.name}`,
        {
          description: `Nodes of ${clusterName}/${group.name}: IMDSv2 only, encrypted root volume`,
          metadataOptions: {
            httpEndpoint: "enabled",
            httpTokens: "required",
            // Hop limit 1 keeps pods from reaching node credentials; pods use IRSA instead.
            httpPutResponseHopLimit: 1,
          },
          blockDeviceMappings: [
            {
              deviceName: "/dev/xvda",
              ebs: {
                volumeSize: group.diskSizeGiB ?? 50,
                volumeType: "gp3",
                encrypted: "true",
                deleteOnTermination: "true",
              },
            },
          ],
          updateDefaultVersion: true,
        },
        child,
      );
      new aws.eks.NodeGroup(
        `${name}-${group.name}`,
        {
          clusterName: cluster.name,
          nodeGroupName: group.name,
          nodeRoleArn: nodeRole.arn,
          subnetIds: args.privateSubnetIds,
          instanceTypes: [...group.instanceTypes],
          capacityType: group.capacityType ?? "ON_DEMAND",
          scalingConfig: { minSize: group.minSize, maxSize: group.maxSize, desiredSize: group.desiredSize },
          updateConfig: { maxUnavailable: 1 },
          launchTemplate: { id: template.id, version: pulumi.interpolate`${template.latestVersion}` },
        },
        { parent: this, dependsOn: nodeAttachments, ignoreChanges: ["scalingConfig.desiredSize"] },
      );
    }

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
