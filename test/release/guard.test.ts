import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stackConfigFromFile } from "../../src/config";
import { DeployRefused, failureOutputs, gateReportSink, guardDeploy } from "../../src/release/cli";

const production = stackConfigFromFile("production");
// Saturday 2026-11-21 12:00 in Berlin: inside production's committed weekend window.
const SATURDAY = new Date("2026-11-21T11:00:00Z");
const WEDNESDAY = new Date("2026-11-25T11:00:00Z");

describe("deploy guard: change windows and emergency switches", () => {
  it("lets a production deploy through on a Wednesday", () => {
    assert.equal(guardDeploy(production, "api", {}, WEDNESDAY), "no change window holds for production");
  });

  it("refuses a production deploy during the committed weekend window, and the refusal is its own outcome", () => {
    assert.throws(
      () => guardDeploy(production, "api", {}, SATURDAY),
      (err: Error) =>
        err instanceof DeployRefused &&
        err.message.startsWith(
          'change window "weekend" (fri 15:00 → mon 08:00 Europe/Berlin) holds for production',
        ),
    );
    try {
      guardDeploy(production, "api", {}, SATURDAY);
    } catch (err) {
      assert.match(failureOutputs(err), /^outcome=refused\nreason=refused: change window "weekend"/);
    }
  });

  it("lets it through with an override that has not expired", () => {
    assert.match(
      guardDeploy(production, "api", { CHANGE_WINDOW_OVERRIDE: "2026-11-21T13:00:00Z" }, SATURDAY),
      /overridden until 2026-11-21T13:00:00\.000Z$/,
    );
  });

  it("refuses on a committed holiday", () => {
    assert.throws(
      () => guardDeploy(production, "api", {}, new Date("2026-12-24T10:00:00Z")),
      /christmas-eve/,
    );
  });

  it("DEPLOY_FREEZE freezes every deploy of the stack, any day, override or not", () => {
    assert.throws(
      () =>
        guardDeploy(
          production,
          "api",
          { DEPLOY_FREEZE: "INC-1234", CHANGE_WINDOW_OVERRIDE: "2027-01-01T00:00:00Z" },
          WEDNESDAY,
        ),
      /^DeployRefused: deploys of production are frozen: INC-1234/,
    );
  });

  it("operations.freeze in the stack config freezes too", () => {
    const frozen = { ...production, operations: { ...production.operations, freeze: "migration weekend" } };
    assert.throws(() => guardDeploy(frozen, "api", {}, WEDNESDAY), /frozen: migration weekend/);
  });

  it("a stopped service is not released until it is started again", () => {
    const stopped = { ...production, operations: { ...production.operations, stopped: ["payments"] } };
    assert.throws(
      () => guardDeploy(stopped, "payments", {}, WEDNESDAY),
      /^DeployRefused: payments is stopped on production \(operations\.stopped\)/,
    );
    assert.doesNotThrow(() => guardDeploy(stopped, "api", {}, WEDNESDAY));
  });

  it("dev has no windows: a Saturday deploy goes through", () => {
    assert.doesNotThrow(() => guardDeploy(stackConfigFromFile("dev"), "api", {}, SATURDAY));
  });
});

describe("gate reports in a job", () => {
  it("go into the job summary as one table and into the file the Slack step reads", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gate-sink-"));
    try {
      const summary = path.join(dir, "summary.md");
      const sink = gateReportSink({ GITHUB_STEP_SUMMARY: summary, RUNNER_TEMP: dir });
      sink("orders", "hold at 25%", {
        passed: true,
        source: "CloudWatch (ALB tg)",
        summary: "healthy for 5 min: 900 requests",
      });
      sink("orders", "hold at 50%", {
        passed: false,
        source: "CloudWatch (ALB tg)",
        summary: "regressed: error rate 8% > 1%",
      });
      assert.equal(
        fs.readFileSync(summary, "utf8"),
        "### Metric gate\n\n| service | step | decision | source | numbers |\n| --- | --- | --- | --- | --- |\n" +
          "| orders | hold at 25% | pass | CloudWatch (ALB tg) | healthy for 5 min: 900 requests |\n" +
          "| orders | hold at 50% | **fail: rolled back** | CloudWatch (ALB tg) | regressed: error rate 8% > 1% |\n",
      );
      assert.equal(
        fs.readFileSync(path.join(dir, "release-gate.txt"), "utf8"),
        "metric gate passed (hold at 25%): healthy for 5 min: 900 requests\nmetric gate FAILED (hold at 50%): regressed: error rate 8% > 1%\n",
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
