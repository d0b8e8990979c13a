// Tier 2: the local stack through the real Pulumi engine, from registry parts only — the CLI built
// from pkg/v3, the kubernetes provider built from its Go module, the project's composition root as
// an Automation API inline program (no language host), the precompiled policy pack through the
// analyzer shim — against the local control plane. Every assertion reads the API server or the
// engine's structured events. dev/tools/setup.sh (npm test's pretest) builds every part, so a
// missing one fails this tier; it is never skipped.
import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { EngineEvent, LocalWorkspace, Stack } from "@pulumi/pulumi/automation";
import { ControlPlane, startControlPlane } from "../../dev/cluster/control-plane";
import { EndpointForwarder, unhealthyDigests } from "../../dev/cluster/endpoint-forwarder";
import {
  LocalWorkspaceDir,
  missingEngineBinaries,
  policyPackArgs,
  pulumiCommand,
} from "../../dev/engine/local-engine";
import { ROOT, TOOLS_BIN } from "../../dev/paths";
import YAML from "yaml";
import { main as release } from "../../src/release/cli";
import { ReleaseFailure } from "../../src/release/executor";
import { planWorkloadMoves, stateMoveArgs } from "../../src/release/move-workloads";
import { stackConfigFromFile } from "../../src/config";

/** What a preview or update said, from its events. */
interface Run {
  readonly events: EngineEvent[];
  /** `op name` of every step that is not `same`, sorted. */
  readonly changes: string[];
  readonly policyPacks: Record<string, string>;
  readonly violations: { policyName: string; enforcementLevel: string }[];
}

function run(events: EngineEvent[]): Run {
  const summary = events.find((e) => e.summaryEvent)?.summaryEvent as
    | (EngineEvent["summaryEvent"] & { PolicyPacks?: Record<string, string> })
    | undefined;
  return {
    events,
    changes: events
      .map((e) => e.resourcePreEvent?.metadata)
      .filter((m) => m && m.op !== "same" && !m.type.startsWith("pulumi:"))
      .map((m) => `${m!.op} ${m!.urn.split("::").pop()}`)
      .sort(),
    policyPacks: summary?.PolicyPacks ?? summary?.policyPacks ?? {},
    violations: events.filter((e) => e.policyEvent).map((e) => e.policyEvent!),
  };
}

const deploymentImage = (d: any): string => d.spec.template.spec.containers[0].image;
const digestOf = (image: string) => image.split("@")[1];
const sha = (c: string) => `sha256:${c.repeat(64)}`;

describe("tier 2: the local platform and its application stacks through the Pulumi engine (registry-built CLI and provider, inline programs)", function () {
  this.timeout(900000);
  let cp: ControlPlane | undefined;
  let dir: string;
  let ws: LocalWorkspaceDir;
  let stack: Stack;
  const pack = () => policyPackArgs("local");
  // The release executor's gates: kwok Pods run no containers, so requests are answered on behalf
  // of the Pods the Service's EndpointSlices list — 503 for Pods running the `bad` digest.
  const bad = sha("b");
  let forwarder: EndpointForwarder;
  const quiet = { onOutput: () => undefined };

  const preview = async (options: { expectNoChanges?: boolean } = {}, on: Stack = stack) => {
    const events: EngineEvent[] = [];
    const r = await on.preview({ ...pack(), ...quiet, ...options, onEvent: (e) => events.push(e) });
    return { ...run(events), summary: r.changeSummary };
  };
  const up = async (on: Stack = stack) => {
    const events: EngineEvent[] = [];
    await on.up({ ...pack(), ...quiet, onEvent: (e) => events.push(e) });
    return run(events);
  };
  // The platform stack file of the workspace (the application programs read it from there).
  const setApplicationStacks = (value: boolean) => {
    const file = path.join(dir, "Pulumi.local.yaml");
    const doc = YAML.parse(fs.readFileSync(file, "utf8"));
    doc.config["platform:applicationStacks"] = value;
    fs.writeFileSync(file, YAML.stringify(doc));
  };
  let shop: Stack;
  let storefront: Stack;
  const get = (p: string) => cp!.client.get(p);

  before(async function () {
    const missing = missingEngineBinaries();
    if (missing.length)
      throw new Error(
        `${missing.join(", ")} missing from .tools/bin: run npm run setup:tools (it builds them)`,
      );
    cp = await startControlPlane();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "engine-tier-"));
    ws = new LocalWorkspaceDir({ dir, kubeconfig: cp.kubeconfig, progress: { write: () => true } as never });
    stack = await ws.stack();
    // First as the local stack was before application stacks: every workload in the platform stack.
    setApplicationStacks(false);
    shop = await ws.appStack("shop-local");
    storefront = await ws.appStack("storefront-local");
    forwarder = new EndpointForwarder(cp.client, unhealthyDigests(new Set([bad])));
  });
  after(async () => {
    await cp?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  let planned: string[] = [];

  it("previews the local stack as it was before application stacks, with the policy pack: five Deployments to create, the pack run, no violation", async () => {
    const p = await preview();
    planned = p.events
      .map((e) => e.resourcePreEvent?.metadata)
      .filter((m) => m?.op === "create" && m.type === "kubernetes:apps/v1:Deployment")
      .map((m) => {
        const meta = (m!.new!.inputs as any).metadata;
        return `${meta.namespace}/${meta.name}`;
      })
      .sort();
    assert.deepEqual(planned, [
      "api/api",
      "orders/orders-canary",
      "orders/orders-stable",
      "web/web-blue",
      "web/web-green",
    ]);
    // name|version|path of each pack the engine ran
    assert.deepEqual(
      Object.keys(p.policyPacks).map((k) => k.split("|")[0]),
      ["delivery-platform"],
    );
    assert.deepEqual(p.violations, []);
    // The provider built from the Go module is release 4.25.0, the SDK's pin: the engine selects it
    // by version, without the `expected to have version >=…` warning of a mismatched plugin.
    // The engine says which PATH binaries it used, and nothing else about plugins.
    const said = new Set(
      p.events
        .map((e) => e.diagnosticEvent)
        .filter((d) => d && d.severity === "warning")
        .map((d) => d!.message.trim()),
    );
    assert.deepEqual([...said].sort(), [
      `using pulumi-analyzer-policy-nodejs from $PATH at ${path.join(TOOLS_BIN, "pulumi-analyzer-policy-nodejs")}`,
      `using pulumi-resource-kubernetes from $PATH at ${path.join(TOOLS_BIN, "pulumi-resource-kubernetes")}`,
    ]);
  });

  it("registers only resource types and input properties the built provider's schema has (SDK and provider are one release)", async () => {
    const p = await preview();
    // The schema the provider itself serves (GetSchema), as the CLI reads it from the binary.
    const schema = JSON.parse(
      execFileSync(
        path.join(TOOLS_BIN, "pulumi"),
        ["package", "get-schema", path.join(TOOLS_BIN, "pulumi-resource-kubernetes")],
        {
          encoding: "utf8",
          env: { ...process.env, PULUMI_HOME: path.join(dir, "home"), PULUMI_SKIP_UPDATE_CHECK: "true" },
          maxBuffer: 256 * 1024 * 1024,
        },
      ),
    ) as { version: string; resources: Record<string, { inputProperties?: Record<string, unknown> }> };
    const sdk = JSON.parse(fs.readFileSync(require.resolve("@pulumi/kubernetes/package.json"), "utf8"));
    assert.equal(schema.version, sdk.version);
    const used = new Map<string, Set<string>>();
    for (const m of p.events.map((e) => e.resourcePreEvent?.metadata))
      if (m?.type.startsWith("kubernetes:"))
        for (const key of Object.keys((m.new?.inputs as object) ?? {}))
          used.set(m.type, (used.get(m.type) ?? new Set()).add(key));
    // What the tier uses of the provider: these seven kinds (with their inputs, checked below).
    assert.deepEqual([...used.keys()].sort(), [
      "kubernetes:apps/v1:Deployment",
      "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
      "kubernetes:core/v1:Namespace",
      "kubernetes:core/v1:Service",
      "kubernetes:core/v1:ServiceAccount",
      "kubernetes:networking.k8s.io/v1:NetworkPolicy",
      "kubernetes:policy/v1:PodDisruptionBudget",
    ]);
    for (const [type, keys] of used) {
      const resource = schema.resources[type];
      assert.ok(resource, `${type} is not in the provider's schema`);
      for (const key of keys)
        assert.ok(
          key in (resource.inputProperties ?? {}),
          `${type}.${key} is not an input of the provider's schema`,
        );
    }
  });

  it("comes up, and every Deployment it created becomes Available in the API", async () => {
    const u = await up();
    assert.ok(u.changes.length > 20 && u.changes.every((c) => c.startsWith("create ")), u.changes.join("\n"));
    for (const ref of planned) {
      const [ns, name] = ref.split("/");
      const d = await get(`/apis/apps/v1/namespaces/${ns}/deployments/${name}`);
      assert.equal(d.status.conditions.find((c: any) => c.type === "Available")?.status, "True", ref);
    }
  });

  it("previews again with no changes", async () => {
    const p = await preview({ expectNoChanges: true });
    assert.deepEqual(p.changes, []);
    assert.deepEqual(Object.keys(p.summary), ["same"]);
  });

  it("moves every workload into its application stack with pulumi state move: the platform then plans no change, and neither application a replace or delete", async () => {
    const before = JSON.parse(
      execFileSync(path.join(TOOLS_BIN, "pulumi"), ["stack", "export", "--stack", "local"], {
        cwd: dir,
        env: { ...process.env, ...ws.env },
        encoding: "utf8",
        maxBuffer: 64 * 1024 * 1024,
      }),
    ) as { deployment: { resources: { urn: string; id?: string }[] } };
    const urns = before.deployment.resources.map((r) => r.urn);
    const uids = async () =>
      Promise.all(
        ["api/api", "orders/orders-stable", "orders/orders-canary", "web/web-blue", "web/web-green"].map(
          async (ref) => {
            const [ns, name] = ref.split("/");
            return `${ref} ${(await get(`/apis/apps/v1/namespaces/${ns}/deployments/${name}`)).metadata.uid}`;
          },
        ),
      );
    const running = await uids();
    const moves = planWorkloadMoves(stackConfigFromFile("local", dir), urns);
    assert.deepEqual(
      moves.map((m) => `${m.stack}: ${m.urns.map((u) => u.split("::").pop()).join(", ")}`),
      ["shop-local: api, orders", "storefront-local: web"],
    );
    for (const move of moves)
      execFileSync(
        path.join(TOOLS_BIN, "pulumi"),
        [...stateMoveArgs(move, "local", "organization"), "--non-interactive"],
        {
          cwd: dir,
          env: { ...process.env, ...ws.env },
          stdio: "pipe",
        },
      );
    setApplicationStacks(true);
    const platform = await preview({ expectNoChanges: true });
    assert.deepEqual(platform.changes, []);
    // Its outputs now name the application stacks and no workload.
    assert.deepEqual((await up()).changes, []);
    for (const app of [shop, storefront]) {
      const p = await preview({}, app);
      // Every Kubernetes object keeps its identity and spec: the only step is the provider's
      // update, from the platform's kubeconfig path to the contents its contract carries.
      assert.deepEqual(p.changes, [], `${app.name}: ${p.changes.join(", ")}`);
      const provider = p.events
        .map((e) => e.resourcePreEvent?.metadata)
        .filter((m) => m && m.op !== "same" && m.type.startsWith("pulumi:providers:kubernetes"));
      assert.deepEqual(
        provider.map((m) => `${m!.op} ${m!.urn.split("::").pop()} ${JSON.stringify(m!.diffs)}`),
        ['update kubernetes ["kubeconfig"]'],
      );
      assert.deepEqual(Object.keys(p.summary).sort(), ["same", "update"], JSON.stringify(p.summary));
      assert.equal(p.summary.update, 1);
      assert.deepEqual((await up(app)).changes, []);
      assert.deepEqual((await preview({ expectNoChanges: true }, app)).changes, []);
    }
    // The objects in the API are the very ones created before the move.
    assert.deepEqual(await uids(), running);
  });

  it("flips blue/green on the storefront's stack in exactly two Service selector updates", async () => {
    const web = (await ws.apps.getConfig("storefront-local", "releases.web")) as
      | Record<string, string>
      | undefined;
    const seeded = stackConfigFromFile("local", dir).releases.web!;
    await ws.apps.setConfig("storefront-local", {
      "releases.web.activeColor": "green",
      "releases.web.digest": web?.idleDigest ?? seeded.idleDigest!,
      "releases.web.idleDigest": web?.digest ?? seeded.digest,
    });
    const p = await preview({}, storefront);
    assert.deepEqual(p.changes, ["update web-preview-svc", "update web-svc"]);
    for (const e of p.events.filter((x) => x.resourcePreEvent?.metadata.op === "update"))
      assert.deepEqual(Object.keys(e.resourcePreEvent!.metadata.detailedDiff ?? {}).sort(), [
        'spec.selector["platform.io/track"]',
      ]);
    await up(storefront);
    assert.equal(
      (await get("/api/v1/namespaces/web/services/web")).spec.selector["platform.io/track"],
      "green",
    );
    assert.equal(
      (await get("/api/v1/namespaces/web/services/web-preview")).spec.selector["platform.io/track"],
      "blue",
    );
  });

  it("steps the shop's canary to 25 %: the canary Deployment to one of four Pods and the stable one to three, nothing else", async () => {
    const seeded = stackConfigFromFile("local", dir).releases.orders!;
    await ws.apps.setConfig("shop-local", {
      "releases.orders.digest": seeded.digest,
      "releases.orders.canaryDigest": seeded.canaryDigest!,
      "releases.orders.canaryWeight": 25,
    });
    const p = await preview({}, shop);
    assert.deepEqual(p.changes, ["update orders-canary", "update orders-stable"]);
    await up(shop);
    const canary = await get("/apis/apps/v1/namespaces/orders/deployments/orders-canary");
    const stable = await get("/apis/apps/v1/namespaces/orders/deployments/orders-stable");
    assert.deepEqual([canary.spec.replicas, stable.spec.replicas], [1, 3]);
    assert.deepEqual([canary.status.readyReplicas, stable.status.readyReplicas], [1, 3]);
  });

  it("is stopped by the analyzer, naming the rule, when a literal secret enters a container's env — in preview and in up", async () => {
    await ws.pulumi.setConfig("local", { "services[0].env.API_TOKEN": "sk_live_0123456789abcdef" });
    try {
      const events: EngineEvent[] = [];
      await assert.rejects(
        shop.preview({ ...pack(), ...quiet, onEvent: (e) => events.push(e) }),
        /preview failed/,
      );
      const mandatory = run(events).violations.filter((v) => v.enforcementLevel === "mandatory");
      assert.deepEqual(
        [...new Set(mandatory.map((v) => v.policyName))],
        ["kubernetes-workload-disallow-literal-secret-env"],
      );
      await assert.rejects(
        shop.up({ ...pack(), ...quiet }),
        /\[mandatory\].*kubernetes-workload-disallow-literal-secret-env/,
      );
      const api = await get("/apis/apps/v1/namespaces/api/deployments/api");
      assert.deepEqual(
        api.spec.template.spec.containers[0].env?.filter((e: any) => e.name === "API_TOKEN") ?? [],
        [],
      );
    } finally {
      await ws.pulumi.removeConfig("local", ["services[0].env.API_TOKEN"]);
    }
  });

  it("serves its outputs to a consumer stack by StackReference", async () => {
    const consumerDir = path.join(dir, "consumer");
    fs.mkdirSync(consumerDir);
    // The CLI checks that the project's main file exists, although the inline program runs here.
    for (const file of ["Pulumi.yaml", "index.ts"])
      fs.copyFileSync(path.join(ROOT, "examples", "consumer", file), path.join(consumerDir, file));
    const index = path.join(ROOT, "examples", "consumer", "index.ts");
    const consumer = await LocalWorkspace.createOrSelectStack(
      {
        stackName: "consumer",
        projectName: "",
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        program: async () => require(index),
      },
      { workDir: consumerDir, envVars: ws.env, pulumiCommand: await pulumiCommand() },
    );
    await consumer.setConfig("platformStack", { value: "organization/platform/local" });
    await consumer.up(quiet);
    const outputs = await consumer.outputs();
    assert.equal(outputs.environment.value, "local");
    assert.equal(outputs.apiImageRepository.value, "ghcr.io/example-org/api");
    // The workloads live in the application stacks the platform names.
    assert.equal(outputs.apiNamespace.value, null);
    assert.deepEqual(outputs.applicationStacks.value, { shop: "shop-local", storefront: "storefront-local" });
    await consumer.destroy(quiet);
  });

  // The release executor (npm run release) through the same engine, on application stacks.
  const lines: string[] = [];
  const releaseCli = (args: string[]) => {
    return release(args, {
      pulumi: ws.apps,
      stackDir: dir,
      appsDir: ws.appsDir,
      forwarder,
      gate: { passes: 3, intervalMs: 100, deadlineMs: 20000, probeTimeoutMs: 2000 },
      log: (l) => lines.push(l),
    });
  };
  const releases = async (app: string) => (await ws.apps.outputs(app)).releases as Record<string, any>;

  it("deploys a new digest of web blue/green on its application stack: idle colour, smoke test through its preview Service, flip", async () => {
    const next = sha("1");
    forwarder.answered.length = 0;
    await releaseCli(["deploy", "--stack", "storefront-local", "--service", "web", "--digest", next]);
    const svc = await get("/api/v1/namespaces/web/services/web");
    assert.equal(svc.spec.selector["platform.io/track"], "blue");
    const blue = await get("/apis/apps/v1/namespaces/web/deployments/web-blue");
    assert.equal(digestOf(deploymentImage(blue)), next);
    const reached = new Set(
      forwarder.answered.map((a) => `${a.service} ${digestOf(a.pod.images[0])} ${a.status}`),
    );
    assert.deepEqual([...reached].sort(), [`web/web ${next} 200`, `web/web-preview ${next} 200`]);
    const web = (await releases("storefront-local")).web;
    assert.equal(web.digest, next);
    assert.equal(web.activeColor, "blue");
  });

  it("rolls back a release whose Pods answer 503: the idle colour's smoke test fails and web runs as it did", async () => {
    const before = await releases("storefront-local");
    await assert.rejects(
      releaseCli(["deploy", "--stack", "storefront-local", "--service", "web", "--digest", bad]),
      (err: unknown) => {
        assert.ok(err instanceof ReleaseFailure, String(err));
        assert.match(err.message, /release of web failed and was rolled back: .*503/);
        return true;
      },
    );
    assert.deepEqual((await releases("storefront-local")).web, before.web);
    const green = await get("/apis/apps/v1/namespaces/web/deployments/web-green");
    assert.notEqual(digestOf(deploymentImage(green)), bad);
    assert.equal(
      (await get("/api/v1/namespaces/web/services/web")).spec.selector["platform.io/track"],
      "blue",
    );
  });

  it("deploys two applications at once, each holding only its own stack's lock: api on the shop, web on the storefront", async () => {
    const api = sha("2");
    const web = sha("3");
    const started = Date.now();
    await Promise.all([
      releaseCli(["deploy", "--stack", "shop-local", "--service", "api", "--digest", api]),
      releaseCli(["deploy", "--stack", "storefront-local", "--service", "web", "--digest", web]),
    ]);
    assert.equal((await releases("shop-local")).api.digest, api);
    assert.equal((await releases("storefront-local")).web.digest, web);
    assert.equal(digestOf(deploymentImage(await get("/apis/apps/v1/namespaces/api/deployments/api"))), api);
    // Both updates held their locks at the same time: each one's engine events overlap the other's.
    const updates = ws.events
      .filter((e) => e.timestamp * 1000 >= started - 1000 && e.resourcePreEvent)
      .map((e) => ({ stack: e.resourcePreEvent!.metadata.urn.split("::")[0], t: e.timestamp }));
    const span = (stack: string) => {
      const ts = updates.filter((u) => u.stack.endsWith(stack)).map((u) => u.t);
      return [Math.min(...ts), Math.max(...ts)];
    };
    const [shopFrom, shopTo] = span("shop-local");
    const [storeFrom, storeTo] = span("storefront-local");
    assert.ok(shopFrom <= storeTo && storeFrom <= shopTo, `${shopFrom}-${shopTo} vs ${storeFrom}-${storeTo}`);
  });

  it("rolls the storefront back to its previous release alone: no shop workload and nothing of the platform changes", async () => {
    const api = await get("/apis/apps/v1/namespaces/api/deployments/api");
    const orders = await get("/apis/apps/v1/namespaces/orders/deployments/orders-stable");
    const shopBefore = await releases("shop-local");
    // web ran on green after the concurrent deploy; its previous release is the blue one.
    await releaseCli(["rollback", "--stack", "storefront-local", "--service", "web", "--to", "previous"]);
    assert.equal(
      (await get("/api/v1/namespaces/web/services/web")).spec.selector["platform.io/track"],
      "blue",
    );
    assert.equal(
      (await get("/apis/apps/v1/namespaces/api/deployments/api")).metadata.generation,
      api.metadata.generation,
    );
    assert.equal(
      (await get("/apis/apps/v1/namespaces/orders/deployments/orders-stable")).metadata.generation,
      orders.metadata.generation,
    );
    assert.deepEqual(await releases("shop-local"), shopBefore);
    assert.deepEqual((await preview({ expectNoChanges: true })).changes, []);
    // An unchanged application previews with no changes from its recorded release.
    assert.deepEqual((await preview({ expectNoChanges: true }, shop)).changes, []);
  });

  it("destroys everything it created", async () => {
    await Promise.all([shop.destroy(quiet), storefront.destroy(quiet)]);
    await stack.destroy(quiet);
    const namespaces = (await get("/api/v1/namespaces")).items
      .filter((n: any) => ["api", "web", "orders"].includes(n.metadata.name))
      .filter((n: any) => n.status.phase !== "Terminating");
    assert.deepEqual(namespaces, []);
  });
});
