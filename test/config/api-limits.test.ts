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
