import { strict as assert } from "assert";
import { readStackConfig } from "../../src/config/stack-files";
import { Evaluation, mockKeyArn, RecordedResource } from "../../dev/harness/evaluate";
import { evaluateStack, stackAccount } from "../../dev/harness/program";
import { readPackConfig, runGate } from "../../dev/harness/policy-harness";
import { planServiceAlarms } from "../../src/components/aws/alarms";
import { stackConfigFromFile } from "../../src/config";
import { operationsOf } from "../../src/config/operations";
import { albNameOfHostname, ingressTargetGroupResource, minimumRunning } from "../../src/stack/operations";
import { committedStack } from "../helpers/stacks";

const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const HTTP = ["5xx-rate", "latency-p95", "latency-p99", "unhealthy-hosts"];

/** The alarm `platform-<stack>-<service>-<suffix>`, by its physical name. */
function alarm(e: Evaluation, stack: string, service: string, suffix: string): RecordedResource {
  const name = `platform-${stack}-${service}-${suffix}`;
  const found = e.ofType(ALARM).find((a) => a.inputs.name === name);
  assert.ok(
    found,
    `${name} among ${e
      .ofType(ALARM)
      .map((a) => a.inputs.name)
      .join(", ")}`,
  );
  return found;
}

const suffixesOf = (e: Evaluation, stack: string, service: string) =>
  e
    .ofType(ALARM)
    .map((a) => String(a.inputs.name))
    .filter((n) => n.startsWith(`platform-${stack}-${service}-`))
    .map((n) => n.slice(`platform-${stack}-${service}-`.length))
    .sort();

describe("alarms under mocks", function () {
  this.timeout(120000);
  const stacks = ["dev", "staging", "production"];
  const evaluations: Record<string, Evaluation> = {};
  before(async () => {
    for (const stack of stacks) evaluations[stack] = await committedStack(stack);
  });

  it("every service of every committed AWS stack has its alarms: HTTP ones behind an ALB, running count, and restarts on EKS", () => {
    for (const stack of stacks) {
      const config = stackConfigFromFile(stack);
      for (const service of config.services) {
        const behindAlb = service.target === "ecs" || (service.exposure ?? "cluster") !== "cluster";
        const expected = [
          ...(behindAlb ? HTTP : []),
          "running-below-desired",
          ...(service.target === "eks" ? ["restarts"] : []),
        ].sort();
        assert.deepEqual(
          suffixesOf(evaluations[stack], stack, service.name),
          expected,
          `${stack}/${service.name}`,
        );
      }
    }
  });

  it("every alarm notifies the stack's topic when it fires and when it clears", () => {
    for (const stack of stacks) {
      const alarms = evaluations[stack].ofType(ALARM);
      assert.ok(alarms.length > 0, stack);
      for (const a of alarms) {
        assert.deepEqual(
          a.inputs.alarmActions,
          [`arn:aws:sns:eu-west-1:123456789012:alarms-topic`],
          a.inputs.name,
        );
        assert.deepEqual(a.inputs.okActions, a.inputs.alarmActions);
      }
    }
  });

  it("production's thresholds are production's: 1 % 5xx, p95 0.5 s, p99 1.5 s over one-minute periods, three in a row", () => {
    const prod = evaluations.production;
    const rate = alarm(prod, "production", "payments", "5xx-rate");
    assert.deepEqual(
      [rate.inputs.threshold, rate.inputs.evaluationPeriods, rate.inputs.treatMissingData],
      [1, 3, "notBreaching"],
    );
    assert.equal(rate.inputs.metricQueries[2].expression, "100 * FILL(errors, 0) / requests");
    assert.equal(rate.inputs.metricQueries[0].metric.period, 60);
    assert.equal(alarm(prod, "production", "payments", "latency-p95").inputs.threshold, 0.5);
    assert.equal(alarm(prod, "production", "payments", "latency-p99").inputs.threshold, 1.5);
    assert.equal(alarm(prod, "production", "web", "restarts").inputs.threshold, 1);
  });

  it("dev's thresholds are the development defaults: 5 % 5xx, p99 2.5 s over five-minute periods", () => {
    const rate = alarm(evaluations.dev, "dev", "payments", "5xx-rate");
    assert.deepEqual([rate.inputs.threshold, rate.inputs.metricQueries[0].metric.period], [5, 300]);
    assert.equal(alarm(evaluations.dev, "dev", "payments", "latency-p99").inputs.threshold, 2.5);
  });

  it("an ECS service's alarms read its own target group on the stack's ALB, and its running tasks below the autoscaler's minimum", () => {
    const prod = evaluations.production;
    const dims = alarm(prod, "production", "payments", "latency-p99").inputs.metricQueries[0].metric
      .dimensions;
    assert.deepEqual(dims, {
      LoadBalancer: "app/ecs-alb/50dc6c495c0c9188",
      TargetGroup: "targetgroup/payments-tg/6d0ecf831eec9f09",
    });
    const running = alarm(prod, "production", "payments", "running-below-desired").inputs;
    assert.deepEqual(
      [
        running.comparisonOperator,
        running.threshold,
        running.treatMissingData,
        running.metricQueries[0].metric.metricName,
      ],
      ["LessThanThreshold", 3, "breaching", "RunningTaskCount"],
    );
    assert.deepEqual(running.metricQueries[0].metric.dimensions, {
      ClusterName: "platform-production-ecs",
      ServiceName: "payments",
    });
  });

  it("an EKS service behind its Ingress reads the ALB the controller created, found by the Ingress's DNS name and the controller's target group tags", () => {
    const dims = alarm(evaluations.production, "production", "web", "5xx-rate").inputs.metricQueries[0].metric
      .dimensions;
    assert.equal(dims.LoadBalancer, "app/k8s-platform-production-public/0a1b2c3d4e5f6a7b");
    assert.match(dims.TargetGroup, /^targetgroup\/k8s-[0-9a-f]{10}\/[0-9a-f]{16}$/);
  });

  it("an EKS blue/green service must keep both colours' pods running, and its restarts add up both Deployments", () => {
    const web = alarm(evaluations.production, "production", "web", "running-below-desired").inputs;
    assert.equal(web.threshold, 6);
    assert.deepEqual(web.metricQueries[0].metric.dimensions, {
      ClusterName: "platform-production-eks",
      Namespace: "web",
    });
    const restarts = alarm(evaluations.production, "production", "web", "restarts").inputs.metricQueries;
    assert.deepEqual(
      restarts.map((q: any) => q.metric?.dimensions.PodName ?? q.expression),
      ["web-blue", "web-green", "FILL(DIFF(restarts0), 0) + FILL(DIFF(restarts1), 0)"],
    );
  });

  it("the platform alarm fires on one failed pipeline run of the stack", () => {
    const a = alarm(evaluations.staging, "staging", "platform", "failed-runs").inputs;
    assert.deepEqual(a.metricQueries[0].metric, {
      namespace: "Platform/Delivery",
      metricName: "FailedRuns",
      dimensions: { Stack: "staging" },
      stat: "Sum",
      period: 300,
    });
    assert.deepEqual([a.comparisonOperator, a.threshold], ["GreaterThanOrEqualToThreshold", 1]);
  });

  it("the topic is encrypted with its own rotating key, which CloudWatch may use for this account only", () => {
    for (const stack of stacks) {
      const e = evaluations[stack];
      const topic = e.get("aws:sns/topic:Topic", "alarms-topic");
      const key = e.get("aws:kms/key:Key", "alarms-topic");
      assert.equal(topic.inputs.kmsMasterKeyId, mockKeyArn("alarms-topic"));
      assert.equal(key.inputs.enableKeyRotation, true);
      const statement = JSON.parse(key.inputs.policy).Statement.find(
        (s: any) => s.Sid === "CloudWatchAlarmsPublish",
      );
      assert.deepEqual(statement.Principal, { Service: "cloudwatch.amazonaws.com" });
      assert.deepEqual(statement.Condition, { StringEquals: { "aws:SourceAccount": "123456789012" } });
    }
  });

  it("Slack hears every stack's alarms through AWS Chatbot, bounded by a read-only guardrail", () => {
    for (const stack of stacks) {
      const slack = evaluations[stack].get(
        "aws:chatbot/slackChannelConfiguration:SlackChannelConfiguration",
        "alarms-slack",
      ).inputs;
      assert.equal(slack.slackTeamId, "T07EA123LEP");
      assert.deepEqual(slack.snsTopicArns, ["arn:aws:sns:eu-west-1:123456789012:alarms-topic"]);
      assert.deepEqual(slack.guardrailPolicyArns, ["arn:aws:iam::aws:policy/CloudWatchReadOnlyAccess"]);
    }
  });

  it("makes the Chatbot configuration in the stack's own region where Chatbot's API is (no second provider)", () => {
    for (const stack of stacks) {
      const e = evaluations[stack];
      const slack = e.get("aws:chatbot/slackChannelConfiguration:SlackChannelConfiguration", "alarms-slack");
      const provider = e.resources.find((r) => slack.provider?.startsWith(`${r.urn}::`));
      assert.equal(provider?.name, "aws");
      assert.equal(provider?.inputs.region, "eu-west-1");
      assert.equal(e.resources.filter((r) => r.name === "aws-chatbot").length, 0);
    }
  });

  it("makes it in us-east-2 for a stack in us-east-1 (no Chatbot API there), subscribed to the topic in us-east-1, tagged as the stack", async () => {
    // The ALB's certificate moves with the stack: ACM certificates are regional.
    const dns = readStackConfig("dev")["platform:dns"] as Record<string, string>;
    const e = await evaluateStack(
      "dev",
      {
        "aws:region": "us-east-1",
        "platform:dns": { ...dns, certificateArn: dns.certificateArn.replace(":eu-west-1:", ":us-east-1:") },
      },
      { account: stackAccount("dev") },
    );
    const slack = e.get("aws:chatbot/slackChannelConfiguration:SlackChannelConfiguration", "alarms-slack");
    const provider = e.resources.find((r) => slack.provider?.startsWith(`${r.urn}::`));
    assert.equal(provider?.type, "pulumi:providers:aws");
    assert.equal(provider?.name, "aws-chatbot");
    assert.equal(provider?.inputs.region, "us-east-2");
    assert.deepEqual(
      JSON.parse(provider?.inputs.defaultTags).tags,
      JSON.parse(e.get("pulumi:providers:aws", "aws").inputs.defaultTags).tags,
    );
    // The mock's ARNs carry one region; the topic itself is the stack region's (below).
    assert.deepEqual(
      slack.inputs.snsTopicArns.map((arn: string) => arn.split(":").pop()),
      ["alarms-topic"],
    );
    // Everything else stays in the stack's region.
    const topic = e.get("aws:sns/topic:Topic", "alarms-topic");
    assert.equal(
      e.resources.find((r) => topic.provider?.startsWith(`${r.urn}::`))?.inputs.region,
      "us-east-1",
    );
  });

  it("only production pages: PagerDuty's endpoint carries the key read from Secrets Manager, as a secret", () => {
    const subs = (s: string) => evaluations[s].ofType("aws:sns/topicSubscription:TopicSubscription");
    assert.equal(subs("dev").length, 0);
    assert.equal(subs("staging").length, 0);
    const [pd] = subs("production");
    assert.equal(pd.inputs.protocol, "https");
    assert.equal(pd.inputs.endpointAutoConfirms, true);
    // The engine receives the endpoint as a secret (the signature key marks it), never in plaintext.
    const endpoint = pd.rawInputs.toJavaScript().endpoint;
    assert.deepEqual(endpoint, {
      "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
      value: "https://events.pagerduty.com/integration/mock-pagerduty-integration-key/enqueue",
    });
  });

  it("the production deploy and preview roles may read the PagerDuty key's secret, which the subscription looks up; dev's read no such secret", () => {
    const statements = (stack: string, role: string) =>
      JSON.parse(evaluations[stack].get("aws:iam/rolePolicy:RolePolicy", role).inputs.policy).Statement;
    const pd = stackConfigFromFile("production").operations.notifications.pagerDutyIntegrationKeySecretArn;
    for (const role of ["ci-deploy", "ci-preview"])
      assert.deepEqual(
        statements("production", role).find((s: any) => s.Sid === "ReadProgramSecrets"),
        {
          Sid: "ReadProgramSecrets",
          Effect: "Allow",
          Action: "secretsmanager:GetSecretValue",
          Resource: [pd],
        },
        role,
      );
    assert.equal(
      statements("dev", "ci-preview").find((s: any) => s.Sid === "ReadProgramSecrets"),
      undefined,
    );
  });

  it("every EKS cluster runs Container Insights (metrics only) with its agent's own IRSA role", () => {
    for (const stack of stacks) {
      const addon = evaluations[stack].get("aws:eks/addon:Addon", "container-insights").inputs;
      assert.equal(addon.addonName, "amazon-cloudwatch-observability");
      assert.deepEqual(JSON.parse(addon.configurationValues), { containerLogs: { enabled: false } });
      const trust = JSON.parse(
        evaluations[stack].get("aws:iam/role:Role", "container-insights-agent").inputs.assumeRolePolicy,
      );
      assert.match(
        JSON.stringify(trust.Statement[0].Condition.StringEquals),
        /"system:serviceaccount:amazon-cloudwatch:cloudwatch-agent"/,
      );
    }
  });

  it("the local stack, without AWS, has no alarms", async () => {
    assert.equal((await committedStack("local")).ofType(ALARM).length, 0);
  });
});

describe("the emergency switch operations.stopped under mocks", function () {
  this.timeout(120000);
  let stopped: Evaluation;
  before(async () => {
    const ops = stackConfigFromFile("dev").operations;
    // In dev's own account, as the gate evaluates it (its pack config approves that account's ECR).
    stopped = await evaluateStack(
      "dev",
      { "platform:operations": { ...ops, stopped: ["payments", "orders"] } },
      { account: stackAccount("dev") },
    );
  });

  it("scales a stopped ECS service to zero tasks and removes its autoscaler and running-count alarm", () => {
    assert.equal(stopped.get("aws:ecs/service:Service", "payments-service").inputs.desiredCount, 0);
    assert.equal(suffixesOf(stopped, "dev", "payments").includes("running-below-desired"), false);
    assert.equal(suffixesOf(stopped, "dev", "payments").includes("5xx-rate"), true);
  });

  it("still passes the policy pack at mandatory", () => {
    const gate = runGate(stopped.resources, readPackConfig("dev"));
    assert.deepEqual(
      gate.mandatory.map((f) => `${f.policy} ${f.resource}: ${f.message}`),
      [],
    );
  });

  it("scales a stopped canary service's tracks to zero pods", () => {
    const replicas = stopped
      .ofType("kubernetes:apps/v1:Deployment")
      .filter((d) => d.inputs.metadata.namespace === "orders")
      .map((d) => [d.inputs.metadata.name, d.inputs.spec.replicas]);
    assert.deepEqual(replicas.sort(), [
      ["orders-canary", 0],
      ["orders-stable", 0],
    ]);
  });
});

describe("alarm planning", () => {
  it("reads the ALB name from its DNS name, internal or not, and refuses anything else", () => {
    assert.equal(
      albNameOfHostname("internal-k8s-platformdevinternal-0a1b2c3d4e-1234567890.eu-west-1.elb.amazonaws.com"),
      "k8s-platformdevinternal-0a1b2c3d4e",
    );
    assert.equal(albNameOfHostname("k8s-public-1a2b-987654.eu-west-1.elb.amazonaws.com"), "k8s-public-1a2b");
    assert.equal(albNameOfHostname("web.example.com"), undefined);
  });

  it("names the controller's target group tag after namespace, Ingress, Service and port", () => {
    assert.equal(ingressTargetGroupResource("web", "web", "web-main", "http"), "web/web-web-main:http");
  });

  it("an EKS service exposed only in the cluster gets no HTTP alarm, and nothing pretends otherwise", () => {
    const s = operationsOf(stackConfigFromFile("dev")).alarms;
    const specs = planServiceAlarms(
      "orders",
      {
        kind: "eks",
        clusterName: "c",
        namespace: "orders",
        deployments: ["orders-stable", "orders-canary"],
        minRunning: 4,
      },
      s,
    );
    assert.deepEqual(
      specs.map((a) => a.suffix),
      ["running-below-desired", "restarts"],
    );
  });

  it("a stopped service must run nothing, a blue/green one on EKS both colours", () => {
    const config = stackConfigFromFile("production");
    const web = config.services.find((s) => s.name === "web")!;
    assert.equal(minimumRunning(config, web), 6);
    assert.equal(
      minimumRunning({ ...config, operations: { ...config.operations, stopped: ["web"] } }, web),
      0,
    );
  });
});
