/** Evaluates the programs (config validation + all layers) for a stack under mocks. */
import { BOOTSTRAP_PROJECT } from "../../src/bootstrap/config";
import { buildStateBackend, loadBootstrapConfig } from "../../src/bootstrap/program";
import { loadStackConfig } from "../../src/config";
import { keyLocation } from "../../src/config/backend";
import { buildPlatform } from "../../src/stack/platform";
import { evaluate, EvaluateOptions, Evaluation, evaluationOf, hostedZonesOf } from "./evaluate";
import { readStackConfig } from "../../src/config/stack-files";
import { BOOTSTRAP_DIR } from "../paths";
import * as fs from "fs";
import { APPS_PROJECT, applicationStackName } from "../../src/config/applications";
import { appsDir, parseApplicationStack } from "../../src/config/application-stack";
import { buildApplication } from "../../src/stack/application";
import { SECRET_KEYS, stackConfigFromFile } from "../../src/config";
import { projectConfigValues, stackFilePath, toRuntimeConfig } from "../../src/config/stack-files";

/** The apps project (apps/Pulumi.yaml) of the checkout. */
export const APPS_DIR = appsDir();

/**
 * The AWS account a committed stack deploys to, as its file names it: the account of the state
 * key its bootstrap stack created there (`github.backend.stateKeyArn`); undefined without an S3
 * backend (the local stack). The gate and previews evaluate a stack in its own account, so the
 * registry URLs and ARNs the pack checks are the ones a real preview sees, and a stack's pack
 * config may name them (its `approvedRegistries` is its own ECR registry).
 */
export function stackAccount(stack: string, stackDir?: string): string | undefined {
  const github = readStackConfig(stack, stackDir)["platform:github"] as
    | { backend?: { kind?: string; stateKeyArn?: string } }
    | undefined;
  const backend = github?.backend;
  return backend?.kind === "s3" && backend.stateKeyArn ? keyLocation(backend.stateKeyArn).account : undefined;
}

/** The program exactly as `index.ts` composes it; `stackDir` holds the stack files. @default the checkout */
export function program(stackDir?: string): Record<string, unknown> {
  return buildPlatform(loadStackConfig(stackDir));
}

/**
 * Where a platform's stack files are: the checkout's (the default), or another directory of
 * platform stack files with its `apps/` beside them (examples/seeds/).
 */
export interface StackDirOption {
  readonly stackDir?: string;
}

/** Evaluates the platform program alone for a stack from its `Pulumi.<stack>.yaml`, with key overrides. */
export function evaluatePlatformStack(
  stack: string,
  overrides: Record<string, unknown> = {},
  options: EvaluateOptions & StackDirOption = {},
): Promise<Evaluation> {
  return evaluate(
    stack,
    { ...readStackConfig(stack, options.stackDir), ...overrides },
    () => program(options.stackDir),
    options,
  );
}

/** The outputs an application stack serves in its platform stack's place (the service-level half). */
export const SERVICE_OUTPUTS = [
  "namespaces",
  "serviceUrls",
  "previewUrls",
  "taskDefinitionArns",
  "releaseDigests",
  "activeColors",
  "releases",
  "albArnSuffixes",
  "targetGroupSuffixes",
] as const;

/**
 * An environment from `Pulumi.<stack>.yaml` (with optional key overrides: `platform:eks`, …): the
 * platform stack, and, when it sets `applicationStacks`, each of its application stacks on the
 * platform's outputs (their files in apps/, or the file `<application>-<stack>` would have).
 * Resources are every stack's; outputs are the platform's with the service-level ones gathered
 * from the applications, so a test reads an environment the same way before and after the move.
 */
export async function evaluateStack(
  stack: string,
  overrides: Record<string, unknown> = {},
  options: EvaluateOptions & StackDirOption = {},
): Promise<Evaluation> {
  const platform = await evaluatePlatformStack(stack, overrides, options);
  // The platform names its application stacks in its outputs when its workloads live there.
  const names = Object.keys((platform.outputs.applicationStacks ?? {}) as Record<string, string>);
  if (names.length === 0) return platform;
  const applications: Evaluation[] = [];
  for (const application of names)
    applications.push(
      (
        await evaluateApplicationStack(applicationStackName(application, stack), {
          ...options,
          platformOverrides: overrides,
          platform,
          values: {
            [`${APPS_PROJECT}:platformStack`]: `organization/platform/${stack}`,
            [`${APPS_PROJECT}:application`]: application,
          },
        })
      ).application,
    );
  const resources = [platform, ...applications].flatMap((e) => e.resources);
  const outputs: Record<string, unknown> = { ...platform.outputs };
  for (const name of SERVICE_OUTPUTS)
    outputs[name] = Object.assign({}, ...applications.map((a) => a.outputs[name] ?? {}));
  // The platform's resources first: each stack has its own providers of the same names.
  return evaluationOf(resources, outputs);
}

export { BOOTSTRAP_DIR };

/**
 * Evaluates an application stack from `apps/Pulumi.<stack>.yaml`: its platform stack (the file
 * it names) is evaluated first, and the `StackReference` reads that evaluation's outputs.
 */
export async function evaluateApplicationStack(
  stack: string,
  options: EvaluateOptions &
    StackDirOption & {
      platformOverrides?: Record<string, unknown>;
      /** Keys of the application stack's own file to replace (`apps:releases`). */
      overrides?: Record<string, unknown>;
      /** The platform stack's evaluation, when the caller has it. @default evaluated here */
      platform?: Evaluation;
      /** The application stack's config in place of its file (a stack apps/ has no file for). */
      values?: Record<string, unknown>;
    } = {},
): Promise<{ application: Evaluation; platform: Evaluation }> {
  const apps = options.stackDir ? appsDir(options.stackDir) : APPS_DIR;
  const file = stackFilePath(stack, apps);
  const values = {
    ...(options.values && !fs.existsSync(file) ? options.values : readStackConfig(stack, apps)),
    ...options.overrides,
  };
  const platformStack = String(values[`${APPS_PROJECT}:platformStack`] ?? "");
  const platformFile = platformStack.split("/").pop()!;
  const platform =
    options.platform ??
    (await evaluatePlatformStack(platformFile, options.platformOverrides ?? {}, {
      ...options,
      account: options.account ?? stackAccount(platformFile, options.stackDir),
    }));
  const app = () =>
    parseApplicationStack(
      stack,
      projectConfigValues(toRuntimeConfig(values), APPS_PROJECT, ["platformStack", "application"]),
      // Secret keys (the Slack webhook) are the platform program's own: an application reads none.
      (file) =>
        stackConfigFromFile(
          file,
          options.stackDir,
          Object.fromEntries(
            Object.entries(options.platformOverrides ?? {}).filter(
              ([k]) => !SECRET_KEYS.some((secret) => k === `platform:${secret}`),
            ),
          ),
        ),
    );
  const application = await evaluate(
    stack,
    values,
    () => buildApplication(app()) as unknown as Promise<Record<string, unknown>>,
    {
      ...options,
      project: APPS_PROJECT,
      account: options.account ?? stackAccount(platformFile, options.stackDir),
      stackReferences: { [platformStack]: platform.outputs },
      // The hosted zone is the platform stack's (an application stack's file names none).
      zones: options.zones ?? hostedZonesOf(readStackConfig(platformFile, options.stackDir)),
    },
  );
  return { application, platform };
}

/** Evaluates the bootstrap program for a stack from `bootstrap/Pulumi.<stack>.yaml`. */
export function evaluateBootstrap(
  stack: string,
  overrides: Record<string, unknown> = {},
  options: Omit<EvaluateOptions, "project"> = {},
): Promise<Evaluation> {
  return evaluate(
    stack,
    { ...readStackConfig(stack, BOOTSTRAP_DIR), ...overrides },
    () => buildStateBackend(loadBootstrapConfig()),
    { ...options, project: BOOTSTRAP_PROJECT },
  );
}

export const PROGRAMS = ["platform", "bootstrap", "apps"] as const;

/** The platform stack (its file's name) an application stack of apps/ builds on. */
export function platformStackOf(applicationStack: string): string {
  const values = readStackConfig(applicationStack, APPS_DIR);
  return String(values[`${APPS_PROJECT}:platformStack`] ?? "")
    .split("/")
    .pop()!;
}

/**
 * Evaluates `platform` (the default), `bootstrap` or `apps` (an application stack) for a stack;
 * any other name is refused by name.
 */
export async function evaluateProgram(
  program: string,
  stack: string,
  options: { preview?: boolean } = {},
): Promise<Evaluation> {
  if (program === "bootstrap") return evaluateBootstrap(stack, {}, options);
  if (program === "apps") return (await evaluateApplicationStack(stack, options)).application;
  if (program === "platform") return evaluateStack(stack, {}, { ...options, account: stackAccount(stack) });
  throw new Error(`--program got ${JSON.stringify(program)}; allowed: ${PROGRAMS.join(", ")}`);
}
