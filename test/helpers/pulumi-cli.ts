/**
 * The real Pulumi CLI (built by dev/tools/setup.sh) in a sandbox of its own: a temporary
 * PULUMI_HOME and file backend, a copy of the project's Pulumi.yaml and stack files, no update
 * checks and no plugin downloads. `isolated` runs a copy of the binary in a directory holding
 * nothing else, so the engine finds no language host even where a normal Pulumi install exists
 * (the CLI also looks for plugins beside its own executable).
 */
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { TOOLS_BIN } from "../../dev/paths";

export interface CliResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout and stderr together, as a user sees them. */
  readonly output: string;
}

export class PulumiSandbox {
  readonly root: string;
  readonly project: string;
  private readonly binary: string;

  constructor(projectDir: string, files: string[], options: { isolated?: boolean } = {}) {
    const installed = path.join(TOOLS_BIN, "pulumi");
    if (!fs.existsSync(installed))
      throw new Error("no Pulumi CLI in .tools/bin: run npm run setup:tools first");
    this.root = fs.mkdtempSync(path.join(os.tmpdir(), "pulumi-cli-"));
    this.project = path.join(this.root, "project");
    for (const dir of ["project", "state", "home", "bin"]) fs.mkdirSync(path.join(this.root, dir));
    for (const file of files) fs.copyFileSync(path.join(projectDir, file), path.join(this.project, file));
    this.binary = installed;
    if (options.isolated) {
      this.binary = path.join(this.root, "bin", "pulumi");
      fs.copyFileSync(fs.realpathSync(installed), this.binary);
      fs.chmodSync(this.binary, 0o755);
    }
  }

  run(args: string[], env: Record<string, string> = {}): CliResult {
    const r = spawnSync(this.binary, [...args, "--non-interactive"], {
      cwd: this.project,
      encoding: "utf8",
      timeout: 120000,
      env: this.env(env),
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr, output: `${r.stdout}${r.stderr}` };
  }

  /**
   * `run` without blocking the event loop: for a CLI talking to a server in this process (the
   * emulator's recording proxy), which a synchronous spawn would starve.
   */
  async runAsync(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
    const child = spawn(this.binary, [...args, "--non-interactive"], {
      cwd: this.project,
      env: this.env(env),
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d));
    child.stderr.on("data", (d: Buffer) => (stderr += d));
    const timer = setTimeout(() => child.kill(), 120000);
    const status = await new Promise<number | null>((resolve) => child.on("close", resolve));
    clearTimeout(timer);
    return { status, stdout, stderr, output: `${stdout}${stderr}` };
  }

  /** `ok` without blocking the event loop. */
  async okAsync(args: string[], env: Record<string, string> = {}): Promise<string> {
    const r = await this.runAsync(args, env);
    if (r.status !== 0) throw new Error(`pulumi ${args.join(" ")} failed (${r.status}):\n${r.output}`);
    return r.stdout;
  }

  /** The environment the CLI runs with here, for other programs that call it (the state script). */
  env(extra: Record<string, string>): NodeJS.ProcessEnv {
    return {
      PATH: `${path.dirname(this.binary)}${path.delimiter}/usr/bin${path.delimiter}/bin`,
      HOME: path.join(this.root, "home"),
      PULUMI_HOME: path.join(this.root, "home"),
      PULUMI_BACKEND_URL: `file://${path.join(this.root, "state")}`,
      PULUMI_CONFIG_PASSPHRASE: "e2e passphrase",
      PULUMI_SKIP_UPDATE_CHECK: "true",
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
      ...extra,
    };
  }

  /** Runs and throws with the CLI's own words when it fails. */
  ok(args: string[], env: Record<string, string> = {}): string {
    const r = this.run(args, env);
    if (r.status !== 0) throw new Error(`pulumi ${args.join(" ")} failed (${r.status}):\n${r.output}`);
    return r.stdout;
  }

  dispose(): void {
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}
