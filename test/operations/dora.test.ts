import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import {
  computeDora,
  DeploymentRecord,
  doraMarkdown,
  doraSlackText,
  median,
} from "../../src/operations/dora";

const history = JSON.parse(fs.readFileSync(path.join(__dirname, "fixtures/deployments-history.json"), "utf8"))
  .deployments as DeploymentRecord[];
const WEEK = { from: new Date("2026-11-01T00:00:00Z"), to: new Date("2026-11-08T00:00:00Z") };

describe("DORA figures from the recorded deployment history", () => {
  const figures = computeDora(history, WEEK);
  const of = (environment: string, service: string) => {
    const f = figures.find((x) => x.environment === environment && x.service === service);
    assert.ok(f, `${environment}/${service}`);
    return f;
  };

  it("reports each service and environment that deployed in the week, and ignores tasks that are not ours", () => {
    assert.deepEqual(
      figures.map((f) => `${f.environment}/${f.service}`),
      ["production/api", "production/web", "staging/api"],
    );
  });

  it("production api: four of five deploys went live in seven days, two failed, one rollback", () => {
    const f = of("production", "api");
    assert.equal(f.deployments, 5);
    assert.equal(f.deploymentsPerDay, 0.57);
    assert.equal(f.failed, 2);
    assert.equal(f.changeFailureRatePercent, 40);
    assert.equal(f.rollbacks, 1);
  });

  it("production api: lead time is the median of 24.33, 4.5, 1.5 and 2.33 hours from commit to success", () => {
    assert.equal(of("production", "api").leadTimeHours, 3.42);
  });

  it("production api: time to restore is the median of 2 h (failed deploy, next deploy) and 41 min (live, then rolled back)", () => {
    const f = of("production", "api");
    assert.equal(f.timeToRestoreHours, 1.34);
    assert.equal(f.unrestored, 0);
  });

  it("production web: a failure with no success after it is open, not a time to restore of zero", () => {
    const f = of("production", "web");
    assert.deepEqual(
      [
        f.deployments,
        f.failed,
        f.changeFailureRatePercent,
        f.leadTimeHours,
        f.timeToRestoreHours,
        f.unrestored,
      ],
      [2, 1, 50, 12.25, null, 1],
    );
  });

  it("staging api: a deployment still in progress is neither a success nor a failure, and one before the week is left out", () => {
    const f = of("staging", "api");
    assert.deepEqual(
      [f.deployments, f.deploymentsPerDay, f.failed, f.changeFailureRatePercent, f.leadTimeHours],
      [2, 0.14, 0, 0, 22.17],
    );
  });

  it("an inactive status (superseded) leaves a success a success", () => {
    const only102 = history.filter((d) => d.id === 102);
    assert.equal(computeDora(only102, WEEK)[0].changeFailureRatePercent, 0);
  });

  it("the summary table and the Slack text carry the four figures", () => {
    const md = doraMarkdown(figures, WEEK);
    assert.match(md, /\| production \| api \| 5 \| 0\.57 \| 3\.42 h \| 40 % \| 1\.34 h \| 1 \|/);
    assert.match(md, /\| production \| web \| 2 \| 0\.14 \| 12\.25 h \| 50 % \| – \(1 open\) \| 0 \|/);
    assert.match(
      doraSlackText(figures, WEEK),
      /production\/api: 0\.57\/day, lead 3\.42 h, CFR 40 %, MTTR 1\.34 h/,
    );
  });

  it("the median of an even count is the mean of the middle two; of none, null", () => {
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.equal(median([]), null);
  });
});
