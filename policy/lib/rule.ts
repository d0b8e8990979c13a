/**
 * How every rule in this pack is declared: a name, the anchors it implements, a severity (which
 * sets the default enforcement: high and critical are mandatory), remediation steps, and a pure
 * check that returns messages. Checks read `props` through the runtime's unknown-checking proxy,
 * so a value unknown during preview aborts the check and the engine reports it as advisory
 * ("can't run policy … during preview") instead of a mandatory violation.
 */
import {
  EnforcementLevel,
  PolicyConfigSchema,
  PolicyResource,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationPolicy,
} from "@pulumi/policy";

export type Severity = "low" | "medium" | "high" | "critical";

export interface RuleMeta {
  /** `<family>-<resource>-<verb-phrase>`. */
  readonly name: string;
  /** Ids from POLICY-ANCHORS (CKV_…, AVD-…, KL, Z, CP, AG, FSBP). */
  readonly anchors: readonly string[];
  /** One sentence: what must hold. */
  readonly summary: string;
  readonly severity: Severity;
  readonly remediation: string;
  /** Per-rule settings (JSON schema properties) with defaults. */
  readonly config?: Record<
    string,
    {
      type: string;
      default: unknown;
      description: string;
      items?: { type: string };
      enum?: readonly string[];
    }
  >;
}

/**
 * An automatic fix, applied by the engine only when a stack's policy config sets the rule to
 * `remediate`. Reserved for flags whose change is in-place, loses no data and alters no identity
 * or network path for valid traffic; `why` says why this one qualifies (shown in the README).
 */
export interface RuleFix {
  readonly why: string;
  /** Returns the corrected props, or undefined when nothing needs changing. */
  readonly apply: (props: Record<string, any>) => Record<string, any> | undefined;
}

export function defaultEnforcement(severity: Severity): EnforcementLevel {
  return severity === "high" || severity === "critical" ? "mandatory" : "advisory";
}

function configSchema(meta: RuleMeta): PolicyConfigSchema | undefined {
  if (!meta.config) return undefined;
  return { properties: Object.fromEntries(Object.entries(meta.config).map(([k, v]) => [k, v as any])) };
}

/** Config values with the rule's defaults filled in. */
function withDefaults(meta: RuleMeta, given: Record<string, unknown> | undefined): Record<string, any> {
  const out: Record<string, any> = {};
  for (const [k, v] of Object.entries(meta.config ?? {})) out[k] = given?.[k] ?? v.default;
  return out;
}

function base(meta: RuleMeta) {
  return {
    name: meta.name,
    description: `${meta.summary} [${meta.anchors.join(", ")}]`,
    enforcementLevel: defaultEnforcement(meta.severity),
    severity: meta.severity,
    remediationSteps: meta.remediation,
    configSchema: configSchema(meta),
  };
}

export interface ResourceCheckContext {
  readonly type: string;
  readonly name: string;
  readonly config: Record<string, any>;
}

/** A rule over single resources of the given types. */
export function resourceRule(
  meta: RuleMeta & { readonly types: readonly string[]; readonly fix?: RuleFix },
  check: (props: any, ctx: ResourceCheckContext) => string[],
): ResourceValidationPolicy & {
  readonly types: readonly string[];
  readonly anchors: readonly string[];
  readonly fix?: RuleFix;
} {
  return {
    ...base(meta),
    types: meta.types,
    anchors: meta.anchors,
    fix: meta.fix,
    remediateResource: meta.fix
      ? (args) =>
          meta.types.includes(args.type) ? meta.fix!.apply(args.props as Record<string, any>) : undefined
      : undefined,
    validateResource: (args: ResourceValidationArgs, report) => {
      if (!meta.types.includes(args.type)) return;
      const config = withDefaults(meta, meta.config ? args.getConfig<Record<string, unknown>>() : undefined);
      for (const message of check(args.props, { type: args.type, name: args.name, config })) report(message);
    },
  };
}

/** A rule over relations between resources (every X has a Y). */
export function stackRule(
  meta: RuleMeta,
  check: (resources: PolicyResource[], config: Record<string, any>) => { urn?: string; message: string }[],
): StackValidationPolicy & { readonly anchors: readonly string[] } {
  return {
    ...base(meta),
    anchors: meta.anchors,
    validateStack: (args, report) => {
      const config = withDefaults(meta, meta.config ? args.getConfig<Record<string, unknown>>() : undefined);
      for (const v of check(args.resources, config)) report(v.message, v.urn);
    },
  };
}

/** Parses a JSON-string property (IAM documents, container definitions); objects pass through. */
export function parseJson(value: unknown): any {
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}

export const asArray = <T>(v: T | T[] | undefined | null): T[] =>
  v === undefined || v === null ? [] : Array.isArray(v) ? v : [v];
