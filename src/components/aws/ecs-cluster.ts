import * as aws from "../../lib/aws";
import * as pulumi from "@pulumi/pulumi";
import { denyInsecureTransport, secureBucket, accessLogLifecycleRules } from "../../lib/bucket";
import { policyDocument, Statement } from "../../lib/iam";
import { AccountContext, createKmsKey } from "../../lib/kms";
import { physicalName } from "../../lib/naming";
import { createWebAcl } from "./waf";

/** TLS 1.3 with 1.2 fallback: the current AWS recommended ALB policy (CKV_AWS_103). */
export const ALB_TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06";

export interface EcsClusterArgs {
  readonly vpcId: pulumi.Input<string>;
  readonly vpcCidr: string;
  readonly publicSubnetIds: pulumi.Input<string>[];
  readonly privateSubnetIds: pulumi.Input<string>[];
  /** ACM certificate of the HTTPS listener. */
  readonly certificateArn: string;
  /** Internet-facing ALB in the public subnets; false keeps it internal, in the private subnets. */
  readonly publicLoadBalancer: boolean;
  /** CIDRs allowed to reach the ALB; empty means the VPC CIDR only. */
  readonly allowedCidrs: readonly string[];
  /** Retention of the ECS Exec and access logs, days. */
  readonly logRetentionDays: number;
  readonly account: AccountContext;
  /** Deletion protection on the ALB and `protect` on the cluster. */
  readonly protect: boolean;
  /**
   * Security groups admitted to an internal ALB on 443 besides `allowedCidrs`: the CI runners in
   * the VPC, whose smoke tests reach the services. Needed only when `allowedCidrs` replaces the
   * VPC CIDR; an internet-facing ALB sees VPC clients by their NAT address instead. @default []
   */
  readonly httpsClients?: pulumi.Input<string>[];
}

/** One inline security group rule: from networks (`cidrBlocks`) or from security groups. */
export interface InlineRule {
  readonly description: string;
  readonly protocol: string;
  readonly fromPort: number;
  readonly toPort: number;
  readonly cidrBlocks?: string[];
  readonly securityGroups?: pulumi.Input<string>[];
}

/**
 * The ALB security group rules: HTTPS and HTTP (only redirected) from the allowed networks, HTTPS
 * from the client security groups where the allowed networks leave the VPC out, out to the VPC.
 */
export function albSecurityGroupRules(
  allowedCidrs: readonly string[],
  vpcCidr: string,
  clients: { readonly publicLoadBalancer: boolean; readonly securityGroupIds: pulumi.Input<string>[] } = {
    publicLoadBalancer: false,
    securityGroupIds: [],
  },
) {
  const allowed = allowedCidrs.length > 0 ? [...allowedCidrs] : [vpcCidr];
  const from = (port: number, description: string): InlineRule => ({
    description,
    protocol: "tcp",
    fromPort: port,
    toPort: port,
    cidrBlocks: allowed,
  });
  return {
    ingress: <InlineRule[]>[
      from(443, "HTTPS from allowed networks"),
      from(80, "HTTP, redirected to HTTPS"),
      ...(!clients.publicLoadBalancer && allowedCidrs.length > 0 && clients.securityGroupIds.length > 0
        ? [
            {
              description: "HTTPS from CI runners in the VPC",
              protocol: "tcp",
              fromPort: 443,
              toPort: 443,
              securityGroups: clients.securityGroupIds,
            },
          ]
        : []),
    ],
    egress: [
      {
        description: "To service tasks in the VPC",
        protocol: "tcp",
        fromPort: 1024,
        toPort: 65535,
        cidrBlocks: [vpcCidr],
      },
    ],
  };
}

/** ALB settings: internal unless public, invalid headers dropped, deletion protection when protected. */
export function loadBalancerSettings(
  args: Pick<EcsClusterArgs, "publicLoadBalancer" | "publicSubnetIds" | "privateSubnetIds" | "protect">,
) {
  return {
    loadBalancerType: "application",
    internal: !args.publicLoadBalancer,
    subnets: args.publicLoadBalancer ? args.publicSubnetIds : args.privateSubnetIds,
    dropInvalidHeaderFields: true,
    enableDeletionProtection: args.protect,
  };
}

/** The HTTPS listener's default: 404 for any host no service claims. */
export const NOT_FOUND_ACTION = {
  type: "fixed-response",
  fixedResponse: { contentType: "text/plain", statusCode: "404", messageBody: "not found" },
};

/** The HTTP listener's only action: a permanent redirect to HTTPS. */
export const HTTPS_REDIRECT_ACTION = {
  type: "redirect",
  redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" },
};

/** The access-log bucket policy: ELB delivers this account's logs under `alb/`; TLS only. */
export function accessLogBucketStatements(
  bucket: aws.s3.Bucket,
  elbAccountArn: pulumi.Input<string>,
  accountId: pulumi.Input<string>,
): Statement[] {
  return [
    {
      Sid: "ElbLogDelivery",
      Effect: "Allow",
      // Regions older than 2022 deliver as the regional ELB account, newer ones as the service.
      Principal: { AWS: elbAccountArn, Service: "logdelivery.elasticloadbalancing.amazonaws.com" },
      Action: "s3:PutObject",
      Resource: pulumi.interpolate`${bucket.arn}/alb/AWSLogs/${accountId}/*`,
    },
    denyInsecureTransport(bucket),
  ];
}

/** The cluster with Container Insights, and ECS Exec sessions logged to a KMS-encrypted group. */
export function createCluster(
  name: string,
  args: Pick<EcsClusterArgs, "logRetentionDays" | "account" | "protect">,
  parent: pulumi.Resource,
): { cluster: aws.ecs.Cluster; logKey: aws.kms.Key } {
  const logKey = createKmsKey(
    `${name}-logs`,
    args.account,
    { description: `ECS logs of ${name}`, allowCloudWatchLogs: true },
    { parent },
  );
  const execLogs = new aws.cloudwatch.LogGroup(
    `${name}-exec`,
    { name: `/${physicalName(name)}/ecs-exec`, retentionInDays: args.logRetentionDays, kmsKeyId: logKey.arn },
    { parent },
  );
  const cluster = new aws.ecs.Cluster(
    `${name}-cluster`,
    {
      name: physicalName(name),
      settings: [{ name: "containerInsights", value: "enhanced" }],
      configuration: {
        executeCommandConfiguration: {
          kmsKeyId: logKey.arn,
          logging: "OVERRIDE",
          logConfiguration: { cloudWatchLogGroupName: execLogs.name, cloudWatchEncryptionEnabled: true },
        },
      },
    },
    { parent, protect: args.protect },
  );
  return { cluster, logKey };
}

/**
 * ALB access logs: ELB delivers only to SSE-S3 (AES256) buckets, so this bucket uses SSE-S3 with
 * every other control on: public access blocked, ACLs off, versioning, TLS-only, expiry.
 */
export function createAccessLogsBucket(
  name: string,
  retentionDays: number,
  account: AccountContext,
  parent: pulumi.Resource,
): aws.s3.Bucket {
  const bucket = secureBucket(
    `${name}-alb-logs`,
    {
      bucketPrefix: `${physicalName(name)}-alb-logs-`.slice(0, 37),
      lifecycleRules: accessLogLifecycleRules(retentionDays),
    },
    { parent },
  );
  const elbAccount = aws.elb.getServiceAccountOutput({}, { parent });
  new aws.s3.BucketPolicy(
    `${name}-alb-logs`,
    {
      bucket: bucket.id,
      policy: policyDocument(accessLogBucketStatements(bucket, elbAccount.arn, account.accountId)),
    },
    { parent },
  );
  return bucket;
}

/**
 * The ALB, its security group, the HTTPS listener, the HTTP listener that only redirects, and for an
 * internet-facing ALB the WAF web ACL associated with it.
 */
export function createLoadBalancer(
  name: string,
  args: EcsClusterArgs,
  logsBucket: aws.s3.Bucket,
  parent: pulumi.Resource,
): { securityGroup: aws.ec2.SecurityGroup; alb: aws.lb.LoadBalancer; https: aws.lb.Listener } {
  const securityGroup = new aws.ec2.SecurityGroup(
    `${name}-alb`,
    {
      vpcId: args.vpcId,
      description: `ALB of ${physicalName(name)}`,
      ...albSecurityGroupRules(args.allowedCidrs, args.vpcCidr, {
        publicLoadBalancer: args.publicLoadBalancer,
        securityGroupIds: args.httpsClients ?? [],
      }),
    },
    { parent },
  );
  const alb = new aws.lb.LoadBalancer(
    `${name}-alb`,
    {
      ...loadBalancerSettings(args),
      securityGroups: [securityGroup.id],
      accessLogs: { bucket: logsBucket.bucket, prefix: "alb", enabled: true },
    },
    { parent },
  );
  const https = new aws.lb.Listener(
    `${name}-https`,
    {
      loadBalancerArn: alb.arn,
      port: 443,
      protocol: "HTTPS",
      sslPolicy: ALB_TLS_POLICY,
      certificateArn: args.certificateArn,
      defaultActions: [NOT_FOUND_ACTION],
    },
    { parent },
  );
  new aws.lb.Listener(
    `${name}-http`,
    { loadBalancerArn: alb.arn, port: 80, protocol: "HTTP", defaultActions: [HTTPS_REDIRECT_ACTION] },
    { parent },
  );
  // An internet-facing ALB answers anyone: AWS WAF's managed rule groups filter what reaches the
  // services. An internal one is reached only from the VPC and the admitted CIDRs.
  if (args.publicLoadBalancer) {
    const webAcl = createWebAcl(`${name}-alb`, `${physicalName(name)}-alb`, { parent });
    new aws.wafv2.WebAclAssociation(
      `${name}-alb-waf`,
      { resourceArn: alb.arn, webAclArn: webAcl.arn },
      { parent },
    );
  }
  return { securityGroup, alb, https };
}

/**
 * The shared ECS side of a stack: a cluster with Container Insights and audited, encrypted ECS
 * Exec; one ALB with an HTTPS listener (HTTP only redirects), invalid headers dropped and access
 * logs to a locked-down bucket. Services attach listener rules by host name.
 */
export class EcsCluster extends pulumi.ComponentResource {
  public readonly clusterArn: pulumi.Output<string>;
  public readonly clusterName: pulumi.Output<string>;
  public readonly httpsListenerArn: pulumi.Output<string>;
  public readonly albSecurityGroupId: pulumi.Output<string>;
  public readonly albDnsName: pulumi.Output<string>;
  /** The ALB's canonical hosted zone, for alias records. */
  public readonly albZoneId: pulumi.Output<string>;
  /** KMS key for the service log groups of this cluster. */
  public readonly logKeyArn: pulumi.Output<string>;
  /** `app/<name>/<id>`: the ALB's CloudWatch dimension (alarms, the metric gate). */
  public readonly albArnSuffix: pulumi.Output<string>;

  constructor(name: string, args: EcsClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:ecs:EcsCluster", name, {}, opts);
    const { cluster, logKey } = createCluster(name, args, this);
    const logsBucket = createAccessLogsBucket(name, args.logRetentionDays, args.account, this);
    const { securityGroup, alb, https } = createLoadBalancer(name, args, logsBucket, this);

    this.logKeyArn = logKey.arn;
    this.clusterArn = cluster.arn;
    this.clusterName = cluster.name;
    this.albSecurityGroupId = securityGroup.id;
    this.albDnsName = alb.dnsName;
    this.albZoneId = alb.zoneId;
    this.albArnSuffix = alb.arnSuffix;
    this.httpsListenerArn = https.arn;
    this.registerOutputs({
      clusterArn: this.clusterArn,
      httpsListenerArn: this.httpsListenerArn,
      albDnsName: this.albDnsName,
      albArnSuffix: this.albArnSuffix,
    });
  }
}
