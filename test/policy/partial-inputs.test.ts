import { strict as assert } from "assert";
import {
  ResourceValidationPolicy,
  StackValidationPolicy,
  unknownCheckingProxy,
  PolicyResource,
} from "@pulumi/policy";
import { isStackPolicy, policies } from "../../policy/policies";
import { checkResource, checkStack } from "../../dev/harness/policy-harness";
import { FIXTURES, ResourceFixture, StackFixture } from "./fixtures";

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** A JSON-encoded object or array inside a string (task definitions, IAM documents), decoded. */
function decoded(value: Json): { value: Json; encode: (v: Json) => Json } | undefined {
  if (typeof value !== "string" || !/^[[{]/.test(value)) return undefined;
  try {
    return { value: JSON.parse(value) as Json, encode: (v) => JSON.stringify(v) };
  } catch {
    return undefined;
  }
}

/**
 * Every copy of `input` with one thing missing: each property removed, each object emptied, each
 * list emptied and each list element replaced by an empty object, at every depth (through
 * JSON-encoded strings too). Real resources leave most optional properties unset.
 */
export function partialCopies(input: Json): { path: string; value: Json }[] {
  const out: { path: string; value: Json }[] = [];
  const walk = (v: Json, path: string, rebuild: (replacement: Json) => Json) => {
    const inner = decoded(v);
    if (inner) return walk(inner.value, `${path}(json)`, (r) => rebuild(inner.encode(r)));
    if (Array.isArray(v)) {
      out.push({ path: `${path} = []`, value: rebuild([]) });
      v.forEach((el, i) => {
        const with_ = (r: Json) => rebuild(v.map((x, j) => (j === i ? r : x)));
        walk(el, `${path}[${i}]`, with_);
      });
    } else if (v !== null && typeof v === "object") {
      if (path) out.push({ path: `${path} = {}`, value: rebuild({}) });
      for (const k of Object.keys(v)) {
        const rest = { ...v };
        delete rest[k];
        out.push({ path: `${path}.${k} removed`, value: rebuild(rest) });
        walk(v[k], `${path}.${k}`, (r) => rebuild({ ...v, [k]: r }));
      }
    }
  };
  walk(input, "", (r) => r);
  return out;
}

describe("policy rules on partial inputs", () => {
  it("partial copies remove, empty and replace one thing at every depth", () => {
    assert.deepEqual(
      partialCopies({ a: { b: 1 }, l: [{ c: 2 }], s: '{"d":3}' }).map((p) => p.path),
      [
        ".a removed",
        ".a = {}",
        ".a.b removed",
        ".l removed",
        ".l = []",
        ".l[0] = {}",
        ".l[0].c removed",
        ".s removed",
        ".s(json) = {}",
        ".s(json).d removed",
      ],
    );
    assert.deepEqual(partialCopies({ s: '{"d":3}' })[1].value, { s: "{}" });
  });

  for (const policy of policies) {
    const fixture = FIXTURES[policy.name];
    if (!fixture) continue;
    if (isStackPolicy(policy)) {
      const f = fixture as StackFixture;
      it(`${policy.name} checks stacks whose resources lack any one property without failing`, () => {
        for (const list of [f.good, f.bad])
          list.forEach((r, i) => {
            for (const copy of partialCopies(r.props as Json)) {
              const resources = list.map((x, j) => ({
                type: x.type,
                name: x.name,
                urn: `urn:pulumi:test::p::${x.type}::${x.name}`,
                props: unknownCheckingProxy(j === i ? (copy.value as any) : x.props),
                dependencies: [],
                propertyDependencies: {},
                opts: {},
              })) as unknown as PolicyResource[];
              assert.doesNotThrow(
                () => checkStack(policy as StackValidationPolicy, resources),
                `${r.name}${copy.path}`,
              );
            }
          });
      });
    } else {
      const f = fixture as ResourceFixture;
      it(`${policy.name} checks a resource lacking any one property without failing`, () => {
        for (const [type, props] of [
          [f.goodType ?? f.type, f.good],
          [f.type, f.bad],
        ] as const)
          for (const copy of partialCopies(props as Json))
            assert.doesNotThrow(
              () =>
                checkResource(policy as ResourceValidationPolicy, type, copy.value as Record<string, any>, {
                  config: f.config,
                }),
              copy.path,
            );
      });
    }
  }
});
