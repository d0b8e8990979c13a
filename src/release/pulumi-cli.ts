/**
 * The part of the Pulumi CLI a release uses, as an interface the executor depends on, and its
 * implementation over the `pulumi` executable.
 */
import { runCommand } from "./process";

/** A config value as the release writes it: strings stay strings, numbers are stored as integers. */
export type PinValue = string | number;

export interface UpOptions {
  /** Policy pack directory run with the update. */
  readonly policyPack: string;
  /** Policy pack config file for the stack. */
  readonly policyPackConfig: string;
}

export interface PulumiCli {
  /** `pulumi config set --path <path> <value>`: the key is namespaced by the project. */
  setConfig(stack: string, path: string, value: PinValue): Promise<void>;
  /** `pulumi config rm --path <path>`; removing a key that is not there is not an error. */
  removeConfig(stack: string, path: string): Promise<void>;
  /** `pulumi config get --path <path> --json`, parsed; undefined when the key is not set. */
  getConfig(stack: string, path: string): Promise<unknown>;
  /** `pulumi up --yes` with the policy pack. */
  up(stack: string, options: UpOptions): Promise<void>;
  /** `pulumi stack output --json`: every output; `{}` for a stack that was never deployed. */
  outputs(stack: string): Promise<Record<string, unknown>>;
  /** One output with secrets shown (e.g. the kubeconfig). */
  secretOutput(stack: string, name: string): Promise<unknown>;
}

export interface PulumiCommandOptions {
  /** The executable. @default "pulumi" */
  readonly command?: string;
  /** Project directory (where Pulumi.yaml is). @default the process's working directory */
  readonly cwd?: string;
  /** Environment of every call. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** Where `up` streams its progress. @default process.stderr */
  readonly progress?: NodeJS.WritableStream;
}

/** The real CLI. Errors carry the command's standard error; none is swallowed. */
export class PulumiCommand implements PulumiCli {
  private readonly command: string;

  constructor(private readonly options: PulumiCommandOptions = {}) {
    this.command = options.command ?? "pulumi";
  }

  private run(args: string[], echo?: NodeJS.WritableStream): Promise<string> {
    return runCommand(this.command, [...args, "--non-interactive"], {
      cwd: this.options.cwd,
      env: this.options.env,
      echo,
    });
  }

  async setConfig(stack: string, path: string, value: PinValue): Promise<void> {
    const type = typeof value === "number" ? "int" : "string";
    await this.run(["config", "set", "--stack", stack, "--path", "--type", type, path, String(value)]);
  }

  async removeConfig(stack: string, path: string): Promise<void> {
    await this.run(["config", "rm", "--stack", stack, "--path", path]);
  }

  async getConfig(stack: string, path: string): Promise<unknown> {
    let text: string;
    try {
      text = await this.run(["config", "get", "--stack", stack, "--path", path, "--json"]);
    } catch (err) {
      if (err instanceof Error && /not found/.test(err.message)) return undefined;
      throw err;
    }
    const parsed = JSON.parse(text) as { value?: string; objectValue?: unknown };
    return parsed.objectValue ?? parsed.value;
  }

  async up(stack: string, options: UpOptions): Promise<void> {
    await this.run(
      [
        "up",
        "--yes",
        "--stack",
        stack,
        "--policy-pack",
        options.policyPack,
        "--policy-pack-config",
        options.policyPackConfig,
      ],
      this.options.progress ?? process.stderr,
    );
  }

  async outputs(stack: string): Promise<Record<string, unknown>> {
    return JSON.parse(await this.run(["stack", "output", "--stack", stack, "--json"])) as Record<
      string,
      unknown
    >;
  }

  async secretOutput(stack: string, name: string): Promise<unknown> {
    return JSON.parse(
      await this.run(["stack", "output", "--stack", stack, name, "--show-secrets", "--json"]),
    );
  }
}
