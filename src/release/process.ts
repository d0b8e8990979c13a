/** Running a command and collecting what it prints, without a shell. */
import { spawn } from "child_process";

export interface RunOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Written to the command's standard input, then closed. @default nothing (stdin closed) */
  readonly input?: string;
  /** Also copy the command's standard output here as it arrives (progress of long commands). */
  readonly echo?: NodeJS.WritableStream;
}

/** Thrown when a command exits non-zero; carries what it printed on standard error. */
export class CommandFailed extends Error {
  constructor(
    readonly command: string,
    readonly exitCode: number | null,
    readonly stderr: string,
  ) {
    super(`${command} exited ${exitCode ?? "on a signal"}${stderr.trim() ? `: ${stderr.trim()}` : ""}`);
    this.name = "CommandFailed";
  }
}

/** Runs `file args…` and resolves with its standard output, trimmed. */
export function runCommand(file: string, args: readonly string[], options: RunOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd: options.cwd, env: options.env, stdio: ["pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => {
      out.push(chunk);
      options.echo?.write(chunk);
    });
    child.stderr.on("data", (chunk: Buffer) => err.push(chunk));
    child.on("error", reject);
    child.on("close", (code) => {
      const stderr = Buffer.concat(err).toString("utf8");
      if (code === 0) resolve(Buffer.concat(out).toString("utf8").trim());
      else reject(new CommandFailed([file, ...args.slice(0, 2)].join(" "), code, stderr));
    });
    child.stdin.end(options.input);
  });
}
