import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { inClusterService, KubectlPortForwarder } from "../../src/release/port-forward";
import { alive, fakeKubectl, FakeKubectl, healthService, Service } from "./fixtures";

describe("in-cluster service URLs", () => {
  const cases: [string, ReturnType<typeof inClusterService>][] = [
    ["http://api.apps.svc.cluster.local", { name: "api", namespace: "apps", port: 80 }],
    ["http://web-preview.web.svc.cluster.local:8080", { name: "web-preview", namespace: "web", port: 8080 }],
    ["http://api.apps.svc", { name: "api", namespace: "apps", port: 80 }],
    ["https://api.dev.example.com", undefined],
    ["http://api.apps.svc.cluster.local.evil.example", undefined],
  ];
  for (const [url, ref] of cases)
    it(`${url} → ${ref ? `svc/${ref.name} in ${ref.namespace}, port ${ref.port}` : "not in-cluster"}`, () => {
      assert.deepEqual(inClusterService(url), ref);
    });
});

describe("kubectl port-forward", () => {
  let service: Service;
  let kubectl: FakeKubectl | undefined;
  before(async () => {
    service = await healthService(() => 200);
  });
  after(() => service.close());
  afterEach(() => kubectl?.remove());

  it("lets kubectl choose the local port, reads it from kubectl's line and forwards to the Service", async () => {
    kubectl = fakeKubectl(service.port);
    const forward = await new KubectlPortForwarder({ env: kubectl.env }).open(
      { namespace: "apps", name: "api", port: 80 },
      "apiVersion: v1\nkind: Config\n",
    );
    const [call] = kubectl.calls();
    assert.deepEqual(call.args.slice(2), [
      "--namespace",
      "apps",
      "port-forward",
      "svc/api",
      ":80",
      "--address",
      "127.0.0.1",
    ]);
    assert.match(forward.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.notEqual(forward.url, service.url);
    const res = await fetch(`${forward.url}/health`);
    assert.equal(res.status, 200);
    assert.equal(service.requests.at(-1), "/health");
    await forward.close();
    assert.equal(alive(call.pid), false);
  });

  it("writes the kubeconfig 0600 into a private temp directory that close removes", async () => {
    kubectl = fakeKubectl(service.port);
    const forward = await new KubectlPortForwarder({ env: kubectl.env }).open(
      { namespace: "apps", name: "api", port: 80 },
      "secret kubeconfig",
    );
    const [call] = kubectl.calls();
    const file = call.args[1];
    assert.equal(call.kubeconfigMode, "600");
    assert.equal(call.kubeconfig, "secret kubeconfig");
    assert.ok(!file.startsWith(process.cwd()), `kubeconfig ${file} is under the working directory`);
    assert.ok(fs.existsSync(file));
    await forward.close();
    assert.equal(fs.existsSync(path.dirname(file)), false);
  });

  it("fails with kubectl's error when kubectl exits before forwarding, leaving nothing behind", async () => {
    kubectl = fakeKubectl(service.port, "fail");
    await assert.rejects(
      new KubectlPortForwarder({ env: kubectl.env }).open({ namespace: "apps", name: "nope", port: 80 }, "k"),
      new Error('kubectl port-forward exited 1 before forwarding: error: services "nope" not found'),
    );
    assert.equal(fs.existsSync(path.dirname(kubectl.calls()[0].args[1])), false);
  });

  it("gives up at the deadline when kubectl prints no forwarding line, and stops kubectl", async () => {
    kubectl = fakeKubectl(service.port, "silent");
    // Long enough for the fake to start and record its call on a loaded machine.
    await assert.rejects(
      new KubectlPortForwarder({ env: kubectl.env, readyTimeoutMs: 2000 }).open(
        { namespace: "apps", name: "api", port: 80 },
        "k",
      ),
      new Error("kubectl port-forward printed no forwarding line within 2000 ms: "),
    );
    const [call] = kubectl.calls();
    assert.equal(alive(call.pid), false);
    assert.equal(fs.existsSync(path.dirname(call.args[1])), false);
  });
});
