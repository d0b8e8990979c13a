/**
 * Runs this pack's policies the way the policy analyzer does: props deserialised from the
 * engine's wire form, wrapped in `unknownCheckingProxy`, enforcement taken from the rule's default
 * or a `--policy-pack-config` style file, and a check that touches a value unknown during preview
 * reported as advisory "could not check" instead of a violation.
 */
import {
  EnforcementLevel,
  PolicyResource,
  ResourceValidationPolicy,
  StackValidationPolicy,
  unknownCheckingProxy,
  UnknownValueError,
} from "@pulumi/policy";
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { deserializeProperties } = require("@pulumi/policy/deserialize");
import * as fs from "fs";
import * as path from "path";
import { isStackPolicy, Policy, policies as allPolicies } from "../../policy/policies";
import { RecordedResource } from "./evaluate";

export interface Finding {
  readonly policy: string;
  readonly enforcement: EnforcementLevel;
  readonly severity?: string;
  readonly resource?: string;
  readonly message: string;
  /** True when the policy could not run because a value is unknown during preview. */
  readonly unknown?: boolean;
}

/** `--policy-pack-config` format: `{ "all"?: level, "<policy>": level | { enforcementLevel?, ...config } }`. */
export type PackConfig = Record<
  string,
  EnforcementLevel | ({ enforcementLevel?: EnforcementLevel } & Record<string, unknown>)
>;

import { POLICY_CONFIG_DIR } from "../paths";

export { POLICY_CONFIG_DIR };

export function readPackConfig(stack: string): PackConfig {
  const file = path.join(POLICY_CONFIG_DIR, `${stack}.json`);
  return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : {};
}

function enforcementOf(p: Policy, config: PackConfig): EnforcementLevel {
  const entry = config[p.name];
  const level = typeof entry === "string" ? entry : entry?.enforcementLevel;
  return level ?? (config.all as EnforcementLevel | undefined) ?? p.enforcementLevel ?? "advisory";
}
function ruleConfig(p: Policy, config: PackConfig): Record<string, unknown> {
  const entry = config[p.name];
  if (!entry || typeof entry === "string") return {};
  return Object.fromEntries(Object.entries(entry).filter(([k]) => k !== "enforcementLevel"));
}

/** Resources as the engine hands them to stack policies. */
export function toPolicyResources(resources: RecordedResource[]): PolicyResource[] {
  const byUrn = new Map<string, PolicyResource>();
  const out = resources.map((r) => {
    const pr: any = {
      type: r.type,
      name: r.name,
      urn: r.urn,
      props: unknownCheckingProxy(deserializeProperties(r.rawInputs, false)),
      opts: {
        protect: r.protect,
        ignoreChanges: [],
        aliases: [],
        customTimeouts: {},
        additionalSecretOutputs: [],
      },
      dependencies: [],
      propertyDependencies: {},
      isType: () => false,
      asType: () => undefined,
    };
    byUrn.set(r.urn, pr);
    return { pr, r };
  });
  for (const { pr, r } of out) {
    pr.dependencies = r.dependencies.map((u) => byUrn.get(u)).filter(Boolean);
    pr.propertyDependencies = Object.fromEntries(
      Object.entries(r.propertyDependencies).map(([k, urns]) => [
        k,
        urns.map((u) => byUrn.get(u)).filter(Boolean),
      ]),
    );
    pr.parent = r.parent ? byUrn.get(r.parent) : undefined;
  }
  return out.map((o) => o.pr);
}

/** Runs one resource policy on one resource (props in plain or wire form). */
export function checkResource(
  policy: ResourceValidationPolicy,
  type: string,
  props: Record<string, any>,
  options: { name?: string; config?: Record<string, unknown>; enforcement?: EnforcementLevel } = {},
): Finding[] {
  const findings: Finding[] = [];
  const name = options.name ?? "subject";
  const args: any = {
    type,
    name,
    urn: `urn:pulumi:test::platform::${type}::${name}`,
    props: unknownCheckingProxy(props),
    opts: {},
    stackTags: new Map(),
    getConfig: () => options.config ?? {},
    isType: () => false,
    asType: () => undefined,
    notApplicable: () => undefined,
  };
  const enforcement = options.enforcement ?? policy.enforcementLevel ?? "advisory";
  const validate = Array.isArray(policy.validateResource)
    ? policy.validateResource
    : [policy.validateResource];
  try {
    for (const v of validate) {
      void v?.(args, (message: string) =>
        findings.push({
          policy: policy.name,
          enforcement,
          severity: policy.severity,
          resource: name,
          message,
        }),
      );
    }
  } catch (e) {
    if (!(e instanceof UnknownValueError)) throw e;
    return [
      {
        policy: policy.name,
        enforcement: "advisory",
        severity: policy.severity,
        resource: name,
        unknown: true,
        message: `could not check during preview: ${(e as Error).message}`,
      },
    ];
  }
  return findings;
}

/** Runs a rule's remediation on one resource; the corrected props, or undefined when nothing changed. */
export function checkRemediation(
  policy: ResourceValidationPolicy,
  type: string,
  props: Record<string, any>,
  name = "subject",
): Record<string, any> | undefined {
  if (!policy.remediateResource) return undefined;
  const args: any = {
    type,
    name,
    urn: `urn:pulumi:test::platform::${type}::${name}`,
    props: unknownCheckingProxy(props),
    opts: {},
    getConfig: () => ({}),
  };
  try {
    return (policy.remediateResource(args) as Record<string, any> | undefined) ?? undefined;
  } catch (e) {
    if (e instanceof UnknownValueError) return undefined;
    throw e;
  }
}

/** Runs one stack policy over a set of resources. */
export function checkStack(
  policy: StackValidationPolicy,
  resources: PolicyResource[],
  options: { config?: Record<string, unknown>; enforcement?: EnforcementLevel } = {},
): Finding[] {
  const findings: Finding[] = [];
  const enforcement = options.enforcement ?? policy.enforcementLevel ?? "advisory";
  const byUrn = new Map(resources.map((r) => [r.urn, r.name]));
  try {
    void policy.validateStack(
      { resources, getConfig: () => options.config ?? {} } as any,
      (message: string, urn?: string) =>
        findings.push({
          policy: policy.name,
          enforcement,
          severity: policy.severity,
          resource: urn ? (byUrn.get(urn) ?? urn) : undefined,
          message,
        }),
    );
  } catch (e) {
    if (!(e instanceof UnknownValueError)) throw e;
    return [
      {
        policy: policy.name,
        enforcement: "advisory",
        severity: policy.severity,
        unknown: true,
        message: `could not check during preview: ${(e as Error).message}`,
      },
    ];
  }
  return findings;
}

export interface GateResult {
  readonly findings: Finding[];
  /** Policy runs on a resource of its types, plus one run per stack policy. */
  readonly checks: number;
  /** Resource × policy pairs considered (a policy's type filter is part of the check), plus stack policies. */
  readonly pairs: number;
  readonly mandatory: Finding[];
}

/** Every policy over every recorded resource (resource policies) and the whole set (stack policies). */
export function runGate(
  resources: RecordedResource[],
  config: PackConfig = {},
  policies: Policy[] = allPolicies,
): GateResult {
  const policyResources = toPolicyResources(resources);
  const findings: Finding[] = [];
  let checks = 0;
  let pairs = 0;
  for (const p of policies) {
    const enforcement = enforcementOf(p, config);
    if (enforcement === "disabled") continue;
    const cfg = ruleConfig(p, config);
    if (isStackPolicy(p)) {
      checks++;
      pairs++;
      findings.push(...checkStack(p, policyResources, { config: cfg, enforcement }));
      continue;
    }
    const rp = p as ResourceValidationPolicy;
    const types: readonly string[] | undefined = (p as any).types;
    pairs += policyResources.length;
    policyResources.forEach((r, i) => {
      if (types && !types.includes(r.type)) return;
      checks++;
      const name = resources[i].name;
      let props = r.props as Record<string, any>;
      // As the engine does: at `remediate`, the fix runs first and validation sees its result; a
      // rule without a fix at `remediate` behaves as mandatory.
      if (enforcement === "remediate" && rp.remediateResource) {
        const fixed = checkRemediation(rp, r.type, props, name);
        if (fixed) {
          findings.push({
            policy: p.name,
            enforcement: "remediate",
            severity: p.severity,
            resource: name,
            message: "remediated automatically",
          });
          props = fixed;
        }
      }
      const level = enforcement === "remediate" ? "mandatory" : enforcement;
      findings.push(...checkResource(rp, r.type, props, { name, config: cfg, enforcement: level }));
    });
  }
  return { findings, checks, pairs, mandatory: findings.filter((f) => f.enforcement === "mandatory") };
}
