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
import { main as release } from "../../src/release/cli";
import { ReleaseFailure } from "../../src/release/executor";

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

describe("tier 2: the local stack through the Pulumi engine (registry-built CLI and provider, inline program)", function () {
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

  const preview = async (options: { expectNoChanges?: boolean } = {}) => {
    const events: EngineEvent[] = [];
    const r = await stack.preview({ ...pack(), ...quiet, ...options, onEvent: (e) => events.push(e) });
    return { ...run(events), summary: r.changeSummary };
  };
  const up = async () => {
    const events: EngineEvent[] = [];
    await stack.up({ ...pack(), ...quiet, onEvent: (e) => events.push(e) });
    return run(events);
  };
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
    forwarder = new EndpointForwarder(cp.client, unhealthyDigests(new Set([bad])));
  });
  after(async () => {
    await cp?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  let planned: string[] = [];

  it("previews the local stack with the policy pack: five Deployments to create, the pack run, no violation", async () => {
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

  it("flips blue/green in exactly two Service selector updates", async () => {
    const web = (await ws.pulumi.getConfig("local", "releases.web")) as Record<string, string>;
    await ws.pulumi.setConfig("local", {
      "releases.web.activeColor": "green",
      "releases.web.digest": web.idleDigest,
      "releases.web.idleDigest": web.digest,
    });
    const p = await preview();
    assert.deepEqual(p.changes, ["update web-preview-svc", "update web-svc"]);
    for (const e of p.events.filter((x) => x.resourcePreEvent?.metadata.op === "update"))
      assert.deepEqual(Object.keys(e.resourcePreEvent!.metadata.detailedDiff ?? {}).sort(), [
        'spec.selector["platform.io/track"]',
      ]);
    await up();
    assert.equal(
      (await get("/api/v1/namespaces/web/services/web")).spec.selector["platform.io/track"],
      "green",
    );
    assert.equal(
      (await get("/api/v1/namespaces/web/services/web-preview")).spec.selector["platform.io/track"],
      "blue",
    );
  });

  it("steps the canary to 25 %: the canary Deployment to one of four Pods and the stable one to three, nothing else", async () => {
    await ws.pulumi.setConfig("local", { "releases.orders.canaryWeight": 25 });
    const p = await preview();
    assert.deepEqual(p.changes, ["update orders-canary", "update orders-stable"]);
    await up();
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
        stack.preview({ ...pack(), ...quiet, onEvent: (e) => events.push(e) }),
        /preview failed/,
      );
      const mandatory = run(events).violations.filter((v) => v.enforcementLevel === "mandatory");
      assert.deepEqual(
        [...new Set(mandatory.map((v) => v.policyName))],
        ["kubernetes-workload-disallow-literal-secret-env"],
      );
      await assert.rejects(
        stack.up({ ...pack(), ...quiet }),
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
    assert.equal(outputs.apiNamespace.value, "api");
    await consumer.destroy(quiet);
  });

  // The release executor (npm run release) through the same engine.
  const lines: string[] = [];
  const releaseCli = (args: string[]) => {
    return release([...args, "--stack", "local"], {
      pulumi: ws.pulumi,
      stackDir: dir,
      forwarder,
      gate: { passes: 3, intervalMs: 100, deadlineMs: 20000, probeTimeoutMs: 2000 },
      log: (l) => lines.push(l),
    });
  };

  it("deploys a new digest of web blue/green: idle colour, smoke test through its preview Service, flip", async () => {
    const next = sha("1");
    forwarder.answered.length = 0;
    await releaseCli(["deploy", "--service", "web", "--digest", next]);
    const svc = await get("/api/v1/namespaces/web/services/web");
    assert.equal(svc.spec.selector["platform.io/track"], "blue");
    const blue = await get("/apis/apps/v1/namespaces/web/deployments/web-blue");
    assert.equal(digestOf(deploymentImage(blue)), next);
    const reached = new Set(
      forwarder.answered.map((a) => `${a.service} ${digestOf(a.pod.images[0])} ${a.status}`),
    );
    assert.deepEqual([...reached].sort(), [`web/web ${next} 200`, `web/web-preview ${next} 200`]);
    const outputs = await ws.pulumi.outputs("local");
    const releases = outputs.releases as Record<string, any>;
    assert.equal(releases.web.digest, next);
    assert.equal(releases.web.activeColor, "blue");
  });

  it("rolls back a release whose Pods answer 503: the idle colour's smoke test fails and web runs as it did", async () => {
    const before = (await ws.pulumi.outputs("local")).releases as Record<string, any>;
    await assert.rejects(releaseCli(["deploy", "--service", "web", "--digest", bad]), (err: unknown) => {
      assert.ok(err instanceof ReleaseFailure, String(err));
      assert.match(err.message, /release of web failed and was rolled back: .*503/);
      return true;
    });
    const after = (await ws.pulumi.outputs("local")).releases as Record<string, any>;
    assert.deepEqual(after.web, before.web);
    const green = await get("/apis/apps/v1/namespaces/web/deployments/web-green");
    assert.notEqual(digestOf(deploymentImage(green)), bad);
    assert.equal(
      (await get("/api/v1/namespaces/web/services/web")).spec.selector["platform.io/track"],
      "blue",
    );
  });

  it("rolls web back to its previous release on demand, touching no other service", async () => {
    const api = await get("/apis/apps/v1/namespaces/api/deployments/api");
    await releaseCli(["rollback", "--service", "web", "--to", "previous"]);
    assert.equal(
      (await get("/api/v1/namespaces/web/services/web")).spec.selector["platform.io/track"],
      "green",
    );
    const apiAfter = await get("/apis/apps/v1/namespaces/api/deployments/api");
    assert.equal(apiAfter.metadata.generation, api.metadata.generation);
  });

  it("destroys everything it created", async () => {
    await stack.destroy(quiet);
    const namespaces = (await get("/api/v1/namespaces")).items
      .filter((n: any) => ["api", "web", "orders"].includes(n.metadata.name))
      .filter((n: any) => n.status.phase !== "Terminating");
    assert.deepEqual(namespaces, []);
  });
});
