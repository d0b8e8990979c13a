/**
 * The benchmark's honest limit: a "bare" program that registers exactly the resources a stack's
 * evaluation registered — same types, names, parents, providers, dependency edges and inputs —
 * through the core SDK classes alone, with none of the program's logic and none of the provider
 * SDKs' resource classes. The program can approach this limit, not pass it; the floor (SDK modules
 * loaded, nothing registered) is a lower bound no program registering resources reaches.
 */
import { createHash } from "crypto";
import * as pulumi from "@pulumi/pulumi";
import type { RecordedResource } from "../harness/evaluate";

/** One resource of a bare plan; references are indices into the plan, which is in creation order. */
export interface BareResource {
  readonly type: string;
  readonly name: string;
  readonly custom: boolean;
  readonly parent?: number;
  readonly provider?: number;
  readonly dependsOn: number[];
  readonly inputs: Record<string, unknown>;
}

const urnOfRef = (ref: string) => ref.split("::").slice(0, -1).join("::");

/**
 * The plan of a recorded evaluation: resources ordered so each comes after its parent, provider
 * and dependencies (the order a program must create them in).
 */
export function barePlan(resources: readonly RecordedResource[]): BareResource[] {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const order: RecordedResource[] = [];
  const placed = new Set<string>();
  const visit = (r: RecordedResource, path: Set<string>) => {
    if (placed.has(r.urn)) return;
    if (path.has(r.urn)) throw new Error(`dependency cycle through ${r.urn}`);
    path.add(r.urn);
    const before = [r.parent, r.provider && urnOfRef(r.provider), ...r.dependencies].filter(
      (u): u is string => !!u && byUrn.has(u),
    );
    for (const u of before) visit(byUrn.get(u)!, path);
    placed.add(r.urn);
    order.push(r);
  };
  for (const r of resources) visit(r, new Set());
  const index = new Map(order.map((r, i) => [r.urn, i]));
  return order.map((r) => ({
    type: r.type,
    name: r.name,
    custom: r.custom,
    parent: r.parent ? index.get(r.parent) : undefined,
    provider: r.provider ? index.get(urnOfRef(r.provider)) : undefined,
    dependsOn: r.dependencies.filter((u) => index.has(u)).map((u) => index.get(u)!),
    inputs: JSON.parse(JSON.stringify(r.inputs ?? {})) as Record<string, unknown>,
  }));
}

// The SDK's base classes, made concrete: a program registers resources through nothing else.
class BareCustom extends pulumi.CustomResource {}
class BareProvider extends pulumi.ProviderResource {}
class BareComponent extends pulumi.ComponentResource {
  done(): void {
    this.registerOutputs({});
  }
}

/** Registers a plan's resources with the core SDK classes; returns nothing to export. */
export function runBarePlan(plan: readonly BareResource[]): Record<string, unknown> {
  const made: pulumi.Resource[] = [];
  for (const r of plan) {
    const opts: pulumi.CustomResourceOptions = {
      parent: r.parent !== undefined ? made[r.parent] : undefined,
      dependsOn: r.dependsOn.map((i) => made[i]),
    };
    if (r.provider !== undefined) opts.provider = made[r.provider] as pulumi.ProviderResource;
    if (r.type.startsWith("pulumi:providers:"))
      made.push(new BareProvider(r.type.slice("pulumi:providers:".length), r.name, r.inputs, opts));
    else if (r.custom) made.push(new BareCustom(r.type, r.name, r.inputs, opts));
    else if (r.provider !== undefined)
      // A component with a provider is a remote (multi-language) component, such as Helm's Chart v4.
      made.push(new BareComponent(r.type, r.name, r.inputs, opts, true));
    else {
      const component = new BareComponent(r.type, r.name, {}, opts);
      component.done();
      made.push(component);
    }
  }
  return {};
}

/**
 * What must match between a stack and its bare program: each resource's URN, parent, provider
 * and dependencies, as one digest (inputs are copied, so they match by construction).
 */
export function registrationDigest(resources: readonly RecordedResource[]): string {
  const lines = resources
    .map((r) =>
      [
        r.urn,
        r.parent ?? "",
        r.provider ? urnOfRef(r.provider) : "",
        [...r.dependencies].sort().join(","),
      ].join(" "),
    )
    .sort();
  return createHash("sha256").update(lines.join("\n")).digest("hex").slice(0, 16);
}
