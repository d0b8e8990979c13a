/**
 * Configuration of the bootstrap stack, validated before any resource is registered: one
 * ConfigError naming every bad key, its value and what is allowed.
 */
import { z } from "zod";
import { ConfigError, ConfigProblem } from "../config";

export const BOOTSTRAP_PROJECT = "platform-state";

const days = (max: number) => z.number().int().min(1).max(max);

export const bootstrapSchema = z.strictObject({
  /** The account the stack must run in; the AWS provider refuses any other. */
  accountId: z.string().regex(/^\d{12}$/, "must be a 12-digit AWS account id"),
  /** State bucket name. @default "platform-state-<accountId>-<region>" */
  bucketName: z
    .string()
    .regex(
      /^[a-z0-9][a-z0-9-]{1,56}[a-z0-9]$/,
      "must be an S3 bucket name of at most 58 characters (logs add -logs)",
    )
    .optional(),
  /** Pulumi project whose stacks the read and write policies cover. @default "platform" */
  project: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+$/, "must be a Pulumi project name")
    .default("platform"),
  /** Days a replaced state object version is kept. @default 90 */
  noncurrentVersionDays: days(3650).default(90),
  /** Days the pre-up exports under state-backups/ are kept. @default 365 */
  backupRetentionDays: days(3650).default(365),
  /** Days the state bucket's access logs are kept. @default 365 */
  accessLogRetentionDays: days(3650).default(365),
  /** Protect the bucket and keys from `pulumi destroy`. @default true */
  protect: z.boolean().default(true),
});

export interface BootstrapConfig extends z.output<typeof bootstrapSchema> {
  readonly stack: string;
  readonly region: string;
  readonly bucketName: string;
}

/** Validates the bootstrap stack's values (project namespace, prefix removed) and its `aws:region`. */
export function parseBootstrapConfig(
  stack: string,
  raw: Record<string, unknown>,
  region: string | undefined,
): BootstrapConfig {
  const problems: ConfigProblem[] = [];
  if (!region || !/^[a-z]{2}(-gov)?-[a-z]+-\d$/.test(region))
    problems.push({ key: "aws:region", value: region, allowed: "an AWS region, e.g. eu-west-1" });
  const parsed = bootstrapSchema.safeParse(raw);
  if (!parsed.success)
    for (const issue of parsed.error.issues) {
      const keys = issue.code === "unrecognized_keys" ? issue.keys : [issue.path.join(".")];
      for (const key of keys)
        problems.push({
          key: `${BOOTSTRAP_PROJECT}:${key}`,
          value: raw[key],
          allowed:
            issue.code === "unrecognized_keys"
              ? `unknown key; allowed: ${Object.keys(bootstrapSchema.shape).join(", ")}`
              : issue.message,
        });
    }
  if (problems.length || !parsed.success || !region) throw new ConfigError(stack, problems);
  return {
    ...parsed.data,
    stack,
    region,
    bucketName: parsed.data.bucketName ?? `platform-state-${parsed.data.accountId}-${region}`,
  };
}
