import * as aws from "../../lib/aws";
import * as pulumi from "@pulumi/pulumi";
import { policyDocument, serviceTrust, Statement } from "../../lib/iam";
import { ResolvedDependency } from "../../config/dependencies";
import { AccountContext } from "../../lib/kms";
import { physicalName, rolePath } from "../../lib/naming";

export interface EcsServiceAutoscaling {
  readonly minReplicas: number;
  readonly maxReplicas: number;
  /** Target average CPU utilisation, percent. */
  readonly cpuTarget: number;
}

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
  /** ECR repository ARN to grant pull on; absent for GHCR images. */
  readonly repositoryArn?: pulumi.Input<string>;
  /** A private registry's pull credential (GHCR: `registry.pullCredentialsSecretArn`). @default none */
  readonly pullCredentialsArn?: string;
  readonly port: number;
  /** Host name the ALB routes to this service. */
  readonly hostName: string;
  /** Listener rule priority, unique per listener (see `listenerRulePriority`). */
  readonly priority: number;
  /** Fargate CPU in millicores (250, 500, 1000, 2000, 4000). */
  readonly cpu: number;
  /** Task memory, MiB. */
  readonly memoryMiB: number;
  /** Tasks to run when there is no autoscaling. */
  readonly desiredCount: number;
  /** CPU autoscaling bounds; absent for a fixed `desiredCount`, present leaves the count to the scaler. */
  readonly autoscaling?: EcsServiceAutoscaling;
  /** HTTP path the target group health check requests. */
  readonly healthPath: string;
  /** Plain environment variables. */
  readonly env: Readonly<Record<string, string>>;
  /** Environment name → Secrets Manager ARN, injected by ECS (`secrets[].valueFrom`). */
  readonly secrets: Readonly<Record<string, string>>;
  /** Retention of the service's log group, days. */
  readonly logRetentionDays: number;
  /** What the tasks talk to besides DNS and HTTPS; each opens exactly its path. @default [] */
  readonly dependencies?: readonly ResolvedDependency[];
  readonly account: AccountContext;
  /**
   * How a new task definition reaches users: `rolling` (circuit breaker with rollback), or ECS's
   * native `blueGreen` — the new revision comes up behind a second target group, takes test
   * traffic, pauses for the release executor's smoke test, takes production traffic, and the old
   * revision stays `bakeMinutes` for an instant rollback. @default { type: "rolling" }
   */
  readonly strategy?: EcsStrategy;
  /**
   * The permissions boundary of every role the service creates: an application with a repository
   * of its own caps them (components/aws/application-roles.ts). @default none
   */
  readonly permissionsBoundary?: pulumi.Input<string>;
}

export type EcsStrategy =
  | { readonly type: "rolling" }
  | { readonly type: "blueGreen"; readonly bakeMinutes: number };

/**
 * The header the blue/green test listener rule matches: the release executor's smoke test reaches
 * the new (green) revision with it while production traffic still goes to blue.
 */
export const TEST_TRAFFIC_HEADER = { name: "x-platform-release", value: "test" } as const;

/** Where the blue/green deployment pauses for the executor: after test traffic reaches green. */
export const BLUE_GREEN_PAUSE_STAGE = "POST_TEST_TRAFFIC_SHIFT";

/**
 * Minutes ECS waits at the pause for the executor before rolling back by itself (the deploy job
 * stops at 60): a deploy job that died never leaves a deployment paused half-way.
 */
export const BLUE_GREEN_PAUSE_TIMEOUT_MINUTES = 30;

/** The managed policy letting ECS move listener rules between a blue/green service's target groups. */
export const ECS_LOAD_BALANCER_POLICY = "AmazonECSInfrastructureRolePolicyForLoadBalancers";

/**
 * The test rule's priority: above (a lower number than) every production rule, so a request
 * with the test header to the service's host reaches the test rule first.
 */
export function testRulePriority(position: number): number {
  return 1 + position;
}

/** The container runs as this non-root uid:gid. */
export const CONTAINER_USER = "10001:10001";

/** Priority of the first service's listener rule; the n-th service (from 0) gets base + n. */
export const LISTENER_RULE_BASE_PRIORITY = 100;

/**
 * The listener rule priority of the service at `position` in the stack's service list: distinct
 * per service, and unchanged for existing services when one is appended.
 */
export function listenerRulePriority(position: number): number {
  return LISTENER_RULE_BASE_PRIORITY + position;
}

/** The container definitions JSON of a hardened Fargate task (pure, for tests and the policy pack). */
export function containerDefinitions(c: {
  name: string;
  image: string;
  port: number;
  logGroup: string;
  region: string;
  env: Record<string, string>;
  secrets: Record<string, string>;
  /** A private registry's pull credential (Secrets Manager ARN), e.g. GHCR's. */
  pullCredentialsArn?: string;
}): string {
  return JSON.stringify([
    {
      name: c.name,
      image: c.image,
      ...(c.pullCredentialsArn
        ? { repositoryCredentials: { credentialsParameter: c.pullCredentialsArn } }
        : {}),
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

/** Fargate CPU units (1024 per vCPU) for millicores. */
export function fargateCpuUnits(millicores: number): number {
  return Math.round((millicores * 1024) / 1000);
}

/**
 * What the ECS agent (execution role) may do: get an ECR token, write its own log group, pull its
 * own image and read exactly the secrets the task references. The application's task role gets none of it.
 */
export function executionRoleStatements(p: {
  logGroupArn: pulumi.Input<string>;
  repositoryArn?: pulumi.Input<string>;
  secretArns: readonly string[];
  /** The registry pull credential the agent reads to pull the image. */
  pullCredentialsArn?: string;
}): Statement[] {
  const statements: Statement[] = [
    // GetAuthorizationToken has no resource-level permissions; "*" is the only valid resource.
    { Sid: "EcrAuth", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
    {
      Sid: "Logs",
      Effect: "Allow",
      Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
      Resource: pulumi.interpolate`${p.logGroupArn}:*`,
    },
  ];
  if (p.repositoryArn)
    statements.push({
      Sid: "PullOwnImage",
      Effect: "Allow",
      Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"],
      Resource: p.repositoryArn,
    });
  if (p.pullCredentialsArn)
    statements.push({
      Sid: "ReadPullCredentials",
      Effect: "Allow",
      Action: "secretsmanager:GetSecretValue",
      Resource: p.pullCredentialsArn,
    });
  if (p.secretArns.length > 0)
    statements.push({
      Sid: "ReadOwnSecrets",
      Effect: "Allow",
      Action: "secretsmanager:GetSecretValue",
      Resource: [...new Set(p.secretArns)],
    });
  return statements;
}

/**
 * Task security group rules: in from the ALB on the service port only; out to HTTPS (AWS APIs
 * through the NAT gateway and endpoints, other services through the ALB) and to each declared
 * database or cache on its port only.
 */
export function taskSecurityGroupRules(
  port: number,
  albSecurityGroupId: pulumi.Input<string>,
  dependencies: readonly ResolvedDependency[] = [],
) {
  return {
    ingress: [
      {
        description: "From the ALB only",
        protocol: "tcp",
        fromPort: port,
        toPort: port,
        securityGroups: [albSecurityGroupId],
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
      ...dependencies.flatMap((d) => {
        if (d.kind === "service") return []; // through the ALB on 443, above
        const to = d.kind === "cidr" ? { cidrBlocks: [d.cidr] } : { securityGroups: [d.securityGroupId] };
        return [{ description: `To ${d.name}`, protocol: "tcp", fromPort: d.port, toPort: d.port, ...to }];
      }),
    ],
  };
}

/**
 * The other half of each path that ends at a security group: the ALB admits the tasks of a
 * service that calls another service (on 443), and a database's or cache's group admits them on
 * its port. Rules on groups the stack may not own are separate resources, one per path, so they
 * leave the group's other rules alone.
 */
export function dependencyIngressRules(
  service: string,
  dependencies: readonly ResolvedDependency[],
  albSecurityGroupId: pulumi.Input<string>,
): { name: string; securityGroupId: pulumi.Input<string>; port: number; description: string }[] {
  const out: { name: string; securityGroupId: pulumi.Input<string>; port: number; description: string }[] =
    [];
  if (dependencies.some((d) => d.kind === "service"))
    out.push({
      name: "alb",
      securityGroupId: albSecurityGroupId,
      port: 443,
      description: `HTTPS from the tasks of ${service} (calls ${dependencies
        .filter((d) => d.kind === "service")
        .map((d) => (d.kind === "service" ? d.service : ""))
        .join(", ")})`,
    });
  for (const d of dependencies)
    if (d.kind === "securityGroup")
      out.push({
        name: d.name,
        securityGroupId: d.securityGroupId,
        port: d.port,
        description: `${d.name} from the tasks of ${service}`,
      });
  return out;
}

/** The target group health check of a service. */
export function healthCheck(path: string) {
  return { path, matcher: "200-399", interval: 15, healthyThreshold: 2, unhealthyThreshold: 3 };
}

/**
 * Service settings that are posture, not configuration: Fargate, no ECS Exec, rollback on a
 * failed deployment, and `waitForSteadyState` so a failed rollout fails `pulumi up`.
 */
export const SERVICE_SETTINGS = {
  launchType: "FARGATE",
  platformVersion: "LATEST",
  deploymentCircuitBreaker: { enable: true, rollback: true },
  deploymentMinimumHealthyPercent: 100,
  deploymentMaximumPercent: 200,
  healthCheckGracePeriodSeconds: 60,
  propagateTags: "SERVICE",
  enableExecuteCommand: false,
  waitForSteadyState: true,
} as const;

/** Tasks run in private subnets without public addresses. */
export function serviceNetworkConfiguration(
  subnetIds: pulumi.Input<string>[],
  securityGroupId: pulumi.Input<string>,
) {
  return { subnets: subnetIds, securityGroups: [securityGroupId], assignPublicIp: false };
}

/** Initial task count and what Pulumi leaves alone: with autoscaling, the scaler owns the count. */
export function planDesiredCount(p: Pick<EcsServiceArgs, "desiredCount" | "autoscaling">): {
  desiredCount: number;
  ignoreChanges: string[];
} {
  return p.autoscaling
    ? { desiredCount: p.autoscaling.minReplicas, ignoreChanges: ["desiredCount"] }
    : { desiredCount: p.desiredCount, ignoreChanges: [] };
}

/** CPU target tracking of a service. */
export function cpuScalingConfiguration(cpuTarget: number) {
  return {
    targetValue: cpuTarget,
    predefinedMetricSpecification: { predefinedMetricType: "ECSServiceAverageCPUUtilization" },
    scaleInCooldown: 120,
    scaleOutCooldown: 60,
  };
}

/** The service's encrypted log group and its two roles: execution (agent) and task (application). */
export function createTaskRoles(
  name: string,
  args: Pick<
    EcsServiceArgs,
    | "logRetentionDays"
    | "logKeyArn"
    | "repositoryArn"
    | "secrets"
    | "account"
    | "pullCredentialsArn"
    | "permissionsBoundary"
  >,
  parent: pulumi.Resource,
): { logGroup: aws.cloudwatch.LogGroup; executionRole: aws.iam.Role; taskRole: aws.iam.Role } {
  const logGroup = new aws.cloudwatch.LogGroup(
    `${name}-logs`,
    { name: `/${physicalName(name)}/ecs`, retentionInDays: args.logRetentionDays, kmsKeyId: args.logKeyArn },
    { parent },
  );
  const role = (suffix: string, description: string) =>
    new aws.iam.Role(
      `${name}-${suffix}`,
      {
        path: rolePath(),
        assumeRolePolicy: serviceTrust("ecs-tasks.amazonaws.com", args.account.accountId),
        description,
        ...(args.permissionsBoundary ? { permissionsBoundary: args.permissionsBoundary } : {}),
      },
      { parent },
    );
  const executionRole = role("execution", `ECS agent role of ${name}`);
  const statements = executionRoleStatements({
    logGroupArn: logGroup.arn,
    repositoryArn: args.repositoryArn,
    secretArns: Object.values(args.secrets),
    pullCredentialsArn: args.pullCredentialsArn,
  });
  new aws.iam.RolePolicy(
    `${name}-execution`,
    { role: executionRole.id, policy: policyDocument(statements) },
    { parent },
  );
  // The application's own role starts with no permissions; grant them where the app is defined.
  const taskRole = role("task", `Application role of ${name}`);
  return { logGroup, executionRole, taskRole };
}

/** The hardened Fargate task definition (see `containerDefinitions`). */
export function createTaskDefinition(
  name: string,
  args: Pick<
    EcsServiceArgs,
    "cpu" | "memoryMiB" | "image" | "port" | "env" | "secrets" | "account" | "pullCredentialsArn"
  >,
  roles: { logGroup: aws.cloudwatch.LogGroup; executionRole: aws.iam.Role; taskRole: aws.iam.Role },
  parent: pulumi.Resource,
): aws.ecs.TaskDefinition {
  return new aws.ecs.TaskDefinition(
    `${name}-task`,
    {
      family: physicalName(name),
      requiresCompatibilities: ["FARGATE"],
      networkMode: "awsvpc",
      cpu: String(fargateCpuUnits(args.cpu)),
      memory: String(args.memoryMiB),
      runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: "X86_64" },
      executionRoleArn: roles.executionRole.arn,
      taskRoleArn: roles.taskRole.arn,
      volumes: [{ name: "tmp" }],
      containerDefinitions: pulumi
        .all([args.image, roles.logGroup.name, args.account.region])
        .apply(([image, logGroup, region]) =>
          containerDefinitions({
            name,
            image,
            port: args.port,
            logGroup,
            region,
            env: { ...args.env },
            secrets: { ...args.secrets },
            pullCredentialsArn: args.pullCredentialsArn,
          }),
        ),
    },
    { parent },
  );
}

/** A target group of the service's tasks (by IP), health-checked on its path. */
function createTargetGroup(
  name: string,
  args: Pick<EcsServiceArgs, "port" | "vpcId" | "healthPath">,
  parent: pulumi.Resource,
): aws.lb.TargetGroup {
  return new aws.lb.TargetGroup(
    name,
    {
      targetType: "ip",
      port: args.port,
      protocol: "HTTP",
      vpcId: args.vpcId,
      deregistrationDelay: 30,
      healthCheck: healthCheck(args.healthPath),
    },
    { parent },
  );
}

/** The task security group, the health-checked target group and the host-name listener rule. */
export function createLoadBalancing(
  name: string,
  args: Pick<
    EcsServiceArgs,
    | "vpcId"
    | "port"
    | "albSecurityGroupId"
    | "healthPath"
    | "httpsListenerArn"
    | "priority"
    | "hostName"
    | "dependencies"
    | "strategy"
  >,
  parent: pulumi.Resource,
): { securityGroup: aws.ec2.SecurityGroup; targetGroup: aws.lb.TargetGroup; blueGreen?: BlueGreenParts } {
  const securityGroup = new aws.ec2.SecurityGroup(
    `${name}-tasks`,
    {
      vpcId: args.vpcId,
      description: `Tasks of ${name}`,
      ...taskSecurityGroupRules(args.port, args.albSecurityGroupId, args.dependencies),
    },
    { parent },
  );
  for (const rule of dependencyIngressRules(name, args.dependencies ?? [], args.albSecurityGroupId))
    new aws.vpc.SecurityGroupIngressRule(
      `${name}-to-${rule.name}`,
      {
        securityGroupId: rule.securityGroupId,
        referencedSecurityGroupId: securityGroup.id,
        ipProtocol: "tcp",
        fromPort: rule.port,
        toPort: rule.port,
        description: rule.description,
      },
      { parent },
    );
  const targetGroup = createTargetGroup(`${name}-tg`, args, parent);
  const blueGreen = args.strategy?.type === "blueGreen";
  // Under blue/green ECS moves the rules' forward actions between the two target groups at each
  // deployment: Pulumi must not move them back.
  const ecsOwned = blueGreen ? { ignoreChanges: ["actions"] } : {};
  const productionRule = new aws.lb.ListenerRule(
    `${name}-rule`,
    {
      listenerArn: args.httpsListenerArn,
      priority: args.priority,
      conditions: [{ hostHeader: { values: [args.hostName] } }],
      actions: [{ type: "forward", targetGroupArn: targetGroup.arn }],
    },
    { parent, ...ecsOwned },
  );
  if (!blueGreen) return { securityGroup, targetGroup };
  const green = createTargetGroup(`${name}-g`, args, parent);
  const testRule = new aws.lb.ListenerRule(
    `${name}-test-rule`,
    {
      listenerArn: args.httpsListenerArn,
      priority: testRulePriority(args.priority - LISTENER_RULE_BASE_PRIORITY),
      conditions: [
        { hostHeader: { values: [args.hostName] } },
        { httpHeader: { httpHeaderName: TEST_TRAFFIC_HEADER.name, values: [TEST_TRAFFIC_HEADER.value] } },
      ],
      actions: [{ type: "forward", targetGroupArn: targetGroup.arn }],
    },
    { parent, ...ecsOwned },
  );
  return { securityGroup, targetGroup, blueGreen: { green, productionRule, testRule } };
}

/** The blue/green parts of a service's load balancing: the green target group and the two rules ECS moves. */
export interface BlueGreenParts {
  readonly green: aws.lb.TargetGroup;
  readonly productionRule: aws.lb.ListenerRule;
  readonly testRule: aws.lb.ListenerRule;
}

/** The role ECS assumes to move a blue/green service's listener rules (`ecs.amazonaws.com`). */
export function createBlueGreenRole(
  name: string,
  account: AccountContext,
  parent: pulumi.Resource,
  permissionsBoundary?: pulumi.Input<string>,
): { role: aws.iam.Role; attachment: aws.iam.RolePolicyAttachment } {
  const role = new aws.iam.Role(
    `${name}-bluegreen`,
    {
      path: rolePath(),
      description: `ECS moves the listener rules of ${name} between its target groups (blue/green)`,
      assumeRolePolicy: serviceTrust("ecs.amazonaws.com"),
      ...(permissionsBoundary ? { permissionsBoundary } : {}),
    },
    { parent },
  );
  const attachment = new aws.iam.RolePolicyAttachment(
    `${name}-bluegreen`,
    {
      role: role.name,
      policyArn: pulumi.interpolate`arn:${account.partition}:iam::aws:policy/${ECS_LOAD_BALANCER_POLICY}`,
    },
    { parent },
  );
  return { role, attachment };
}

/**
 * ECS's native blue/green: the deployment configuration (pause for the executor after the test
 * traffic shift, bake) and the load balancer's alternate target group and rules.
 */
export function planBlueGreen(
  bakeMinutes: number,
  parts: {
    green: pulumi.Input<string>;
    productionRule: pulumi.Input<string>;
    testRule: pulumi.Input<string>;
    roleArn: pulumi.Input<string>;
  },
) {
  return {
    deploymentConfiguration: {
      strategy: "BLUE_GREEN",
      bakeTimeInMinutes: String(bakeMinutes),
      lifecycleHooks: [
        {
          targetType: "PAUSE",
          lifecycleStages: [BLUE_GREEN_PAUSE_STAGE],
          timeoutConfiguration: {
            action: "ROLLBACK",
            timeoutInMinutes: String(BLUE_GREEN_PAUSE_TIMEOUT_MINUTES),
          },
        },
      ],
    },
    advancedConfiguration: {
      alternateTargetGroupArn: parts.green,
      productionListenerRule: parts.productionRule,
      testListenerRule: parts.testRule,
      roleArn: parts.roleArn,
    },
  };
}

/** The ECS service: private tasks behind the target group, with the fixed `SERVICE_SETTINGS`. */
export function createService(
  name: string,
  args: Pick<
    EcsServiceArgs,
    | "clusterArn"
    | "privateSubnetIds"
    | "port"
    | "desiredCount"
    | "autoscaling"
    | "strategy"
    | "account"
    | "permissionsBoundary"
  >,
  parts: {
    taskDefinition: aws.ecs.TaskDefinition;
    securityGroup: aws.ec2.SecurityGroup;
    targetGroup: aws.lb.TargetGroup;
    blueGreen?: BlueGreenParts;
  },
  parent: pulumi.Resource,
): aws.ecs.Service {
  const { desiredCount, ignoreChanges } = planDesiredCount(args);
  const strategy = args.strategy;
  const bgRole =
    strategy?.type === "blueGreen" && parts.blueGreen
      ? createBlueGreenRole(name, args.account, parent, args.permissionsBoundary)
      : undefined;
  const blueGreen =
    strategy?.type === "blueGreen" && parts.blueGreen && bgRole
      ? planBlueGreen(strategy.bakeMinutes, {
          green: parts.blueGreen.green.arn,
          productionRule: parts.blueGreen.productionRule.arn,
          testRule: parts.blueGreen.testRule.arn,
          roleArn: bgRole.role.arn,
        })
      : undefined;
  return new aws.ecs.Service(
    `${name}-service`,
    {
      name,
      cluster: args.clusterArn,
      taskDefinition: parts.taskDefinition.arn,
      desiredCount,
      networkConfiguration: serviceNetworkConfiguration(args.privateSubnetIds, parts.securityGroup.id),
      loadBalancers: [
        {
          targetGroupArn: parts.targetGroup.arn,
          containerName: name,
          containerPort: args.port,
          ...(blueGreen ? { advancedConfiguration: blueGreen.advancedConfiguration } : {}),
        },
      ],
      ...SERVICE_SETTINGS,
      ...(blueGreen
        ? {
            deploymentConfiguration: blueGreen.deploymentConfiguration,
            // The executor drives the deployment through its pause (src/release/ecs-bluegreen.ts):
            // `up` returns once ECS has it, instead of waiting on a pause only the executor lifts.
            waitForSteadyState: false,
          }
        : {}),
    },
    // ECS checks the role can move the rules when the service is created: attached first.
    { parent, ignoreChanges, ...(bgRole ? { dependsOn: [bgRole.attachment] } : {}) },
  );
}

/** CPU target tracking between the autoscaling bounds. */
export function createAutoscaling(
  name: string,
  clusterName: pulumi.Input<string>,
  service: aws.ecs.Service,
  autoscaling: EcsServiceAutoscaling,
  parent: pulumi.Resource,
): aws.appautoscaling.Policy {
  const target = new aws.appautoscaling.Target(
    `${name}-scaling`,
    {
      serviceNamespace: "ecs",
      scalableDimension: "ecs:service:DesiredCount",
      resourceId: pulumi.interpolate`service/${clusterName}/${service.name}`,
      minCapacity: autoscaling.minReplicas,
      maxCapacity: autoscaling.maxReplicas,
    },
    { parent },
  );
  return new aws.appautoscaling.Policy(
    `${name}-cpu`,
    {
      policyType: "TargetTrackingScaling",
      serviceNamespace: target.serviceNamespace,
      scalableDimension: target.scalableDimension,
      resourceId: target.resourceId,
      targetTrackingScalingPolicyConfiguration: cpuScalingConfiguration(autoscaling.cpuTarget),
    },
    { parent },
  );
}

/**
 * One Fargate service behind the shared ALB: hardened task definition, separate execution and
 * task roles, private tasks without public IPs, deployment circuit breaker with rollback (and
 * `waitForSteadyState`, so a failed rollout fails `pulumi up`), health-checked target group, CPU autoscaling.
 */
export class EcsService extends pulumi.ComponentResource {
  public readonly serviceName: pulumi.Output<string>;
  /** The task definition revision the service was last updated to (the release executor checks it runs). */
  public readonly taskDefinitionArn: pulumi.Output<string>;
  public readonly url: string;
  /** `targetgroup/<name>/<id>`: the target group's CloudWatch dimension (alarms, the metric gate). */
  public readonly targetGroupArnSuffix: pulumi.Output<string>;

  constructor(name: string, args: EcsServiceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:ecs:EcsService", name, {}, opts);
    this.url = `https://${args.hostName}`;

    const roles = createTaskRoles(name, args, this);
    const taskDefinition = createTaskDefinition(name, args, roles, this);
    const { securityGroup, targetGroup, blueGreen } = createLoadBalancing(name, args, this);
    const service = createService(
      name,
      args,
      { taskDefinition, securityGroup, targetGroup, blueGreen },
      this,
    );
    this.serviceName = service.name;
    this.taskDefinitionArn = taskDefinition.arn;
    this.targetGroupArnSuffix = targetGroup.arnSuffix;
    if (args.autoscaling) createAutoscaling(name, args.clusterName, service, args.autoscaling, this);

    this.registerOutputs({
      serviceName: this.serviceName,
      taskDefinitionArn: this.taskDefinitionArn,
      url: this.url,
      targetGroupArnSuffix: this.targetGroupArnSuffix,
    });
  }
}
