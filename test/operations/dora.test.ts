import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { main } from "../../src/operations/dora-cli";
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

describe("dora.yml's script against the recorded history through a stand-in gh api", () => {
  /** `gh api` answering from the fixture as the REST API would: newest first, statuses and commits by id and sha. */
  function fakeApi() {
    const asked: string[] = [];
    const newestFirst = [...history].sort((a, b) => b.id - a.id);
    const api = async (p: string) => {
      asked.push(p);
      let m = /^repos\/acme-shop\/shop\/deployments\?per_page=100&page=(\d+)$/.exec(p);
      if (m) return Number(m[1]) === 1 ? newestFirst.map(({ statuses: _s, commitDate: _c, ...d }) => d) : [];
      m = /^repos\/acme-shop\/shop\/deployments\/(\d+)\/statuses\?per_page=100$/.exec(p);
      if (m) return history.find((d) => d.id === Number(m![1]))!.statuses;
      m = /^repos\/acme-shop\/shop\/commits\/(\w+)$/.exec(p);
      if (m) return { commit: { author: { date: history.find((d) => d.sha === m![1])?.commitDate } } };
      throw new Error(`unexpected gh api ${p}`);
    };
    return { asked, api };
  }

  it("writes the four figures to the JSON artifact, the job summary and the Slack text, with twelve weeks of history", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dora-"));
    try {
      const { asked, api } = fakeApi();
      const out = path.join(dir, "dora.json");
      const summary = path.join(dir, "summary.md");
      const slack = path.join(dir, "slack.txt");
      await main(
        ["--days", "7", "--out", out, "--summary", summary, "--slack", slack],
        api,
        { GITHUB_REPOSITORY: "acme-shop/shop" },
        WEEK.to,
      );
      const report = JSON.parse(fs.readFileSync(out, "utf8"));
      assert.equal(report.period.from, "2026-11-01T00:00:00.000Z");
      assert.deepEqual(report.period.figures, computeDora(history, WEEK));
      assert.equal(report.weekly.length, 12);
      assert.deepEqual(report.weekly.at(-1).figures, computeDora(history, WEEK));
      assert.match(
        fs.readFileSync(summary, "utf8"),
        /\| production \| api \| 5 \| 0\.57 \| 3\.42 h \| 40 % \| 1\.34 h \| 1 \|/,
      );
      assert.match(fs.readFileSync(slack, "utf8"), /^Delivery metrics, 2026-11-01 → 2026-11-08\n/);
      // The task "deploy" (not a service's) is never read further; a commit deployed twice is read once.
      assert.ok(!asked.some((p) => p.includes("deployments/400/")));
      assert.equal(asked.filter((p) => p.endsWith("/commits/a106")).length, 1);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses a period it cannot mean", async () => {
    await assert.rejects(
      main(["--days", "0"], fakeApi().api, { GITHUB_REPOSITORY: "a/b" }),
      /--days "0": a whole number of days, 1 to 365/,
    );
  });
});
