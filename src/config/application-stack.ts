/**
 * The configuration of one application stack (`apps/Pulumi.<application>-<environment>.yaml`):
 * which platform stack it reads and which application it deploys. Everything else about the
 * application — its services and their per-environment settings — is declared once, in the
 * platform stack's file of the same checkout; the application stack adds its own release state.
 * Pure (no Pulumi runtime): the program, the release CLI and the tests read it the same way.
 */
import * as path from "path";
import { z } from "zod";
import { APPS_PROJECT, applicationOf, applicationsOf, servicesOf } from "./applications";
import { stackConfigFromFile } from "./index";
import { dnsLabel } from "./primitives";
import { own } from "../lib/own";
import { ReleaseConfig, releaseSchema, ServiceConfig, StackConfig } from "./schema";
import { readStackFile, ROOT } from "./stack-files";
import { ConfigError, ConfigProblem } from "./validate";

/** The apps project's directory (apps/Pulumi.yaml) in a checkout. */
export const appsDir = (root = ROOT): string => path.join(root, APPS_PROJECT);

/**
 * A platform stack as `StackReference` names it: `<stack>`, `<org>/<stack>` or
 * `<org>/<project>/<stack>` (the last segment is the platform's stack file).
 */
const platformStackRef = z
  .string()
  .regex(
    /^([A-Za-z0-9_.-]+\/){0,2}[A-Za-z0-9_.-]+$/,
    "must name the platform stack as StackReference does: <stack>, <org>/<stack> or <org>/<project>/<stack>",
  );

const applicationStackSchema = z.strictObject({
  /** The environment's platform stack, read by `StackReference` (its outputs contract). */
  platformStack: platformStackRef,
  /** The application this stack deploys: one of the platform stack's applications. */
  application: dnsLabel,
  /**
   * Release pins this stack was seeded with or the release executor wrote (see release/state.ts);
   * a service without one starts from the platform stack file's `releases`. @default {}
   */
  releases: z.record(dnsLabel, releaseSchema).default({}),
});

/** What an application stack's program and its release commands work from. */
export interface ApplicationStackConfig {
  /** This stack's name. */
  readonly stack: string;
  readonly platformStack: string;
  /** The platform stack's file name (the last segment of `platformStack`). */
  readonly platformStackFile: string;
  readonly application: string;
  /**
   * The platform stack's validated config with the application's release pins over its seeds:
   * its `services` are every service of the environment (their order numbers ECS listener rules).
   */
  readonly platform: StackConfig;
  /** The application's services, in config order. */
  readonly services: ServiceConfig[];
  /** `secretsprovider:` of the platform stack's file: a new application stack is created with it. */
  readonly platformSecretsProvider?: string;
  readonly releases: Record<string, ReleaseConfig>;
}

/** `apps:<key>` values of an application stack, parsed; throws one ConfigError naming every problem. */
export function parseApplicationStack(
  stack: string,
  values: Record<string, unknown>,
  readPlatform: (file: string) => StackConfig,
): ApplicationStackConfig {
  const parsed = applicationStackSchema.safeParse(values);
  if (!parsed.success)
    throw new ConfigError(
      stack,
      parsed.error.issues.map((i) => ({
        key: `${APPS_PROJECT}:${i.path.map(String).join(".")}`,
        value: i.path.reduce<unknown>(
          (v, k) =>
            v && typeof v === "object" ? (v as Record<PropertyKey, unknown>)[k as PropertyKey] : undefined,
          values,
        ),
        allowed: i.message,
      })),
    );
  const app = parsed.data;
  const platformStackFile = app.platformStack.split("/").pop()!;
  const platform = readPlatform(platformStackFile);
  const problems: ConfigProblem[] = [];
  const known = applicationsOf(platform);
  if (!known.includes(app.application))
    problems.push({
      key: `${APPS_PROJECT}:application`,
      value: app.application,
      allowed: `an application of platform stack ${platformStackFile}: ${known.join(", ") || "none (it declares no services)"}`,
    });
  if (!platform.applicationStacks)
    problems.push({
      key: `${APPS_PROJECT}:platformStack`,
      value: app.platformStack,
      allowed: `a platform stack whose workloads live in application stacks: set platform:applicationStacks: true in Pulumi.${platformStackFile}.yaml (docs/application-stacks.md, "Move workloads into application stacks")`,
    });
  const services = servicesOf(platform, app.application);
  for (const name of Object.keys(app.releases))
    if (!services.some((s) => s.name === name))
      problems.push({
        key: `${APPS_PROJECT}:releases.${name}`,
        value: name,
        allowed: `a service of application ${app.application}: ${services.map((s) => s.name).join(", ") || "none"}`,
      });
  if (problems.length) throw new ConfigError(stack, problems);
  const releases: Record<string, ReleaseConfig> = {};
  for (const s of services) {
    const release = own(app.releases, s.name) ?? own(platform.releases, s.name);
    if (release) releases[s.name] = release;
  }
  return {
    stack,
    platformStack: app.platformStack,
    platformStackFile,
    application: app.application,
    platform: { ...platform, releases: { ...platform.releases, ...releases } },
    services,
    releases,
  };
}

/** An application stack's config from `apps/Pulumi.<stack>.yaml`, its platform's from the checkout. */
export function applicationStackFromFile(stack: string, root = ROOT): ApplicationStackConfig {
  const file = readStackFile(stack, appsDir(root));
  const prefix = `${APPS_PROJECT}:`;
  const values = Object.fromEntries(
    Object.entries(file.config)
      .filter(([k]) => k.startsWith(prefix))
      .map(([k, v]) => [k.slice(prefix.length), v]),
  );
  const app = parseApplicationStack(stack, values, (platform) => stackConfigFromFile(platform, root));
  return { ...app, platformSecretsProvider: readStackFile(app.platformStackFile, root).secretsProvider };
}

/** Whether `service` of the platform config belongs to the application stack. */
export function ownsService(
  app: Pick<ApplicationStackConfig, "application" | "platform">,
  service: ServiceConfig,
) {
  return applicationOf(service, app.platform) === app.application;
}
