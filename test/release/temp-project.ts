/** A Pulumi project on a file backend in a temp directory, run by the real CLI from .tools/bin. */
import * as fs from "fs";
import * as path from "path";
import { TOOLS_BIN } from "../../dev/paths";
import { PulumiCommand } from "../../src/release/pulumi-cli";
import { runCommand } from "../../src/release/process";
import { tempDir } from "./fixtures";

export const PULUMI = path.join(TOOLS_BIN, "pulumi");

export interface TempProject {
  readonly dir: string;
  readonly env: NodeJS.ProcessEnv;
  readonly pulumi: PulumiCommand;
  remove(): void;
}

/** `platform` project with stack `stack` on a file backend; nothing outside the temp directory is touched. */
export async function tempProject(stack: string): Promise<TempProject> {
  const root = tempDir("release-pulumi");
  const dir = path.join(root, "project");
  fs.mkdirSync(dir);
  fs.mkdirSync(path.join(root, "state"));
  fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: platform\nruntime: nodejs\n");
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PULUMI_HOME: path.join(root, "home"),
    PULUMI_CONFIG_PASSPHRASE: "test-only",
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_BACKEND_URL: `file://${path.join(root, "state")}`,
  };
  await runCommand(PULUMI, ["stack", "init", stack, "--non-interactive"], { cwd: dir, env });
  return {
    dir,
    env,
    pulumi: new PulumiCommand({ command: PULUMI, cwd: dir, env }),
    remove: () => fs.rmSync(root, { recursive: true, force: true }),
  };
}
