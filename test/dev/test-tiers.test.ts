import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
// eslint-disable-next-line @typescript-eslint/no-require-imports
const tiers = require("../../dev/test/tiers.cjs") as {
  unitTestFiles(): string[];
  toolBacked(file: string): boolean;
};

describe("the unit tier (npm run test:unit)", () => {
  const unit = tiers.unitTestFiles();

  it("leaves out every file that runs a built tool or a server, and keeps the pure ones", () => {
    for (const f of [
      "test/e2e/engine.test.ts",
      "test/e2e/kubernetes.test.ts",
      "test/workflows/workflows.test.ts",
      "test/policy/scanners.test.ts",
      "test/release/pulumi-cli.test.ts",
      // They start the project's commands as processes, seconds each.
      "test/lib/cli.test.ts",
      "test/scripts/preview.test.ts",
    ])
      assert.ok(!unit.includes(f), f);
    for (const f of [
      "test/config/config.test.ts",
      "test/release/health.test.ts",
      "test/dev/test-tiers.test.ts",
    ])
      assert.ok(unit.includes(f), f);
  });

  describe("a test file", () => {
    let dir: string;
    before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "tiers-"))));
    after(() => fs.rmSync(dir, { recursive: true, force: true }));
    const backed = (code: string) => {
      const file = path.join(dir, `f${Math.random().toString(36).slice(2)}.test.ts`);
      fs.writeFileSync(file, code);
      return tiers.toolBacked(file);
    };

    // Spelled in pieces, so this file's own code names no marker.
    const toolsBin = ["TOOLS", "BIN"].join("_");
    const helper = (name: string) => ["..", "helpers", name].join("/");

    it("is tool-backed when its code names the tools' directory or imports a tool helper", () => {
      assert.equal(backed(`import { ${toolsBin} } from "../../dev/paths";\nconst x = ${toolsBin};`), true);
      assert.equal(backed(`import { actionlint } from "${helper("actionlint")}";`), true);
      const controlPlane = ["..", "..", "dev", "cluster", "control-plane"].join("/");
      assert.equal(backed(`import { startControlPlane } from "${controlPlane}";`), true);
    });

    it("is not when a comment only mentions them, or an import only brings in types", () => {
      assert.equal(backed(`// runs with ${toolsBin} elsewhere\nconst x = 1;`), false);
      assert.equal(backed(`import type { RecordedRequest } from "${helper("aws-emulator")}";`), false);
    });
  });
});
