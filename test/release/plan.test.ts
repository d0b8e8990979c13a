import { strict as assert } from "assert";
import { planRelease, planRollback, ReleasePins, StrategySpec } from "../../src/release/plan";

const OLD = "sha256:" + "a".repeat(64);
const NEW = "sha256:" + "b".repeat(64);
const current: ReleasePins = { digest: OLD, activeColor: "blue", canaryWeight: 0 };

describe("release plans", () => {
  for (const strategy of [
    { type: "rolling" },
    { type: "blueGreen" },
    { type: "canary", steps: [10, 100] },
  ] as StrategySpec[])
    it(`the first release of a ${strategy.type} service creates it at the digest and smoke-tests it, with nothing to shift traffic from`, () => {
      assert.deepEqual(planRelease(strategy, undefined, NEW), [
        { kind: "apply", pins: { digest: NEW }, why: `first release: create the workload at ${NEW}` },
        { kind: "gate", target: "service", why: "smoke-test the new service" },
      ]);
    });

  it("a rolling release applies the new digest once, then smoke-tests", () => {
    assert.deepEqual(
      planRelease({ type: "rolling" }, current, NEW).map((s) =>
        s.kind === "apply" ? s.pins.digest : s.target,
      ),
      [NEW, "service"],
    );
  });

  it("blue/green deploys the idle colour, tests it through the preview Service, then flips and keeps the old release idle", () => {
    const plan = planRelease({ type: "blueGreen" }, current, NEW);
    assert.deepEqual(
      plan.map((s) => s.kind),
      ["apply", "gate", "apply", "gate"],
    );
    assert.deepEqual(plan[0].kind === "apply" && plan[0].pins, { ...current, idleDigest: NEW });
    assert.equal(plan[1].kind === "gate" && plan[1].target, "preview");
    assert.deepEqual(plan[2].kind === "apply" && plan[2].pins, {
      digest: NEW,
      activeColor: "green",
      idleDigest: OLD,
      canaryWeight: 0,
    });
  });

  it("a canary steps through its weights with a gate after each, then promotes with the canary drained", () => {
    const plan = planRelease({ type: "canary", steps: [10, 50, 100] }, current, NEW);
    const applied = plan
      .filter((s) => s.kind === "apply")
      .map((s) => (s.kind === "apply" ? [s.pins.digest, s.pins.canaryWeight] : []));
    assert.deepEqual(applied, [
      [OLD, 10],
      [OLD, 50],
      [NEW, 0],
    ]);
    assert.deepEqual(
      plan.map((s) => s.kind),
      ["apply", "gate", "apply", "gate", "apply", "gate"],
    );
  });

  it("the metric gate watches each canary step, the blue/green flip and a rolling release; the preview smoke test, promotion and first releases only check health", () => {
    const watched = (strategy: StrategySpec, from: ReleasePins | undefined) =>
      planRelease(strategy, from, NEW)
        .filter((s) => s.kind === "gate")
        .map((s) => (s.kind === "gate" ? `${s.target}${s.watch ? "+metrics" : ""}` : ""));
    assert.deepEqual(watched({ type: "canary", steps: [10, 50, 100] }, current), [
      "service+metrics",
      "service+metrics",
      "service",
    ]);
    assert.deepEqual(watched({ type: "blueGreen" }, current), ["preview", "service+metrics"]);
    assert.deepEqual(watched({ type: "rolling" }, current), ["service+metrics"]);
    assert.deepEqual(watched({ type: "canary", steps: [10, 100] }, undefined), ["service"]);
  });

  it("rollback re-applies the recorded previous release exactly, then smoke-tests", () => {
    const previous = { digest: OLD, canaryDigest: NEW, canaryWeight: 50 };
    const rb = planRollback({ digest: NEW, canaryWeight: 0, previous });
    assert.deepEqual(
      rb.map((s) => (s.kind === "apply" ? s.pins : s.target)),
      [previous, "service"],
    );
  });

  it("rollback without a recorded previous release is refused", () => {
    assert.throws(() => planRollback({ digest: NEW }), new Error("no previous release is recorded"));
  });
});
