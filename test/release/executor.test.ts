import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { operationsSchema } from "../../src/config/operations";
import { metricGate } from "../../src/operations/gate";
import { GateReport, GetMetricDataResponse } from "../../src/operations/metric-gate";
import { parseStackConfig } from "../../src/config";
import { failureOutputs } from "../../src/release/cli";
import { DescribeServicesResponse, EcsApi } from "../../src/release/ecs-rollout";
import {
  deploy,
  ReleaseDeps,
  ReleaseFailure,
  ReleaseTarget,
  restore,
  rollback,
} from "../../src/release/executor";
import { Clock, httpProber } from "../../src/release/health";
import { KubectlPortForwarder } from "../../src/release/port-forward";
import { PinValue, PulumiCli, UpOptions } from "../../src/release/pulumi-cli";
import { ReleaseState } from "../../src/release/state";
import { releaseOutputs } from "../../src/stack/platform";
import { fakeKubectl, FakeKubectl, healthService, Service } from "./fixtures";
import { tempProject, TempProject } from "./temp-project";

const D = (c: string) => "sha256:" + c.repeat(64);
const OLD = D("a");
const NEW = D("b");
const RUNNING = D("c");
const NEWER = D("d");

const SERVICES = [
  { name: "api", port: 8080, target: "eks", strategy: { type: "rolling" } },
  { name: "web", port: 3000, target: "eks", strategy: { type: "blueGreen" }, healthPath: "/ready" },
  {
    name: "pay",
    port: 8080,
    target: "eks",
    replicas: 10,
    strategy: { type: "canary", steps: [10, 50, 100] },
  },
];
const COMMITTED = { api: { digest: OLD }, web: { digest: OLD }, pay: { digest: OLD } };

/** Three services on the local stack: a rolling, a blue/green and a canary one. */
function stackConfig(
  releases: Record<string, unknown> = COMMITTED,
  services: readonly object[] = SERVICES,
): ReleaseTarget["config"] {
  return parseStackConfig("local", {
    environment: "local",
    branchModel: "trunk",
    registry: { kind: "ghcr", ghcrOwner: "example-org" },
    kubernetes: { kubeconfig: "./k" },
    services,
    releases,
  });
}

/**
 * One rolling ECS service, `orders`. The local stack has no ECS, so it is parsed as an EKS
 * service and given its target afterwards: the executor reads only the target.
 */
function ecsStackConfig(
  releases: Record<string, unknown> = { orders: { digest: OLD } },
): ReleaseTarget["config"] {
  const config = stackConfig(releases, [
    { name: "orders", port: 8080, target: "eks", strategy: { type: "rolling" } },
  ]);
  return { ...config, services: config.services.map((s) => ({ ...s, target: "ecs" as const })) };
}

/** The stack's state as every job sees it: its outputs, which only an update changes. */
interface StackState {
  outputs: Record<string, any>;
  /** releases.<service> config each update deployed, across every job. */
  readonly deployed: Record<string, any>[];
  failUp?: (n: number) => boolean;
  /** The configuration an update deploys the releases with. @default stackConfig */
  configOf?: (releases: Record<string, unknown>) => ReleaseTarget["config"];
  /** Outputs an update adds besides the releases' (the n-th update, from 1). */
  moreOutputs?: (n: number) => Record<string, unknown>;
}

/**
 * One job's view of the stack: its own checkout (a real Pulumi project whose config the real CLI
 * writes), the shared state. `up` (which needs a language host) deploys the checkout's release
 * config through the program's own config parser and `releaseOutputs`, and records the outputs
 * as the stack would.
 */
class Job implements PulumiCli {
  readonly events: string[] = [];

  constructor(
    private readonly project: TempProject,
    private readonly state: StackState,
  ) {}

  async setConfig(stack: string, values: Readonly<Record<string, PinValue>>) {
    this.events.push(`set ${Object.keys(values).length}`);
    await this.project.pulumi.setConfig(stack, values);
  }
  async removeConfig(stack: string, paths: readonly string[]) {
    await this.project.pulumi.removeConfig(stack, paths);
  }
  getConfig(stack: string, key: string) {
    return this.project.pulumi.getConfig(stack, key);
  }
  async up(stack: string, options: UpOptions) {
    this.events.push(`up ${options.policyPackConfig}`);
    const releases = (await this.project.pulumi.getConfig(stack, "releases")) as Record<string, any>;
    this.state.deployed.push(releases);
    if (this.state.failUp?.(this.state.deployed.length))
      throw new Error("pulumi up exited 255: update failed");
    this.state.outputs = {
      ...this.state.outputs,
      ...releaseOutputs(
        (this.state.configOf ?? stackConfig)(releases) as Parameters<typeof releaseOutputs>[0],
      ),
      ...this.state.moreOutputs?.(this.state.deployed.length),
    };
  }
  async outputs() {
    this.events.push("outputs");
    return this.state.outputs;
  }
  async secretOutput(_stack: string, name: string) {
    return name === "kubeconfig" ? "apiVersion: v1\nkind: Config\n" : undefined;
  }
}

const instantClock = (): Clock => {
  let now = 0;
  return { now: () => now, sleep: async (ms) => void (now += ms) };
};

describe("release executor", function () {
  this.timeout(120_000);
  let service: Service;
  let kubectl: FakeKubectl;
  let state: StackState;
  let answers: (i: number) => number;
  const projects: TempProject[] = [];
  const logs: string[] = [];
  const target = (): ReleaseTarget => ({ stack: "local", config: stackConfig() });

  /** A fresh job: a new checkout with the committed config, the shared stack state. */
  async function job(
    committed: Record<string, string> = {
      "releases.api.digest": OLD,
      "releases.web.digest": OLD,
      "releases.pay.digest": OLD,
    },
  ): Promise<{ job: Job; deps: ReleaseDeps; project: TempProject }> {
    const project = await tempProject("local");
    projects.push(project);
    await project.pulumi.setConfig("local", committed);
    const j = new Job(project, state);
    return {
      job: j,
      project,
      deps: {
        pulumi: j,
        prober: httpProber,
        forwarder: new KubectlPortForwarder({ env: kubectl.env }),
        clock: instantClock(),
        gate: { passes: 2, intervalMs: 10, deadlineMs: 50, probeTimeoutMs: 2000 },
        log: (line) => logs.push(line),
      },
    };
  }
  const recorded = () => state.outputs.releases as Record<string, ReleaseState>;

  before(async () => {
    service = await healthService((i) => answers(i));
  });
  after(() => service.close());
  beforeEach(() => {
    kubectl = fakeKubectl(service.port);
    state = {
      deployed: [],
      outputs: {
        serviceUrls: {
          api: service.url,
          web: "http://web.web.svc.cluster.local",
          pay: "http://pay.pay.svc.cluster.local",
        },
        previewUrls: { web: "http://web-preview.web.svc.cluster.local" },
      },
    };
    answers = () => 200;
    service.requests.length = 0;
    logs.length = 0;
  });
  afterEach(() => {
    kubectl.remove();
    for (const p of projects.splice(0)) p.remove();
  });

  it("a rolling release reads the recorded releases, writes every service's, applies the digest with the previous one recorded, then gates the service URL", async () => {
    const { deps, job: j } = await job();
    const final = await deploy(deps, target(), { service: "api", digest: NEW });
    assert.deepEqual(j.events, ["outputs", "set 6", "up policy/config/local.json", "outputs"]);
    assert.deepEqual(state.deployed, [
      {
        api: { digest: NEW, previous: { digest: OLD } },
        web: { digest: OLD, activeColor: "blue" },
        pay: { digest: OLD, canaryWeight: 0 },
      },
    ]);
    assert.deepEqual(final, { digest: NEW, previous: { digest: OLD } });
    assert.deepEqual(recorded().api, { digest: NEW, previous: { digest: OLD } });
    assert.deepEqual(service.requests, ["/health", "/health"]);
    assert.deepEqual(kubectl.calls(), [], "an https/ECS URL is probed directly");
    assert.deepEqual(logs, [
      "• roll the Deployment / ECS service to the new digest",
      "• smoke-test the service, then watch its error rate and latency",
    ]);
  });

  it("two services deployed one after the other, each from a fresh checkout, keep each other's releases", async () => {
    await deploy((await job()).deps, target(), { service: "api", digest: NEW });
    await deploy((await job()).deps, target(), { service: "pay", digest: NEWER });
    assert.deepEqual(recorded(), {
      api: { digest: NEW, previous: { digest: OLD } },
      web: { digest: OLD, activeColor: "blue" },
      pay: {
        digest: NEWER,
        canaryDigest: NEWER,
        canaryWeight: 0,
        previous: { digest: OLD, canaryWeight: 0 },
      },
    });
    assert.ok(
      state.deployed.slice(1).every((r) => r.api.digest === NEW),
      "no update of the second release deployed api's committed digest",
    );
  });

  it("a blue/green flip followed by another service's deploy keeps the flip and both colours' releases", async () => {
    await deploy((await job()).deps, target(), { service: "web", digest: NEW });
    assert.deepEqual(
      state.deployed.map((r) => r.web),
      [
        { digest: OLD, activeColor: "blue", idleDigest: NEW, previous: { digest: OLD, activeColor: "blue" } },
        {
          digest: NEW,
          activeColor: "green",
          idleDigest: OLD,
          previous: { digest: OLD, activeColor: "blue" },
        },
      ],
    );
    assert.deepEqual(
      kubectl.calls().map((c) => c.args.slice(4, 6)),
      [
        ["port-forward", "svc/web-preview"],
        ["port-forward", "svc/web"],
      ],
    );
    await deploy((await job()).deps, target(), { service: "api", digest: NEW });
    assert.deepEqual(state.deployed.at(-1)!.web, {
      digest: NEW,
      activeColor: "green",
      idleDigest: OLD,
      previous: { digest: OLD, activeColor: "blue" },
    });
    assert.deepEqual(recorded().web, state.deployed.at(-1)!.web);
  });

  it("a canary whose gate fails restores exactly the release it started from and touches no other service", async () => {
    await deploy((await job()).deps, target(), { service: "api", digest: NEW });
    const before = recorded();
    answers = (i) => (i < 4 ? 200 : 503); // api's gate and the 10 % step pass, 50 % fails
    await assert.rejects(
      deploy((await job()).deps, target(), { service: "pay", digest: NEWER }),
      /^ReleaseFailure: release of pay failed and was rolled back: http:\/\/127\.0\.0\.1:\d+\/health was not healthy 2 times in a row within 50 ms \(0 in a row at the end; last answer 503\)$/,
    );
    assert.deepEqual(
      state.deployed.slice(1).map((r) => [r.pay.canaryWeight, r.pay.canaryDigest ?? null]),
      [
        [10, NEWER],
        [50, NEWER],
        [0, null],
      ],
    );
    assert.deepEqual(recorded(), before);
    assert.equal(logs.at(-1), "• restore pay as it was (" + OLD + ")");
  });

  describe("judged by metrics", () => {
    const CW = JSON.parse(
      fs.readFileSync(path.join(__dirname, "../operations/fixtures/cloudwatch-canary.json"), "utf8"),
    ) as Record<string, GetMetricDataResponse[]>;
    const PAY_ALB = {
      loadBalancer: "app/platform-local-alb/50dc6c495c0c9188",
      targetGroup: "targetgroup/pay/6d0ecf831eec9f09",
    };

    /** A job whose executor watches pay's target group, GetMetricData answering the recorded series in order. */
    async function watchedJob(series: GetMetricDataResponse[]) {
      state.outputs = {
        ...state.outputs,
        albArnSuffixes: { pay: PAY_ALB.loadBalancer },
        targetGroupSuffixes: { pay: PAY_ALB.targetGroup },
      };
      const { deps, job: j } = await job();
      const asked: any[] = [];
      const reports: [string, string, GateReport][] = [];
      const watched: ReleaseDeps = {
        ...deps,
        // The local environment's gate: the non-production defaults (5 %, p99 2.5 s, 2 min, no data passes).
        metricGate: metricGate(
          { environment: "local", operations: operationsSchema.parse({}) },
          {
            pulumi: j,
            forwarder: deps.forwarder,
            clock: instantClock(),
            getMetricData: async (request) => {
              asked.push(request);
              return series[Math.min(asked.length - 1, series.length - 1)];
            },
          },
        ),
        onGateReport: (service, step, report) => reports.push([service, step, report]),
      };
      return { deps: watched, asked, reports };
    }

    it("a regressed canary step (recorded CloudWatch series) aborts the release and restores the stable track", async () => {
      // The 10 % step reads the healthy minute twice; the 50 % step's first read is the regressed one.
      const { deps, asked, reports } = await watchedJob([CW.healthy[1], CW.healthy[1], ...CW.regressed]);
      await assert.rejects(
        deploy(deps, target(), { service: "pay", digest: NEW }),
        (err: Error) =>
          err instanceof ReleaseFailure &&
          err.rolledBackBy === "executor" &&
          err.message ===
            "release of pay failed and was rolled back: metric gate (CloudWatch (ALB targetgroup/pay/6d0ecf831eec9f09)): regressed: error rate 8.06% > 5%; p99 2800 ms > 2500 ms (1204 requests, 97 5xx (8.06%), p95 350 ms, p99 2800 ms)",
      );
      assert.deepEqual(
        state.deployed.map((r) => [r.pay.canaryWeight, r.pay.canaryDigest ?? null]),
        [
          [10, NEW],
          [50, NEW],
          [0, null],
        ],
      );
      assert.deepEqual(recorded().pay, { digest: OLD, canaryWeight: 0 });
      assert.equal(asked.length, 3);
      assert.deepEqual(asked[0].MetricDataQueries[0].MetricStat.Metric.Dimensions, [
        { Name: "LoadBalancer", Value: PAY_ALB.loadBalancer },
        { Name: "TargetGroup", Value: PAY_ALB.targetGroup },
      ]);
      assert.deepEqual(
        reports.map(([service, step, r]) => [service, step, r.passed]),
        [
          ["pay", "hold at 10%: check health, then watch error rate and latency", true],
          ["pay", "hold at 50%: check health, then watch error rate and latency", false],
        ],
      );
      assert.ok(
        logs.some((l) =>
          l.startsWith(
            "✗ metric gate, CloudWatch (ALB targetgroup/pay/6d0ecf831eec9f09): regressed: error rate 8.06%",
          ),
        ),
        logs.join("\n"),
      );
      assert.equal(logs.at(-1), `• restore pay as it was (${OLD})`);
    });

    it("a rolling release whose error rate regressed (recorded CloudWatch series) is rolled back to the digest it ran", async () => {
      const { deps, reports } = await watchedJob(CW.regressed);
      state.outputs = {
        ...state.outputs,
        albArnSuffixes: { api: PAY_ALB.loadBalancer },
        targetGroupSuffixes: { api: PAY_ALB.targetGroup },
      };
      await assert.rejects(
        deploy(deps, target(), { service: "api", digest: NEW }),
        (err: Error) =>
          err instanceof ReleaseFailure &&
          err.rolledBackBy === "executor" &&
          err.message.startsWith(
            "release of api failed and was rolled back: metric gate (CloudWatch (ALB targetgroup/pay/6d0ecf831eec9f09)): regressed: error rate 8.06% > 5%",
          ),
      );
      assert.deepEqual(
        state.deployed.map((r) => r.api),
        [{ digest: NEW, previous: { digest: OLD } }, { digest: OLD }],
      );
      assert.deepEqual(
        reports.map(([service, step, r]) => [service, step, r.passed]),
        [["api", "smoke-test the service, then watch its error rate and latency", false]],
      );
    });

    it("a healthy canary passes every watched step and is promoted", async () => {
      const { deps, reports } = await watchedJob(CW.healthy);
      const final = await deploy(deps, target(), { service: "pay", digest: NEW });
      assert.deepEqual([final.digest, final.canaryWeight], [NEW, 0]);
      assert.deepEqual(
        reports.map(([, , r]) => r.summary),
        [
          "healthy for 2 min: 2410 requests, 3 5xx (0.12%), p95 190 ms, p99 440 ms",
          "healthy for 2 min: 2410 requests, 3 5xx (0.12%), p95 190 ms, p99 440 ms",
        ],
      );
    });

    it("a blue/green service with no ALB and no Prometheus is said to be unmeasured, never healthy, after its flip", async () => {
      const { deps, asked, reports } = await watchedJob(CW.healthy);
      await deploy(deps, target(), { service: "web", digest: NEW });
      assert.equal(asked.length, 0);
      assert.deepEqual(
        reports.map(([service, step, r]) => [service, step, r.passed, r.source, r.summary]),
        [
          [
            "web",
            "smoke-test the service after the flip, then watch its error rate and latency",
            true,
            "none",
            "not measured: web has no ALB and the stack names no Prometheus (operations.gate.prometheusUrl); only the health gate judged it",
          ],
        ],
      );
    });
  });

  describe("the team's post-deploy checks", () => {
    /** The local stack with `api` (rolling) running `command` after each deploy. */
    const withChecks = (command: string, timeoutSeconds = 30): ReleaseTarget => ({
      stack: "local",
      config: stackConfig(
        COMMITTED,
        SERVICES.map((s) => (s.name === "api" ? { ...s, postDeploy: { command, timeoutSeconds } } : s)),
      ),
    });
    let dir: string;
    beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "post-deploy-"))));
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("run with bash after the last gate, told the service's URL, name and stack, and the release stands", async () => {
      const seen = path.join(dir, "seen");
      const final = await deploy(
        (await job()).deps,
        withChecks(`echo "$SERVICE_URL $SERVICE $STACK" > ${seen}`),
        {
          service: "api",
          digest: NEW,
        },
      );
      assert.deepEqual(final, { digest: NEW, previous: { digest: OLD } });
      assert.equal(fs.readFileSync(seen, "utf8"), `${service.url.replace(/\/$/, "")} api local\n`);
      assert.deepEqual(logs.slice(-2), [
        `• run api's post-deploy checks: echo "$SERVICE_URL $SERVICE $STACK" > ${seen}`,
        "✓ api's post-deploy checks passed",
      ]);
    });

    it("failing, roll the release back to what ran, as a failed health gate does", async () => {
      await assert.rejects(
        deploy((await job()).deps, withChecks("echo 2 of 9 smoke tests failed >&2; exit 3"), {
          service: "api",
          digest: NEW,
        }),
        (err: Error) =>
          err instanceof ReleaseFailure &&
          err.message === "release of api failed and was rolled back: post-deploy checks exited 3",
      );
      assert.deepEqual(
        state.deployed.map((r) => r.api),
        [{ digest: NEW, previous: { digest: OLD } }, { digest: OLD }],
      );
    });

    it("cut off at their timeout, roll it back too", async () => {
      await assert.rejects(
        deploy((await job()).deps, withChecks("sleep 30", 10), { service: "api", digest: NEW }),
        /post-deploy checks did not finish within 10 s/,
      );
      assert.deepEqual(recorded().api, { digest: OLD });
    }).timeout(60000);

    it("are not run by a rollback, which restores a release that already passed them", async () => {
      const seen = path.join(dir, "seen");
      const { deps } = await job();
      await deploy(deps, withChecks(`echo deployed >> ${seen}`), { service: "api", digest: NEW });
      await rollback(deps, withChecks(`echo rolled back >> ${seen}`), { service: "api", to: "previous" });
      assert.equal(fs.readFileSync(seen, "utf8"), "deployed\n");
    });
  });

  it("a failed update restores the service, and the error names what failed", async () => {
    state.failUp = (n) => n === 1;
    await assert.rejects(
      deploy((await job()).deps, target(), { service: "api", digest: NEW }),
      (err: Error) =>
        err instanceof ReleaseFailure &&
        err.rolledBackBy === "executor" &&
        err.message === "release of api failed and was rolled back: pulumi up exited 255: update failed",
    );
    assert.deepEqual(
      state.deployed.map((r) => r.api),
      [{ digest: NEW, previous: { digest: OLD } }, { digest: OLD }],
    );
  });

  it("when restoring fails as well, the error says what the stack records and how to roll back", async () => {
    state.failUp = () => true;
    await assert.rejects(
      deploy((await job()).deps, target(), { service: "api", digest: NEW }),
      new Error(
        `release of api failed (pulumi up exited 255: update failed) and restoring its release failed too: pulumi up exited 255: update failed; the stack records ${NEW} with previous ${OLD}: run the rollback workflow with "previous"`,
      ),
    );
  });

  it("rollback to previous restores exactly the previous release of one service and nothing else, and a second rollback undoes it", async () => {
    await deploy((await job()).deps, target(), { service: "web", digest: NEW });
    await deploy((await job()).deps, target(), { service: "api", digest: NEW });
    const others = { api: recorded().api, pay: recorded().pay };
    await rollback((await job()).deps, target(), { service: "web", to: "previous" });
    assert.deepEqual(recorded().web, {
      digest: OLD,
      activeColor: "blue",
      previous: { digest: NEW, activeColor: "green", idleDigest: OLD },
    });
    assert.deepEqual({ api: recorded().api, pay: recorded().pay }, others);
    assert.equal(logs.at(-2), `• re-apply the previous release (${OLD})`);

    await rollback((await job()).deps, target(), { service: "web", to: "previous" });
    assert.deepEqual(recorded().web, {
      digest: NEW,
      activeColor: "green",
      idleDigest: OLD,
      previous: { digest: OLD, activeColor: "blue" },
    });
  });

  it("rollback to a digest redeploys it through the service's strategy", async () => {
    await rollback((await job()).deps, target(), { service: "pay", to: RUNNING });
    assert.deepEqual(
      state.deployed.map((r) => [r.pay.digest, r.pay.canaryWeight]),
      [
        [OLD, 10],
        [OLD, 50],
        [RUNNING, 0],
      ],
    );
  });

  it("rollback refuses a service with no previous release and a target that is neither previous nor a digest, before changing anything", async () => {
    const { deps } = await job();
    await assert.rejects(
      rollback(deps, target(), { service: "api", to: "previous" }),
      new Error(
        `api on local has no previous release recorded: it has run ${OLD} since the stack first recorded it; redeploy a chosen digest with --to sha256:…`,
      ),
    );
    await assert.rejects(
      rollback(deps, target(), { service: "api", to: "last" }),
      new Error('--to "last" is neither "previous" nor a sha256 digest (sha256: and 64 hex digits)'),
    );
    assert.deepEqual(state.deployed, []);
  });

  it("refuses a digest that is not sha256 and an unknown service before changing anything", async () => {
    const { deps, job: j } = await job();
    await assert.rejects(
      deploy(deps, target(), { service: "api", digest: "latest" }),
      new Error('--digest "latest" is not a sha256 digest (sha256: and 64 hex digits)'),
    );
    await assert.rejects(
      deploy(deps, target(), { service: "nope", digest: NEW }),
      new Error('unknown service "nope"; configured: api, web, pay'),
    );
    assert.deepEqual(j.events, []);
  });

  it("restore writes every service's recorded release into a fresh checkout, removing what the record lacks", async () => {
    state.outputs.releases = {
      api: { digest: RUNNING },
      web: {
        digest: NEW,
        activeColor: "green",
        idleDigest: OLD,
        previous: { digest: OLD, activeColor: "blue" },
      },
      pay: { digest: OLD, canaryDigest: NEW, canaryWeight: 10 },
    };
    const { deps, project } = await job();
    await project.pulumi.setConfig("local", { "releases.api.canaryWeight": 50 });
    await restore(deps, target());
    assert.deepEqual(await project.pulumi.getConfig("local", "releases"), state.outputs.releases);
    assert.deepEqual(state.deployed, [], "restore only writes config; infra-up runs the update");
  });

  it("a stack recorded before the releases output carries its releaseDigests and activeColors forward", async () => {
    state.outputs.releaseDigests = { api: RUNNING, web: NEW, pay: OLD };
    state.outputs.activeColors = { web: "green" };
    const { deps, project } = await job();
    await restore(deps, target());
    assert.deepEqual(await project.pulumi.getConfig("local", "releases"), {
      api: { digest: RUNNING },
      web: { digest: NEW, activeColor: "green" },
      pay: { digest: OLD, canaryWeight: 0 },
    });
  });

  it("refuses a releases output that is not a release record rather than guessing", async () => {
    state.outputs.releases = { api: { digest: "latest" } };
    await assert.rejects(
      restore((await job()).deps, target()),
      new Error(
        "the stack's releases output is not a release record: api.digest: Invalid string: must match pattern /^sha256:[a-f0-9]{64}$/",
      ),
    );
  });

  describe("a service never released (being onboarded)", () => {
    const ONBOARDING = [
      ...SERVICES,
      { name: "cart", port: 8080, target: "eks", strategy: { type: "blueGreen" } },
    ];
    const onboardingTarget = (): ReleaseTarget => ({
      stack: "local",
      config: stackConfig(COMMITTED, ONBOARDING),
    });
    beforeEach(() => {
      state.configOf = (releases) => stackConfig(releases, ONBOARDING);
      state.outputs.serviceUrls.cart = service.url;
    });

    it("is created at the first digest and smoke-tested; the others keep their releases", async () => {
      const { deps, job: j } = await job();
      const final = await deploy(deps, onboardingTarget(), { service: "cart", digest: NEW });
      assert.deepEqual(final, { digest: NEW, activeColor: "blue" });
      assert.deepEqual(state.deployed, [
        {
          api: { digest: OLD },
          web: { digest: OLD, activeColor: "blue" },
          pay: { digest: OLD, canaryWeight: 0 },
          cart: { digest: NEW, activeColor: "blue" },
        },
      ]);
      assert.deepEqual(recorded().cart, { digest: NEW, activeColor: "blue" });
      assert.deepEqual(
        j.events.filter((e) => e.startsWith("up")),
        ["up policy/config/local.json"],
      );
      assert.deepEqual(logs, [
        `• first release: create the workload at ${NEW}`,
        "• smoke-test the new service",
      ]);
    });

    it("whose first release fails is removed again, leaving no release config behind", async () => {
      answers = () => 503;
      const { deps, project } = await job();
      await assert.rejects(
        deploy(deps, onboardingTarget(), { service: "cart", digest: NEW }),
        /release of cart failed and was rolled back/,
      );
      assert.deepEqual(
        state.deployed.map((r) => r.cart ?? null),
        [{ digest: NEW, activeColor: "blue" }, null],
      );
      assert.equal(await project.pulumi.getConfig("local", "releases.cart"), undefined);
      assert.equal(recorded().cart, undefined);
      assert.equal(logs.at(-1), "• remove cart again: it had never been released");
    });

    it("cannot be rolled back, and infra-up's restore leaves it without a workload", async () => {
      await assert.rejects(
        rollback((await job()).deps, onboardingTarget(), { service: "cart", to: "previous" }),
        new Error(
          "cart on local has never been released: there is nothing to roll back to; deploy a digest first",
        ),
      );
      const { deps, project } = await job({ "releases.api.digest": OLD, "releases.cart.digest": NEW });
      await restore(deps, onboardingTarget());
      assert.equal(await project.pulumi.getConfig("local", "releases.cart"), undefined);
      assert.equal(await project.pulumi.getConfig("local", "releases.api.digest"), OLD);
    });
  });

  describe("on ECS", () => {
    const CLUSTER = "arn:aws:ecs:eu-west-1:111111111111:cluster/platform-dev-ecs";
    const td = (revision: number) =>
      `arn:aws:ecs:eu-west-1:111111111111:task-definition/platform-dev-orders:${revision}`;
    /** The service as ECS describes it: its primary deployment runs `taskDefinition`, rollout `rolloutState`. */
    const running = (taskDefinition: string, rolloutState: string): DescribeServicesResponse => ({
      services: [
        {
          serviceName: "orders",
          status: "ACTIVE",
          taskDefinition,
          deployments: [
            { status: "PRIMARY", taskDefinition, desiredCount: 2, runningCount: 2, rolloutState },
          ],
          events: [
            {
              message: "(service orders) rolling back to deployment ecs-svc/1111.",
              createdAt: "2026-11-23T10:06:00Z",
            },
          ],
        },
      ],
    });
    const ecsTarget = (): ReleaseTarget => ({ stack: "local", config: ecsStackConfig() });

    /** Each update registers the next task definition revision (41 is what ran before). */
    beforeEach(() => {
      state.configOf = (releases) => ecsStackConfig(releases);
      state.moreOutputs = (n) => ({ ecsClusterArn: CLUSTER, taskDefinitionArns: { orders: td(41 + n) } });
      state.outputs.serviceUrls = { orders: service.url };
    });

    async function ecsJob(answer: (call: number) => DescribeServicesResponse) {
      const calls: string[] = [];
      const ecs: EcsApi = {
        describeService: async (cluster, name) => (calls.push(`${cluster} ${name}`), answer(calls.length)),
      };
      const { deps } = await job({ "releases.orders.digest": OLD });
      return { deps: { ...deps, ecs, ecsRollout: { intervalMs: 10, deadlineMs: 100 } }, calls };
    }

    it("passes once the primary deployment runs the task definition the update recorded, then smoke-tests", async () => {
      const { deps, calls } = await ecsJob(() => running(td(42), "COMPLETED"));
      const final = await deploy(deps, ecsTarget(), { service: "orders", digest: NEW });
      assert.deepEqual(final, { digest: NEW, previous: { digest: OLD } });
      assert.deepEqual(calls, [`${CLUSTER} orders`]);
      assert.deepEqual(logs, [
        "• roll the Deployment / ECS service to the new digest",
        "✓ ECS service orders: platform-dev-orders:42 completed, 2/2 tasks running",
        "• smoke-test the service, then watch its error rate and latency",
      ]);
      assert.deepEqual(service.requests, ["/health", "/health"]);
    });

    it("a circuit-breaker rollback fails the release before any smoke test, restores the stack and is reported as a rollback", async () => {
      // ECS went back to revision 41; `pulumi up` (waitForSteadyState) still succeeded.
      const { deps } = await ecsJob(() => running(td(41), "COMPLETED"));
      const err = await deploy(deps, ecsTarget(), { service: "orders", digest: NEW }).then(
        () => assert.fail("the release passed"),
        (e: unknown) => e,
      );
      assert.ok(err instanceof ReleaseFailure);
      assert.equal(err.rolledBackBy, "circuitBreaker");
      assert.equal(
        err.message,
        "release of orders failed and was rolled back: ECS service orders: the deployment circuit breaker rolled platform-dev-orders:42 back: " +
          "the primary deployment runs platform-dev-orders:41 (COMPLETED); latest events: (service orders) rolling back to deployment ecs-svc/1111.",
      );
      assert.deepEqual(
        state.deployed.map((r) => r.orders),
        [{ digest: NEW, previous: { digest: OLD } }, { digest: OLD }],
        "the stack is restored to the release ECS runs again",
      );
      assert.deepEqual(service.requests, [], "no smoke test ran against the old tasks");
      assert.match(
        failureOutputs(err),
        /^outcome=rolled-back\nreason=rolled back by the ECS circuit breaker: release of orders failed/,
      );
    });

    it("a rollout stuck in progress fails the release and restores it", async () => {
      const { deps, calls } = await ecsJob(() => running(td(42), "IN_PROGRESS"));
      await assert.rejects(
        deploy(deps, ecsTarget(), { service: "orders", digest: NEW }),
        (e: Error) =>
          e instanceof ReleaseFailure &&
          e.rolledBackBy === "executor" &&
          /is stuck: still platform-dev-orders:42 in progress/.test(e.message),
      );
      assert.equal(calls.length, 11);
      assert.deepEqual(state.deployed.at(-1)!.orders, { digest: OLD });
    });

    describe("blue/green, ECS's own", () => {
      const blueGreenTarget = (): ReleaseTarget => {
        const config = ecsStackConfig();
        return {
          stack: "local",
          config: {
            ...config,
            services: config.services.map((s) => ({
              ...s,
              strategy: { type: "blueGreen" as const, bakeMinutes: 5 },
            })),
          },
        };
      };
      const ARN =
        "arn:aws:ecs:eu-west-1:111111111111:service-deployment/platform-dev-ecs/orders/Zx9Kq2mN4pL7";
      const pausedRead = {
        serviceDeploymentArn: ARN,
        status: "IN_PROGRESS",
        lifecycleStage: "POST_TEST_TRAFFIC_SHIFT",
        lifecycleHookDetails: [{ hookId: "ecs-pause-1", targetType: "PAUSE", status: "AWAITING_ACTION" }],
      };

      async function blueGreenJob(reads: object[]) {
        const { deps } = await job({ "releases.orders.digest": OLD });
        const calls: string[] = [];
        const headers: (Readonly<Record<string, string>> | undefined)[] = [];
        let i = 0;
        return {
          calls,
          headers,
          deps: {
            ...deps,
            prober: {
              probe: (url: string, timeoutMs: number, h?: Readonly<Record<string, string>>) => (
                headers.push(h),
                httpProber.probe(url, timeoutMs, h)
              ),
            },
            ecsRollout: { intervalMs: 10, deadlineMs: 100 },
            ecsDeployments: {
              listServiceDeployments: async (cluster: string, name: string) => (
                calls.push(`list ${cluster} ${name}`),
                [ARN]
              ),
              describeServiceDeployment: async () => reads[Math.min(i++, reads.length - 1)],
              continueServiceDeployment: async (_arn: string, hookId: string, action: string) =>
                void calls.push(`continue ${hookId} ${action}`),
            },
          } as ReleaseDeps,
        };
      }

      it("records one update, smoke-tests green through the test rule at ECS's pause, continues, then gates production", async () => {
        const { deps, calls, headers } = await blueGreenJob([
          pausedRead,
          { ...pausedRead, status: "SUCCESSFUL" },
        ]);
        const final = await deploy(deps, blueGreenTarget(), { service: "orders", digest: NEW });
        assert.deepEqual(final, { digest: NEW, previous: { digest: OLD } });
        assert.deepEqual(
          state.deployed.map((r) => r.orders),
          [{ digest: NEW, previous: { digest: OLD } }],
          "one update: ECS moves the traffic, not the stack",
        );
        assert.deepEqual(calls, [
          `list ${CLUSTER} orders`,
          "continue ecs-pause-1 CONTINUE",
          `list ${CLUSTER} orders`,
        ]);
        // The green smoke test carries the test rule's header; the production gate after it does not.
        assert.deepEqual(headers, [
          { "x-platform-release": "test" },
          { "x-platform-release": "test" },
          undefined,
          undefined,
        ]);
      });

      it("rolls ECS's deployment back when green fails its smoke test, and restores the stack's record", async () => {
        answers = () => 503;
        const { deps, calls } = await blueGreenJob([pausedRead]);
        await assert.rejects(
          deploy(deps, blueGreenTarget(), { service: "orders", digest: NEW }),
          (e: Error) =>
            e instanceof ReleaseFailure &&
            e.rolledBackBy === "circuitBreaker" &&
            /the green revision failed its smoke test, rolled back/.test(e.message),
        );
        assert.deepEqual(calls.slice(-1), ["continue ecs-pause-1 ROLLBACK"]);
        assert.deepEqual(state.deployed.at(-1)!.orders, { digest: OLD });
      });
    });

    it("refuses to release an ECS service without an ECS API to verify it", async () => {
      const { deps } = await job({ "releases.orders.digest": OLD });
      await assert.rejects(
        deploy(deps, ecsTarget(), { service: "orders", digest: NEW }),
        /orders runs on ECS, and this executor has no ECS API to verify its rollout/,
      );
    });
  });
});
