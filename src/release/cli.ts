/**
 * Release commands the generated workflows run (deploy-service.yml, infra-up.yml) as
 * `npm run release -- <command> --flag value …`. Parses the command line, reads the stack's
 * config and calls src/release/executor.ts with the real Pulumi CLI, HTTP prober and kubectl.
 */
import { reportFailure, UsageError, wantsHelp } from "../lib/cli";
import { parseArgs } from "util";
import { StackConfig, stackConfigFromFile } from "../config";
import * as path from "path";
import { deployPermission } from "../operations/change-windows";
import { GATE_SUMMARY_HEADER, gateSummaryLine, metricGate } from "../operations/gate";
import { GateReport } from "../operations/metric-gate";
import * as fs from "fs";
import { awsCliEcsApi } from "./ecs-rollout";
import { awsCliEcsDeployments } from "./ecs-bluegreen";
import { deploy, ReleaseDeps, ReleaseFailure, ReleaseTarget, restore, rollback } from "./executor";
import { GatePolicy, httpProber } from "./health";
import { KubectlPortForwarder, PortForwarder } from "./port-forward";
import { runCommand } from "./process";
import { promote } from "./promote";
import { PulumiCli, PulumiCommand, UpOptions } from "./pulumi-cli";
import { ApplicationStackConfig, appsDir, parseApplicationStack } from "../config/application-stack";
import { APPS_PROJECT, applicationOf, applicationStackName } from "../config/applications";
import { readStackFile, ROOT, stackFilePath } from "../config/stack-files";
import { POLICY_PACK_DIR } from "../lib/policy-pack";
import { buildPathOf } from "../config/service-build";

/** Each command's flags (all required) and what each takes. */
export const COMMANDS = {
  /** Write every service's recorded release (the stack's `releases` output) into its config. */
  restore: { stack: "stack name" },
  /** Copy the image into the stack's registry; prints `digest=…`. */
  promote: {
    stack: "stack name",
    service: "service name",
    "source-image": "repository",
    "source-ref": "digest or tag",
  },
  /** Run the service's strategy; every other service keeps its recorded release. */
  deploy: { stack: "stack name", service: "service name", digest: "sha256 digest" },
  /**
   * Refuse (exit 1, saying why) while the stack is frozen, a change window holds without an
   * override, or the service is stopped; deploy-service.yml runs it before recording a deployment.
   */
  guard: { stack: "stack name", service: "service name" },
  /** Re-apply the service's previous release, or redeploy a chosen digest through its strategy. */
  rollback: { stack: "stack name", service: "service name", to: "previous or sha256 digest" },
  /**
   * Print the service's migrations in this stack as step outputs (`migrate`, `apply`, `validate`,
   * `database-url-secret`, `directory`): deploy-service.yml reads them at release time, so each
   * environment migrates with its own commands and secret, and no workflow carries them.
   */
  migrations: { stack: "stack name", service: "service name" },
} as const;

export type Command = keyof typeof COMMANDS;
export type Flags<C extends Command> = { [K in keyof (typeof COMMANDS)[C]]: string };
export type CommandLine = { [C in Command]: { command: C; flags: Flags<C> } }[Command];

const describe = (allowed: Record<string, string>) =>
  Object.entries(allowed)
    .map(([flag, what]) => `--${flag} <${what}>`)
    .join(", ");

/** A command line the CLI cannot run as given (exit 2, as for any usage error). */
export { UsageError };

/** `npm run release -- --help`: every command with the flags it takes. */
export function releaseHelp(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length)) + 2;
  return [
    "usage: npm run release -- <command> --flag value … [--debug]",
    "",
    "The release executor: deploys, promotes, rolls back and guards one service of one stack through",
    "its strategy, on the stack it resolves (a platform stack, or the application stack in apps/).",
    "",
    ...Object.entries(COMMANDS).map(
      ([command, flags]) => `  ${command.padEnd(width)}${describe(flags as Record<string, string>)}`,
    ),
  ].join("\n");
}

/** Parses `<command> --flag value …`; throws one UsageError naming the bad flag and what is allowed. */
export function parseCommandLine(argv: readonly string[]): CommandLine {
  const [command, ...rest] = argv;
  if (!command || !(command in COMMANDS))
    throw new UsageError(
      `unknown command ${JSON.stringify(command ?? "")}; allowed: ${Object.keys(COMMANDS).join(", ")}`,
    );
  const allowed: Record<string, string> = COMMANDS[command as Command];
  const options = Object.fromEntries(Object.keys(allowed).map((k) => [k, { type: "string" as const }]));
  const usage = `${command} takes ${describe(allowed)}`;

  // A lenient pass first, to name the offending argument; then the strict parse.
  const { tokens } = parseArgs({
    args: [...rest],
    options,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const seen = new Set<string>();
  for (const token of tokens) {
    if (token.kind === "positional")
      throw new UsageError(`unexpected argument ${JSON.stringify(token.value)}; ${usage}`);
    if (token.kind !== "option") continue;
    if (!(token.name in allowed)) throw new UsageError(`unknown flag ${token.rawName}; ${usage}`);
    if (!token.value || token.value.startsWith("-"))
      throw new UsageError(`${token.rawName} needs a value (${allowed[token.name]})`);
    if (seen.has(token.name)) throw new UsageError(`${token.rawName} is given twice`);
    seen.add(token.name);
  }
  const { values } = parseArgs({ args: [...rest], options, strict: true });
  const missing = Object.keys(allowed).filter((k) => values[k] === undefined);
  if (missing.length)
    throw new UsageError(`${command} needs ${missing.map((k) => `--${k} <${allowed[k]}>`).join(", ")}`);
  return { command, flags: { ...values } } as CommandLine;
}

/** A stack the release commands act on: a platform stack, or an application stack of apps/. */
export interface ResolvedTarget extends ReleaseTarget {
  readonly config: StackConfig;
  /** Set for an application stack: the policy config of its platform stack applies to it. */
  readonly application?: ApplicationStackConfig;
}

/**
 * `--stack` names an application stack when apps/ has its file (`shop-dev`), else a platform
 * stack (`dev`). An application stack releases its own services only, with the platform stack's
 * operations (freeze, windows, stopped) and policy config; a name both projects have is refused.
 */
export function targetOf(stack: string, dirs: { stackDir?: string; appsDir?: string } = {}): ResolvedTarget {
  const apps = dirs.appsDir ?? appsDir(dirs.stackDir ?? ROOT);
  const isApplication = fs.existsSync(stackFilePath(stack, apps));
  if (isApplication && fs.existsSync(stackFilePath(stack, dirs.stackDir ?? ROOT)))
    throw new Error(
      `--stack ${stack} names both a platform stack and an application stack: rename the application stack (<application>-<environment>)`,
    );
  if (!isApplication) return { stack, config: stackConfigFromFile(stack, dirs.stackDir) };
  const file = readStackFile(stack, apps);
  const values = Object.fromEntries(
    Object.entries(file.config)
      .filter(([k]) => k.startsWith(`${APPS_PROJECT}:`))
      .map(([k, v]) => [k.slice(APPS_PROJECT.length + 1), v]),
  );
  const parsed = parseApplicationStack(stack, values, (platform) =>
    stackConfigFromFile(platform, dirs.stackDir),
  );
  const application = {
    ...parsed,
    platformSecretsProvider: readStackFile(parsed.platformStackFile, dirs.stackDir ?? ROOT).secretsProvider,
  };
  return {
    stack,
    config: { ...application.platform, services: application.services, releases: application.releases },
    application,
  };
}

/**
 * The stack a command line acts on: the one `--stack` names, or, when that is a platform stack
 * whose workloads live in application stacks, the application stack of `--service` there (the
 * generated workflows name the environment's platform stack and the service). `restore` of such
 * a platform stack is a no-op, as it records no release.
 */
export function releaseTarget(
  line: CommandLine,
  dirs: { stackDir?: string; appsDir?: string } = {},
): ResolvedTarget {
  const named = targetOf(line.flags.stack, dirs);
  if (named.application || !named.config.applicationStacks || line.command === "restore") return named;
  const name = line.flags.service;
  const service = named.config.services.find((s) => s.name === name);
  if (!service)
    throw new Error(
      `unknown service ${JSON.stringify(name)}; configured: ${named.config.services.map((s) => s.name).join(", ") || "none"}`,
    );
  const stack = applicationStackName(applicationOf(service, named.config), named.stack);
  const apps = dirs.appsDir ?? appsDir(dirs.stackDir ?? ROOT);
  if (!fs.existsSync(stackFilePath(stack, apps)))
    throw new Error(
      `${service.name} belongs to application ${applicationOf(service, named.config)}, whose stack ${stack} has no file: add ${path.join(path.basename(apps), `Pulumi.${stack}.yaml`)} (npm run app:init -- --application ${applicationOf(service, named.config)})`,
    );
  return targetOf(stack, dirs);
}

/** The policy pack and config an `up` of the target runs with, from the checkout at `root`. */
export function policyPackOf(target: ResolvedTarget, root = ROOT): (stack: string) => UpOptions {
  const configStack = target.application?.platformStackFile;
  if (!configStack)
    return (stack) => ({ policyPack: POLICY_PACK_DIR, policyPackConfig: `policy/config/${stack}.json` });
  return () => ({
    policyPack: path.join(root, POLICY_PACK_DIR),
    policyPackConfig: path.join(root, "policy", "config", `${configStack}.json`),
  });
}

/**
 * What a caller may put in place of the real CLI, kubectl and stack files: the local deploy
 * (`npm run local -- release …`) runs the same commands through the Automation API's inline engine
 * on a workspace of its own, and gates through a stand-in for `kubectl port-forward`.
 */
export interface ReleaseEnvironment {
  readonly pulumi?: PulumiCli;
  readonly forwarder?: PortForwarder;
  /** Directory of the platform stack files. @default the checkout */
  readonly stackDir?: string;
  /** Directory of the application stack files. @default apps/ beside the platform stack files */
  readonly appsDir?: string;
  /** @default DEFAULT_GATE */
  readonly gate?: GatePolicy;
  readonly log?: (line: string) => void;
}

/** Thrown when a deploy may not run now; nothing was changed. */
export class DeployRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DeployRefused";
  }
}

/**
 * Whether the service may be deployed now: the emergency switches (`DEPLOY_FREEZE`, the stack's
 * `operations.freeze`, `operations.stopped`) and the change windows with `CHANGE_WINDOW_OVERRIDE`.
 * Returns the line to log; throws DeployRefused.
 */
export function guardDeploy(
  config: Pick<StackConfig, "stack" | "operations">,
  service: string,
  env: NodeJS.ProcessEnv,
  now: Date,
): string {
  if (config.operations.stopped.includes(service))
    throw new DeployRefused(
      `${service} is stopped on ${config.stack} (operations.stopped): remove it from that list and run infra-up to bring it back before releasing`,
    );
  const p = deployPermission({
    stack: config.stack,
    windows: config.operations.changeWindows,
    holidays: config.operations.holidays,
    configFreeze: config.operations.freeze,
    freezeVariable: env.DEPLOY_FREEZE,
    overrideUntil: env.CHANGE_WINDOW_OVERRIDE,
    now,
  });
  if (!p.allowed) throw new DeployRefused(p.detail);
  return p.detail;
}

/**
 * Where gate reports go in a GitHub job: a table in the job summary, and one line each in
 * `$RUNNER_TEMP/release-gate.txt`, which the Slack step appends to its message.
 */
export function gateReportSink(
  env: NodeJS.ProcessEnv,
): (service: string, step: string, report: GateReport) => void {
  let first = true;
  return (service, step, report) => {
    if (env.GITHUB_STEP_SUMMARY) {
      fs.appendFileSync(
        env.GITHUB_STEP_SUMMARY,
        `${first ? `${GATE_SUMMARY_HEADER}\n` : ""}${gateSummaryLine(service, step, report)}\n`,
      );
      first = false;
    }
    if (env.RUNNER_TEMP)
      fs.appendFileSync(
        path.join(env.RUNNER_TEMP, "release-gate.txt"),
        `metric gate ${report.passed ? "passed" : "FAILED"} (${step}): ${report.summary}\n`,
      );
  };
}

/**
 * One step output in GitHub's `$GITHUB_OUTPUT` format: `name=value`, or a heredoc with a delimiter
 * the value does not contain when it spans lines.
 */
export function stepOutput(name: string, value: string): string {
  if (!/[\r\n]/.test(value)) return `${name}=${value}\n`;
  let delimiter = "EOF";
  for (let i = 0; value.includes(delimiter); i++) delimiter = `EOF_${i}`;
  return `${name}<<${delimiter}\n${value}\n${delimiter}\n`;
}

/** The `migrations` command's outputs: the service's own settings in the target stack, or `migrate=false`. */
export function migrationOutputs(config: StackConfig, service: string): string {
  const svc = config.services.find((s) => s.name === service);
  if (!svc)
    throw new UsageError(
      `unknown service ${JSON.stringify(service)}; configured on ${config.stack}: ${config.services.map((s) => s.name).join(", ") || "none"}`,
    );
  if (!svc.migrations) return stepOutput("migrate", "false");
  return [
    stepOutput("migrate", "true"),
    stepOutput("apply", svc.migrations.apply),
    stepOutput("validate", svc.migrations.validate),
    stepOutput("database-url-secret", svc.migrations.databaseUrlSecretArn),
    stepOutput("directory", svc.build ? buildPathOf(svc.name, svc.build) : `services/${svc.name}`),
  ].join("");
}

export async function main(argv: readonly string[], environment: ReleaseEnvironment = {}): Promise<void> {
  const line = parseCommandLine(argv);
  const resolved = releaseTarget(line, environment);
  if (line.command === "migrations") {
    process.stdout.write(migrationOutputs(resolved.config, line.flags.service));
    return;
  }
  if (resolved.stack !== line.flags.stack)
    (environment.log ?? console.error)(
      `${line.flags.stack} keeps no workload: ${line.command} acts on application stack ${resolved.stack}`,
    );
  // An application stack's CLI runs in its project (apps/); the platform's in the checkout.
  const pulumi =
    environment.pulumi ??
    new PulumiCommand(
      resolved.application ? { cwd: environment.appsDir ?? appsDir(environment.stackDir ?? ROOT) } : {},
    );
  const deps: ReleaseDeps = {
    pulumi,
    prober: httpProber,
    forwarder: environment.forwarder ?? new KubectlPortForwarder(),
    ecs: awsCliEcsApi,
    ecsDeployments: awsCliEcsDeployments,
    gate: environment.gate,
    log: environment.log,
    policyPack: policyPackOf(resolved),
  };
  // An application's first deploy creates its stack (a restore only reads, e.g. in a preview job).
  if (
    resolved.application &&
    line.command !== "restore" &&
    !environment.pulumi &&
    pulumi instanceof PulumiCommand
  )
    await pulumi.ensureStack(resolved.stack, resolved.application.platformSecretsProvider);
  switch (line.command) {
    case "restore":
      return restore(deps, resolved);
    case "promote": {
      const digest = await promote(pulumi, (file, args, input) => runCommand(file, args, { input }), {
        stack: line.flags.stack,
        service: line.flags.service,
        sourceImage: line.flags["source-image"],
        sourceRef: line.flags["source-ref"],
        commitSha: process.env.GITHUB_SHA,
        // A run started by a release tag (release.yml) tags the image with its semver too.
        releaseTag: process.env.GITHUB_REF_TYPE === "tag" ? process.env.GITHUB_REF_NAME : undefined,
      });
      console.log(`digest=${digest}`);
      return;
    }
    case "guard": {
      console.log(guardDeploy(resolved.config, line.flags.service, process.env, new Date()));
      return;
    }
    case "deploy": {
      const t = resolved;
      // Again here, so a deploy run by hand meets the same switches and windows.
      (environment.log ?? console.error)(guardDeploy(t.config, line.flags.service, process.env, new Date()));
      await deploy(
        {
          ...deps,
          metricGate: metricGate(t.config, { pulumi, forwarder: deps.forwarder }),
          onGateReport: gateReportSink(process.env),
        },
        t,
        { service: line.flags.service, digest: line.flags.digest },
      );
      return;
    }
    case "rollback": {
      // Rollbacks restore: no change window or freeze holds them. A digest redeployed forward is
      // watched by the metric gate like a deploy.
      const t = resolved;
      await rollback(
        {
          ...deps,
          metricGate: metricGate(t.config, { pulumi, forwarder: deps.forwarder }),
          onGateReport: gateReportSink(process.env),
        },
        t,
        { service: line.flags.service, to: line.flags.to },
      );
      return;
    }
  }
}

/**
 * The step outputs a failed release leaves for the job's later steps (GitHub's `$GITHUB_OUTPUT`
 * format): `outcome` is `rolled-back` (the circuit breaker or the executor undid it) or `failed`,
 * and `reason` one line, short enough for a deployment status description (140 characters).
 */
export function failureOutputs(err: unknown): string {
  const outcome =
    err instanceof ReleaseFailure ? "rolled-back" : err instanceof DeployRefused ? "refused" : "failed";
  const by =
    err instanceof ReleaseFailure
      ? err.rolledBackBy === "circuitBreaker"
        ? "rolled back by the ECS circuit breaker"
        : "rolled back"
      : err instanceof DeployRefused
        ? "refused"
        : "failed";
  const message = (err instanceof Error ? err.message : String(err)).replace(/\s+/g, " ");
  const reason = `${by}: ${message}`;
  return `outcome=${outcome}\nreason=${reason.length > 140 ? `${reason.slice(0, 139)}…` : reason}\n`;
}

if (require.main === module) {
  const argv = process.argv.slice(2).filter((a) => a !== "--debug");
  if (wantsHelp(argv)) console.log(releaseHelp());
  else
    main(argv).catch((err: unknown) => {
      if (process.env.GITHUB_OUTPUT) fs.appendFileSync(process.env.GITHUB_OUTPUT, failureOutputs(err));
      reportFailure(err);
    });
}
