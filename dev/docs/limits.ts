/**
 * The limit tables of the configuration reference: every exported constant of the modules that
 * hold the real APIs' limits as data (src/config/api-limits.ts, release-limits.ts, aws-catalog.ts),
 * with its value as the program loads it and its doc comment, which cites the source. A constant
 * whose value is a table of tables (PHYSICAL_NAME_LIMITS) gets a table of its own, each row with
 * the comment above it in the source.
 */
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";
import { ROOT } from "../../src/config/stack-files";
import { code, prose, table } from "./markdown";
import { parseComment } from "./schema-docs";

/** The modules whose exported constants are limits, with what their table is called. */
export const LIMIT_MODULES: readonly { readonly file: string; readonly title: string }[] = [
  { file: "src/config/api-limits.ts", title: "Limits of the real APIs" },
  { file: "src/config/release-limits.ts", title: "Time limits of a release" },
  { file: "src/config/aws-catalog.ts", title: "What AWS has" },
];

interface Constant {
  readonly name: string;
  readonly doc: string;
  readonly value: unknown;
  /** Comments above each property of an object literal, by property name. */
  readonly propertyNotes: Readonly<Record<string, string>>;
}

const isFunction = (e: ts.Expression) => ts.isArrowFunction(e) || ts.isFunctionExpression(e);

function constants(file: string): Constant[] {
  const fileName = path.join(ROOT, file);
  const sf = ts.createSourceFile(fileName, fs.readFileSync(fileName, "utf8"), ts.ScriptTarget.ES2022, true);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const loaded = require(fileName) as Record<string, unknown>;
  const out: Constant[] = [];
  for (const st of sf.statements) {
    if (!ts.isVariableStatement(st) || !st.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword))
      continue;
    const jsdoc = (ts.getLeadingCommentRanges(sf.text, st.getFullStart()) ?? [])
      .map((r) => sf.text.slice(r.pos, r.end))
      .filter((c) => c.startsWith("/**"))
      // The last block only: a file's own header comment may sit above its first statement.
      .slice(-1)
      .map((c) => parseComment(c).description ?? "")
      .join(" ");
    for (const d of st.declarationList.declarations) {
      if (!ts.isIdentifier(d.name) || !d.initializer || isFunction(d.initializer)) continue;
      const notes: Record<string, string> = {};
      let init: ts.Expression = d.initializer;
      while (ts.isAsExpression(init) || ts.isSatisfiesExpression(init)) init = init.expression;
      if (ts.isObjectLiteralExpression(init))
        for (const p of init.properties) {
          const name =
            p.name && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) ? p.name.text : undefined;
          const comment = (ts.getLeadingCommentRanges(sf.text, p.getFullStart()) ?? [])
            .map((r) => parseComment(sf.text.slice(r.pos, r.end)).description ?? "")
            .join(" ");
          if (name && comment) notes[name] = comment;
        }
      out.push({ name: d.name.text, doc: jsdoc, value: loaded[d.name.text], propertyNotes: notes });
    }
  }
  return out;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof RegExp);

function valueText(v: unknown): string {
  if (v instanceof RegExp) return code(String(v));
  if (Array.isArray(v))
    return v.map((x) => code(typeof x === "object" ? JSON.stringify(x) : String(x))).join(", ");
  if (isPlainObject(v))
    return Object.entries(v)
      .map(([k, x]) => `${k}: ${code(typeof x === "string" ? JSON.stringify(x) : String(x))}`)
      .join(", ");
  return code(typeof v === "string" ? JSON.stringify(v) : String(v));
}

/** One table per limit module, and one for each table-of-tables constant. */
export function limitsSection(): string {
  const sections: string[] = [];
  for (const { file, title } of LIMIT_MODULES) {
    const all = constants(file);
    const nested = all.filter((c) => isPlainObject(c.value) && Object.values(c.value).every(isPlainObject));
    const flat = all.filter((c) => !nested.includes(c));
    sections.push(
      [
        `### ${title}`,
        "",
        `From \`${file}\`.`,
        "",
        table(
          ["constant", "value", "what and where it comes from"],
          flat.map((c) => [code(c.name), valueText(c.value), prose(c.doc)]),
        ),
      ].join("\n"),
    );
    for (const c of nested) {
      const rows = Object.entries(c.value as Record<string, Record<string, unknown>>);
      const columns = [...new Set(rows.flatMap(([, v]) => Object.keys(v)))];
      sections.push(
        [
          `### \`${c.name}\``,
          "",
          prose(c.doc),
          "",
          table(
            ["key", ...columns, "source"],
            rows.map(([k, v]) => [
              code(k),
              ...columns.map((col) => prose(String(v[col] ?? ""))),
              prose(c.propertyNotes[k] ?? ""),
            ]),
          ),
        ].join("\n"),
      );
    }
  }
  return sections.join("\n\n");
}
