import { strict as assert } from "assert";
import { Evaluation } from "../../../dev/harness/evaluate";
import { committedStack } from "../../helpers/stacks";

describe("component", function () {
  this.timeout(60000);
  let dev: Evaluation;
  let prod: Evaluation;
  before(async () => {
    dev = await committedStack("dev");
    prod = await committedStack("production");
  });

  describe("EcsCluster and EcsService", () => {
    it("enables Container Insights and encrypted, logged ECS Exec", () => {
      const cluster = dev.get("aws:ecs/cluster:Cluster", "ecs-cluster");
      assert.deepEqual(cluster.inputs.settings, [{ name: "containerInsights", value: "enhanced" }]);
      assert.equal(cluster.inputs.configuration.executeCommandConfiguration.logging, "OVERRIDE");
    });

    it("serves HTTPS with a TLS 1.2+ policy and only redirects HTTP", () => {
      const https = dev.get("aws:lb/listener:Listener", "ecs-https");
      assert.deepEqual(
        [https.inputs.protocol, https.inputs.sslPolicy],
        ["HTTPS", "ELBSecurityPolicy-TLS13-1-2-2021-06"],
      );
      const http = dev.get("aws:lb/listener:Listener", "ecs-http");
      assert.deepEqual(http.inputs.defaultActions[0].redirect, {
        protocol: "HTTPS",
        port: "443",
        statusCode: "HTTP_301",
      });
    });

    it("keeps the dev ALB internal, drops invalid headers and logs access", () => {
      const alb = dev.get("aws:lb/loadBalancer:LoadBalancer", "ecs-alb");
      assert.equal(alb.inputs.internal, true);
      assert.equal(alb.inputs.dropInvalidHeaderFields, true);
      assert.equal(alb.inputs.accessLogs.enabled, true);
      assert.deepEqual(alb.inputs.subnets, ["network-private-0-id", "network-private-1-id"]);
      assert.equal(prod.get("aws:lb/loadBalancer:LoadBalancer", "ecs-alb").inputs.internal, false);
    });

    it("runs the task non-root, read-only, unprivileged, with awslogs and secrets by reference", () => {
      const td = dev.get("aws:ecs/taskDefinition:TaskDefinition", "payments-task");
      const [c] = JSON.parse(td.inputs.containerDefinitions);
      assert.equal(c.user, "10001:10001");
      assert.equal(c.readonlyRootFilesystem, true);
      assert.equal(c.privileged, false);
      assert.equal(c.logConfiguration.logDriver, "awslogs");
      assert.deepEqual(c.secrets, [
        {
          name: "DATABASE_URL",
          valueFrom: "arn:aws:secretsmanager:eu-west-1:111111111111:secret:dev/payments/db-AbCdEf",
        },
      ]);
      assert.equal(
        c.image,
        "123456789012.dkr.ecr.eu-west-1.amazonaws.com/platform-dev/payments@sha256:874a74e09690712739945db508cbbcd439ba8d0cfcf8deb4f0c226d75fc672f6",
      );
      assert.notEqual(td.inputs.executionRoleArn, td.inputs.taskRoleArn);
      assert.deepEqual([td.inputs.cpu, td.inputs.memory], ["256", "512"]);
    });

    it("grants the execution role only its own image, log group and secrets", () => {
      const policy = JSON.parse(dev.get("aws:iam/rolePolicy:RolePolicy", "payments-execution").inputs.policy);
      const bySid = Object.fromEntries(policy.Statement.map((s: any) => [s.Sid, s.Resource]));
      assert.deepEqual(Object.keys(bySid).sort(), ["EcrAuth", "Logs", "PullOwnImage", "ReadOwnSecrets"]);
      assert.equal(bySid.PullOwnImage, "arn:aws:ecr:eu-west-1:123456789012:registry-payments");
      assert.deepEqual(bySid.ReadOwnSecrets, [
        "arn:aws:secretsmanager:eu-west-1:111111111111:secret:dev/payments/db-AbCdEf",
      ]);
    });

    it("runs the service privately with a circuit breaker that rolls back and waits for steady state", () => {
      const svc = dev.get("aws:ecs/service:Service", "payments-service");
      assert.equal(svc.inputs.networkConfiguration.assignPublicIp, false);
      assert.deepEqual(svc.inputs.deploymentCircuitBreaker, { enable: true, rollback: true });
      assert.equal(svc.inputs.waitForSteadyState, true);
      assert.equal(svc.inputs.platformVersion, "LATEST");
      const tg = dev.get("aws:lb/targetGroup:TargetGroup", "payments-tg");
      assert.equal(tg.inputs.healthCheck.path, "/health");
      const rule = dev.get("aws:lb/listenerRule:ListenerRule", "payments-rule");
      assert.deepEqual(rule.inputs.conditions[0].hostHeader.values, ["payments.dev.example.com"]);
    });

    it("scales on CPU where autoscaling is configured", () => {
      const policy = prod.get("aws:appautoscaling/policy:Policy", "payments-cpu");
      assert.equal(policy.inputs.targetTrackingScalingPolicyConfiguration.targetValue, 60);
      const target = prod.get("aws:appautoscaling/target:Target", "payments-scaling");
      assert.deepEqual([target.inputs.minCapacity, target.inputs.maxCapacity], [3, 10]);
      assert.equal(dev.ofType("aws:appautoscaling/target:Target").length, 0);
    });
  });
});
