import { strict as assert } from "assert";
import { Evaluation } from "../../../dev/harness/evaluate";
import {
  EcsService,
  EcsServiceArgs,
  executionRoleStatements,
  fargateCpuUnits,
  listenerRulePriority,
  planDesiredCount,
  taskSecurityGroupRules,
  testRulePriority,
} from "../../../src/components/aws/ecs-service";
import { evaluateStack } from "../../../dev/harness/program";
import { readStackConfig } from "../../../src/config/stack-files";
import { committedStack } from "../../helpers/stacks";
import { ACCOUNT, evaluateComponent, statementsOf } from "../../helpers/components";

const SECRET = "arn:aws:secretsmanager:eu-west-1:111111111111:secret:dev/payments/db-AbCdEf";
const REPOSITORY = "arn:aws:ecr:eu-west-1:123456789012:repository/platform-dev/payments";

/** Explicit args of one service on the shared listener; `overrides` changes single values. */
function serviceArgs(overrides: Partial<EcsServiceArgs> = {}): EcsServiceArgs {
  return {
    clusterArn: "arn:aws:ecs:eu-west-1:123456789012:cluster/platform-dev-ecs",
    clusterName: "platform-dev-ecs",
    vpcId: "vpc-1",
    privateSubnetIds: ["subnet-private-0", "subnet-private-1"],
    httpsListenerArn: "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/ecs/1/https",
    albSecurityGroupId: "sg-alb",
    logKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/logs",
    image: `123456789012.dkr.ecr.eu-west-1.amazonaws.com/platform-dev/payments@sha256:${"a".repeat(64)}`,
    repositoryArn: REPOSITORY,
    port: 8443,
    hostName: "payments.dev.example.com",
    priority: listenerRulePriority(0),
    cpu: 500,
    memoryMiB: 1024,
    desiredCount: 2,
    healthPath: "/healthz",
    env: { LOG_LEVEL: "info" },
    secrets: { DATABASE_URL: SECRET },
    logRetentionDays: 90,
    account: ACCOUNT,
    ...overrides,
  };
}

/** Services named `names` on one listener, each at its position's priority. */
const servicesOnOneListener = (names: string[]) =>
  evaluateComponent(() =>
    names.forEach(
      (n, i) =>
        new EcsService(
          n,
          serviceArgs({ hostName: `${n}.dev.example.com`, priority: listenerRulePriority(i) }),
        ),
    ),
  );

describe("component", function () {
  this.timeout(60000);

  describe("EcsService built alone", () => {
    let e: Evaluation;
    before(async () => {
      e = await evaluateComponent(() => new EcsService("payments", serviceArgs()));
    });
    const container = () =>
      JSON.parse(
        e.get("aws:ecs/taskDefinition:TaskDefinition", "payments-task").inputs.containerDefinitions,
      )[0];
    const service = () => e.get("aws:ecs/service:Service", "payments-service").inputs;

    it("never enables ECS Exec on the service", () => {
      assert.equal(service().enableExecuteCommand, false);
    });

    it("runs tasks in the private subnets without a public IP, behind the task security group only", () => {
      assert.deepEqual(service().networkConfiguration, {
        subnets: ["subnet-private-0", "subnet-private-1"],
        securityGroups: ["payments-tasks-id"],
        assignPublicIp: false,
      });
    });

    it("rolls a failed deployment back and waits for steady state", () => {
      assert.deepEqual(service().deploymentCircuitBreaker, { enable: true, rollback: true });
      assert.equal(service().waitForSteadyState, true);
      assert.equal(service().desiredCount, 2);
    });

    it("runs the container as 10001, unprivileged, on a read-only root filesystem with every capability dropped", () => {
      const c = container();
      assert.equal(c.user, "10001:10001");
      assert.equal(c.privileged, false);
      assert.equal(c.readonlyRootFilesystem, true);
      assert.deepEqual(c.linuxParameters.capabilities, { drop: ["ALL"] });
      assert.deepEqual(c.secrets, [{ name: "DATABASE_URL", valueFrom: SECRET }]);
      assert.deepEqual(c.environment, [{ name: "LOG_LEVEL", value: "info" }]);
    });

    it("gives the task the application role and the ECS agent the execution role, never swapped", () => {
      const td = e.get("aws:ecs/taskDefinition:TaskDefinition", "payments-task").inputs;
      assert.equal(td.executionRoleArn, "arn:aws:iam:eu-west-1:123456789012:payments-execution");
      assert.equal(td.taskRoleArn, "arn:aws:iam:eu-west-1:123456789012:payments-task");
      assert.deepEqual([td.cpu, td.memory], ["512", "1024"]);
      const policy = e.get("aws:iam/rolePolicy:RolePolicy", "payments-execution");
      assert.equal(policy.inputs.role, "payments-execution-id");
    });

    it("lets the execution role read only the referenced secrets and pull only its own repository", () => {
      const statements = statementsOf(
        e.get("aws:iam/rolePolicy:RolePolicy", "payments-execution").inputs.policy,
      );
      const secretReads = statements.filter((s) =>
        [s.Action].flat().some((a: string) => a.startsWith("secretsmanager:")),
      );
      assert.deepEqual(
        secretReads.map((s) => s.Resource),
        [[SECRET]],
      );
      const wildcard = statements.filter((s) => [s.Resource].flat().includes("*")).map((s) => s.Action);
      assert.deepEqual(wildcard, ["ecr:GetAuthorizationToken"]);
      assert.equal(statements.find((s) => s.Sid === "PullOwnImage").Resource, REPOSITORY);
    });

    it("creates both roles under the stack's role path, trusted by ECS tasks of this account only", () => {
      for (const name of ["payments-execution", "payments-task"]) {
        const role = e.get("aws:iam/role:Role", name).inputs;
        assert.equal(role.path, "/platform/dev/");
        const [trust] = statementsOf(role.assumeRolePolicy);
        assert.deepEqual(trust.Principal, { Service: "ecs-tasks.amazonaws.com" });
        assert.deepEqual(trust.Condition, { StringEquals: { "aws:SourceAccount": "123456789012" } });
      }
    });

    it("lets tasks in only from the ALB on the service port and out only to HTTPS", () => {
      const sg = e.get("aws:ec2/securityGroup:SecurityGroup", "payments-tasks").inputs;
      assert.deepEqual(
        sg.ingress.map((r: any) => [r.protocol, r.fromPort, r.toPort, r.securityGroups, r.cidrBlocks]),
        [["tcp", 8443, 8443, ["sg-alb"], undefined]],
      );
      assert.deepEqual(
        sg.egress.map((r: any) => [r.protocol, r.fromPort, r.toPort]),
        [["tcp", 443, 443]],
      );
    });

    it("routes its host name to a target group that health-checks the configured path", () => {
      const rule = e.get("aws:lb/listenerRule:ListenerRule", "payments-rule").inputs;
      assert.deepEqual(rule.conditions, [{ hostHeader: { values: ["payments.dev.example.com"] } }]);
      assert.equal(rule.priority, 100);
      assert.equal(
        e.get("aws:lb/targetGroup:TargetGroup", "payments-tg").inputs.healthCheck.path,
        "/healthz",
      );
      assert.equal(e.get("aws:cloudwatch/logGroup:LogGroup", "payments-logs").inputs.retentionInDays, 90);
    });

    it("parents every child to the component and creates no autoscaling without bounds", () => {
      const component = e.get("platform:ecs:EcsService", "payments");
      assert.ok(e.resources.filter((r) => r.custom).every((r) => r.parent === component.urn));
      assert.equal(e.ofType("aws:appautoscaling/target:Target").length, 0);
    });
  });

  describe("EcsService blue/green, ECS's own", () => {
    let e: Evaluation;
    before(async () => {
      e = await evaluateComponent(
        () => new EcsService("payments", serviceArgs({ strategy: { type: "blueGreen", bakeMinutes: 7 } })),
      );
    });
    const service = () => e.get("aws:ecs/service:Service", "payments-service").inputs;

    it("pauses after the test traffic shift for the executor, rolls back itself after 30 minutes, and bakes", () => {
      assert.deepEqual(service().deploymentConfiguration, {
        strategy: "BLUE_GREEN",
        bakeTimeInMinutes: "7",
        lifecycleHooks: [
          {
            targetType: "PAUSE",
            lifecycleStages: ["POST_TEST_TRAFFIC_SHIFT"],
            timeoutConfiguration: { action: "ROLLBACK", timeoutInMinutes: "30" },
          },
        ],
      });
      // `up` hands the deployment to ECS; the executor drives it through the pause.
      assert.equal(service().waitForSteadyState, false);
      assert.deepEqual(service().deploymentCircuitBreaker, { enable: true, rollback: true });
    });

    it("brings green up behind a second target group, with the production and test rules ECS moves, through its own role", () => {
      const blue = e.get("aws:lb/targetGroup:TargetGroup", "payments-tg");
      const green = e.get("aws:lb/targetGroup:TargetGroup", "payments-g");
      assert.deepEqual(green.inputs.healthCheck, blue.inputs.healthCheck);
      const lb = service().loadBalancers[0];
      // The mocks give each resource the ARN `arn:aws:<service>:eu-west-1:<account>:<logical name>`.
      const arnOf = (type: string, name: string) => `arn:aws:${type}:eu-west-1:123456789012:${name}`;
      assert.equal(lb.targetGroupArn, arnOf("lb", "payments-tg"));
      assert.deepEqual(lb.advancedConfiguration, {
        alternateTargetGroupArn: arnOf("lb", "payments-g"),
        productionListenerRule: arnOf("lb", "payments-rule"),
        testListenerRule: arnOf("lb", "payments-test-rule"),
        roleArn: arnOf("iam", "payments-bluegreen"),
      });
    });

    it("routes test traffic (the service's host with the test header) ahead of production", () => {
      const test = e.get("aws:lb/listenerRule:ListenerRule", "payments-test-rule").inputs;
      const production = e.get("aws:lb/listenerRule:ListenerRule", "payments-rule").inputs;
      assert.deepEqual(test.conditions, [
        { hostHeader: { values: ["payments.dev.example.com"] } },
        { httpHeader: { httpHeaderName: "x-platform-release", values: ["test"] } },
      ]);
      assert.ok(test.priority < production.priority, `${test.priority} < ${production.priority}`);
      assert.equal(test.priority, testRulePriority(0));
    });

    it("lets ECS, and only ECS, move its listener rules, with AWS's policy for it", () => {
      const role = e.get("aws:iam/role:Role", "payments-bluegreen").inputs;
      assert.equal(role.path, "/platform/dev/");
      assert.deepEqual(JSON.parse(role.assumeRolePolicy).Statement[0].Principal, {
        Service: "ecs.amazonaws.com",
      });
      assert.equal(
        e.get("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "payments-bluegreen").inputs.policyArn,
        "arn:aws:iam::aws:policy/AmazonECSInfrastructureRolePolicyForLoadBalancers",
      );
    });

    it("keeps a rolling service as it was: one target group, one rule, no role for ECS", async () => {
      const rolling = await evaluateComponent(() => new EcsService("payments", serviceArgs()));
      assert.deepEqual(
        rolling.ofType("aws:lb/targetGroup:TargetGroup").map((r) => r.name),
        ["payments-tg"],
      );
      assert.equal(rolling.ofType("aws:lb/listenerRule:ListenerRule").length, 1);
      assert.equal(
        rolling.get("aws:ecs/service:Service", "payments-service").inputs.deploymentConfiguration,
        undefined,
      );
    });
  });

  describe("EcsService listener rules", () => {
    it("gives two services on one listener different priorities, unchanged when a third is appended", async () => {
      const priorities = (ev: Evaluation) =>
        ev.ofType("aws:lb/listenerRule:ListenerRule").map((r) => [r.name, r.inputs.priority]);
      const two = priorities(await servicesOnOneListener(["payments", "billing"]));
      assert.deepEqual(two, [
        ["payments-rule", 100],
        ["billing-rule", 101],
      ]);
      const three = priorities(await servicesOnOneListener(["payments", "billing", "ledger"]));
      assert.deepEqual(three, [...two, ["ledger-rule", 102]]);
    });

    it("plans distinct priorities within the ALB range (1–50000) for any number of services", () => {
      for (let n = 1; n <= 60; n++) {
        const plan = Array.from({ length: n }, (_, i) => listenerRulePriority(i));
        assert.equal(new Set(plan).size, n);
        assert.ok(plan.every((p) => p >= 1 && p <= 50000));
      }
    });
  });

  describe("EcsService planners", () => {
    it("converts millicores to Fargate CPU units", () => {
      const table: [number, number][] = [
        [250, 256],
        [500, 512],
        [1000, 1024],
        [2000, 2048],
        [4000, 4096],
      ];
      for (const [millicores, units] of table)
        assert.equal(fargateCpuUnits(millicores), units, `${millicores}m`);
    });

    it("leaves the task count to the scaler when autoscaling is set", () => {
      assert.deepEqual(planDesiredCount({ desiredCount: 2 }), { desiredCount: 2, ignoreChanges: [] });
      assert.deepEqual(
        planDesiredCount({ desiredCount: 2, autoscaling: { minReplicas: 3, maxReplicas: 9, cpuTarget: 60 } }),
        { desiredCount: 3, ignoreChanges: ["desiredCount"] },
      );
    });

    it("grants no pull without a repository and no secret read without secrets", () => {
      const sids = executionRoleStatements({ logGroupArn: "arn:log", secretArns: [] }).map((s) => s.Sid);
      assert.deepEqual(sids, ["EcrAuth", "Logs"]);
      const dedup = executionRoleStatements({ logGroupArn: "arn:log", secretArns: [SECRET, SECRET] });
      assert.deepEqual(dedup.find((s) => s.Sid === "ReadOwnSecrets")!.Resource, [SECRET]);
    });

    it("opens the task group to the ALB's security group only, never to a CIDR", () => {
      const { ingress } = taskSecurityGroupRules(8080, "sg-alb");
      assert.deepEqual(
        ingress.map((r) => [r.fromPort, r.toPort, r.securityGroups]),
        [[8080, 8080, ["sg-alb"]]],
      );
    });
  });

  describe("EcsService in the committed stacks", () => {
    let dev: Evaluation;
    let prod: Evaluation;
    before(async () => {
      dev = await committedStack("dev");
      prod = await committedStack("production");
    });

    it("runs the task non-root, read-only, unprivileged, with awslogs and secrets by reference", () => {
      const td = dev.get("aws:ecs/taskDefinition:TaskDefinition", "payments-task");
      const [c] = JSON.parse(td.inputs.containerDefinitions);
      assert.equal(c.user, "10001:10001");
      assert.equal(c.readonlyRootFilesystem, true);
      assert.equal(c.privileged, false);
      assert.equal(c.logConfiguration.logDriver, "awslogs");
      assert.deepEqual(c.secrets, [{ name: "DATABASE_URL", valueFrom: SECRET }]);
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
      assert.equal(bySid.PullOwnImage, "arn:aws:ecr:eu-west-1:123456789012:repository/platform-dev/payments");
      assert.deepEqual(bySid.ReadOwnSecrets, [SECRET]);
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

    it("gives each ECS service of a stack its own listener rule priority", async () => {
      const values = readStackConfig("dev");
      const services = [
        ...(values["platform:services"] as any[]),
        { name: "billing", port: 8444, target: "ecs" },
      ];
      const releases = {
        ...(values["platform:releases"] as object),
        billing: { digest: `sha256:${"b".repeat(64)}` },
      };
      const e = await evaluateStack("dev", { "platform:services": services, "platform:releases": releases });
      const rules = e.ofType("aws:lb/listenerRule:ListenerRule").map((r) => [r.name, r.inputs.priority]);
      assert.deepEqual(rules, [
        ["payments-rule", 103],
        ["billing-rule", 104],
      ]);
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
