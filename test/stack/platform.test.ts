import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { parseStackConfig, StackConfig } from "../../src/config";
import { readStackConfig } from "../../src/config/stack-files";
import { kubernetesStrategy, releaseOutputs } from "../../src/stack/platform";

function committed(stack: string): StackConfig {
  const values: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(readStackConfig(stack)))
    if (k.startsWith("platform:")) values[k.slice(9)] = v;
  return parseStackConfig(stack, values, stack === "local" ? undefined : "eu-west-1");
}

function resolved(value: pulumi.Input<string>): Promise<string> {
  return new Promise((resolve) => pulumi.output(value).apply((v) => resolve(v)));
}

describe("platform layers", () => {
  const dev = committed("dev");
  const service = (name: string) => dev.services.find((s) => s.name === name)!;

  it("gives a rolling service its bounds and its release image by digest", async () => {
    const s = kubernetesStrategy(service("api"), dev.releases.api, "registry/api");
    assert.equal(s.type, "rolling");
    if (s.type !== "rolling") return;
    assert.deepEqual([s.maxSurge, s.maxUnavailable], [1, 0]);
    assert.equal(await resolved(s.image), `registry/api@${dev.releases.api.digest}`);
  });

  it("gives a blue/green service its active colour, the release digest as active and the idle digest as idle", async () => {
    const release = dev.releases.web;
    const s = kubernetesStrategy(service("web"), release, "registry/web");
    assert.equal(s.type, "blueGreen");
    if (s.type !== "blueGreen") return;
    assert.equal(s.activeColor, "blue");
    assert.deepEqual(
      [await resolved(s.activeImage), await resolved(s.idleImage)],
      [`registry/web@${release.digest}`, `registry/web@${release.idleDigest}`],
    );
  });

  it("gives a canary service its weight, the release digest as stable and the canary digest as canary", async () => {
    const release = dev.releases.orders;
    const s = kubernetesStrategy(service("orders"), release, "registry/orders");
    assert.equal(s.type, "canary");
    if (s.type !== "canary") return;
    assert.equal(s.weight, 25);
    assert.deepEqual(
      [await resolved(s.stableImage), await resolved(s.canaryImage)],
      [`registry/orders@${release.digest}`, `registry/orders@${release.canaryDigest}`],
    );
  });

  it("runs the release digest on the idle colour and the canary track when no next digest is set", async () => {
    const release = { ...dev.releases.orders, idleDigest: undefined, canaryDigest: undefined };
    const bg = kubernetesStrategy(service("web"), release, "r");
    const canary = kubernetesStrategy(service("orders"), release, "r");
    assert.ok(bg.type === "blueGreen" && canary.type === "canary");
    assert.deepEqual(
      [await resolved(bg.idleImage), await resolved(canary.canaryImage)],
      [`r@${release.digest}`, `r@${release.digest}`],
    );
  });

  it("reports every service's digest, the active colour of the blue/green ones only, and each release with just its strategy's pins", () => {
    assert.deepEqual(releaseOutputs(dev), {
      releaseDigests: {
        api: dev.releases.api.digest,
        web: dev.releases.web.digest,
        orders: dev.releases.orders.digest,
        payments: dev.releases.payments.digest,
      },
      activeColors: { web: "blue" },
      releases: {
        api: { digest: dev.releases.api.digest },
        web: {
          digest: dev.releases.web.digest,
          activeColor: "blue",
          idleDigest: dev.releases.web.idleDigest,
        },
        orders: {
          digest: dev.releases.orders.digest,
          canaryDigest: dev.releases.orders.canaryDigest,
          canaryWeight: 25,
        },
        payments: { digest: dev.releases.payments.digest },
      },
    });
  });

  it("records what ran before as previous, in the pins of the service's strategy", () => {
    const previous = { digest: dev.releases.api.digest, activeColor: "green" as const, canaryWeight: 0 };
    const withPrevious = { ...dev, releases: { ...dev.releases, api: { ...dev.releases.api, previous } } };
    assert.deepEqual(releaseOutputs(withPrevious).releases.api, {
      digest: dev.releases.api.digest,
      previous: { digest: dev.releases.api.digest },
    });
  });
});
