import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { parseStackConfig } from "../../src/config";
import {
  deploy,
  ReleaseDeps,
  ReleaseRecord,
  ReleaseTarget,
  restore,
  rollback,
} from "../../src/release/executor";
import { Clock, httpProber } from "../../src/release/health";
import { KubectlPortForwarder } from "../../src/release/port-forward";
import { PinValue, PulumiCli, UpOptions } from "../../src/release/pulumi-cli";
import {
  fakeKubectl,
  FakeKubectl,
  healthService,
  Service,
  tempDir,
  tempProject,
  TempProject,
} from "./fixtures";

const D = (c: string) => "sha256:" + c.repeat(64);
const OLD = D("a");
const NEW = D("b");
const RUNNING = D("c");

/** Three services on the local stack: a rolling, a blue/green and a canary one. */
function stackConfig(): ReleaseTarget["config"] {
  return parseStackConfig("local", {
    environment: "local",
    branchModel: "trunk",
    registry: { kind: "ghcr", ghcrOwner: "example-org" },
    kubernetes: { kubeconfig: "./k" },
    services: [
      { name: "api", port: 8080, target: "eks", strategy: { type: "rolling" } },
      { name: "web", port: 3000, target: "eks", strategy: { type: "blueGreen" }, healthPath: "/ready" },
      { name: "pay", port: 8080, target: "eks", strategy: { type: "canary", steps: [10, 50, 100] } },
    ],
    releases: { api: { digest: OLD }, web: { digest: OLD }, pay: { digest: OLD } },
  });
}

/**
 * The real CLI for config writes and reads; `up` (which needs a language host) is replaced by
 * reading back the release config the update would deploy and publishing it as outputs, the way
 * src/stack/platform.ts does.
 */
class Stack implements PulumiCli {
  readonly events: string[] = [];
  /** releases.<service> as each `up` saw it. */
  readonly deployed: Record<string, any>[] = [];
  outputsNow: Record<string, any> = {};
  failUp?: (n: number) => boolean;
  /** The record file's content at the first config write. */
  recordAtFirstChange?: string | null;

  constructor(
    private readonly project: TempProject,
    private readonly recordPath: string,
  ) {}

  async setConfig(stack: string, values: Readonly<Record<string, PinValue>>) {
    this.recordAtFirstChange ??= fs.existsSync(this.recordPath)
      ? fs.readFileSync(this.recordPath, "utf8")
      : null;
    this.events.push(
      `set ${Object.entries(values)
        .map(([k, v]) => `${k}=${v}`)
        .join(" ")}`,
    );
    await this.project.pulumi.setConfig(stack, values);
  }
  async removeConfig(stack: string, paths: readonly string[]) {
    this.events.push(`rm ${paths.join(" ")}`);
    await this.project.pulumi.removeConfig(stack, paths);
  }
  getConfig(stack: string, key: string) {
    return this.project.pulumi.getConfig(stack, key);
  }
  async up(stack: string, options: UpOptions) {
    this.events.push(`up ${options.policyPackConfig}`);
    const releases = (await this.project.pulumi.getConfig(stack, "releases")) as Record<string, any>;
    this.deployed.push(releases);
    if (this.failUp?.(this.deployed.length)) throw new Error("pulumi up exited 255: update failed");
    const digests = Object.fromEntries(Object.entries(releases).map(([s, r]) => [s, r.digest]));
    this.outputsNow = {
      ...this.outputsNow,
      releaseDigests: { ...this.outputsNow.releaseDigests, ...digests },
    };
  }
  async outputs() {
    this.events.push("outputs");
    return this.outputsNow;
  }
  async secretOutput(_stack: string, name: string) {
    this.events.push(`secret ${name}`);
    return name === "kubeconfig" ? "apiVersion: v1\nkind: Config\n" : undefined;
  }
}

const instantClock = (): Clock => {
  let now = 0;
  return { now: () => now, sleep: async (ms) => void (now += ms) };
};

/** The api service answers on a plain URL (as an ECS service does), so it is probed directly. */
describe("release executor", function () {
  this.timeout(60_000);
  let project: TempProject;
  let service: Service;
  let kubectl: FakeKubectl;
  let work: string;
  let recordPath: string;
  let stack: Stack;
  let answers: (i: number) => number;
  const logs: string[] = [];
  const target = (): ReleaseTarget => ({ stack: "local", config: stackConfig() });
  const deps = (): ReleaseDeps => ({
    pulumi: stack,
    prober: httpProber,
    forwarder: new KubectlPortForwarder({ env: kubectl.env }),
    clock: instantClock(),
    gate: { passes: 2, intervalMs: 10, deadlineMs: 50, probeTimeoutMs: 2000 },
    log: (line) => logs.push(line),
  });
  const releasesInFile = () => project.pulumi.getConfig("local", "releases") as Promise<Record<string, any>>;
  const record = (): ReleaseRecord => JSON.parse(fs.readFileSync(recordPath, "utf8"));

  before(async () => {
    service = await healthService((i) => answers(i));
  });
  after(() => service.close());
  beforeEach(async () => {
    project = await tempProject("local");
    kubectl = fakeKubectl(service.port);
    work = tempDir("release-run");
    recordPath = path.join(work, "last-good.json");
    stack = new Stack(project, recordPath);
    stack.outputsNow = {
      serviceUrls: {
        api: service.url,
        web: "http://web.web.svc.cluster.local",
        pay: "http://pay.pay.svc.cluster.local",
      },
      previewUrls: { web: "http://web-preview.web.svc.cluster.local" },
    };
    answers = () => 200;
    service.requests.length = 0;
    logs.length = 0;
  });
  afterEach(() => {
    project.remove();
    kubectl.remove();
    fs.rmSync(work, { recursive: true, force: true });
  });

  it("a rolling release records the last good release before its first change, applies the digest, then gates the service URL", async () => {
    const final = await deploy(deps(), target(), { service: "api", digest: NEW, recordPath });
    assert.deepEqual(JSON.parse(stack.recordAtFirstChange!), {
      stack: "local",
      service: "api",
      lastGood: { digest: OLD, activeColor: "blue", canaryWeight: 0 },
      rolledBack: false,
    });
    assert.deepEqual(stack.events, [
      "outputs",
      `set releases.api.digest=${NEW} releases.api.activeColor=blue releases.api.canaryWeight=0`,
      "rm releases.api.idleDigest releases.api.canaryDigest",
      "up policy/config/local.json",
      "outputs",
    ]);
    assert.deepEqual(stack.deployed, [{ api: { digest: NEW, activeColor: "blue", canaryWeight: 0 } }]);
    assert.deepEqual(service.requests, ["/health", "/health"]);
    assert.deepEqual(final, { digest: NEW, activeColor: "blue", canaryWeight: 0 });
    assert.deepEqual(kubectl.calls(), [], "an https/ECS URL is probed directly");
    assert.deepEqual(logs, [
      "• roll the Deployment / ECS service to the new digest",
      "• smoke-test the service",
    ]);
  });

  it("blue/green deploys the idle colour, gates it through a port-forward to the preview Service, flips, and gates the main Service", async () => {
    const filesBefore = fs.readdirSync(process.cwd()).sort();
    await deploy(deps(), target(), { service: "web", digest: NEW, recordPath });
    assert.deepEqual(
      stack.deployed.map((r) => r.web),
      [
        { digest: OLD, activeColor: "blue", idleDigest: NEW, canaryWeight: 0 },
        { digest: NEW, activeColor: "green", idleDigest: OLD, canaryWeight: 0 },
      ],
    );
    assert.deepEqual(
      kubectl.calls().map((c) => c.args.slice(4, 6)),
      [
        ["port-forward", "svc/web-preview"],
        ["port-forward", "svc/web"],
      ],
    );
    assert.deepEqual(service.requests, ["/ready", "/ready", "/ready", "/ready"]);
    assert.deepEqual(await releasesInFile(), {
      web: { digest: NEW, activeColor: "green", idleDigest: OLD, canaryWeight: 0 },
    });
    assert.deepEqual(
      fs.readdirSync(process.cwd()).sort(),
      filesBefore,
      "nothing written into the working directory",
    );
  });

  it("carries the running digest and colour forward from the stack outputs into the record and the plan", async () => {
    stack.outputsNow.releaseDigests = { web: RUNNING };
    stack.outputsNow.activeColors = { web: "green" };
    await deploy(deps(), target(), { service: "web", digest: NEW, recordPath });
    assert.deepEqual(record().lastGood, { digest: RUNNING, activeColor: "green", canaryWeight: 0 });
    assert.deepEqual(stack.deployed.at(-1)!.web, {
      digest: NEW,
      activeColor: "blue",
      idleDigest: RUNNING,
      canaryWeight: 0,
    });
  });

  it("a canary whose gate fails re-applies the last good release, with the canary track removed, and marks the record rolled back", async () => {
    answers = (i) => (i < 2 ? 200 : 503); // healthy at 10 %, failing at 50 %
    await assert.rejects(
      deploy(deps(), target(), { service: "pay", digest: NEW, recordPath }),
      /^Error: release of pay failed and was rolled back: http:\/\/127\.0\.0\.1:\d+\/health was not healthy 2 times in a row within 50 ms \(0 in a row at the end; last answer 503\)$/,
    );
    assert.deepEqual(
      stack.deployed.map((r) => r.pay),
      [
        { digest: OLD, activeColor: "blue", canaryDigest: NEW, canaryWeight: 10 },
        { digest: OLD, activeColor: "blue", canaryDigest: NEW, canaryWeight: 50 },
        { digest: OLD, activeColor: "blue", canaryWeight: 0 },
      ],
    );
    assert.equal(record().rolledBack, true);
    assert.equal(logs.at(-1), "• re-apply the last good release");

    // The workflow's rollback step then finds nothing left to do.
    await rollback(deps(), target(), { service: "pay", recordPath });
    assert.equal(stack.deployed.length, 3);
    assert.equal(logs.at(-1), "• pay was already rolled back by deploy; nothing to do");
  });

  it("a failed update is rolled back too, and the error names what failed", async () => {
    stack.failUp = (n) => n === 1;
    await assert.rejects(
      deploy(deps(), target(), { service: "api", digest: NEW, recordPath }),
      new Error("release of api failed and was rolled back: pulumi up exited 255: update failed"),
    );
    assert.deepEqual(
      stack.deployed.map((r) => r.api.digest),
      [NEW, OLD],
    );
  });

  it("when re-applying the last good release fails as well, the record stays open for the workflow's rollback step", async () => {
    stack.failUp = () => true;
    await assert.rejects(
      deploy(deps(), target(), { service: "api", digest: NEW, recordPath }),
      new Error(
        "release of api failed (pulumi up exited 255: update failed) and re-applying the last good release failed too: pulumi up exited 255: update failed",
      ),
    );
    assert.equal(record().rolledBack, false);

    stack.failUp = undefined;
    await rollback(deps(), target(), { service: "api", recordPath });
    assert.deepEqual(stack.deployed.at(-1)!.api, { digest: OLD, activeColor: "blue", canaryWeight: 0 });
    assert.equal(record().rolledBack, true);
  });

  it("refuses a digest that is not sha256 before recording or changing anything", async () => {
    await assert.rejects(
      deploy(deps(), target(), { service: "api", digest: "latest", recordPath }),
      new Error('--digest "latest" is not a sha256 digest (sha256: and 64 hex digits)'),
    );
    assert.equal(fs.existsSync(recordPath), false);
    assert.deepEqual(stack.events, []);
  });

  it("refuses an unknown service, naming the configured ones", async () => {
    await assert.rejects(
      deploy(deps(), target(), { service: "nope", digest: NEW, recordPath }),
      new Error('unknown service "nope"; configured: api, web, pay'),
    );
  });

  it("rollback refuses a record of another service and explains a missing record", async () => {
    fs.writeFileSync(
      recordPath,
      JSON.stringify({ stack: "local", service: "web", lastGood: { digest: OLD }, rolledBack: false }),
    );
    await assert.rejects(
      rollback(deps(), target(), { service: "api", recordPath }),
      new Error(`${recordPath} records web on local, not api on local`),
    );
    const missing = path.join(work, "none.json");
    await assert.rejects(
      rollback(deps(), target(), { service: "api", recordPath: missing }),
      new Error(
        `no release record at ${missing}: deploy writes it before its first change, so none means deploy changed nothing`,
      ),
    );
    assert.deepEqual(stack.deployed, []);
  });

  it("restore writes every service's running digest and colour from the outputs, and nothing the outputs lack", async () => {
    stack.outputsNow.releaseDigests = { api: RUNNING, web: NEW };
    stack.outputsNow.activeColors = { web: "green" };
    await restore(deps(), target());
    assert.deepEqual(await releasesInFile(), {
      api: { digest: RUNNING },
      web: { digest: NEW, activeColor: "green" },
    });
    assert.deepEqual(stack.deployed, [], "restore only writes config; infra-up runs the update");
  });
});
