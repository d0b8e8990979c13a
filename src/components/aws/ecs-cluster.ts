import * as aws from "../../lib/aws";
import * as pulumi from "@pulumi/pulumi";
import { denyInsecureTransport, secureBucket } from "../../lib/bucket";
import { policyDocument } from "../../lib/iam";
import { AccountContext, createKmsKey } from "../../lib/kms";
import { physicalName } from "../../lib/naming";

/** TLS 1.3 with 1.2 fallback: the current AWS recommended ALB policy (CKV_AWS_103). */
export const ALB_TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06";

export interface EcsClusterArgs {
  readonly vpcId: pulumi.Input<string>;
  readonly vpcCidr: string;
  readonly publicSubnetIds: pulumi.Input<string>[];
  readonly privateSubnetIds: pulumi.Input<string>[];
  /** ACM certificate of the HTTPS listener. */
  readonly certificateArn: string;
  /** Internet-facing ALB in the public subnets. @default false (internal, private subnets) */
  readonly publicLoadBalancer?: boolean;
  /** CIDRs allowed to reach the ALB. @default [vpcCidr] */
  readonly allowedCidrs?: readonly string[];
  /** Retention of the ECS Exec and access logs. @default 365 */
  readonly logRetentionDays?: number;
  readonly account: AccountContext;
  /** Deletion protection on the ALB and `protect` on the cluster. @default false */
  readonly protect?: boolean;
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
  /** KMS key for the service log groups of this cluster. */
  public readonly logKeyArn: pulumi.Output<string>;

  constructor(name: string, args: EcsClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:ecs:EcsCluster", name, {}, opts);
    const child = { parent: this };
    const retention = args.logRetentionDays ?? 365;

    const logKey = createKmsKey(
      `${name}-logs`,
      args.account,
      { description: `ECS logs of ${name}`, allowCloudWatchLogs: true },
      child,
    );
    this.logKeyArn = logKey.arn;
    const execLogs = new aws.cloudwatch.LogGroup(
      `${name}-exec`,
      { name: `/${physicalName(name)}/ecs-exec`, retentionInDays: retention, kmsKeyId: logKey.arn },
      child,
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
      { parent: this, protect: args.protect },
    );
    this.clusterArn = cluster.arn;
    this.clusterName = cluster.name;

    const logsBucket = this.accessLogsBucket(name, retention, args.account);

    const allowed = args.allowedCidrs?.length ? [...args.allowedCidrs] : [args.vpcCidr];
    const albSg = new aws.ec2.SecurityGroup(
      `${name}-alb`,
      {
        vpcId: args.vpcId,
        description: `ALB of ${physicalName(name)}`,
        ingress: [
          {
            description: "HTTPS from allowed networks",
            protocol: "tcp",
            fromPort: 443,
            toPort: 443,
            cidrBlocks: allowed,
          },
          {
            description: "HTTP, redirected to HTTPS",
            protocol: "tcp",
            fromPort: 80,
            toPort: 80,
            cidrBlocks: allowed,
          },
        ],
        egress: [
          {
            description: "To service tasks in the VPC",
            protocol: "tcp",
            fromPort: 1024,
            toPort: 65535,
            cidrBlocks: [args.vpcCidr],
          },
        ],
      },
      child,
    );
    this.albSecurityGroupId = albSg.id;

    const isPublic = args.publicLoadBalancer ?? false;
    const alb = new aws.lb.LoadBalancer(
      `${name}-alb`,
      {
        loadBalancerType: "application",
        internal: !isPublic,
        subnets: isPublic ? args.publicSubnetIds : args.privateSubnetIds,
        securityGroups: [albSg.id],
        dropInvalidHeaderFields: true,
        enableDeletionProtection: args.protect ?? false,
        accessLogs: { bucket: logsBucket.bucket, prefix: "alb", enabled: true },
      },
      child,
    );
    this.albDnsName = alb.dnsName;

    const https = new aws.lb.Listener(
      `${name}-https`,
      {
        loadBalancerArn: alb.arn,
        port: 443,
        protocol: "HTTPS",
        sslPolicy: ALB_TLS_POLICY,
        certificateArn: args.certificateArn,
        defaultActions: [
          {
            type: "fixed-response",
            fixedResponse: { contentType: "text/plain", statusCode: "404", messageBody: "not found" },
          },
        ],
      },
      child,
    );
    this.httpsListenerArn = https.arn;
    new aws.lb.Listener(
      `${name}-http`,
      {
        loadBalancerArn: alb.arn,
        port: 80,
        protocol: "HTTP",
        defaultActions: [
          { type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } },
        ],
      },
      child,
    );

    this.registerOutputs({
      clusterArn: this.clusterArn,
      httpsListenerArn: this.httpsListenerArn,
      albDnsName: this.albDnsName,
    });
  }

  /**
   * ALB access logs: ELB delivers only to SSE-S3 (AES256) buckets, so this bucket uses SSE-S3 with
   * every other control on: public access blocked, ACLs off, versioning, TLS-only, expiry.
   */
  private accessLogsBucket(name: string, retentionDays: number, account: AccountContext): aws.s3.Bucket {
    const child = { parent: this };
    const bucket = secureBucket(
      `${name}-alb-logs`,
      {
        bucketPrefix: `${physicalName(name)}-alb-logs-`.slice(0, 37),
        lifecycleRules: [
          {
            id: "expire-access-logs",
            status: "Enabled",
            filter: { prefix: "" },
            expiration: { days: retentionDays },
            noncurrentVersionExpiration: { noncurrentDays: 30 },
          },
        ],
      },
      child,
    );
    const elbAccount = aws.elb.getServiceAccountOutput({}, child);
    new aws.s3.BucketPolicy(
      `${name}-alb-logs`,
      {
        bucket: bucket.id,
        policy: policyDocument([
          {
            Sid: "ElbLogDelivery",
            Effect: "Allow",
            // Regions older than 2022 deliver as the regional ELB account, newer ones as the service.
            Principal: { AWS: elbAccount.arn, Service: "logdelivery.elasticloadbalancing.amazonaws.com" },
            Action: "s3:PutObject",
            Resource: pulumi.interpolate`${bucket.arn}/alb/AWSLogs/${account.accountId}/*`,
          },
          denyInsecureTransport(bucket),
        ]),
      },
      child,
    );
    return bucket;
  }
}
