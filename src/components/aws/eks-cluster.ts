import * as aws from "../../lib/aws";
import * as k8s from "../../lib/k8s";
import * as pulumi from "@pulumi/pulumi";
import { policyDocument, serviceTrust } from "../../lib/iam";
import { planIrsaTrust } from "../kubernetes/cluster-addons-plan";
import { VPC_CNI_VERSIONS } from "../../config/aws-catalog";
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
  /**
   * The stack's CI roles, given access entries: the deploy role administers the cluster, the
   * preview role views it. Absent (a stack CI does not deploy), the creator keeps admin access.
   * @default undefined
   */
  readonly ciAccess?: EksCiAccess;
  /** The `vpc-cni` add-on version. @default VPC_CNI_VERSIONS[version] */
  readonly vpcCniVersion?: string;
  /** Roles people assume: on-call views, break-glass administers (`HUMAN_ACCESS_POLICIES`). @default none */
  readonly humanAccess?: { readonly onCall: readonly string[]; readonly breakGlass: readonly string[] };
  /**
   * Security groups admitted to the private API endpoint on 443 (through the cluster security
   * group), by a name for the rule: the CI runners in the VPC. @default {}
   */
  readonly apiClients?: Record<string, pulumi.Input<string>>;
  /**
   * Deploy roles of applications with repositories of their own: each may edit the namespaces of
   * its own services and nothing else of the cluster (an access entry scoped to them). @default []
   */
  readonly applicationAccess?: readonly {
    readonly application: string;
    readonly roleArn: pulumi.Input<string>;
    readonly namespaces: readonly string[];
  }[];
}

/** The stack's CI roles and the access each gets. */
export interface EksCiAccess {
  readonly deployRoleArn: pulumi.Input<string>;
  readonly previewRoleArn: pulumi.Input<string>;
}

/** Managed policies the roles need; attached as separate resources (never `managedPolicyArns`). */
export const CLUSTER_POLICIES = ["AmazonEKSClusterPolicy"];
// The CNI's own permissions are its ServiceAccount's (IRSA, createVpcCni), never every pod's node.
export const NODE_POLICIES = ["AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryReadOnly"];

/**
 * The VPC CNI's configuration: its network policy agent on, so every NetworkPolicy the workloads
 * carry is enforced (without it, or another enforcing CNI, EKS stores them and enforces none).
 */
export const VPC_CNI_CONFIGURATION = { enableNetworkPolicy: "true" } as const;

/** The `vpc-cni` managed add-on, network policies enforced, its permissions through IRSA only. */
export function createVpcCni(
  name: string,
  cluster: aws.eks.Cluster,
  oidc: { providerArn: pulumi.Input<string>; issuer: pulumi.Input<string> },
  version: string,
  partition: pulumi.Input<string>,
  parent: pulumi.Resource,
): aws.eks.Addon {
  const role = new aws.iam.Role(
    `${name}-vpc-cni`,
    {
      path: rolePath(),
      description: "IRSA role of the VPC CNI (kube-system/aws-node)",
      assumeRolePolicy: pulumi
        .all([oidc.providerArn, oidc.issuer])
        .apply(([arn, issuer]) => policyDocument(planIrsaTrust(arn, issuer, "kube-system", "aws-node"))),
    },
    { parent },
  );
  const attachment = new aws.iam.RolePolicyAttachment(
    `${name}-vpc-cni`,
    { role: role.name, policyArn: pulumi.interpolate`arn:${partition}:iam::aws:policy/AmazonEKS_CNI_Policy` },
    { parent },
  );
  return new aws.eks.Addon(
    `${name}-vpc-cni`,
    {
      clusterName: cluster.name,
      addonName: "vpc-cni",
      addonVersion: version,
      serviceAccountRoleArn: role.arn,
      configurationValues: JSON.stringify(VPC_CNI_CONFIGURATION),
      resolveConflictsOnCreate: "OVERWRITE",
      resolveConflictsOnUpdate: "OVERWRITE",
    },
    { parent, dependsOn: [attachment] },
  );
}

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

/**
 * EKS access policies of the CI roles, cluster-wide. The deploy role runs `pulumi up`, which
 * creates cluster-scoped objects (namespaces, CRDs and add-ons), and the release executor's
 * rollouts: cluster admin. The preview role only reads: with server-side apply, a preview's
 * dry-run PATCH needs the write verbs, which RBAC cannot tell from a write — a pull request's code
 * runs with this role, so it gets none, and the Kubernetes provider falls back to a client-side
 * diff when the dry run is forbidden (pulumi-kubernetes#2419). View excludes Secrets.
 */
export const CI_ACCESS_POLICIES = {
  deploy: "AmazonEKSClusterAdminPolicy",
  preview: "AmazonEKSViewPolicy",
} as const;

/**
 * What the people's roles get: on-call the `view` ClusterRole (every object, events, `pods/log`;
 * no Secrets), break-glass cluster admin.
 */
export const HUMAN_ACCESS_POLICIES = {
  onCall: "AmazonEKSViewPolicy",
  breakGlass: "AmazonEKSClusterAdminPolicy",
} as const;

/** `arn:…:role/path/name` → `name`: the logical name of its access entry. */
export const roleNameOf = (arn: string) => arn.split("/").pop()!;

/**
 * Access entries only (no aws-auth ConfigMap). With CI access the creator gets no implicit admin
 * entry: when CI creates the cluster the creator IS the deploy role, and its explicit entry would
 * collide with the bootstrap one (ResourceInUseException).
 */
export function planAccessConfig(ciAccess: boolean) {
  return { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: !ciAccess };
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
      accessConfig: planAccessConfig(args.ciAccess !== undefined),
    },
    {
      parent,
      protect: args.protect,
      dependsOn: [logGroup, ...clusterRole.attachments],
      // EKS sets it at creation only, and a change would replace the cluster: existing clusters keep theirs.
      ignoreChanges: ["accessConfig.bootstrapClusterCreatorAdminPermissions"],
    },
  );
}

/** An access entry of `principalArn` with one access policy, cluster-wide or in `namespaces`; returns the association. */
export function createAccessEntry(
  name: string,
  cluster: aws.eks.Cluster,
  principalArn: pulumi.Input<string>,
  policy: string,
  partition: pulumi.Input<string>,
  parent: pulumi.Resource,
  namespaces?: readonly string[],
): aws.eks.AccessPolicyAssociation {
  const entry = new aws.eks.AccessEntry(
    name,
    { clusterName: cluster.name, principalArn, type: "STANDARD" },
    { parent },
  );
  return new aws.eks.AccessPolicyAssociation(
    name,
    {
      clusterName: cluster.name,
      principalArn: entry.principalArn,
      policyArn: pulumi.interpolate`arn:${partition}:eks::aws:cluster-access-policy/${policy}`,
      accessScope: namespaces ? { type: "namespace", namespaces: [...namespaces] } : { type: "cluster" },
    },
    { parent },
  );
}

/** What an application's deploy role may do in its own namespaces: edit workloads, never RBAC or the namespace. */
export const APPLICATION_ACCESS_POLICY = "AmazonEKSEditPolicy";

/** The API endpoint admits each client security group on 443, through the cluster security group. */
export function createApiIngress(
  name: string,
  cluster: aws.eks.Cluster,
  clients: Record<string, pulumi.Input<string>>,
  parent: pulumi.Resource,
): aws.vpc.SecurityGroupIngressRule[] {
  return Object.entries(clients).map(
    ([client, securityGroupId]) =>
      new aws.vpc.SecurityGroupIngressRule(
        `${name}-api-from-${client}`,
        {
          securityGroupId: cluster.vpcConfig.clusterSecurityGroupId,
          referencedSecurityGroupId: securityGroupId,
          ipProtocol: "tcp",
          fromPort: 443,
          toPort: 443,
          description: `Kubernetes API from ${client}`,
        },
        { parent },
      ),
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

    createVpcCni(
      name,
      cluster,
      { providerArn: this.oidcProviderArn, issuer: this.oidcIssuer },
      args.vpcCniVersion ?? VPC_CNI_VERSIONS[args.version] ?? "",
      args.account.partition,
      this,
    );

    const nodeRole = createServiceRole(
      `${name}-node`,
      "ec2.amazonaws.com",
      NODE_POLICIES,
      args.account,
      this,
    );
    for (const group of args.nodeGroups)
      createNodeGroup(name, group, cluster, nodeRole, args.privateSubnetIds, this);

    createApiIngress(name, cluster, args.apiClients ?? {}, this);
    // The program's Kubernetes objects are created as the deploy role: after its entry grants it admin.
    const access: aws.eks.AccessPolicyAssociation[] = args.ciAccess
      ? [
          createAccessEntry(
            `${name}-deploy`,
            cluster,
            args.ciAccess.deployRoleArn,
            CI_ACCESS_POLICIES.deploy,
            args.account.partition,
            this,
          ),
          createAccessEntry(
            `${name}-preview`,
            cluster,
            args.ciAccess.previewRoleArn,
            CI_ACCESS_POLICIES.preview,
            args.account.partition,
            this,
          ),
        ]
      : [];
    for (const app of args.applicationAccess ?? [])
      access.push(
        createAccessEntry(
          `${name}-app-${app.application}`,
          cluster,
          app.roleArn,
          APPLICATION_ACCESS_POLICY,
          args.account.partition,
          this,
          app.namespaces,
        ),
      );
    for (const kind of ["onCall", "breakGlass"] as const)
      for (const arn of args.humanAccess?.[kind] ?? [])
        createAccessEntry(
          `${name}-${kind === "onCall" ? "oncall" : "breakglass"}-${roleNameOf(arn)}`,
          cluster,
          arn,
          HUMAN_ACCESS_POLICIES[kind],
          args.account.partition,
          this,
        );

    this.kubeconfig = pulumi.secret(
      pulumi
        .all([cluster.name, cluster.endpoint, cluster.certificateAuthority, args.account.region])
        .apply(([n, endpoint, ca, region]) => kubeconfigFor(n, endpoint, ca.data ?? "", region)),
    );
    this.provider = new k8s.Provider(
      `${name}-k8s`,
      { kubeconfig: this.kubeconfig, enableServerSideApply: true },
      { parent: this, dependsOn: access },
    );

    this.registerOutputs({
      clusterName: this.clusterName,
      endpoint: this.endpoint,
      oidcProviderArn: this.oidcProviderArn,
      kubeconfig: this.kubeconfig,
    });
  }
}
