import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { DRIFT_SCRIPT } from "../../src/workflows/infra";

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
