// Declared dependencies open exactly their paths: the committed dev stack declares that orders
// (EKS) calls api and its database by CIDR, and payments (ECS) its database by security group;
// every other service keeps DNS and HTTPS only.
import { strict as assert } from "assert";
import { Evaluation } from "../../dev/harness/evaluate";
import { evaluateStack } from "../../dev/harness/program";
import { dependencyProblems } from "../../src/config/dependency-rules";
import { parseStackConfig } from "../../src/config";
import { readStackConfig } from "../../src/config/stack-files";
import { committedStack } from "../helpers/stacks";

const DNS_AND_HTTPS = [
  {
    ports: [
      { protocol: "UDP", port: 53 },
      { protocol: "TCP", port: 53 },
    ],
  },
  { ports: [{ protocol: "TCP", port: 443 }] },
];

const HTTPS_EGRESS = {
  description: "HTTPS to AWS APIs and dependencies",
  protocol: "tcp",
  fromPort: 443,
  toPort: 443,
  cidrBlocks: ["0.0.0.0/0"],
};

describe("service dependencies", function () {
  this.timeout(120_000);

  describe("in the committed dev stack", () => {
    let dev: Evaluation;
    before(async () => {
      dev = await committedStack("dev");
    });
    const egressOf = (app: string) =>
      dev.get("kubernetes:networking.k8s.io/v1:NetworkPolicy", `${app}-allow`).inputs.spec.egress;

    it("lets orders reach api's pods on their port and its database's addresses, besides DNS and HTTPS", () => {
      assert.deepEqual(egressOf("orders"), [
        ...DNS_AND_HTTPS,
        {
          to: [
            {
              namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "api" } },
              podSelector: { matchLabels: { "app.kubernetes.io/name": "api" } },
            },
          ],
          ports: [{ protocol: "TCP", port: 8080 }],
        },
        { to: [{ ipBlock: { cidr: "10.20.0.0/24" } }], ports: [{ protocol: "TCP", port: 5432 }] },
      ]);
    });

    it("gives the services without dependencies DNS and HTTPS only", () => {
      for (const app of ["api", "web"]) assert.deepEqual(egressOf(app), DNS_AND_HTTPS, app);
    });

    it("lets the payments tasks reach their database's security group on 5432, and that group admit exactly them", () => {
      const tasks = dev.get("aws:ec2/securityGroup:SecurityGroup", "payments-tasks");
      assert.deepEqual(tasks.inputs.egress, [
        HTTPS_EGRESS,
        {
          description: "To payments-db",
          protocol: "tcp",
          fromPort: 5432,
          toPort: 5432,
          securityGroups: ["sg-0a1b2c3d4e5f60718"],
        },
      ]);
      const ingress = dev
        .ofType("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
        .filter((r) => r.inputs.referencedSecurityGroupId?.endsWith("-tasks-id"));
      assert.deepEqual(
        ingress.map((r) => [r.name, r.inputs]),
        [
          [
            "payments-to-payments-db",
            {
              securityGroupId: "sg-0a1b2c3d4e5f60718",
              referencedSecurityGroupId: "payments-tasks-id",
              ipProtocol: "tcp",
              fromPort: 5432,
              toPort: 5432,
              description: "payments-db from the tasks of payments",
            },
          ],
        ],
      );
    });
  });

  it("lets an ECS service calling another through the ALB in, on 443, from its own tasks only", async () => {
    const committed = readStackConfig("dev");
    const services = [
      ...(committed["platform:services"] as object[]),
      { name: "billing", port: 8080, target: "ecs", dependencies: [{ service: "payments" }] },
    ];
    const releases = {
      ...(committed["platform:releases"] as object),
      billing: { digest: `sha256:${"b".repeat(64)}` },
    };
    const e = await evaluateStack("dev", { "platform:services": services, "platform:releases": releases });
    const billingTasks = e.get("aws:ec2/securityGroup:SecurityGroup", "billing-tasks");
    assert.deepEqual(billingTasks.inputs.egress, [HTTPS_EGRESS], "the ALB is reached on 443, already open");
    const rule = e.get("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "billing-to-alb");
    assert.deepEqual(rule.inputs, {
      securityGroupId: "ecs-alb-id",
      referencedSecurityGroupId: "billing-tasks-id",
      ipProtocol: "tcp",
      fromPort: 443,
      toPort: 443,
      description: "HTTPS from the tasks of billing (calls payments)",
    });
    assert.deepEqual(
      e
        .ofType("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
        .filter((r) => r.inputs.referencedSecurityGroupId?.endsWith("-tasks-id"))
        .map((r) => r.name)
        .sort(),
      ["billing-to-alb", "payments-to-payments-db"],
      "from service tasks: payments-db's rule and billing's, no other",
    );
  });

  describe("bad references are config errors, all at once", () => {
    /** dev's parsed configuration with each named service's dependencies replaced. */
    const withDependencies = (deps: Record<string, unknown[]>) => {
      const values: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(readStackConfig("dev")))
        if (k.startsWith("platform:")) values[k.slice(9)] = v;
      const config = structuredClone(parseStackConfig("dev", values, "eu-west-1"));
      for (const s of config.services) (s as { dependencies: unknown[] }).dependencies = deps[s.name] ?? [];
      return dependencyProblems(config);
    };

    it("names each unknown, own, cross-target, duplicate, ambiguous and unselectable reference with what is allowed", () => {
      const problems = withDependencies({
        api: [{ service: "nope" }, { service: "api" }, { service: "payments" }],
        web: [{ service: "orders" }, { service: "orders" }],
        orders: [
          { name: "db", port: 5432 },
          { name: "cache", port: 6379, cidr: "10.20.1.0/24", securityGroupId: "sg-0123456789abcdef0" },
          { name: "queue", port: 5671, securityGroupId: "sg-0123456789abcdef0" },
        ],
      });
      assert.deepEqual(problems, [
        {
          key: "platform:services[0].dependencies[0].service",
          value: "nope",
          allowed: "another service of this stack on eks (web, orders)",
        },
        {
          key: "platform:services[0].dependencies[1].service",
          value: "api",
          allowed: "another service of this stack on eks (web, orders)",
        },
        {
          key: "platform:services[0].dependencies[2].service",
          value: "payments",
          allowed:
            "a service on eks, like the caller (web, orders): payments runs on ecs, where no path from eks is opened; call its public URL as an external client",
        },
        {
          key: "platform:services[1].dependencies[1]",
          value: { service: "orders" },
          allowed: "each dependency once; service orders is declared twice",
        },
        {
          key: "platform:services[2].dependencies[0]",
          value: { name: "db", port: 5432 },
          allowed: "exactly one of cidr or securityGroupId, with name and port",
        },
        {
          key: "platform:services[2].dependencies[1]",
          value: { name: "cache", port: 6379, cidr: "10.20.1.0/24", securityGroupId: "sg-0123456789abcdef0" },
          allowed: "exactly one of cidr or securityGroupId, with name and port",
        },
        {
          key: "platform:services[2].dependencies[2].securityGroupId",
          value: "sg-0123456789abcdef0",
          allowed:
            "cidr on eks: NetworkPolicy selects addresses, not security groups (declare the database's subnet range)",
        },
      ]);
    });
  });

  it("gives the CI runners the same path to each database a service migrates, and no other", async () => {
    const dev = await committedStack("dev");
    const egress = dev
      .ofType("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule")
      .filter((r) => r.inputs.description?.startsWith("Migrations"));
    assert.deepEqual(
      egress.map((r) => [r.name, r.inputs]),
      [
        [
          "ci-runner-sg-payments-db",
          {
            securityGroupId: "ci-runner-sg-id",
            description: "Migrations: payments-db",
            ipProtocol: "tcp",
            fromPort: 5432,
            toPort: 5432,
            referencedSecurityGroupId: "sg-0a1b2c3d4e5f60718",
          },
        ],
      ],
    );
    assert.deepEqual(
      dev.get("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "ci-runner-to-payments-db").inputs,
      {
        securityGroupId: "sg-0a1b2c3d4e5f60718",
        referencedSecurityGroupId: "ci-runner-sg-id",
        description: "payments-db from the CI runners (migrations)",
        ipProtocol: "tcp",
        fromPort: 5432,
        toPort: 5432,
      },
    );
  });
});
