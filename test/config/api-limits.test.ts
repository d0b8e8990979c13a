import { strict as assert } from "assert";
import { evaluateStack } from "../../dev/harness/program";
import { ADDON_CHARTS } from "../../src/components/kubernetes/cluster-addons-plan";
import { collidingService, hostBitsSet, networkOf, RESERVED_NAMESPACES } from "../../src/config/api-limits";
import { parseStackConfig } from "../../src/config";
import { readStackConfig } from "../../src/config/stack-files";
import { own } from "../../src/lib/own";

describe("limits of the real APIs", function () {
  this.timeout(120_000);

  it("reserves exactly default and the namespaces the add-ons run in", () => {
    assert.deepEqual(
      [...RESERVED_NAMESPACES].sort(),
      ["default", ...Object.values(ADDON_CHARTS).map((a) => a.namespace)].sort(),
    );
  });

  const cidrs: [cidr: string, hostBits: boolean, network: string][] = [
    ["10.0.0.0/16", false, "10.0.0.0/16"],
    ["10.0.0.1/16", true, "10.0.0.0/16"],
    ["10.0.255.0/16", true, "10.0.0.0/16"],
    ["192.168.1.128/25", false, "192.168.1.128/25"],
    ["192.168.1.129/25", true, "192.168.1.128/25"],
    ["203.0.113.7/32", false, "203.0.113.7/32"],
    ["0.0.0.0/0", false, "0.0.0.0/0"],
    ["255.255.255.255/0", true, "0.0.0.0/0"],
  ];
  for (const [cidr, hostBits, network] of cidrs)
    it(`reads ${cidr} as ${hostBits ? "having host bits, network " + network : "a network address"}`, () => {
      assert.equal(hostBitsSet(cidr), hostBits);
      assert.equal(networkOf(cidr), network);
    });

  const collisions: [name: string, others: string[], owner: string | undefined][] = [
    ["web-preview", ["web", "api"], "web"],
    ["orders-canary", ["orders"], "orders"],
    ["api-svc-v2", ["api"], "api"],
    ["web-admin", ["web"], undefined],
    ["webpreview", ["web"], undefined],
    ["web", ["web"], undefined],
  ];
  for (const [name, others, owner] of collisions)
    it(`finds ${name} ${owner ? `colliding with ${owner}'s resources` : "clear"} among ${others.join(", ")}`, () =>
      assert.equal(collidingService(name, others), owner));

  it("bounds replicas by the ECS tasks-per-service quota and node groups by the EKS nodes-per-group quota, naming each key", () => {
    const values: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(readStackConfig("dev")))
      if (k.startsWith("platform:")) values[k.slice(9)] = v;
    const services = structuredClone(values.services) as any[];
    services[0].autoscaling = { minReplicas: 1, maxReplicas: 2 ** 31 };
    const eks = structuredClone(values.eks) as any;
    eks.nodeGroups[0].maxSize = 451;
    assert.throws(
      () => parseStackConfig("dev", { ...values, services, eks }, "eu-west-1"),
      (err: Error) =>
        /platform:services\[0\]\.autoscaling\.maxReplicas: got 2147483648; .*5000/.test(err.message) &&
        /platform:eks\.nodeGroups\[0\]\.maxSize: got 451; .*450/.test(err.message),
    );
  });

  describe("maps keyed by service names", () => {
    it("find a service named constructor's own entry, never the prototype's", () => {
      const releases: Record<string, { digest: string }> = {};
      assert.equal(releases["constructor" as string] !== undefined, true, "the trap: a plain object has one");
      assert.equal(own(releases, "constructor"), undefined);
      assert.deepEqual(own({ constructor: { digest: "d" } }, "constructor"), { digest: "d" });
    });

    it("give a service named constructor without a release no workload rather than an image @undefined", async () => {
      const committed = readStackConfig("dev");
      const services = [
        ...(committed["platform:services"] as object[]),
        { name: "constructor", port: 8080, target: "eks" },
      ];
      const e = await evaluateStack("dev", { "platform:services": services });
      const undefinedImages = e.resources.filter((r) => JSON.stringify(r.inputs).includes("@undefined"));
      assert.deepEqual(
        undefinedImages.map((r) => r.name),
        [],
      );
      assert.deepEqual(
        e.resources.filter((r) => r.name.startsWith("constructor-")).map((r) => r.type),
        [],
        "no workload until its first release",
      );
      assert.ok(Object.hasOwn(e.outputs.registryUrls as object, "constructor"), "its registry is there");
    });
  });
});

describe("limits AWS enforces that no single key shows (refused at config time)", () => {
  /** The dev stack's values (no `platform:` prefix), changed by `edit`; the problem lines it raises. */
  function problems(edit: (v: any) => void, stack = "dev"): string[] {
    const values: Record<string, any> = {};
    for (const [k, v] of Object.entries(readStackConfig(stack)))
      if (k.startsWith("platform:")) values[k.slice(9)] = structuredClone(v);
    edit(values);
    try {
      parseStackConfig(stack, values, "eu-west-1");
    } catch (e) {
      return (e as Error).message.split("\n").slice(1);
    }
    return [];
  }

  it("refuses an alarm whose periods outlast CloudWatch's one day under an hour's period, and accepts it at an hour's", () => {
    assert.deepEqual(
      problems(
        (v) => (v.operations = { ...v.operations, alarms: { periodMinutes: 50, evaluationPeriods: 30 } }),
      ),
      [
        "  - platform:operations.alarms.evaluationPeriods: got 30; at most 28 with periodMinutes 50: CloudWatch refuses an alarm whose periods × period length exceeds one day (86,400 s) under an hour's period (this one is 90000 s)",
      ],
    );
    assert.deepEqual(
      problems(
        (v) => (v.operations = { ...v.operations, alarms: { periodMinutes: 60, evaluationPeriods: 30 } }),
      ),
      [],
    );
  });

  it("refuses more managed node groups than EKS's quota", () => {
    const lines = problems((v) => {
      const g = v.eks.nodeGroups[0];
      v.eks.nodeGroups = Array.from({ length: 31 }, (_, i) => ({ ...g, name: `g${i}` }));
    });
    assert.deepEqual(lines, [
      '  - platform:eks.nodeGroups: got "31 node groups"; at most 30, EKS\'s quota of managed node groups per cluster (raise it in Service Quotas first, then this limit)',
    ]);
  });

  it("refuses allowed CIDRs that overflow a security group's 60 inbound rules, per address family", () => {
    const many = Array.from({ length: 31 }, (_, i) => `198.51.${i}.0/24`);
    const lines = problems((v) => {
      v.ecs.allowedCidrs = many.slice(0, 30);
      v.kubernetes.ingress.allowedCidrs = many;
    }, "production");
    assert.deepEqual(lines, [
      '  - platform:ecs.allowedCidrs: got "30 IPv4 CIDRs"; at most 29 IPv4 CIDRs: the ECS ALB\'s security group opens 443 and 80 to each, 61 inbound rules, and a security group holds 60 per direction and family (VPC quotas); use a prefix list or fewer, wider CIDRs',
      '  - platform:kubernetes.ingress.allowedCidrs: got "31 IPv4 CIDRs"; at most 30 IPv4 CIDRs: the security group the load balancer controller gives each Ingress ALB opens 443 and 80 to each, 62 inbound rules, and a security group holds 60 per direction and family (VPC quotas); use a prefix list or fewer, wider CIDRs',
    ]);
  });

  it("refuses a domain label over 63 characters or edged by a hyphen, and a host name over 253", () => {
    const long = "a".repeat(64);
    assert.deepEqual(
      problems((v) => (v.dns.domain = `${long}.-edge.example.com`)),
      [
        `  - platform:dns.domain: got "${long}.-edge.example.com"; labels of 1-63 characters, none starting or ending with a hyphen (RFC 1035; Route 53 refuses the record): "aaaaaaaaaaaaaaaaaaaa…" (64), "-edge" (5)`,
      ],
    );
    const domain = Array.from({ length: 4 }, () => "b".repeat(60)).join(".") + ".com";
    const lines = problems((v) => (v.dns.domain = domain));
    assert.ok(lines.length > 0);
    for (const line of lines)
      assert.match(
        line,
        /^ {2}- platform:services\[\d\]\.name: got "[a-z]+"; a name whose host name [a-z]+\.b+… fits DNS's 253 characters with the domain \(2\d\d now\)$/,
      );
  });

  it("refuses dns that no service uses where ECS does not need it", () => {
    assert.deepEqual(
      problems((v) => {
        v.ecs = { enabled: false };
        v.services = v.services
          .filter((s: any) => s.target === "eks")
          .map((s: any) => ({ ...s, exposure: "cluster" }));
        for (const name of Object.keys(v.releases ?? {}))
          if (!v.services.some((s: any) => s.name === name)) delete v.releases[name];
      }),
      [
        '  - platform:dns: got "dev.example.com"; unset while no service answers at a host name: only ECS, or an EKS service with exposure internal or public, uses the zone',
      ],
    );
  });
});
