/**
 * Turns raw stack configuration into a `StackConfig`, or one `ConfigError` listing every problem.
 * Each problem names the key (`platform:services[1].strategy.steps`), the value it got and what is
 * allowed, so a user can fix the stack file without reading this code.
 */
import { isEcsBlueGreen } from "./applications";
import { z } from "zod";
import { own } from "../lib/own";
import { defaultCanarySteps } from "./canary";
import { ConfigProblem, crossFieldProblems, keyOf } from "./rules";
import { StackConfig, stackConfigSchema } from "./schema";

export { ConfigProblem, crossFieldRules, crossFieldProblems, FARGATE_MEMORY, keyOf } from "./rules";

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
  // A discriminated union names the discriminator's values (zod's issue carries them, untyped).
  const discriminated = issue as { discriminator?: string; options?: unknown[] };
  if (issue.code === "invalid_union" && discriminated.discriminator && discriminated.options)
    return [
      {
        key: keyOf(issue.path),
        value: valueAt(raw, issue.path),
        allowed: `one of ${discriminated.options.map((o) => JSON.stringify(o)).join(", ")}`,
      },
    ];
  if (issue.code === "invalid_union") {
    const union = schemaAt(issue.path);
    const options = union instanceof z.ZodUnion ? (union.options as z.ZodType[]) : [];
    return [
      {
        key: keyOf(issue.path),
        value: valueAt(raw, issue.path),
        allowed: options.length
          ? `one of ${options.map((o) => describe(unwrapped(o))).join(" or ")}`
          : issue.message,
      },
    ];
  }
  if (issue.code === "invalid_key") {
    // A record's key: the value shown is the key itself, and what is allowed is the key's rule.
    const key = issue.path.at(-1);
    return [
      {
        key: keyOf(issue.path),
        value: key,
        allowed: `a key that ${issue.issues.map((i) => i.message.replace(/^must be /, "is ")).join("; ")}`,
      },
    ];
  }
  // zod's own words only: a schema's message of its own ("whole minutes from 0 to 30") stays.
  if (
    (issue.code === "too_big" || issue.code === "too_small") &&
    issue.origin === "number" &&
    /^Too (big|small)/.test(issue.message)
  ) {
    const schema = schemaAt(issue.path);
    if (schema instanceof z.ZodNumber)
      return [
        { key: keyOf(issue.path), value: valueAt(raw, issue.path), allowed: `must be ${expected(schema)}` },
      ];
  }
  if (issue.code === "invalid_type" && /^Invalid input/.test(issue.message)) {
    // zod's "expected number, received undefined" becomes "required: an integer from 1024 to
    // 65535", and a wrong type says the same of what is allowed.
    const schema = schemaAt(issue.path);
    const value = valueAt(raw, issue.path);
    if (schema)
      return [
        {
          key: keyOf(issue.path),
          value,
          allowed: `${value === undefined ? "required:" : "must be"} ${expected(schema)}`,
        },
      ];
  }
  return [{ key: keyOf(issue.path), value: valueAt(raw, issue.path), allowed: issue.message }];
}

/** What a schema accepts, in the words of a problem: its type with its range, pattern or options. */
function expected(schema: z.ZodType): string {
  if (schema instanceof z.ZodNumber) {
    const kind = schema.format === "safeint" ? "an integer" : "a number";
    const min = schema.minValue !== null && Number.isFinite(schema.minValue) ? schema.minValue : undefined;
    const max = schema.maxValue !== null && Number.isFinite(schema.maxValue) ? schema.maxValue : undefined;
    if (min !== undefined && max !== undefined) return `${kind} from ${min} to ${max}`;
    if (min !== undefined) return `${kind} of at least ${min}`;
    if (max !== undefined) return `${kind} of at most ${max}`;
    return kind;
  }
  if (schema instanceof z.ZodString) {
    // A pattern's own message ("must be a DNS label: …") says it better than the pattern.
    const own = schema.safeParse("").error?.issues.find((i) => /^must be /.test(i.message))?.message;
    return own ? `a string: ${own.replace(/^must be /, "")}` : describe(schema);
  }
  if (schema instanceof z.ZodEnum) return `one of ${describe(schema)}`;
  if (schema instanceof z.ZodArray) return `a list of ${expected(unwrapped(schema.element as z.ZodType))}`;
  if (schema instanceof z.ZodObject) return `an object ${describe(schema)}`;
  if (schema instanceof z.ZodRecord) return "a map of names to values";
  if (schema instanceof z.ZodUnion)
    return (schema.options as z.ZodType[]).map((o) => expected(unwrapped(o))).join(" or ");
  return describe(schema);
}

/** A schema in a few words, for "what is allowed": an object by its keys (`?` when optional). */
function describe(schema: z.ZodType): string {
  if (schema instanceof z.ZodObject)
    return `{ ${Object.entries(schema.shape as Record<string, z.ZodType>)
      .map(([k, v]) => (v.safeParse(undefined).success ? `${k}?` : k))
      .join(", ")} }`;
  if (schema instanceof z.ZodLiteral) return JSON.stringify(schema.value);
  if (schema instanceof z.ZodEnum) return schema.options.map((o) => JSON.stringify(o)).join(", ");
  if (schema instanceof z.ZodString) {
    const pattern = (schema.def.checks ?? [])
      .map((c) => (c as { _zod: { def: { pattern?: RegExp } } })._zod.def.pattern)
      .find(Boolean);
    return pattern ? `a string matching ${String(pattern)}` : "a string";
  }
  if (schema instanceof z.ZodNumber) return schema.format === "safeint" ? "an integer" : "a number";
  if (schema instanceof z.ZodBoolean) return "true or false";
  return schema.def.type;
}

/** The schema at a config path (unwrapped), or undefined where the path leaves it. */
function schemaAt(path: readonly PropertyKey[]): z.ZodType | undefined {
  let node: z.ZodType | undefined = unwrapped(stackConfigSchema);
  for (const part of path) {
    node = node && childOf(node, part);
    if (!node) return undefined;
    node = unwrapped(node);
  }
  return node;
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
  const node = schemaAt(path);
  const shape = node && shapeOf(node);
  return shape ? Object.keys(shape) : [];
}

type Parsed = z.output<typeof stackConfigSchema>;

/**
 * Parses and validates in one pass; throws one ConfigError naming every problem, sorted by key.
 * When the schema refuses some values, the cross-key rules still run on what remains (see
 * `withoutRefused`), so a wrong type elsewhere does not hide them. Pure: no Pulumi runtime.
 */
export function parseStackConfig(
  stack: string,
  raw: Record<string, unknown>,
  awsRegion?: string,
): StackConfig {
  const parsed = stackConfigSchema.safeParse(raw);
  const schemaProblems = parsed.success ? [] : parsed.error.issues.flatMap((i) => fromZodIssue(raw, i));
  const rest = parsed.success
    ? { data: parsed.data, removals: [], removed: [], variants: [] }
    : withoutRefused(raw, parsed.error.issues);
  let config: StackConfig | undefined;
  const ruleProblems: ConfigProblem[] = [];
  if (rest) {
    config = resolved(stack, rest.data, awsRegion);
    const problemsOf = (data: Parsed, c: StackConfig) =>
      [...setButIgnoredProblems(data), ...crossFieldProblems(c)].map((p) => ({
        ...p,
        key: originalKey(p.key, rest.removals),
      }));
    // A required key the schema refused stands in as each of its placeholders in turn: a problem
    // found whatever its value is a problem of the config, one found under some values only is not.
    const variants = rest.variants.map((data) => problemsOf(data, resolved(stack, data, awsRegion)));
    const same = (p: ConfigProblem) => JSON.stringify([p.key, p.value, p.allowed]);
    const found = problemsOf(rest.data, config).filter((p) =>
      variants.every((v) => v.some((q) => same(q) === same(p))),
    );
    // What the schema refused is reported once, by the schema: a rule's view of the remainder
    // (a removed service a dependency names, a key at or under a refused one) is not a problem.
    const refused = [...schemaProblems.map((p) => p.key), ...rest.removed.map((r) => r.key)];
    const removedNames = new Set(rest.removed.map((r) => r.name).filter((n) => n !== undefined));
    ruleProblems.push(
      ...found.filter(
        (p) =>
          !refused.some((k) => p.key === k || p.key.startsWith(`${k}.`) || p.key.startsWith(`${k}[`)) &&
          !(typeof p.value === "string" && removedNames.has(p.value)) &&
          !p.key.split(/[.[\]]/).some((part) => removedNames.has(part)),
      ),
    );
  }
  const problems = [...schemaProblems, ...ruleProblems];
  if (problems.length > 0) throw new ConfigError(stack, sortedByKey(problems));
  return config!;
}

/** Problems in key order, array indices compared as numbers (`services[2]` before `services[10]`). */
export function sortedByKey(problems: readonly ConfigProblem[]): ConfigProblem[] {
  return [...problems].sort((a, b) => a.key.localeCompare(b.key, "en", { numeric: true }));
}

/** The validated configuration with the defaults that depend on other keys filled in. */
function resolved(stack: string, c: Parsed, awsRegion: string | undefined): StackConfig {
  const usesAws =
    c.eks.enabled ||
    c.ecs.enabled ||
    c.registry.kind === "ecr" ||
    c.applications.some((a) => a.registry?.kind === "ecr");
  return {
    ...c,
    services: c.services.map((s) => {
      const replicas = s.replicas ?? s.autoscaling?.minReplicas ?? 2;
      const strategy =
        s.strategy.type === "canary"
          ? { ...s.strategy, steps: s.strategy.steps ?? defaultCanarySteps(replicas) }
          : s.strategy;
      return { ...s, replicas, strategy };
    }),
    stack,
    protect: c.protect ?? c.environment === "production",
    usesAws,
    awsRegion,
  };
}

/** Keys set that the program would ignore, which only the parsed (not yet defaulted) values show. */
function setButIgnoredProblems(c: Parsed): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  c.services.forEach((s, i) => {
    // With autoscaling the service starts at minReplicas and the scaler owns the count after.
    if (s.replicas !== undefined && s.autoscaling && s.replicas !== s.autoscaling.minReplicas)
      out.push({
        key: keyOf(["services", i, "replicas"]),
        value: s.replicas,
        allowed: `${s.autoscaling.minReplicas} (autoscaling.minReplicas) or nothing: with autoscaling the service starts at minReplicas and the scaler owns the count`,
      });
    const release = own(c.releases, s.name);
    if (!release) return;
    const unused: [keyof typeof release, string][] = [
      ["activeColor", "blueGreen"],
      ["idleDigest", "blueGreen"],
      ["canaryDigest", "canary"],
      ["canaryWeight", "canary"],
    ];
    // ECS's own blue/green records a rolling release: ECS knows which colour serves.
    const pinned = isEcsBlueGreen(s) ? "rolling" : s.strategy.type;
    for (const [field, strategy] of unused)
      if (release[field] !== undefined && pinned !== strategy)
        out.push({
          key: keyOf(["releases", s.name, field]),
          value: release[field],
          allowed:
            pinned === s.strategy.type
              ? `nothing for a "${s.strategy.type}" service: ${field} is a pin of "${strategy}"`
              : `nothing for an ECS "blueGreen" service: ECS moves its traffic and records which revision serves, the stack only its digest`,
        });
  });
  return out;
}

/** An array element removed from the remainder: its array's key and index at that moment, and its name. */
interface Removal {
  readonly arrayKey: string;
  readonly index: number;
  readonly name?: string;
}

/**
 * The raw config without what the schema refused, parsed: refused keys are deleted (their
 * defaults apply) and an array element that still cannot parse is removed. `removed` holds the
 * removed elements' keys in the raw config. Undefined when a required top-level key is what is
 * wrong: then no rule can run.
 */
/**
 * Valid stand-ins for the required keys whose refused value leaves nothing to parse: every option
 * of an enum, two unlike values of a string. The rules run once per stand-in (`parseStackConfig`),
 * and only what all of them find is reported, so no stand-in's own value becomes a problem.
 */
const REQUIRED_STAND_INS: Readonly<Record<string, readonly unknown[]>> = {
  environment: ["development", "staging", "production", "local"],
  "registry.promotionSource.accountId": ["000000000001", "000000000002"],
  "registry.promotionSource.region": ["eu-west-1", "us-east-1"],
  "dns.hostedZoneId": ["Z0STANDIN0000000001", "Z0STANDIN0000000002"],
  "dns.domain": ["a.stand-in.example", "b.stand-in.example"],
  "github.owner": ["stand-in-a", "stand-in-b"],
  "github.repository": ["stand-in-a", "stand-in-b"],
  "github.plan": ["free", "team", "enterprise"],
  "operations.notifications.slack.workspaceId": ["T00000000A", "T00000000B"],
  "operations.notifications.slack.channelId": ["C00000000A", "C00000000B"],
  // A list element's required fields: the element stays, so its other keys are still checked.
  "services.*.port": [8080, 18080],
  "services.*.target": ["eks", "ecs"],
};

function withoutRefused(
  raw: Record<string, unknown>,
  issues: readonly z.core.$ZodIssue[],
):
  | { data: Parsed; removals: Removal[]; removed: { key: string; name?: string }[]; variants: Parsed[] }
  | undefined {
  const current = structuredClone(raw);
  const removals: Removal[] = [];
  const standIns: { path: PropertyKey[]; values: readonly unknown[] }[] = [];
  let pending = issues;
  for (let round = 0; round < 8; round++) {
    const elements = new Map<string, PropertyKey[]>();
    // A value the schema refuses twice (a pattern and a refinement) is deleted once: the second
    // issue must not read its absence as a missing required key, which would stop every rule.
    const deleted = new Set<string>();
    for (const issue of pending) {
      const paths =
        issue.code === "unrecognized_keys" ? issue.keys.map((k) => [...issue.path, k]) : [issue.path];
      for (const path of paths) {
        if (deleted.has(keyOf(path))) continue;
        const parent = valueAt(current, path.slice(0, -1));
        if (
          path.length > 0 &&
          valueAt(current, path) !== undefined &&
          parent !== null &&
          typeof parent === "object" &&
          !Array.isArray(parent)
        ) {
          delete (parent as Record<PropertyKey, unknown>)[path[path.length - 1] as string];
          deleted.add(keyOf(path));
          continue;
        }
        // A required key with a stand-in takes its first; the others are tried after parsing.
        const standIn =
          REQUIRED_STAND_INS[path.map((p) => (typeof p === "number" ? "*" : String(p))).join(".")];
        if (standIn && parent !== null && typeof parent === "object" && !Array.isArray(parent)) {
          (parent as Record<PropertyKey, unknown>)[path[path.length - 1] as string] = standIn[0];
          standIns.push({ path: [...path], values: standIn });
          deleted.add(keyOf(path));
          continue;
        }
        // Nothing left to delete (a required key), or an element itself: its enclosing element goes.
        const at = path.map((part) => typeof part).lastIndexOf("number");
        if (at < 0) return undefined;
        elements.set(keyOf(path.slice(0, at + 1)), path.slice(0, at + 1));
      }
    }
    // Deeper arrays first, then higher indices: each removal leaves the others' paths intact.
    const order = [...elements.values()].sort(
      (a, b) => b.length - a.length || (b.at(-1) as number) - (a.at(-1) as number),
    );
    for (const path of order) {
      const array = valueAt(current, path.slice(0, -1)) as unknown[];
      const index = path.at(-1) as number;
      const element = array[index] as { name?: unknown } | undefined;
      removals.push({
        arrayKey: keyOf(path.slice(0, -1)),
        index,
        name: typeof element?.name === "string" ? element.name : undefined,
      });
      array.splice(index, 1);
    }
    const again = stackConfigSchema.safeParse(current);
    if (again.success) {
      // The other stand-ins, one variant per position: every option of each key appears in one.
      const count = Math.max(0, ...standIns.map((h) => h.values.length));
      const variants: Parsed[] = [];
      for (let i = 1; i < count; i++) {
        const variant = structuredClone(current);
        for (const h of standIns) {
          const parent = valueAt(variant, h.path.slice(0, -1)) as Record<PropertyKey, unknown>;
          parent[h.path[h.path.length - 1] as string] = h.values[Math.min(i, h.values.length - 1)];
        }
        const parsedVariant = stackConfigSchema.safeParse(variant);
        if (parsedVariant.success) variants.push(parsedVariant.data);
      }
      return {
        data: again.data,
        removals,
        removed: removals.map((r, i) => ({
          key: originalKey(`${r.arrayKey}[${r.index}]`, removals.slice(0, i)),
          name: r.name,
        })),
        variants,
      };
    }
    pending = again.error.issues;
  }
  return undefined;
}

/**
 * A key of the remainder as a key of the raw config: undoing the removals from the last to the
 * first, an index at or past a removed element of the same array moves up by one.
 */
function originalKey(key: string, removals: readonly Removal[]): string {
  let out = key;
  for (const r of [...removals].reverse()) {
    const prefix = `${r.arrayKey}[`;
    if (!out.startsWith(prefix)) continue;
    const digits = /^(\d+)\]/.exec(out.slice(prefix.length))?.[1];
    if (digits === undefined || Number(digits) < r.index) continue;
    out = `${prefix}${Number(digits) + 1}${out.slice(prefix.length + digits.length)}`;
  }
  return out;
}
