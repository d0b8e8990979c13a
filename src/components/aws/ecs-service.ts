import * as aws from "../../lib/aws";
import * as pulumi from "@pulumi/pulumi";
import { policyDocument, serviceTrust, Statement } from "../../lib/iam";
import { AccountContext } from "../../lib/kms";
import { physicalName, rolePath } from "../../lib/naming";

export interface EcsServiceArgs {
  readonly clusterArn: pulumi.Input<string>;
  readonly clusterName: pulumi.Input<string>;
  readonly vpcId: pulumi.Input<string>;
  readonly privateSubnetIds: pulumi.Input<string>[];
  readonly httpsListenerArn: pulumi.Input<string>;
  readonly albSecurityGroupId: pulumi.Input<string>;
  readonly logKeyArn: pulumi.Input<string>;
  /** Full image reference by digest: `<repository>@sha256:…`. */
  readonly image: pulumi.Input<string>;
  /** ECR repository ARN to grant pull on (omit for GHCR). */
  readonly repositoryArn?: pulumi.Input<string>;
  readonly port: number;
  /** Host name the ALB routes to this service. */
  readonly hostName: string;
  /** Listener rule priority, unique per listener. */
  readonly priority: number;
  /** Fargate CPU in millicores (250, 500, 1000, 2000, 4000). @default 250 */
  readonly cpu?: number;
  /** Memory, MiB. @default 512 */
  readonly memoryMiB?: number;
  /** @default 2 */
  readonly desiredCount?: number;
  /** CPU autoscaling bounds; desired count is then left to the scaler. */
  readonly autoscaling?: {
    readonly minReplicas: number;
    readonly maxReplicas: number;
    readonly cpuTarget: number;
  };
  /** @default "/health" */
  readonly healthPath?: string;
  /** Plain environment variables. @default {} */
  readonly env?: Readonly<Record<string, string>>;
  /** Environment name → Secrets Manager ARN, injected by ECS (`secrets[].valueFrom`). @default {} */
  readonly secrets?: Readonly<Record<string, string>>;
  /** @default 365 */
  readonly logRetentionDays?: number;
  readonly account: AccountContext;
}

/** The container runs as this non-root uid:gid. */
export const CONTAINER_USER = "10001:10001";

/** The container definitions JSON of a hardened Fargate task (pure, for tests and the policy pack). */
export function containerDefinitions(c: {
  name: string;
  image: string;
  port: number;
  logGroup: string;
  region: string;
  env: Record<string, string>;
  secrets: Record<string, string>;
}): string {
  return JSON.stringify([
    {
      name: c.name,
      image: c.image,
      essential: true,
      user: CONTAINER_USER,
      privileged: false,
      readonlyRootFilesystem: true,
      portMappings: [{ containerPort: c.port, protocol: "tcp" }],
      environment: Object.entries(c.env).map(([name, value]) => ({ name, value })),
      secrets: Object.entries(c.secrets).map(([name, valueFrom]) => ({ name, valueFrom })),
      // A writable /tmp on task storage, since the root filesystem is read-only.
      mountPoints: [{ sourceVolume: "tmp", containerPath: "/tmp", readOnly: false }],
      linuxParameters: { initProcessEnabled: true, capabilities: { drop: ["ALL"] } },
      logConfiguration: {
        logDriver: "awslogs",
        options: { "awslogs-group": c.logGroup, "awslogs-region": c.region, "awslogs-stream-prefix": c.name },
      },
    },
  ]);
}

/**
 * One Fargate service behind the shared ALB: hardened task definition, separate execution and
 * task roles, private tasks without public IPs, deployment circuit breaker with rollback (and
 * `waitForSteadyState`, so a failed rollout fails `pulumi up`), health-checked target group, CPU autoscaling.
 */
export class EcsService extends pulumi.ComponentResource {
  public readonly serviceName: pulumi.Output<string>;
  public readonly url: string;

  constructor(name: string, args: EcsServiceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:ecs:EcsService", name, {}, opts);
    const child = { parent: this };
    const env = args.env ?? {};
    const secrets = args.secrets ?? {};
    this.url = `https://${args.hostName}`;

    const logGroup = new aws.cloudwatch.LogGroup(
      `${name}-logs`,
      {
        name: `/${physicalName(name)}/ecs`,
        retentionInDays: args.logRetentionDays ?? 365,
        kmsKeyId: args.logKeyArn,
      },
      child,
    );

    const executionStatements: Statement[] = [
      // GetAuthorizationToken has no resource-level permissions; "*" is the only valid resource.
      { Sid: "EcrAuth", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
      {
        Sid: "Logs",
        Effect: "Allow",
        Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
        Resource: pulumi.interpolate`${logGroup.arn}:*`,
      },
    ];
    if (args.repositoryArn) {
      executionStatements.push({
        Sid: "PullOwnImage",
        Effect: "Allow",
        Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"],
        Resource: args.repositoryArn,
      });
    }
    if (Object.keys(secrets).length > 0) {
      executionStatements.push({
        Sid: "ReadOwnSecrets",
        Effect: "Allow",
        Action: "secretsmanager:GetSecretValue",
        Resource: [...new Set(Object.values(secrets))],
      });
    }
    const executionRole = new aws.iam.Role(
      `${name}-execution`,
      {
        path: rolePath(),
        assumeRolePolicy: serviceTrust("ecs-tasks.amazonaws.com", args.account.accountId),
        description: `ECS agent role of ${name}`,
      },
      child,
    );
    new aws.iam.RolePolicy(
      `${name}-execution`,
      { role: executionRole.id, policy: policyDocument(executionStatements) },
      child,
    );
    // The application's own role starts with no permissions; grant them where the app is defined.
    const taskRole = new aws.iam.Role(
      `${name}-task`,
      {
        path: rolePath(),
        assumeRolePolicy: serviceTrust("ecs-tasks.amazonaws.com", args.account.accountId),
        description: `Application role of ${name}`,
      },
      child,
    );

    const cpuUnits = Math.round(((args.cpu ?? 250) * 1024) / 1000);
    const taskDefinition = new aws.ecs.TaskDefinition(
      `${name}-task`,
      {
        family: physicalName(name),
        requiresCompatibilities: ["FARGATE"],
        networkMode: "awsvpc",
        cpu: String(cpuUnits),
        memory: String(args.memoryMiB ?? 512),
        runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: "X86_64" },
        executionRoleArn: executionRole.arn,
        taskRoleArn: taskRole.arn,
        volumes: [{ name: "tmp" }],
        containerDefinitions: pulumi
          .all([args.image, logGroup.name, args.account.region])
          .apply(([image, group, region]) =>
            containerDefinitions({
              name,
              image,
              port: args.port,
              logGroup: group,
              region,
              env: { ...env },
              secrets: { ...secrets },
            }),
          ),
      },
      child,
    );

    const taskSg = new aws.ec2.SecurityGroup(
      `${name}-tasks`,
      {
        vpcId: args.vpcId,
        description: `Tasks of ${name}`,
        ingress: [
          {
            description: "From the ALB only",
            protocol: "tcp",
            fromPort: args.port,
            toPort: args.port,
            securityGroups: [args.albSecurityGroupId],
          },
        ],
        egress: [
          {
            description: "HTTPS to AWS APIs and dependencies",
            protocol: "tcp",
            fromPort: 443,
            toPort: 443,
            cidrBlocks: ["0.0.0.0/0"],
          },
        ],
      },
      child,
    );

    const targetGroup = new aws.lb.TargetGroup(
      `${name}-tg`,
      {
        targetType: "ip",
        port: args.port,
        protocol: "HTTP",
        vpcId: args.vpcId,
        deregistrationDelay: 30,
        healthCheck: {
          path: args.healthPath ?? "/health",
          matcher: "200-399",
          interval: 15,
          healthyThreshold: 2,
          unhealthyThreshold: 3,
        },
      },
      child,
    );
    new aws.lb.ListenerRule(
      `${name}-rule`,
      {
        listenerArn: args.httpsListenerArn,
        priority: args.priority,
        conditions: [{ hostHeader: { values: [args.hostName] } }],
        actions: [{ type: "forward", targetGroupArn: targetGroup.arn }],
      },
      child,
    );

    const desired = args.autoscaling?.minReplicas ?? args.desiredCount ?? 2;
    const service = new aws.ecs.Service(
      `${name}-service`,
      {
        name,
        cluster: args.clusterArn,
        taskDefinition: taskDefinition.arn,
        desiredCount: desired,
        launchType: "FARGATE",
        platformVersion: "LATEST",
        networkConfiguration: {
          subnets: args.privateSubnetIds,
          securityGroups: [taskSg.id],
          assignPublicIp: false,
        },
        loadBalancers: [{ targetGroupArn: targetGroup.arn, containerName: name, containerPort: args.port }],
        deploymentCircuitBreaker: { enable: true, rollback: true },
        deploymentMinimumHealthyPercent: 100,
        deploymentMaximumPercent: 200,
        healthCheckGracePeriodSeconds: 60,
        propagateTags: "SERVICE",
        enableExecuteCommand: false,
        waitForSteadyState: true,
      },
      { parent: this, ignoreChanges: args.autoscaling ? ["desiredCount"] : [] },
    );
    this.serviceName = service.name;

    if (args.autoscaling) {
      const target = new aws.appautoscaling.Target(
        `${name}-scaling`,
        {
          serviceNamespace: "ecs",
          scalableDimension: "ecs:service:DesiredCount",
          resourceId: pulumi.interpolate`service/${args.clusterName}/${service.name}`,
          minCapacity: args.autoscaling.minReplicas,
          maxCapacity: args.autoscaling.maxReplicas,
        },
        child,
      );
      new aws.appautoscaling.Policy(
        `${name}-cpu`,
        {
          policyType: "TargetTrackingScaling",
          serviceNamespace: target.serviceNamespace,
          scalableDimension: target.scalableDimension,
          resourceId: target.resourceId,
          targetTrackingScalingPolicyConfiguration: {
            targetValue: args.autoscaling.cpuTarget,
            predefinedMetricSpecification: { predefinedMetricType: "ECSServiceAverageCPUUtilization" },
            scaleInCooldown: 120,
            scaleOutCooldown: 60,
          },
        },
        child,
      );
    }
    this.registerOutputs({ serviceName: this.serviceName, url: this.url });
  }
}
