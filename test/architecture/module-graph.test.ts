// The module graph of src/ has no cycle: each module can be read (and loaded) after the modules it
// imports. Type-only imports are erased and load nothing, so they do not count. The config rules
// import their areas' files, which import the problem vocabulary from a leaf (config/problem.ts),
// never the rule list back.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";

const SRC = path.resolve(__dirname, "../../src");

/** Value imports and re-exports (`import type` / `export type` are erased). */
const IMPORT = /^(?!import type|export type)(?:import|export)\b[^;]*?\bfrom\s*["'](\.{1,2}\/[^"']+)["']/gm;

function graphOf(files: Record<string, string>): Map<string, string[]> {
  const resolve = (from: string, spec: string) => {
    const base = path.posix.normalize(path.posix.join(path.posix.dirname(from), spec));
    return [`${base}.ts`, `${base}/index.ts`, base].find((c) => c in files);
  };
  return new Map(
    Object.entries(files).map(([file, text]) => [
      file,
      [...text.matchAll(IMPORT)].map((m) => resolve(file, m[1])).filter((d): d is string => d !== undefined),
    ]),
  );
}

/** The cycles of a graph (strongly connected components of more than one module, or a self-import). */
export function cyclesOf(graph: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) out.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return out;
}

function sources(dir: string, prefix = ""): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) Object.assign(out, sources(path.join(dir, e.name), rel));
    else if (e.name.endsWith(".ts")) out[rel] = fs.readFileSync(path.join(dir, e.name), "utf8");
  }
  return out;
}

describe("the module graph of src/", () => {
  it("reads the imports of every module", () => {
    const graph = graphOf(sources(SRC));
    assert.ok(graph.size > 100, `${graph.size} modules`);
    assert.ok(graph.get("config/rules.ts")!.includes("config/problem.ts"));
  });

  it("has no cycle", () => {
    assert.deepEqual(cyclesOf(graphOf(sources(SRC))), []);
  });

  it("would find a cycle an area file closed by importing the rule list back, and ignores type-only imports", () => {
    const files = {
      "config/rules.ts": 'import { dnsRules } from "./dns";\nexport const rules = [dnsRules];',
      "config/dns.ts": 'import { keyOf } from "./rules";\nexport const dnsRules = () => [keyOf];',
      "config/schema.ts": 'import { dnsSchema } from "./dns-schema";',
      "config/dns-schema.ts": 'import type { StackConfig } from "./schema";\nexport const dnsSchema = 1;',
    };
    assert.deepEqual(cyclesOf(graphOf(files)), [["config/dns.ts", "config/rules.ts"]]);
  });
});
