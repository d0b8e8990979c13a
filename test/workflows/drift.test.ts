import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { APPLICATION_DRIFT_SCRIPT, DRIFT_SCRIPT } from "../../src/workflows/infra";

const PROVIDER = "urn:pulumi:dev::platform::pulumi:providers:github::github";
const REPO =
  "urn:pulumi:dev::platform::platform:delivery:DeliveryRepository$github:index/repository:Repository::repo-repository";

/** Runs drift.yml's script with bash and real jq, a stand-in `pulumi` printing `preview` and exiting `status`. */
function drift(preview: object, status = 0): { drifted: string; log: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "drift-"));
  try {
    fs.writeFileSync(path.join(dir, "preview.json"), JSON.stringify(preview));
    fs.writeFileSync(
      path.join(dir, "pulumi"),
      `#!/bin/sh\ncat "${path.join(dir, "preview.json")}"\nexit ${status}\n`,
      { mode: 0o755 },
    );
    const output = path.join(dir, "output");
    fs.writeFileSync(output, "");
    const log = execFileSync("bash", ["-c", DRIFT_SCRIPT], {
      encoding: "utf8",
      env: {
        ...process.env,
        PATH: `${dir}:${process.env.PATH}`,
        RUNNER_TEMP: dir,
        GITHUB_OUTPUT: output,
        STACK: "dev",
      },
    });
    return { drifted: fs.readFileSync(output, "utf8").trim(), log };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe("drift detection", () => {
  it("does not call the GitHub provider's per-run token an update drift", () => {
    const r = drift({
      steps: [
        { op: "update", urn: PROVIDER },
        { op: "same", urn: REPO },
      ],
    });
    assert.equal(r.drifted, "drifted=false");
  });

  it("calls any other resource's change drift and names it in the log", () => {
    const r = drift({
      steps: [
        { op: "update", urn: PROVIDER },
        { op: "update", urn: REPO },
      ],
    });
    assert.equal(r.drifted, "drifted=true");
    assert.match(r.log, new RegExp(`^update ${REPO.replace(/[$]/g, "\\$")}$`, "m"));
  });

  it("calls a preview that fails drift too, rather than silence", () => {
    assert.equal(drift({ steps: [] }, 255).drifted, "drifted=true");
  });
});

/** Runs the application stacks' drift script with stand-ins for `pulumi` and `npm` (real bash and jq). */
function applicationDrift(
  deployed: string[],
  previews: Record<string, object>,
): { drifted: string; log: string; calls: string[] } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "app-drift-"));
  try {
    fs.mkdirSync(path.join(dir, "apps"));
    fs.writeFileSync(path.join(dir, "ls.json"), JSON.stringify(deployed.map((name) => ({ name }))));
    for (const [stack, preview] of Object.entries(previews))
      fs.writeFileSync(path.join(dir, `${stack}.json`), JSON.stringify(preview));
    fs.writeFileSync(
      path.join(dir, "pulumi"),
      [
        "#!/bin/bash",
        `echo "pulumi $*" >> "${dir}/calls"`,
        `if [ "$1 $2" = "stack ls" ]; then cat "${dir}/ls.json"; exit 0; fi`,
        `cat "${dir}/$3.json"`,
      ].join("\n"),
      { mode: 0o755 },
    );
    fs.writeFileSync(path.join(dir, "npm"), `#!/bin/bash\necho "npm $*" >> "${dir}/calls"\n`, {
      mode: 0o755,
    });
    const output = path.join(dir, "output");
    fs.writeFileSync(output, "");
    const log = execFileSync("bash", ["-c", APPLICATION_DRIFT_SCRIPT], {
      cwd: dir,
      encoding: "utf8",
      env: {
        ...process.env,
        PATH: `${dir}:${process.env.PATH}`,
        RUNNER_TEMP: dir,
        GITHUB_OUTPUT: output,
        STACK: "dev",
        APPLICATIONS: "shop storefront",
      },
    });
    const calls = fs.readFileSync(path.join(dir, "calls"), "utf8").trim().split("\n");
    return { drifted: fs.readFileSync(output, "utf8").trim(), log, calls };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe("drift detection of application stacks", () => {
  const same = {
    steps: [{ op: "same", urn: "urn:pulumi:shop-dev::apps::platform:kubernetes:KubernetesApp::api" }],
  };

  it("restores each deployed application's recorded releases, previews it with a refresh, and finds no drift", () => {
    const r = applicationDrift(["shop-dev"], { "shop-dev": same });
    assert.equal(r.drifted, "drifted=false");
    assert.deepEqual(r.calls, [
      "pulumi stack ls --json",
      "npm run -s release -- restore --stack shop-dev",
      "pulumi preview --stack shop-dev --refresh --json --non-interactive",
    ]);
  });

  it("reports a changed object of an application stack as drift, naming the stack", () => {
    const urn = "urn:pulumi:shop-dev::apps::kubernetes:apps/v1:Deployment::api";
    const r = applicationDrift(["shop-dev", "storefront-dev"], {
      "shop-dev": same,
      "storefront-dev": { steps: [{ op: "update", urn }] },
    });
    assert.equal(r.drifted, "drifted=true");
    assert.match(r.log, new RegExp(`== storefront-dev\\n(.|\\n)*update ${urn.replace(/[$.]/g, "\\$&")}`));
  });
});
