/**
 * Turns raw stack configuration into a `StackConfig`, or one `ConfigError` listing every problem.
 * Each problem names the key (`platform:services[1].strategy.steps`), the value it got and what is
 * allowed, so a user can fix the stack file without reading this code.
 */
import { z } from "zod";
import { ConfigProblem, crossFieldProblems, keyOf } from "./rules";
import { StackConfig, stackConfigSchema } from "./schema";

export { ConfigProblem, CROSS_FIELD_RULES, crossFieldProblems, FARGATE_MEMORY, keyOf } from "./rules";

export class ConfigError extends Error {
  constructor(
    readonly stack: string,
    readonly problems: readonly ConfigProblem[],
  ) {
    super(
      `Invalid configuration for stack "${stack}" (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
        problems.map((p) => `  - ${p.key}: got ${show(p.value)}; ${p.allowed}`).join("\n"),
    );
    this.name = "ConfigError";
  }
}

function show(value: unknown): string {
  if (value === undefined) return "nothing";
  const text = JSON.stringify(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v: any = root;
  for (const part of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = v[part as any];
  }
  return v;
}

function fromZodIssue(raw: unknown, issue: z.core.$ZodIssue): ConfigProblem[] {
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((k) => ({
      key: keyOf([...issue.path, k]),
      value: valueAt(raw, [...issue.path, k]),
      allowed: `unknown key; allowed here: ${allowedKeysAt(issue.path).join(", ")}`,
    }));
  }
  if (issue.code === "invalid_union" && issue.path.at(-1) === "strategy") {
    return [
      {
        key: keyOf(issue.path),
        value: valueAt(raw, issue.path),
        allowed: 'type must be one of "rolling", "blueGreen", "canary"',
      },
    ];
  }
  return [{ key: keyOf(issue.path), value: valueAt(raw, issue.path), allowed: issue.message }];
}

/** A schema without the defaults, optionals and nullables wrapped around it. */
function unwrapped(schema: z.ZodType): z.ZodType {
  let node = schema;
  while (
    node instanceof z.ZodDefault ||
    node instanceof z.ZodOptional ||
    node instanceof z.ZodNullable ||
    node instanceof z.ZodPrefault
  )
    node = node.unwrap() as z.ZodType;
  return node;
}

/** The keys of an object schema; a union's are those of all its object variants. */
function shapeOf(schema: z.ZodType): Record<string, z.ZodType> | undefined {
  if (schema instanceof z.ZodObject) return schema.shape;
  if (schema instanceof z.ZodUnion)
    return Object.assign(
      {},
      ...schema.options.map((o) => shapeOf(unwrapped(o as z.ZodType)) ?? {}),
    ) as Record<string, z.ZodType>;
  return undefined;
}

/** The schema one step down `path`: an object's key, an array's element, a record's value. */
function childOf(schema: z.ZodType, part: PropertyKey): z.ZodType | undefined {
  if (schema instanceof z.ZodArray) return schema.element as z.ZodType;
  if (schema instanceof z.ZodRecord) return schema.valueType as z.ZodType;
  const shape = shapeOf(schema);
  return shape && typeof part === "string" && Object.hasOwn(shape, part) ? shape[part] : undefined;
}

/** The keys a strict object in the schema accepts at `path` (unwrapping defaults, arrays and records). */
export function allowedKeysAt(path: readonly PropertyKey[]): string[] {
  let node: z.ZodType | undefined = unwrapped(stackConfigSchema);
  for (const part of path) {
    node = node && childOf(node, part);
    if (!node) return [];
    node = unwrapped(node);
  }
  const shape = shapeOf(node);
  return shape ? Object.keys(shape) : [];
}

/** Parses and validates; throws one ConfigError naming every problem. Pure: no Pulumi runtime. */
export function parseStackConfig(
  stack: string,
  raw: Record<string, unknown>,
  awsRegion?: string,
): StackConfig {
  const parsed = stackConfigSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(
      stack,
      parsed.error.issues.flatMap((i) => fromZodIssue(raw, i)),
    );
  }
  const c = parsed.data;
  const usesAws = c.eks.enabled || c.ecs.enabled || c.registry.kind === "ecr";
  const config: StackConfig = {
    ...c,
    stack,
    protect: c.protect ?? c.environment === "production",
    usesAws,
    awsRegion,
  };
  const problems = crossFieldProblems(config);
  if (problems.length > 0) throw new ConfigError(stack, problems);
  return config;
}
