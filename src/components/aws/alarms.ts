/**
 * What pages and what posts: one SNS topic per stack (KMS-encrypted with a key CloudWatch may
 * use), wired to Slack through AWS Chatbot and, in production, to PagerDuty; and per service the
 * CloudWatch alarms that notify it. `planServiceAlarms` says which alarms a service gets and with
 * what thresholds (pure, tested); `StackAlarms` creates them.
 *
 * What each service is measured by:
 * - behind an ALB (every ECS service; an EKS service exposed `internal` or `public` through its
 *   Ingress): target 5xx rate, p95 and p99 target response time, unhealthy hosts;
 * - ECS: running tasks below the desired (minimum) count, from Container Insights;
 * - EKS: running pods of its namespace below the desired count and container restarts, from
 *   Container Insights (the amazon-cloudwatch-observability add-on, container-insights.ts). An
 *   EKS service exposed only in the `cluster` has no ALB: it has no HTTP alarms.
 * - the platform: failed deploy, rollback and infra-up runs, a metric the pipelines publish.
 */
import * as aws from "../../lib/aws";
import * as pulumi from "@pulumi/pulumi";
import { AlarmSettings } from "../../config/operations";
import { policyDocument, serviceTrust, Statement } from "../../lib/iam";
import { AccountContext, createKmsKey } from "../../lib/kms";
import { physicalName, rolePath } from "../../lib/naming";

/** Namespace of the delivery metrics the pipelines publish (src/workflows/operations.ts). */
export const DELIVERY_METRICS_NAMESPACE = "Platform/Delivery";
/** The metric a failed deploy, rollback or infra-up run adds 1 to (dimension `Stack`). */
export const FAILED_RUNS_METRIC = "FailedRuns";

/** The ALB target group a service's traffic goes through (CloudWatch dimension values). */
export interface AlbTarget {
  /** `app/<name>/<id>`. */
  readonly loadBalancer: pulumi.Input<string>;
  /** `targetgroup/<name>/<id>`. */
  readonly targetGroup: pulumi.Input<string>;
}

/** Where a service runs, as its alarms see it. */
export type AlarmTarget =
  | {
      readonly kind: "ecs";
      readonly clusterName: pulumi.Input<string>;
      readonly serviceName: pulumi.Input<string>;
      readonly alb: AlbTarget;
      /** Tasks it must keep running; 0 (stopped) turns the running-count alarm off. */
      readonly minRunning: number;
    }
  | {
      readonly kind: "eks";
      readonly clusterName: pulumi.Input<string>;
      readonly namespace: pulumi.Input<string>;
      /** Names of the service's Deployments (one per track). */
      readonly deployments: readonly string[];
      /** Only with an ALB Ingress. */
      readonly alb?: AlbTarget;
      /** Pods it must keep running across its tracks; 0 (stopped) turns the alarm off. */
      readonly minRunning: number;
    };

type Query = {
  readonly id: string;
  readonly expression?: string;
  readonly label?: string;
  readonly returnData: boolean;
  readonly metric?: {
    readonly namespace: string;
    readonly metricName: string;
    readonly dimensions: Record<string, pulumi.Input<string>>;
    readonly stat: string;
    readonly period: number;
  };
};

/** One alarm as data: what it watches, when it fires, how it treats missing data. */
export interface AlarmSpec {
  /** Suffix of its name: `<service>-<suffix>`. */
  readonly suffix: string;
  readonly description: string;
  readonly comparisonOperator: "GreaterThanThreshold" | "LessThanThreshold" | "GreaterThanOrEqualToThreshold";
  readonly threshold: number;
  readonly evaluationPeriods: number;
  /**
   * `notBreaching` where no data means no traffic (rates, latency); `breaching` where no data means
   * nothing runs (running counts).
   */
  readonly treatMissingData: "notBreaching" | "breaching";
  readonly queries: readonly Query[];
}

const metric = (
  id: string,
  namespace: string,
  metricName: string,
  dimensions: Record<string, pulumi.Input<string>>,
  stat: string,
  period: number,
  returnData = true,
): Query => ({ id, returnData, metric: { namespace, metricName, dimensions, stat, period } });

function albAlarms(alb: AlbTarget, s: AlarmSettings, period: number): AlarmSpec[] {
  const dims = { LoadBalancer: alb.loadBalancer, TargetGroup: alb.targetGroup };
  const ns = "AWS/ApplicationELB";
  const common = { evaluationPeriods: s.evaluationPeriods, treatMissingData: "notBreaching" as const };
  return [
    {
      ...common,
      suffix: "5xx-rate",
      description: `Target 5xx answers above ${s.errorRatePercent}% of requests`,
      comparisonOperator: "GreaterThanThreshold",
      threshold: s.errorRatePercent,
      queries: [
        metric("errors", ns, "HTTPCode_Target_5XX_Count", dims, "Sum", period, false),
        metric("requests", ns, "RequestCount", dims, "Sum", period, false),
        // A window without 5xx datapoints has none; without requests the rate is no data (no traffic).
        { id: "rate", expression: "100 * FILL(errors, 0) / requests", label: "5xx %", returnData: true },
      ],
    },
    ...(["p95", "p99"] as const).map(
      (p): AlarmSpec => ({
        ...common,
        suffix: `latency-${p}`,
        description: `${p} target response time above ${p === "p95" ? s.latencyP95Ms : s.latencyP99Ms} ms`,
        comparisonOperator: "GreaterThanThreshold",
        // TargetResponseTime is in seconds.
        threshold: (p === "p95" ? s.latencyP95Ms : s.latencyP99Ms) / 1000,
        queries: [metric(p, ns, "TargetResponseTime", dims, p, period)],
      }),
    ),
    {
      ...common,
      suffix: "unhealthy-hosts",
      description: "A target failing the load balancer's health check",
      comparisonOperator: "GreaterThanThreshold",
      threshold: 0,
      queries: [metric("unhealthy", ns, "UnHealthyHostCount", dims, "Maximum", period)],
    },
  ];
}

/** The alarms of one service (pure). */
export function planServiceAlarms(service: string, target: AlarmTarget, s: AlarmSettings): AlarmSpec[] {
  const period = s.periodMinutes * 60;
  const out: AlarmSpec[] = target.alb ? albAlarms(target.alb, s, period) : [];
  const running = (queries: Query[], what: string): AlarmSpec => ({
    suffix: "running-below-desired",
    description: `Fewer than ${target.minRunning} ${what} of ${service} running`,
    comparisonOperator: "LessThanThreshold",
    threshold: target.minRunning,
    evaluationPeriods: s.evaluationPeriods,
    treatMissingData: "breaching",
    queries,
  });
  if (target.kind === "ecs") {
    if (target.minRunning > 0)
      out.push(
        running(
          [
            metric(
              "running",
              "ECS/ContainerInsights",
              "RunningTaskCount",
              { ClusterName: target.clusterName, ServiceName: target.serviceName },
              "Minimum",
              period,
            ),
          ],
          "tasks",
        ),
      );
    return out;
  }
  if (target.minRunning > 0)
    out.push(
      running(
        [
          metric(
            "running",
            "ContainerInsights",
            "namespace_number_of_running_pods",
            { ClusterName: target.clusterName, Namespace: target.namespace },
            "Minimum",
            period,
          ),
        ],
        "pods",
      ),
    );
  // Container Insights counts restarts per pod workload (PodName: the Deployment's name); the
  // alarm adds up the increase of every track's count in a period.
  const tracks = target.deployments.map((d, i) =>
    metric(
      `restarts${i}`,
      "ContainerInsights",
      "pod_number_of_container_restarts",
      { ClusterName: target.clusterName, Namespace: target.namespace, PodName: d },
      "Maximum",
      period,
      false,
    ),
  );
  out.push({
    suffix: "restarts",
    description: `${s.restarts} or more container restarts of ${service} in ${s.periodMinutes} min`,
    comparisonOperator: "GreaterThanOrEqualToThreshold",
    threshold: s.restarts,
    evaluationPeriods: 1,
    treatMissingData: "notBreaching",
    queries: [
      ...tracks,
      {
        id: "restarts",
        expression: tracks.map((t) => `FILL(DIFF(${t.id}), 0)`).join(" + "),
        label: "container restarts",
        returnData: true,
      },
    ],
  });
  return out;
}

/** The platform's own alarm: any failed deploy, rollback or infra-up run of the stack. */
export function planPlatformAlarms(stack: string): AlarmSpec[] {
  return [
    {
      suffix: "failed-runs",
      description: `A deploy, rollback or infra-up run of ${stack} failed`,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      threshold: 1,
      evaluationPeriods: 1,
      treatMissingData: "notBreaching",
      queries: [
        metric("failed", DELIVERY_METRICS_NAMESPACE, FAILED_RUNS_METRIC, { Stack: stack }, "Sum", 300),
      ],
    },
  ];
}

/** The key policy statement letting CloudWatch alarms publish to a topic encrypted with the key. */
export function cloudWatchAlarmsKeyStatement(accountId: pulumi.Input<string>): Statement {
  return {
    Sid: "CloudWatchAlarmsPublish",
    Effect: "Allow",
    Principal: { Service: "cloudwatch.amazonaws.com" },
    Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
    Resource: "*",
    Condition: { StringEquals: { "aws:SourceAccount": accountId } },
  };
}

/**
 * What the Chatbot channel's role may do: read the alarm and its graph for the message. Nothing
 * else; the channel's guardrail (CloudWatchReadOnlyAccess) bounds what anyone in it can run.
 */
export const CHATBOT_ACTIONS = [
  "cloudwatch:DescribeAlarms",
  "cloudwatch:DescribeAlarmHistory",
  "cloudwatch:GetMetricData",
  "cloudwatch:GetMetricWidgetImage",
];

/** The PagerDuty Events API v1 endpoint SNS posts to (PagerDuty's documented SNS integration). */
export const pagerDutyEndpoint = (integrationKey: string) =>
  `https://events.pagerduty.com/integration/${integrationKey}/enqueue`;

export interface StackAlarmsArgs {
  readonly stack: string;
  readonly account: AccountContext;
  readonly settings: AlarmSettings;
  /** Service → where it runs; each gets `planServiceAlarms`. */
  readonly services: Readonly<Record<string, AlarmTarget>>;
  /** Slack channel through AWS Chatbot. @default none */
  readonly slack?: { readonly workspaceId: string; readonly channelId: string };
  /**
   * The AWS provider of the region the Chatbot configuration is made in, when the stack's region
   * has no Chatbot API (see `chatbotRegionFor`). @default the stack's provider
   */
  readonly chatbotProvider?: pulumi.ProviderResource;
  /**
   * Secrets Manager secret holding the PagerDuty integration key (production). Read when the
   * subscription is created; the value stays a Pulumi secret. @default none
   */
  readonly pagerDutyKeySecretArn?: string;
}

/** The stack's alarm topic, its subscribers and every service's alarms. */
export class StackAlarms extends pulumi.ComponentResource {
  public readonly topicArn: pulumi.Output<string>;
  /** Alarm names by service (`platform` for the pipelines' own). */
  public readonly alarmNames: Record<string, pulumi.Output<string>[]>;

  constructor(name: string, args: StackAlarmsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:operations:StackAlarms", name, {}, opts);
    const parent = { parent: this };
    const key = createKmsKey(
      `${name}-topic`,
      args.account,
      {
        description: `Alarm topic of ${args.stack}`,
        extraStatements: [cloudWatchAlarmsKeyStatement(args.account.accountId)],
      },
      parent,
    );
    const topic = new aws.sns.Topic(
      `${name}-topic`,
      { name: physicalName(name), kmsMasterKeyId: key.arn },
      parent,
    );
    this.topicArn = topic.arn;

    if (args.slack) {
      const role = new aws.iam.Role(
        `${name}-chatbot`,
        {
          path: rolePath(),
          description: "AWS Chatbot channel of the alarm topic",
          assumeRolePolicy: serviceTrust("chatbot.amazonaws.com", args.account.accountId),
        },
        parent,
      );
      new aws.iam.RolePolicy(
        `${name}-chatbot`,
        {
          role: role.id,
          policy: policyDocument([{ Effect: "Allow", Action: CHATBOT_ACTIONS, Resource: "*" }]),
        },
        parent,
      );
      new aws.chatbot.SlackChannelConfiguration(
        `${name}-slack`,
        {
          configurationName: physicalName(name),
          slackTeamId: args.slack.workspaceId,
          slackChannelId: args.slack.channelId,
          iamRoleArn: role.arn,
          guardrailPolicyArns: [
            pulumi.interpolate`arn:${args.account.partition}:iam::aws:policy/CloudWatchReadOnlyAccess`,
          ],
          snsTopicArns: [topic.arn],
          loggingLevel: "ERROR",
        },
        args.chatbotProvider ? { parent: this, provider: args.chatbotProvider } : parent,
      );
    }

    if (args.pagerDutyKeySecretArn) {
      const secret = aws.secretsmanager.getSecretVersionOutput(
        { secretId: args.pagerDutyKeySecretArn },
        parent,
      );
      new aws.sns.TopicSubscription(
        `${name}-pagerduty`,
        {
          topic: topic.arn,
          protocol: "https",
          endpoint: pulumi.secret(secret.secretString.apply((k) => pagerDutyEndpoint(k.trim()))),
          // PagerDuty confirms SNS subscriptions itself.
          endpointAutoConfirms: true,
        },
        parent,
      );
    }

    const create = (service: string, spec: AlarmSpec) =>
      createMetricAlarm(`${name}-${service}-${spec.suffix}`, service, spec, topic.arn, this);

    this.alarmNames = { platform: planPlatformAlarms(args.stack).map((spec) => create("platform", spec)) };
    for (const [service, target] of Object.entries(args.services))
      this.alarmNames[service] = planServiceAlarms(service, target, args.settings).map((spec) =>
        create(service, spec),
      );

    this.registerOutputs({ topicArn: this.topicArn, alarmNames: this.alarmNames });
  }
}

/** One alarm of `service`, notifying `topicArn`; its logical name carries the component's. */
function createMetricAlarm(
  logicalName: string,
  service: string,
  spec: AlarmSpec,
  topicArn: pulumi.Input<string>,
  parent: pulumi.Resource,
): pulumi.Output<string> {
  return new aws.cloudwatch.MetricAlarm(
    logicalName,
    {
      name: physicalName(`${service}-${spec.suffix}`),
      alarmDescription: spec.description,
      comparisonOperator: spec.comparisonOperator,
      threshold: spec.threshold,
      evaluationPeriods: spec.evaluationPeriods,
      treatMissingData: spec.treatMissingData,
      metricQueries: spec.queries.map((q) => ({
        id: q.id,
        expression: q.expression,
        label: q.label,
        returnData: q.returnData,
        metric: q.metric && {
          namespace: q.metric.namespace,
          metricName: q.metric.metricName,
          dimensions: q.metric.dimensions,
          stat: q.metric.stat,
          period: q.metric.period,
        },
      })),
      alarmActions: [topicArn],
      okActions: [topicArn],
    },
    { parent },
  ).name;
}

export interface ServiceAlarmsArgs {
  /** The platform stack's alarm topic (its `alarmTopicArn` output). */
  readonly topicArn: pulumi.Input<string>;
  readonly settings: AlarmSettings;
  /** Service → where it runs; each gets `planServiceAlarms`. */
  readonly services: Readonly<Record<string, AlarmTarget>>;
}

/**
 * An application stack's alarms: every one of its services' alarms, notifying its platform
 * stack's topic (whose subscribers — Slack, PagerDuty — the platform owns). Alarm names are the
 * ones `StackAlarms` gives, so an application's alarms never collide with the platform's.
 */
export class ServiceAlarms extends pulumi.ComponentResource {
  public readonly alarmNames: Record<string, pulumi.Output<string>[]>;

  constructor(name: string, args: ServiceAlarmsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:operations:ServiceAlarms", name, {}, opts);
    this.alarmNames = {};
    for (const [service, target] of Object.entries(args.services))
      this.alarmNames[service] = planServiceAlarms(service, target, args.settings).map((spec) =>
        createMetricAlarm(`${name}-${service}-${spec.suffix}`, service, spec, args.topicArn, this),
      );
    this.registerOutputs({ alarmNames: this.alarmNames });
  }
}
