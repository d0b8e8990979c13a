/**
 * Reads a stack's configuration, once, and validates it before any resource is registered —
 * from the Pulumi runtime (the program) or from its stack file (scripts, tests, the release
 * CLI), through the same steps. Everything else receives the typed `StackConfig`.
 */
import * as pulumi from "@pulumi/pulumi";
import { PROJECT, StackConfig } from "./schema";
import * as fs from "fs";
import { projectConfigValues, readStackFile, ROOT, stackFilePath, toRuntimeConfig } from "./stack-files";
import { sharedClusterProblems } from "./shared-cluster";
import { ConfigError, ConfigProblem, parseStackConfig } from "./validate";

export * from "./schema";
export * from "./backend";
export * from "./github-plan";
export { ConfigError, ConfigProblem, parseStackConfig } from "./validate";

/** Keys whose value must come from secret config (`pulumi config set --secret`). */
export const SECRET_KEYS = ["slackWebhookUrl"] as const;

/**
 * Parses the runtime form of a stack's config (`project:key` → string). `isSecret` tells which
 * keys were set with `--secret`; a key of SECRET_KEYS in plaintext is a problem of its own.
 */
export function stackConfigFromRuntime(
  stack: string,
  all: Record<string, string>,
  isSecret: (key: string) => boolean,
): StackConfig {
  const plaintext = SECRET_KEYS.filter(
    (k) => all[`${PROJECT}:${k}`] !== undefined && !isSecret(`${PROJECT}:${k}`),
  );
  if (plaintext.length)
    throw new ConfigError(
      stack,
      plaintext.map((k) => ({
        key: `${PROJECT}:${k}`,
        value: "(a plaintext value)",
        allowed: `a secret: pulumi config set --secret ${k} <value>`,
      })),
    );
  return parseStackConfig(stack, projectConfigValues(all, PROJECT), all["aws:region"]);
}

/**
 * Offline readers cannot decrypt a `{ secure: … }` value; each secret key is checked for being
 * set as a secret, and stands in with a value of its format so the rest validates as it would.
 */
const ENCRYPTED_STAND_IN: Record<(typeof SECRET_KEYS)[number], string> = {
  slackWebhookUrl: "https://encrypted.invalid/",
};

/** A stack's config from its `Pulumi.<stack>.yaml`, validated as the program would validate it. */
export function stackConfigFromFile(
  stack: string,
  dir = ROOT,
  overrides: Readonly<Record<string, unknown>> = {},
  checkTenants = true,
): StackConfig {
  const file = readStackFile(stack, dir);
  file.config = { ...file.config, ...overrides };
  const config: Record<string, unknown> = {};
  const secret = new Set<string>();
  const problems: ConfigProblem[] = [];
  for (const [key, value] of Object.entries(file.config)) {
    const encrypted = typeof value === "object" && value !== null && "secure" in value;
    const name = key.slice(`${PROJECT}:`.length) as (typeof SECRET_KEYS)[number];
    if (!encrypted) config[key] = value;
    else if (key.startsWith(`${PROJECT}:`) && SECRET_KEYS.includes(name)) {
      config[key] = ENCRYPTED_STAND_IN[name];
      secret.add(key);
    } else if (key.startsWith(`${PROJECT}:`))
      problems.push({
        key,
        value: "(a secret)",
        allowed: `plaintext; the only secret key is ${SECRET_KEYS.join(", ")}`,
      });
  }
  if (problems.length) throw new ConfigError(stack, problems);
  const parsed = stackConfigFromRuntime(stack, toRuntimeConfig(config), (key) => secret.has(key));
  return checkTenants ? withSharedClusterChecked(parsed, dir) : parsed;
}

/**
 * `config` checked against the stacks it shares its cluster with (`kubernetes.sharedWith`), read
 * from their files in `dir`; throws one ConfigError naming every collision.
 */
export function withSharedClusterChecked(config: StackConfig, dir = ROOT): StackConfig {
  if (config.kubernetes.sharedWith.length === 0 && config.kubernetes.namespaces === "service") return config;
  const tenants = new Map<string, StackConfig | undefined>();
  for (const tenant of config.kubernetes.sharedWith) {
    let other: StackConfig | undefined;
    try {
      other = fs.existsSync(stackFilePath(tenant, dir))
        ? stackConfigFromFile(tenant, dir, {}, false)
        : undefined;
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      other = undefined;
    }
    tenants.set(tenant, other);
  }
  const problems = sharedClusterProblems(config, tenants);
  if (problems.length) throw new ConfigError(config.stack, problems);
  return config;
}

/**
 * Loads and validates the current stack's config; throws one ConfigError naming every problem.
 * `dir` holds the stack files of the tenants it shares a cluster with. @default the checkout
 */
export function loadStackConfig(dir = ROOT): StackConfig {
  // isConfigSecret is the runtime's record of `--secret` keys; the SDK exports it from
  // runtime/config but leaves it out of its typings, and no typed API tells a secret key apart.
  const runtime = pulumi.runtime as unknown as { isConfigSecret: (k: string) => boolean };
  return withSharedClusterChecked(
    stackConfigFromRuntime(pulumi.getStack(), pulumi.runtime.allConfig(), runtime.isConfigSecret),
    dir,
  );
}
