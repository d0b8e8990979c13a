/**
 * Reads this stack's configuration from the Pulumi runtime, once, and validates it before any
 * resource is registered. Everything else in the program receives the typed `StackConfig`.
 */
import * as pulumi from "@pulumi/pulumi";
import { PROJECT, StackConfig } from "./schema";
import { ConfigError, parseStackConfig } from "./validate";

export * from "./schema";
export * from "./backend";
export { ConfigError, ConfigProblem, parseStackConfig } from "./validate";

/**
 * The project namespace of a runtime config map as plain values: Pulumi hands every value over
 * as a string, objects and arrays as JSON, so each is JSON-decoded when it parses.
 */
export function projectConfigValues(all: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [fullKey, text] of Object.entries(all)) {
    const [namespace, key] = fullKey.split(":", 2);
    if (namespace !== PROJECT || key === undefined) continue;
    out[key] = decode(text);
  }
  return out;
}

function decode(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Keys whose value must come from secret config (`pulumi config set --secret`). */
export const SECRET_KEYS = ["slackWebhookUrl"] as const;

/** Loads and validates the current stack's config; throws one ConfigError naming every problem. */
export function loadStackConfig(): StackConfig {
  const all = pulumi.runtime.allConfig();
  const isSecret: (k: string) => boolean = (
    pulumi.runtime as unknown as { isConfigSecret: (k: string) => boolean }
  ).isConfigSecret;
  const plaintext = SECRET_KEYS.filter(
    (k) => all[`${PROJECT}:${k}`] !== undefined && !isSecret(`${PROJECT}:${k}`),
  );
  if (plaintext.length)
    throw new ConfigError(
      pulumi.getStack(),
      plaintext.map((k) => ({
        key: `${PROJECT}:${k}`,
        value: "(a plaintext value)",
        allowed: `a secret: pulumi config set --secret ${k} <value>`,
      })),
    );
  return parseStackConfig(pulumi.getStack(), projectConfigValues(all), all["aws:region"]);
}
