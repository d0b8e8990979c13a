import { strict as assert } from "assert";
import { Clock, GatePolicy, httpProber, waitHealthy } from "../../src/release/health";
import { healthService, Service } from "./fixtures";

/** A clock whose sleeps return at once and move time on by what was asked. */
function fakeClock(): Clock & { slept: number[] } {
  let now = 1_000_000;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    },
  };
}

const policy: GatePolicy = { passes: 3, intervalMs: 1000, deadlineMs: 10_000, probeTimeoutMs: 2000 };

describe("health gate", () => {
  let service: Service | undefined;
  afterEach(async () => {
    await service?.close();
    service = undefined;
  });

  it("passes after the required healthy answers in a row, pausing the interval between probes", async () => {
    service = await healthService(() => 200);
    const clock = fakeClock();
    await waitHealthy(`${service.url}/health`, httpProber, policy, clock);
    assert.deepEqual(service.requests, ["/health", "/health", "/health"]);
    assert.deepEqual(clock.slept, [1000, 1000]);
  });

  it("starts the count again after an unhealthy answer", async () => {
    const answers = [200, 200, 503, 200, 200, 200];
    service = await healthService((i) => answers[i] ?? 200);
    await waitHealthy(`${service.url}/health`, httpProber, policy, fakeClock());
    assert.equal(service.requests.length, 6);
  });

  it("fails at the deadline naming the URL, the answers in a row and the last answer", async () => {
    service = await healthService(() => 503);
    const clock = fakeClock();
    await assert.rejects(
      waitHealthy(`${service.url}/health`, httpProber, policy, clock),
      new Error(
        `${service.url}/health was not healthy 3 times in a row within 10000 ms (0 in a row at the end; last answer 503)`,
      ),
    );
    // probes at 0 s, 1 s, … 10 s: the next pause would pass the deadline.
    assert.equal(service.requests.length, 11);
    assert.equal(clock.slept.length, 10);
  });

  it("treats redirects and refused connections as unhealthy", async () => {
    service = await healthService(() => 302);
    assert.deepEqual(await httpProber.probe(`${service.url}/health`, 1000), {
      healthy: false,
      detail: "302",
    });
    const url = service.url;
    await service.close();
    service = undefined;
    assert.deepEqual(await httpProber.probe(`${url}/health`, 1000), {
      healthy: false,
      detail: "ECONNREFUSED",
    });
  });

  it("answers 2xx as healthy", async () => {
    service = await healthService(() => 204);
    assert.deepEqual(await httpProber.probe(`${service.url}/`, 1000), { healthy: true, detail: "204" });
  });
});
