/**
 * The release's `PulumiCli` over the Automation API with an inline program: the engine runs the
 * program inside this Node process (its own LanguageRuntime server, handed to the CLI as
 * `--client=127.0.0.1:<port>`), so no `pulumi-language-nodejs` is needed. What only the language
 * host does is left out: `Pulumi.yaml` runtime options (`nodeargs`, `typescript`) do not apply.
 *
 * The workspace directory holds `Pulumi.yaml` and `Pulumi.<stack>.yaml`; like `pulumi config set`
 * in the project directory, config written here is written back to that stack file.
 */
import {
  ConfigMap,
  EngineEvent,
  LocalWorkspace,
  PulumiCommand,
  PulumiFn,
  Stack,
} from "@pulumi/pulumi/automation";
import * as path from "path";
import { POLICY_PACK_DIR } from "../lib/policy-pack";
import { buildPolicyPack } from "../lib/policy-pack-build";
import { PinValue, PulumiCli, refuseAmbiguousPins, UpOptions } from "./pulumi-cli";

export interface InlinePulumiOptions {
  /** Directory with `Pulumi.yaml` and the stack files (the Automation API writes config there). */
  readonly workDir: string;
  /** The project's program, e.g. `() => buildPlatform(loadStackConfig())`. */
  readonly program: PulumiFn;
  /** Environment of the CLI (PATH to the CLI and plugins, PULUMI_HOME, backend, passphrase). */
  readonly env: Readonly<Record<string, string>>;
  /** Where `up` streams its progress. @default process.stderr */
  readonly progress?: NodeJS.WritableStream;
  /** Every engine event of every update (the tests read resource steps and policy events here). */
  readonly onEvent?: (event: EngineEvent) => void;
  /** The CLI to run. @default the `pulumi` on the process's PATH */
  readonly command?: () => Promise<PulumiCommand>;
  /**
   * The checkout: relative policy pack paths are resolved against it (the CLI would resolve them
   * against the workspace), and the precompiled pack is built from its sources before each `up`,
   * as `PulumiCommand.up` does. @default the process's working directory
   */
  readonly root?: string;
}

export class InlinePulumi implements PulumiCli {
  private readonly stacks = new Map<string, Promise<Stack>>();

  constructor(private readonly options: InlinePulumiOptions) {}

  /** The stack, created in the backend when it does not exist yet. */
  stack(name: string): Promise<Stack> {
    let stack = this.stacks.get(name);
    if (!stack) {
      const { workDir, env, program, command } = this.options;
      stack = (async () =>
        LocalWorkspace.createOrSelectStack(
          { stackName: name, projectName: "", program },
          { workDir, envVars: { ...env }, pulumiCommand: command ? await command() : undefined },
        ))();
      this.stacks.set(name, stack);
    }
    return stack;
  }

  async setConfig(stack: string, values: Readonly<Record<string, PinValue>>): Promise<void> {
    const pairs = Object.entries(values);
    if (pairs.length === 0) return;
    refuseAmbiguousPins(values);
    const config: ConfigMap = {};
    for (const [path, value] of pairs) config[path] = { value: String(value), secret: false };
    await (await this.stack(stack)).setAllConfig(config, true);
  }

  async removeConfig(stack: string, paths: readonly string[]): Promise<void> {
    if (paths.length === 0) return;
    await (await this.stack(stack)).removeAllConfig([...paths], true);
  }

  async getConfig(stack: string, path: string): Promise<unknown> {
    try {
      const { value } = await (await this.stack(stack)).getConfig(path, true);
      try {
        return JSON.parse(value) as unknown;
      } catch {
        return value;
      }
    } catch (err) {
      if (err instanceof Error && /not found/.test(err.message)) return undefined;
      throw err;
    }
  }

  async up(stack: string, options: UpOptions): Promise<void> {
    const progress = this.options.progress ?? process.stderr;
    const root = path.resolve(this.options.root ?? ".");
    const pack = path.resolve(root, options.policyPack);
    if (path.basename(pack) === POLICY_PACK_DIR) buildPolicyPack(path.dirname(pack));
    await (
      await this.stack(stack)
    ).up({
      policyPacks: [pack],
      policyPackConfigs: [path.resolve(root, options.policyPackConfig)],
      onOutput: (out) => progress.write(out),
      onEvent: this.options.onEvent,
    });
  }

  async outputs(stack: string): Promise<Record<string, unknown>> {
    const outputs = await (await this.stack(stack)).outputs();
    return Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, v.value as unknown]));
  }

  async secretOutput(stack: string, name: string): Promise<unknown> {
    return (await this.outputs(stack))[name];
  }
}
