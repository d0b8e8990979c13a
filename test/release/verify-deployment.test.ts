import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ghApi, main } from "../../src/release/verify-cli";
import { GhApi, NotDeployed, stagedRelease, verifyDeployment } from "../../src/release/verify-deployment";

const SHA = "0123456789abcdef0123456789abcdef01234567";
const REPO = "acme-shop/shop";
const LIST = `repos/${REPO}/deployments?sha=${SHA}&task=deploy%3Aapi&environment=staging&per_page=100`;
/** Every deployment of the service in staging, whichever commit (what a release promotes). */
const ALL = `repos/${REPO}/deployments?task=deploy%3Aapi&environment=staging&per_page=100`;
const statusesOf = (id: number) => `repos/${REPO}/deployments/${id}/statuses?per_page=100`;

const deployment = (id: number, extra: object = {}) => ({
  id,
  sha: SHA,
  task: "deploy:api",
  environment: "staging",
  payload: { service: "api", digest: `sha256:${String(id).repeat(64).slice(0, 64)}`, stack: "staging" },
  ...extra,
});
const status = (id: number, state: string) => ({
  id,
  state,
  log_url: `https://github.com/${REPO}/actions/runs/${id}`,
});

/** A `gh api` answering from a table of paths, newest first as GitHub lists them; unknown paths fail. */
function api(table: Record<string, unknown>): GhApi & { asked: string[] } {
  const asked: string[] = [];
  const fn = async (p: string) => {
    asked.push(p);
    if (!(p in table)) throw new Error(`gh api ${p}: HTTP 404`);
    return table[p];
  };
  return Object.assign(fn, { asked });
}

const query = { repository: REPO, environment: "staging", service: "api", sha: SHA };

describe("the release check that staging runs the tagged commit", () => {
  it("passes when the latest deployment of the service at the commit succeeded, and returns its digest", async () => {
    const gh = api({
      [LIST]: [deployment(7)],
      [statusesOf(7)]: [status(2, "success"), status(1, "in_progress")],
    });
    assert.deepEqual(await verifyDeployment(gh, query), {
      deploymentId: 7,
      digest: `sha256:${"7".repeat(64)}`,
    });
    assert.deepEqual(gh.asked, [LIST, statusesOf(7)]);
  });

  it("passes when the success was later marked inactive by a newer deployment of the environment", async () => {
    const gh = api({
      [LIST]: [deployment(7)],
      [statusesOf(7)]: [status(3, "inactive"), status(2, "success"), status(1, "in_progress")],
    });
    assert.equal((await verifyDeployment(gh, query)).deploymentId, 7);
  });

  it("refuses a commit staging never deployed, saying what to do", async () => {
    await assert.rejects(
      () => verifyDeployment(api({ [LIST]: [] }), query),
      (e: Error) =>
        e instanceof NotDeployed &&
        e.message ===
          "no deployment of api at 0123456789ab in staging: release tags promote what staging runs, so deploy this commit to staging first (build-deploy.yml), then tag it",
    );
  });

  it("judges the latest deployment: a re-run that failed after a success refuses the tag", async () => {
    const gh = api({
      [LIST]: [deployment(8), deployment(9), deployment(7)],
      [statusesOf(9)]: [status(5, "failure"), status(4, "in_progress")],
      [statusesOf(8)]: [status(3, "success")],
    });
    await assert.rejects(
      () => verifyDeployment(gh, query),
      (e: Error) =>
        e instanceof NotDeployed &&
        e.message ===
          `the latest deployment of api at 0123456789ab in staging (#9) is failure (https://github.com/${REPO}/actions/runs/5); release only a commit staging runs successfully`,
    );
  });

  it("refuses a deployment still in progress, one without a status, and one inactive without ever succeeding", async () => {
    const cases: [statuses: object[], state: string][] = [
      [[status(1, "in_progress")], "in_progress"],
      [[], "without a status"],
      [[status(2, "inactive"), status(1, "error")], "error"],
    ];
    for (const [statuses, state] of cases)
      await assert.rejects(
        () => verifyDeployment(api({ [LIST]: [deployment(7)], [statusesOf(7)]: statuses }), query),
        (e: Error) => e instanceof NotDeployed && e.message.includes(`(#7) is ${state}`),
        state,
      );
  });

  it("ignores records of another commit, task or environment the API might return", async () => {
    const gh = api({
      [LIST]: [
        deployment(10, { sha: "f".repeat(40) }),
        deployment(11, { task: "deploy" }),
        deployment(12, { environment: "production" }),
      ],
    });
    await assert.rejects(() => verifyDeployment(gh, query), /no deployment of api/);
  });

  describe("for a service the tagged commit did not rebuild", () => {
    const OLD = "a".repeat(40);
    const OLDER = "b".repeat(40);

    it("promotes the digest of its latest successful deployment in staging, built at an earlier commit", async () => {
      const gh = api({
        [ALL]: [deployment(21, { sha: OLD }), deployment(20, { sha: OLDER })],
        [statusesOf(21)]: [status(3, "inactive"), status(2, "success"), status(1, "in_progress")],
      });
      assert.deepEqual(await stagedRelease(gh, query), {
        deploymentId: 21,
        digest: `sha256:${"21".repeat(32)}`,
        sha: OLD,
      });
    });

    it("skips a failed (rolled back) deployment for the one staging went back to", async () => {
      const gh = api({
        [ALL]: [deployment(21, { sha: OLD }), deployment(20, { sha: OLDER })],
        [statusesOf(21)]: [status(2, "failure")],
        [statusesOf(20)]: [status(1, "success")],
      });
      assert.equal((await stagedRelease(gh, query)).sha, OLDER);
    });

    it("refuses when staging never ran it, saying to deploy it there first", async () => {
      const gh = api({ [ALL]: [deployment(21, { sha: OLD })], [statusesOf(21)]: [status(2, "failure")] });
      await assert.rejects(() => stagedRelease(gh, query), /api has no successful deployment in staging/);
    });

    it("holds a service the tagged commit did deploy to that deployment's outcome", async () => {
      const gh = api({
        [ALL]: [deployment(30), deployment(21, { sha: OLD })],
        [LIST]: [deployment(30)],
        [statusesOf(30)]: [status(5, "failure")],
      });
      await assert.rejects(
        () => stagedRelease(gh, query),
        /the latest deployment of api at 0123456789ab in staging \(#30\) is failure/,
      );
    });
  });

  describe("as npm run release:verify", () => {
    let dir: string;
    let savedPath: string | undefined;
    before(() => {
      // A stand-in gh on PATH that answers the two GETs from files, as `gh api <path>` prints JSON.
      dir = fs.mkdtempSync(path.join(os.tmpdir(), "fake-gh-"));
      fs.writeFileSync(path.join(dir, "list.json"), JSON.stringify([deployment(7)]));
      fs.writeFileSync(path.join(dir, "statuses.json"), JSON.stringify([status(1, "success")]));
      fs.writeFileSync(
        path.join(dir, "gh"),
        [
          "#!/usr/bin/env bash",
          `echo "$*" >> "${dir}/calls"`,
          'case "$2" in',
          `  *"/deployments?"*) cat "${dir}/list.json" ;;`,
          `  *"/statuses?"*) cat "${dir}/statuses.json" ;;`,
          '  *) echo "gh: unexpected $*" >&2; exit 1 ;;',
          "esac",
        ].join("\n"),
        { mode: 0o755 },
      );
      savedPath = process.env.PATH;
      process.env.PATH = `${dir}:${savedPath}`;
    });
    after(() => {
      process.env.PATH = savedPath;
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it("asks gh api for the deployments and statuses and prints what staging runs", async () => {
      const line = await main(["--environment", "staging", "--service", "api", "--sha", SHA], ghApi, REPO);
      assert.equal(line, `staging runs api at ${SHA} (deployment #7, sha256:${"7".repeat(64)})`);
      assert.deepEqual(fs.readFileSync(path.join(dir, "calls"), "utf8").trim().split("\n"), [
        `api ${ALL}`,
        `api ${LIST}`,
        `api ${statusesOf(7)}`,
      ]);
    });

    it("names the missing flags and the missing repository", async () => {
      await assert.rejects(
        () => main(["--service", "api"], ghApi, REPO),
        /release:verify needs --environment, --sha$/,
      );
      await assert.rejects(
        () => main(["--environment", "staging", "--service", "api", "--sha", SHA], ghApi, undefined),
        /release:verify needs GITHUB_REPOSITORY/,
      );
    });
  });
});
