import { strict as assert } from "assert";
import { CONTROL_PLANE_LOG_TYPES } from "../../src/components/aws/eks-cluster";
import { canarySplit, RUN_AS } from "../../src/components/kubernetes/app";
import { Evaluation } from "../../dev/harness/evaluate";
import { evaluateStack } from "../../dev/harness/program";
import { committedStack } from "../helpers/stacks";

describe("components", function () {
  this.timeout(60000);
  let dev: Evaluation;
  let prod: Evaluation;
  before(async () => {
    dev = await committedStack("dev");
    prod = await committedStack("production");
  });

  describe("Network", () => {
    it("writes VPC flow logs of all traffic to a KMS-encrypted log group", () => {
      const flow = dev.get("aws:ec2/flowLog:FlowLog", "network-flow-logs");
      assert.equal(flow.inputs.trafficType, "ALL");
      assert.equal(flow.inputs.logDestinationType, "cloud-watch-logs");
      const group = dev.get("aws:cloudwatch/logGroup:LogGroup", "network-flow-logs");
      assert.equal(group.inputs.name, "/platform-dev-network/vpc-flow-logs");
      assert.equal(group.inputs.retentionInDays, 30);
      assert.match(group.inputs.kmsKeyId, /^arn:aws:kms:/);
    });

    it("empties the default security group and gives no subnet automatic public IPs", () => {
      const sg = dev.get("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", "network-default-sg");
      assert.deepEqual([sg.inputs.ingress, sg.inputs.egress], [[], []]);
      assert.ok(dev.ofType("aws:ec2/subnet:Subnet").every((s) => s.inputs.mapPublicIpOnLaunch === false));
    });

    it("routes each private subnet through the NAT gateway of its own AZ in production", () => {
      const routes = prod
        .ofType("aws:ec2/route:Route")
        .filter((r) => r.name.startsWith("network-private-default"));
      assert.deepEqual(routes.map((r) => r.inputs.natGatewayId).sort(), [
        "network-nat-0-id",
        "network-nat-1-id",
        "network-nat-2-id",
      ]);
    });

    it("lets CloudWatch Logs use the flow-log key, scoped to this account's log groups", () => {
      const policy = JSON.parse(dev.get("aws:kms/key:Key", "network-flow-logs").inputs.policy);
      const logs = policy.Statement.find((s: any) => s.Sid === "CloudWatchLogsEncrypt");
      assert.equal(logs.Principal.Service, "logs.eu-west-1.amazonaws.com");
      assert.equal(
        logs.Condition.ArnLike["kms:EncryptionContext:aws:logs:arn"],
        "arn:aws:logs:eu-west-1:123456789012:log-group:*",
      );
    });
  });

  describe("Registry", () => {
    it("creates immutable, scanned, KMS-encrypted repositories named per stack", () => {
      const repo = dev.get("aws:ecr/repository:Repository", "registry-api");
      assert.equal(repo.inputs.name, "platform-dev/api");
      assert.equal(repo.inputs.imageTagMutability, "IMMUTABLE");
      assert.deepEqual(repo.inputs.imageScanningConfiguration, { scanOnPush: true });
      assert.equal(repo.inputs.encryptionConfigurations[0].encryptionType, "KMS");
    });

    it("expires untagged images first, then keeps the newest N", () => {
      const policy = JSON.parse(
        dev.get("aws:ecr/lifecyclePolicy:LifecyclePolicy", "registry-api").inputs.policy,
      );
      assert.deepEqual(
        policy.rules.map((r: any) => [
          r.rulePriority,
          r.selection.tagStatus,
          r.selection.countType,
          r.selection.countNumber,
        ]),
        [
          [1, "untagged", "sinceImagePushed", 3],
          [2, "any", "imageCountMoreThan", 20],
        ],
      );
    });
  });

  describe("EksCluster", () => {
    it("keeps the API endpoint private, encrypts Secrets and ships all control-plane logs", () => {
      const cluster = dev.get("aws:eks/cluster:Cluster", "eks-cluster");
      assert.equal(cluster.inputs.name, "platform-dev-eks");
      assert.equal(cluster.inputs.vpcConfig.endpointPrivateAccess, true);
      assert.equal(cluster.inputs.vpcConfig.endpointPublicAccess, false);
      assert.equal(cluster.inputs.vpcConfig.publicAccessCidrs, undefined);
      assert.deepEqual(cluster.inputs.encryptionConfig.resources, ["secrets"]);
      assert.deepEqual(cluster.inputs.enabledClusterLogTypes, CONTROL_PLANE_LOG_TYPES);
      assert.deepEqual(cluster.inputs.vpcConfig.subnetIds, ["network-private-0-id", "network-private-1-id"]);
    });

    it("opens a public endpoint only to the configured CIDRs", async () => {
      const eks = {
        ...((await import("../../src/config/stack-files")).readStackConfig("dev")["platform:eks"] as object),
        endpointPublicAccess: true,
        publicAccessCidrs: ["203.0.113.0/24"],
      };
      const e = await evaluateStack("dev", { "platform:eks": eks });
      const vpc = e.get("aws:eks/cluster:Cluster", "eks-cluster").inputs.vpcConfig;
      assert.deepEqual([vpc.endpointPublicAccess, vpc.publicAccessCidrs], [true, ["203.0.113.0/24"]]);
    });

    it("runs nodes in private subnets behind an IMDSv2-only launch template with hop limit 1", () => {
      const lt = dev.get("aws:ec2/launchTemplate:LaunchTemplate", "eks-general");
      assert.deepEqual(lt.inputs.metadataOptions, {
        httpEndpoint: "enabled",
        httpTokens: "required",
        httpPutResponseHopLimit: 1,
      });
      assert.equal(lt.inputs.blockDeviceMappings[0].ebs.encrypted, "true");
      const ng = dev.get("aws:eks/nodeGroup:NodeGroup", "eks-general");
      assert.deepEqual(ng.inputs.subnetIds, ["network-private-0-id", "network-private-1-id"]);
      assert.deepEqual(ng.inputs.scalingConfig, { minSize: 1, maxSize: 3, desiredSize: 2 });
      assert.equal(ng.inputs.capacityType, "SPOT");
    });

    it("registers the IRSA OIDC provider for sts.amazonaws.com and an exec-auth kubeconfig", () => {
      const oidc = dev.get("aws:iam/openIdConnectProvider:OpenIdConnectProvider", "eks-oidc");
      assert.deepEqual(oidc.inputs.clientIdLists, ["sts.amazonaws.com"]);
      assert.match(oidc.inputs.url, /^https:\/\/oidc\.eks\.eu-west-1\.amazonaws\.com\/id\//);
      const kubeconfig = JSON.parse(dev.outputs.kubeconfig as string);
      assert.deepEqual(kubeconfig.users[0].user.exec.args.slice(0, 4), [
        "eks",
        "get-token",
        "--cluster-name",
        "platform-dev-eks",
      ]);
    });

    it("attaches managed policies as separate resources, never inline on the role", () => {
      const attachments = dev
        .ofType("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
        .map((a) => a.inputs.policyArn.split("/").pop());
      assert.deepEqual(attachments.sort(), [
        "AmazonEC2ContainerRegistryReadOnly",
        "AmazonEKSClusterPolicy",
        "AmazonEKSWorkerNodePolicy",
        "AmazonEKS_CNI_Policy",
      ]);
      assert.ok(dev.ofType("aws:iam/role:Role").every((r) => r.inputs.managedPolicyArns === undefined));
    });
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

  describe("KubernetesApp", () => {
    it("labels its namespace Pod Security restricted", () => {
      const ns = dev.get("kubernetes:core/v1:Namespace", "api-ns");
      assert.equal(ns.inputs.metadata.labels["pod-security.kubernetes.io/enforce"], "restricted");
    });

    it("hardens the pod: non-root, read-only root, no escalation, drop ALL, RuntimeDefault seccomp, no token", () => {
      const spec = dev.get("kubernetes:apps/v1:Deployment", "api-main").inputs.spec.template.spec;
      assert.deepEqual(spec.securityContext, {
        runAsNonRoot: true,
        runAsUser: RUN_AS,
        runAsGroup: RUN_AS,
        fsGroup: RUN_AS,
        seccompProfile: { type: "RuntimeDefault" },
      });
      assert.equal(spec.automountServiceAccountToken, false);
      const c = spec.containers[0];
      assert.deepEqual(c.securityContext, {
        allowPrivilegeEscalation: false,
        privileged: false,
        readOnlyRootFilesystem: true,
        runAsNonRoot: true,
        capabilities: { drop: ["ALL"] },
      });
      assert.deepEqual(c.resources, {
        requests: { cpu: "250m", memory: "512Mi" },
        limits: { cpu: "250m", memory: "512Mi" },
      });
      assert.equal(c.readinessProbe.httpGet.path, "/health");
      assert.match(c.image, /@sha256:[a-f0-9]{64}$/);
    });

    it("uses the configured rolling update bounds", () => {
      const strategy = dev.get("kubernetes:apps/v1:Deployment", "api-main").inputs.spec.strategy;
      assert.deepEqual(strategy, {
        type: "RollingUpdate",
        rollingUpdate: { maxSurge: 1, maxUnavailable: 0 },
      });
    });

    it("leaves replicas to the HPA when autoscaling is configured", () => {
      const staging = prod.get("kubernetes:apps/v1:Deployment", "api-main");
      assert.equal(staging.inputs.spec.replicas, undefined);
      const hpa = prod.get("kubernetes:autoscaling/v2:HorizontalPodAutoscaler", "api-main");
      assert.deepEqual(
        [hpa.inputs.spec.minReplicas, hpa.inputs.spec.maxReplicas, hpa.inputs.spec.scaleTargetRef.name],
        [3, 12, "api"],
      );
    });

    it("denies all traffic by default and admits only the service port", () => {
      const deny = dev.get("kubernetes:networking.k8s.io/v1:NetworkPolicy", "api-default-deny");
      assert.deepEqual(deny.inputs.spec, { podSelector: {}, policyTypes: ["Ingress", "Egress"] });
      const allow = dev.get("kubernetes:networking.k8s.io/v1:NetworkPolicy", "api-allow");
      assert.deepEqual(allow.inputs.spec.ingress, [{ ports: [{ protocol: "TCP", port: 8080 }] }]);
    });

    it("routes blue/green traffic to the active colour and previews the idle one", () => {
      const main = dev.get("kubernetes:core/v1:Service", "web-svc").inputs.spec.selector;
      const preview = dev.get("kubernetes:core/v1:Service", "web-preview-svc").inputs.spec.selector;
      assert.deepEqual(main, { "app.kubernetes.io/name": "web", "platform.io/track": "blue" });
      assert.deepEqual(preview, { "app.kubernetes.io/name": "web", "platform.io/track": "green" });
      assert.match(
        dev.get("kubernetes:apps/v1:Deployment", "web-green").inputs.spec.template.spec.containers[0].image,
        /612f7a0e/,
      );
      assert.equal((dev.outputs.previewUrls as any).web, "http://web-preview.web.svc.cluster.local");
    });

    it("splits canary traffic by replica ratio across both tracks behind one Service", () => {
      const replicas = (n: string) => dev.get("kubernetes:apps/v1:Deployment", n).inputs.spec.replicas;
      assert.deepEqual([replicas("orders-stable"), replicas("orders-canary")], [3, 1]);
      assert.deepEqual(dev.get("kubernetes:core/v1:Service", "orders-svc").inputs.spec.selector, {
        "app.kubernetes.io/name": "orders",
      });
    });

    const splits: [number, number, { stable: number; canary: number }][] = [
      [10, 0, { stable: 10, canary: 0 }],
      [10, 10, { stable: 9, canary: 1 }],
      [10, 25, { stable: 7, canary: 3 }],
      [4, 10, { stable: 3, canary: 1 }],
      [4, 50, { stable: 2, canary: 2 }],
      [2, 99, { stable: 1, canary: 1 }],
      [4, 100, { stable: 0, canary: 4 }],
    ];
    for (const [total, weight, expected] of splits) {
      it(`runs ${expected.canary} of ${total} pods as canary at weight ${weight}`, () => {
        assert.deepEqual(canarySplit(total, weight), expected);
      });
    }
  });
});
