/**
 * The part of the Pulumi CLI a release uses, as an interface the executor depends on, and its
 * implementation over the `pulumi` executable.
 */
import * as path from "path";
import { POLICY_PACK_DIR } from "../lib/policy-pack";
import { buildPolicyPack } from "../lib/policy-pack-build";
import { runCommand } from "./process";

/**
 * A config value as the release writes it: numbers are stored as numbers, strings as strings (a
 * string that would read as a number or boolean is refused; release pins never look like one).
 */
export type PinValue = string | number;

/**
 * `config set --path` stores a value by its look: a string pin that reads as a number or boolean
 * would come back as one, so it is refused (release pins never look like one).
 */
export function refuseAmbiguousPins(values: Readonly<Record<string, PinValue>>): void {
  for (const [path, value] of Object.entries(values))
    if (typeof value === "string" && /^(true|false|-?\d+(\.\d+)?)$/.test(value))
      throw new Error(`${path}: ${JSON.stringify(value)} would be stored as a number or boolean`);
}

export interface UpOptions {
  /** Policy pack directory run with the update. */
  readonly policyPack: string;
  /** Policy pack config file for the stack. */
  readonly policyPackConfig: string;
}

export interface PulumiCli {
  /** `pulumi config set-all --path --plaintext <path>=<value> …`: keys are namespaced by the project. */
  setConfig(stack: string, values: Readonly<Record<string, PinValue>>): Promise<void>;
  /** `pulumi config rm-all --path <path> …`; removing a key that is not there is not an error. */
  removeConfig(stack: string, paths: readonly string[]): Promise<void>;
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

  /**
   * Selects the stack, creating it first when the backend has none (an application's first
   * deploy), with the secrets provider its platform stack uses.
   */
  async ensureStack(stack: string, secretsProvider?: string): Promise<void> {
    await this.run([
      "stack",
      "select",
      "--create",
      stack,
      ...(secretsProvider ? ["--secrets-provider", secretsProvider] : []),
    ]);
  }

  async setConfig(stack: string, values: Readonly<Record<string, PinValue>>): Promise<void> {
    const pairs = Object.entries(values);
    if (pairs.length === 0) return;
    refuseAmbiguousPins(values);
    const args = pairs.flatMap(([path, value]) => ["--plaintext", `${path}=${value}`]);
    await this.run(["config", "set-all", "--stack", stack, "--path", ...args]);
  }

  async removeConfig(stack: string, paths: readonly string[]): Promise<void> {
    if (paths.length === 0) return;
    await this.run(["config", "rm-all", "--stack", stack, "--path", ...paths]);
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
    // The precompiled pack is built from the checkout's sources for each update: never stale.
    // (an application stack's runs from apps/ with the checkout's pack, by absolute path).
    const pack = path.resolve(this.options.cwd ?? ".", options.policyPack);
    if (path.basename(pack) === POLICY_PACK_DIR) buildPolicyPack(path.dirname(pack));
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
