/**
 * The real Pulumi engine on this machine from registry parts only: the CLI built from `pkg/v3`,
 * the kubernetes provider built from its Go module, and the project's program run as an
 * Automation API inline program (no `pulumi-language-nodejs`; see src/release/pulumi-inline.ts).
 * The policy pack runs through the analyzer shim in dev/tools/analyzer. A normal Pulumi install on
 * PATH serves the same way: dev/tools/setup.sh links its binaries instead of building.
 *
 * A workspace is a directory of its own — `Pulumi.yaml`, the stack file (the Automation API writes
 * config back into it, so it is never the checkout's), a file state backend and PULUMI_HOME — and
 * the local stack's kubeconfig points at the control plane given.
 */
import * as fs from "fs";
import * as path from "path";
import YAML from "yaml";
import { EngineEvent, PulumiCommand, PulumiFn, Stack } from "@pulumi/pulumi/automation";
import { buildPolicyPack } from "../../src/lib/policy-pack-build";
import { InlinePulumi } from "../../src/release/pulumi-inline";
import { ROOT, TOOLS_BIN } from "../paths";

/** The engine's binaries this needs, from dev/tools/setup.sh (or a normal install it linked). */
export const ENGINE_BINARIES = ["pulumi", "pulumi-resource-kubernetes", "pulumi-analyzer-policy-nodejs"];

/** Which engine binaries are missing from .tools/bin, with the command that provides them. */
export function missingEngineBinaries(): string[] {
  return ENGINE_BINARIES.filter((b) => !fs.existsSync(path.join(TOOLS_BIN, b)));
}

/** The project's composition root as an inline program (what index.ts exports). */
export const platformProgram: PulumiFn = async () => {
  // Loaded on first run, so a workspace for another program never loads the platform's modules.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { loadStackConfig } = require("../../src/config") as typeof import("../../src/config");
  const { buildPlatform } = require("../../src/stack/platform") as typeof import("../../src/stack/platform");
  /* eslint-enable @typescript-eslint/no-require-imports */
  return buildPlatform(loadStackConfig());
};

/**
 * The apps project's composition root as an inline program (what apps/index.ts exports), reading
 * its platform stack's file from `platformDir` (the platform workspace: its kubeconfig is rewritten).
 */
export const applicationProgram =
  (platformDir: string): PulumiFn =>
  async () => {
    /* eslint-disable @typescript-eslint/no-require-imports */
    const app = require("../../src/stack/application") as typeof import("../../src/stack/application");
    /* eslint-enable @typescript-eslint/no-require-imports */
    return app.buildApplication(app.loadApplicationStack(platformDir));
  };

export interface WorkspaceOptions {
  /** The workspace directory (created; kept by the caller). */
  readonly dir: string;
  /** Absolute path of the kubeconfig the local stack deploys with. */
  readonly kubeconfig: string;
  /** Where `up` and `preview` stream their progress. @default process.stderr */
  readonly progress?: NodeJS.WritableStream;
  /** Extra environment for the CLI. */
  readonly env?: Readonly<Record<string, string>>;
}

/** The policy pack as the workflows load it: precompiled from policy/, with the stack's config. */
export function policyPackArgs(stack: string): { policyPacks: string[]; policyPackConfigs: string[] } {
  return {
    policyPacks: [buildPolicyPack(ROOT)],
    policyPackConfigs: [path.join(ROOT, "policy", "config", `${stack}.json`)],
  };
}

export class LocalWorkspaceDir {
  readonly env: Record<string, string>;
  readonly backendUrl: string;
  readonly pulumi: InlinePulumi;
  /** The apps project beside it (`<dir>/apps`): the application stacks, same backend. */
  readonly apps: InlinePulumi;
  readonly appsDir: string;
  /** Every engine event of every operation run through `pulumi` (updates from the release CLI). */
  readonly events: EngineEvent[] = [];

  constructor(readonly options: WorkspaceOptions) {
    const dir = options.dir;
    for (const sub of ["home", "state"]) fs.mkdirSync(path.join(dir, sub), { recursive: true });
    this.backendUrl = `file://${path.join(dir, "state")}`;
    this.env = {
      // The CLI finds its plugins (the provider, the analyzer shim) on PATH.
      PATH: `${TOOLS_BIN}${path.delimiter}${process.env.PATH ?? ""}`,
      PULUMI_HOME: path.join(dir, "home"),
      PULUMI_BACKEND_URL: this.backendUrl,
      PULUMI_CONFIG_PASSPHRASE: process.env.PULUMI_CONFIG_PASSPHRASE ?? "local passphrase",
      PULUMI_SKIP_UPDATE_CHECK: "true",
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
      ...options.env,
    };
    fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    const stackFile = path.join(dir, "Pulumi.local.yaml");
    if (!fs.existsSync(stackFile)) {
      const stack = YAML.parse(fs.readFileSync(path.join(ROOT, "Pulumi.local.yaml"), "utf8"));
      stack.config["platform:kubernetes"] = {
        ...stack.config["platform:kubernetes"],
        kubeconfig: options.kubeconfig,
      };
      fs.writeFileSync(stackFile, YAML.stringify(stack));
    }
    this.pulumi = new InlinePulumi({
      workDir: dir,
      program: platformProgram,
      env: this.env,
      progress: options.progress,
      onEvent: (e) => this.events.push(e),
      command: pulumiCommand,
      root: ROOT,
    });
    this.appsDir = path.join(dir, "apps");
    fs.mkdirSync(this.appsDir, { recursive: true });
    // The CLI checks that the project's main file exists, although the inline program runs here.
    for (const file of fs
      .readdirSync(path.join(ROOT, "apps"))
      .filter((f) => /^(Pulumi\..*yaml|index\.ts)$/.test(f)))
      if (!fs.existsSync(path.join(this.appsDir, file)))
        fs.copyFileSync(path.join(ROOT, "apps", file), path.join(this.appsDir, file));
    this.apps = new InlinePulumi({
      workDir: this.appsDir,
      program: applicationProgram(dir),
      env: this.env,
      progress: options.progress,
      onEvent: (e) => this.events.push(e),
      command: pulumiCommand,
      root: ROOT,
    });
  }

  /** An application stack of the local environment (created on first use). */
  appStack(name: string): Promise<Stack> {
    return this.apps.stack(name);
  }

  /** The local stack (created on first use). */
  stack(name = "local"): Promise<Stack> {
    return this.pulumi.stack(name);
  }
}

/** The CLI in .tools/bin (the Automation API otherwise takes whatever `pulumi` PATH has). */
export const pulumiCommand = (): Promise<PulumiCommand> =>
  PulumiCommand.get({ root: path.dirname(TOOLS_BIN), skipVersionCheck: false });
