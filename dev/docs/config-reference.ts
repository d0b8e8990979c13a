/**
 * The configuration reference (docs/reference/configuration.md): every key of a platform stack
 * file, generated from the schema the program validates with. Structure, types, defaults, enums,
 * ranges and patterns come from the zod schema's JSON Schema (as `npm run contract:update` writes
 * it for editors); the messages a refused value gets come from the zod checks themselves; the
 * descriptions and documented defaults come from the schema source's doc comments (schema-docs.ts),
 * since zod keeps none at run time.
 */
import * as path from "path";
import { z } from "zod";
import { stackConfigSchema } from "../../src/config/schema";
import { PROJECT } from "../../src/config/primitives";
import { ROOT } from "../../src/config/stack-files";
import { linkReadmeSections, SUPPLEMENTARY_DESCRIPTIONS } from "./config-descriptions";
import { code, githubSlug, prose } from "./markdown";
import { KeyDoc, pathKey, schemaDocs, Segment } from "./schema-docs";

export const SCHEMA_SOURCE = path.join(ROOT, "src", "config", "schema.ts");
const SCHEMA_EXPORT = "stackConfigSchema";

type Json = { readonly [key: string]: any };

/** One key of the stack file, as the reference shows it. */
export interface ConfigKey {
  readonly segments: readonly Segment[];
  /** `platform:services[].build.containers`. */
  readonly path: string;
  readonly type: string;
  /** The documented default (`@default`), else the schema's; empty when the key has none. */
  readonly default: string;
  readonly allowed: string;
  readonly required: string;
  readonly description: string;
}

/** Names of a record's keys in paths, by the record's own key. */
const RECORD_KEY_NAMES: Readonly<Record<string, string>> = {
  releases: "<service>",
  env: "<NAME>",
  secrets: "<NAME>",
  tags: "<key>",
};

/** `platform:` + the segments: keys joined by dots, `[]` for items, `<…>` for a record's keys. */
export function keyPath(segments: readonly Segment[]): string {
  let out = `${PROJECT}:`;
  segments.forEach((s, i) => {
    if (s === "[]") out += "[]";
    else if (s === "*") out += `.${RECORD_KEY_NAMES[segments[i - 1]] ?? "<key>"}`;
    else out += i === 0 ? s : `.${s}`;
  });
  return out;
}

interface Occurrence {
  readonly segments: Segment[];
  readonly schema: Json;
  readonly required: boolean;
  /** The union variant the key belongs to, and how many variants the union has. */
  readonly variant?: { readonly label: string; readonly of: number };
}

const SAFE = Number.MAX_SAFE_INTEGER;
const isObjectSchema = (s: Json) => s.type === "object" && s.properties !== undefined;
const variantsOf = (s: Json): Json[] => s.oneOf ?? s.anyOf ?? [];

/** How a union's object variant is named: its discriminator value, else its required keys. */
function variantLabel(v: Json, all: readonly Json[]): string {
  const discriminator = Object.keys(v.properties).find((k) =>
    all.every((o) => o.properties?.[k]?.const !== undefined),
  );
  if (discriminator) return code(`${discriminator}: ${JSON.stringify(v.properties[discriminator].const)}`);
  const keys: string[] = v.required?.length ? v.required : Object.keys(v.properties);
  return code(`{ ${keys.join(", ")} }`);
}

/** Every key under a schema node, depth first, in the schema's order. */
function occurrences(schema: Json, segments: Segment[], out: Occurrence[]): Occurrence[] {
  const objects = variantsOf(schema).filter(isObjectSchema);
  if (objects.length)
    for (const v of objects) {
      const label = variantLabel(v, objects);
      for (const [key, child] of Object.entries<Json>(v.properties)) {
        out.push({
          segments: [...segments, key],
          schema: child,
          required: (v.required ?? []).includes(key),
          variant: { label, of: objects.length },
        });
        occurrences(child, [...segments, key], out);
      }
    }
  if (isObjectSchema(schema))
    for (const [key, child] of Object.entries<Json>(schema.properties)) {
      out.push({
        segments: [...segments, key],
        schema: child,
        required: (schema.required ?? []).includes(key),
      });
      occurrences(child, [...segments, key], out);
    }
  if (schema.type === "object" && typeof schema.additionalProperties === "object")
    occurrences(schema.additionalProperties, [...segments, "*"], out);
  if (schema.type === "array" && schema.items) occurrences(schema.items, [...segments, "[]"], out);
  return out;
}

/** A schema node's type: `string`, `integer[]`, `map<string>`, `integer | string`, `object`. */
export function typeOf(s: Json): string {
  if (s.const !== undefined) return typeof s.const;
  if (s.enum) return [...new Set(s.enum.map((v: unknown) => typeof v))].join(" | ");
  const variants = variantsOf(s);
  if (variants.length) return [...new Set(variants.map(typeOf))].join(" | ");
  switch (s.type) {
    case "array":
      return s.items
        ? `${typeOf(s.items).includes(" ") ? `(${typeOf(s.items)})` : typeOf(s.items)}[]`
        : "array";
    case "object":
      return typeof s.additionalProperties === "object" && !s.properties
        ? `map<${typeOf(s.additionalProperties)}>`
        : "object";
    case undefined:
      return "any";
    default:
      return s.type;
  }
}

/** What a node admits, from its JSON Schema: enums, ranges, lengths, patterns, item and key rules. */
export function allowedOf(s: Json): string[] {
  const out: string[] = [];
  if (s.const !== undefined) out.push(code(JSON.stringify(s.const)));
  if (s.enum) out.push(s.enum.map((v: unknown) => code(JSON.stringify(v))).join(", "));
  const variants = variantsOf(s);
  if (variants.length && !variants.some(isObjectSchema)) {
    const typed = new Set(variants.map(typeOf)).size > 1;
    const parts = variants.map((v) => {
      const a = allowedOf(v).join(", ");
      return typed ? `${typeOf(v)}${a ? ` ${a}` : ""}` : a;
    });
    if (parts.some(Boolean)) out.push(parts.filter(Boolean).join(" or "));
  }
  const min = s.minimum !== undefined && s.minimum > -SAFE ? s.minimum : undefined;
  const max = s.maximum !== undefined && s.maximum < SAFE ? s.maximum : undefined;
  if (min !== undefined && max !== undefined) out.push(`${min}–${max}`);
  else if (min !== undefined) out.push(`≥ ${min}`);
  else if (max !== undefined) out.push(`≤ ${max}`);
  if (s.exclusiveMinimum !== undefined) out.push(`> ${s.exclusiveMinimum}`);
  if (s.exclusiveMaximum !== undefined) out.push(`< ${s.exclusiveMaximum}`);
  if (s.minLength !== undefined || s.maxLength !== undefined)
    out.push(
      s.maxLength === undefined
        ? `at least ${s.minLength} character${s.minLength === 1 ? "" : "s"}`
        : `${s.minLength ?? 0}–${s.maxLength} characters`,
    );
  if (s.format === "uri") out.push("a URL");
  if (s.pattern) out.push(`pattern ${code(s.pattern)}`);
  if (s.type === "array") {
    if (s.minItems !== undefined) out.push(`at least ${s.minItems} item${s.minItems === 1 ? "" : "s"}`);
    if (s.maxItems !== undefined) out.push(`at most ${s.maxItems} items`);
    const items = s.items && !isObjectSchema(s.items) && !variantsOf(s.items).some(isObjectSchema);
    const each = items ? allowedOf(s.items) : [];
    if (each.length) out.push(`each: ${each.join(", ")}`);
  }
  if (s.type === "object" && typeof s.additionalProperties === "object") {
    const keys = s.propertyNames ? allowedOf(s.propertyNames) : [];
    if (keys.length) out.push(`keys: ${keys.join(", ")}`);
    const values = isObjectSchema(s.additionalProperties) ? [] : allowedOf(s.additionalProperties);
    if (values.length) out.push(`values: ${values.join(", ")}`);
  }
  return out;
}

// zod's own nodes, for the messages its checks give a refused value (JSON Schema keeps none).
type ZodNode = { _zod: { def: any } };
const WRAPPERS = new Set(["optional", "default", "prefault", "nullable", "readonly", "catch", "nonoptional"]);

/** A node and the nodes it wraps, outermost first (`.default()`, `.optional()`, pipes, lazies). */
function chain(node: ZodNode): ZodNode[] {
  const out: ZodNode[] = [];
  let n: ZodNode | undefined = node;
  while (n) {
    out.push(n);
    const def: any = n._zod.def;
    n = WRAPPERS.has(def.type)
      ? def.innerType
      : def.type === "pipe"
        ? def.in
        : def.type === "lazy"
          ? def.getter()
          : undefined;
  }
  return out;
}

/** The zod nodes at a path (a union's members each give theirs). */
function zodAt(root: ZodNode, segments: readonly Segment[]): ZodNode[] {
  let nodes: ZodNode[] = [root];
  for (const seg of segments)
    nodes = nodes.flatMap((n) => {
      const base = chain(n).at(-1)!;
      const bases =
        base._zod.def.type === "union"
          ? (base._zod.def.options as ZodNode[]).map((o) => chain(o).at(-1)!)
          : [base];
      return bases.flatMap((b): ZodNode[] => {
        const def = b._zod.def;
        if (seg === "[]") return def.type === "array" ? [def.element] : [];
        if (seg === "*") return def.type === "record" ? [def.valueType] : [];
        return def.type === "object" && def.shape[seg] ? [def.shape[seg]] : [];
      });
    });
  return nodes;
}

/** The messages of the checks on a node (a refused value gets them), array items' prefixed "each". */
function messagesOf(node: ZodNode, prefix = ""): string[] {
  const out: string[] = [];
  for (const n of chain(node)) {
    const def = n._zod.def;
    for (const check of def.checks ?? []) {
      const error = check._zod.def.error;
      let message: unknown;
      try {
        message = typeof error === "function" ? error({ input: undefined }) : error;
      } catch {
        message = undefined;
      }
      const text = typeof message === "string" ? message : (message as { message?: string })?.message;
      if (text) out.push(prefix + text);
    }
    if (def.type === "union")
      for (const option of def.options as ZodNode[])
        if (chain(option).at(-1)!._zod.def.type !== "object") out.push(...messagesOf(option, prefix));
    if (def.type === "array") out.push(...messagesOf(def.element, "each: "));
  }
  return [...new Set(out)];
}

/** A documented default as written; in code when it is a literal (`"gitflow"`, `365`, `{ images: {} }`). */
function documentedDefault(text: string): string {
  const literal = /^(?:"[^"]*"|-?\d+(?:\.\d+)?|true|false|null|\[[^`]*\]|\{[^`]*\})$/.test(text);
  return literal ? code(text) : prose(text);
}

function defaultOf(s: Json): string {
  if (s.default === undefined) return "";
  const v = s.default;
  if (v && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length && isObjectSchema(s))
    return "its keys' defaults";
  return code(JSON.stringify(v));
}

/** Every key of the stack file with its type, default, what it allows, whether required, and what it means. */
export function configKeys(
  docs: Map<string, KeyDoc> = schemaDocs(SCHEMA_SOURCE, SCHEMA_EXPORT),
): ConfigKey[] {
  const json = z.toJSONSchema(stackConfigSchema, { io: "input", unrepresentable: "any" }) as Json;
  const groups = new Map<string, Occurrence[]>();
  for (const o of occurrences(json, [], [])) {
    const key = pathKey(o.segments);
    groups.set(key, [...(groups.get(key) ?? []), o]);
  }
  const root = stackConfigSchema as unknown as ZodNode;
  return [...groups.values()].map((group): ConfigKey => {
    const segments = group[0].segments;
    const doc = docs.get(pathKey(segments)) ?? {};
    const types = [...new Set(group.map((o) => typeOf(o.schema)))];
    const consts = group.every((o) => o.schema.const !== undefined);
    const structural = consts
      ? [group.map((o) => code(JSON.stringify(o.schema.const))).join(", ")]
      : [...new Set(group.flatMap((o) => allowedOf(o.schema)))];
    const messages = [...new Set(zodAt(root, segments).flatMap((n) => messagesOf(n)))].map(prose);
    const variants = group.filter((o) => o.variant);
    const inAll = variants.length > 0 && variants.length === variants[0].variant!.of;
    const only = variants.length > 0 && !inAll ? variants.map((o) => o.variant!.label).join(", ") : "";
    const required = group.every((o) => o.required)
      ? only
        ? `required with ${only}`
        : "required"
      : group.some((o) => o.required)
        ? `required with ${group
            .filter((o) => o.required)
            .map((o) => o.variant?.label)
            .join(", ")}`
        : "optional";
    const path = keyPath(segments);
    const variantDocs = Object.entries(doc.variants ?? {}).map(
      ([value, text]) => `${code(value)}: ${prose(text)}`,
    );
    const description = [
      only ? `Only with ${only}.` : "",
      prose(doc.description ?? SUPPLEMENTARY_DESCRIPTIONS[path] ?? ""),
      ...variantDocs,
      prose(doc.note ?? ""),
    ]
      .filter(Boolean)
      .map(linkReadmeSections)
      .join(" ");
    const schemaDefault = group.map((o) => defaultOf(o.schema)).find(Boolean) ?? "";
    return {
      segments,
      path,
      type: types.join(" | "),
      default: doc.default !== undefined ? documentedDefault(doc.default) : schemaDefault,
      allowed: [...messages, ...structural].join("; "),
      required,
      description,
    };
  });
}

/** One key's entry: its path as a heading, then type, whether required, default, what is allowed, and what it means. */
function entry(k: ConfigKey): string {
  const facts = [code(k.type), k.required, ...(k.default ? [`default: ${k.default}`] : [])].join(" · ");
  return [
    `### ${code(k.path)}`,
    "",
    facts,
    ...(k.allowed ? ["", `Allowed: ${k.allowed}`] : []),
    "",
    k.description,
  ].join("\n");
}

/**
 * The reference's sections: the stack-wide keys (the top-level keys without keys of their own),
 * then one section per top-level object or list, each key an entry with a heading of its own (so
 * a guide can link to it).
 */
export function configReference(keys: readonly ConfigKey[] = configKeys()): string {
  const tops = [...new Set(keys.map((k) => k.segments[0]))];
  const nested = (top: string) => keys.some((k) => k.segments[0] === top && k.segments.length > 1);
  const flat = tops.filter((t) => !nested(t));
  const section = (title: string, members: readonly ConfigKey[]) =>
    [title, ...members.map(entry)].join("\n\n");
  const contents = [
    "[Stack-wide keys](#stack-wide-keys)",
    ...tops.filter(nested).map((top) => `[${code(top)}](#${githubSlug(code(top))})`),
  ].join(" · ");
  return [
    `Sections: ${contents}.`,
    section(
      "## Stack-wide keys",
      keys.filter((k) => flat.includes(k.segments[0])),
    ),
    ...tops.filter(nested).map((top) =>
      section(
        `## \`${top}\``,
        keys.filter((k) => k.segments[0] === top),
      ),
    ),
  ].join("\n\n");
}
