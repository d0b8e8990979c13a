import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { TOOLS_BIN } from "../../dev/paths";

const ACTIONLINT = path.join(TOOLS_BIN, "actionlint");

/**
 * Findings that are actionlint lagging GitHub, each exactly matched. `concurrency.queue` (GitHub
 * changelog 2026-05-07, "concurrency groups now allow larger queues") is newer than every
 * actionlint release up to v1.7.12.
 */
const NEWER_THAN_ACTIONLINT = ['unexpected key "queue" for "concurrency" section'];

/** Writes the generated files to a scratch repository and fails with actionlint's report on any finding. */
export function assertActionlintClean(files: Record<string, string>): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "workflows-"));
  try {
    for (const [p, c] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, p)), { recursive: true });
      fs.writeFileSync(path.join(dir, p), c);
    }
    const workflows = Object.keys(files).filter((p) => p.startsWith(".github/workflows/"));
    assert.ok(workflows.length > 0, "no workflow files to lint");
    const ignores = NEWER_THAN_ACTIONLINT.flatMap((m) => [
      "-ignore",
      m.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"),
    ]);
    execFileSync(ACTIONLINT, ["-no-color", ...ignores, ...workflows], { cwd: dir, encoding: "utf8" });
  } catch (e) {
    assert.fail(`actionlint reported:\n${(e as { stdout?: string }).stdout ?? e}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
