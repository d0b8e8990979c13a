// What `pulumi up` loads: the platform program (index.ts → src/stack/platform) and the application
// program (apps/index.ts → src/stack/application), in a fresh process. The CI command-line tools
// and the release executor (which drive the engine, kubectl, gh and the AWS CLI from a job) are
// never among them: a program that imported one would carry its process-spawning code into every
// preview and up.
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as path from "path";

const ROOT = path.resolve(__dirname, "../..");

/** The modules under src/ a require of `entries` loads, relative to the repository. */
function loaded(entries: string[]): string[] {
  const script = `${entries.map((e) => `require(${JSON.stringify(e)});`).join("")}
const p = require("path");
console.log(JSON.stringify(Object.keys(require.cache).filter((k) => k.startsWith(p.join(process.cwd(), "src") + p.sep)).map((k) => p.relative(process.cwd(), k)).sort()));`;
  const r = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", "-e", script], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 120_000,
  });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as string[];
}

/** The command-line tools and the engine- and process-driving code of the jobs. */
const CI_TOOLS =
  /(^|\/)[a-z-]*cli\.ts$|src\/release\/(executor|pulumi-cli|pulumi-inline|port-forward|process|promote|health|ecs-rollout|ecs-bluegreen|verify-deployment|move-workloads|app-init)\.ts$|src\/operations\/(gate|metric-gate)\.ts$/;

describe("the modules pulumi up loads", function () {
  this.timeout(180_000);
  const modules = loaded(["./src/stack/platform", "./src/stack/application", "./src/config"]);

  it("are the program's: components, config, stack, workflows and the libraries they use", () => {
    assert.ok(modules.length > 50, `${modules.length} modules`);
    assert.ok(modules.includes("src/stack/platform.ts") && modules.includes("src/stack/application.ts"));
  });

  it("include no CI command-line tool and nothing that drives the engine or a process from a job", () => {
    assert.deepEqual(
      modules.filter((m) => CI_TOOLS.test(m)),
      [],
    );
  });

  it("would name a CI tool a program imported", () => {
    assert.ok(loaded(["./src/release/cli"]).some((m) => CI_TOOLS.test(m)));
  });
});
