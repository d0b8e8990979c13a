/**
 * The doc comments of the stack config schema, by key path. zod keeps no comments at run time, so
 * they are read from the source with the TypeScript compiler API: starting at the exported schema,
 * every `z.strictObject({ … })` property (JSDoc, or the `//` comments above it) is recorded under
 * its path, following identifiers to their declarations across `src/config/` (and what it
 * imports), through `.default()`/`.optional()`/`.pick()`/`.extend()` chains, arrays (`[]`),
 * records (`*`), unions and spreads. `@default` tags are kept apart: the reference shows them as
 * the key's default, which says more than the schema's value ("2 (production requires 3)").
 */
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";

/** What the source says about one key. */
export interface KeyDoc {
  readonly description?: string;
  /** The `@default` tag's text. */
  readonly default?: string;
  /** The `//` comments above the key: notes on where a limit comes from. */
  readonly note?: string;
  /** A discriminated union's variants by discriminator value: their doc comments. */
  readonly variants?: Readonly<Record<string, string>>;
}

/** A path segment: a key, `[]` for an array's items, `*` for a record's values. */
export type Segment = string;
export const pathKey = (segments: readonly Segment[]): string => segments.join("\u0000");

/** The text and `@default` of a comment block (`/** … *\/` or `//` lines). */
export function parseComment(raw: string): { description?: string; default?: string } {
  const lines = raw.startsWith("/*")
    ? raw
        .replace(/^\/\*\*?/, "")
        .replace(/\*\/$/, "")
        .split("\n")
        .map((l) => l.replace(/^\s*\*? ?/, ""))
    : raw.split("\n").map((l) => l.replace(/^\s*\/\/ ?/, ""));
  const text = lines.join("\n");
  // Tags start a line or follow a space (an address such as a@b is text).
  const at = text.search(/(?:^|\s)@[A-Za-z]+\b/);
  const body = at < 0 ? text : text.slice(0, at);
  const tags =
    at < 0
      ? []
      : text
          .slice(at)
          .trim()
          .split(/\s(?=@[A-Za-z]+\b)/);
  const squash = (s: string) => s.replace(/\s+/g, " ").trim();
  const defaultTag = tags.find((t) => t.startsWith("@default"));
  const description = squash(body);
  const dflt = defaultTag ? squash(defaultTag.slice("@default".length)) : "";
  return { ...(description ? { description } : {}), ...(dflt ? { default: dflt } : {}) };
}

/**
 * The comments right above a node: its JSDoc (description and `@default`) and, unless
 * `jsdocOnly`, its `//` comments as a note.
 */
function leadingComment(node: ts.Node, jsdocOnly: boolean): KeyDoc {
  const sf = node.getSourceFile();
  const ranges = ts.getLeadingCommentRanges(sf.text, node.getFullStart()) ?? [];
  const comments = ranges.map((r) => sf.text.slice(r.pos, r.end));
  // The last block only: a file's own header comment may sit above its first statement.
  const jsdoc = comments
    .filter((c) => c.startsWith("/**"))
    .slice(-1)
    .map(parseComment);
  const notes = jsdocOnly
    ? []
    : comments
        .filter((c) => c.startsWith("//") && !/^\/\/\s*(eslint|prettier)/.test(c))
        .map((c) => parseComment(c).description)
        .filter(Boolean);
  const description = jsdoc
    .map((p) => p.description)
    .filter(Boolean)
    .join(" ");
  const dflt = jsdoc.map((p) => p.default).find(Boolean);
  return {
    ...(description ? { description } : {}),
    ...(dflt ? { default: dflt } : {}),
    ...(notes.length ? { note: notes.join(" ") } : {}),
  };
}

interface Declaration {
  readonly initializer: ts.Expression;
  readonly statement: ts.Node;
}

/** The source files of the schema, parsed once each, and what their identifiers name. */
class Sources {
  private readonly files = new Map<string, ts.SourceFile>();

  file(fileName: string): ts.SourceFile {
    let sf = this.files.get(fileName);
    if (!sf) {
      sf = ts.createSourceFile(fileName, fs.readFileSync(fileName, "utf8"), ts.ScriptTarget.ES2022, true);
      this.files.set(fileName, sf);
    }
    return sf;
  }

  /** The top-level `const` an identifier names in its file, following relative imports. */
  resolve(id: ts.Identifier): Declaration | undefined {
    return this.declared(id.getSourceFile(), id.text, new Set());
  }

  private declared(sf: ts.SourceFile, name: string, seen: Set<string>): Declaration | undefined {
    const key = `${sf.fileName}#${name}`;
    if (seen.has(key)) return undefined;
    seen.add(key);
    for (const st of sf.statements) {
      if (ts.isVariableStatement(st))
        for (const d of st.declarationList.declarations)
          if (ts.isIdentifier(d.name) && d.name.text === name && d.initializer)
            return { initializer: d.initializer, statement: st };
      const from = (spec: ts.Expression) =>
        ts.isStringLiteral(spec) && spec.text.startsWith(".")
          ? moduleFile(sf.fileName, spec.text)
          : undefined;
      if (ts.isImportDeclaration(st) && !st.importClause?.isTypeOnly) {
        const bindings = st.importClause?.namedBindings;
        if (bindings && ts.isNamedImports(bindings))
          for (const el of bindings.elements)
            if (el.name.text === name) {
              const target = from(st.moduleSpecifier);
              return target
                ? this.declared(this.file(target), (el.propertyName ?? el.name).text, seen)
                : undefined;
            }
      }
      if (
        ts.isExportDeclaration(st) &&
        st.moduleSpecifier &&
        st.exportClause &&
        ts.isNamedExports(st.exportClause)
      )
        for (const el of st.exportClause.elements)
          if (el.name.text === name) {
            const target = from(st.moduleSpecifier);
            return target
              ? this.declared(this.file(target), (el.propertyName ?? el.name).text, seen)
              : undefined;
          }
    }
    return undefined;
  }
}

function moduleFile(from: string, spec: string): string | undefined {
  const base = path.resolve(path.dirname(from), spec);
  return [`${base}.ts`, path.join(base, "index.ts")].find((f) => fs.existsSync(f));
}

function unwrap(e: ts.Expression): ts.Expression {
  while (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isSatisfiesExpression(e))
    e = e.expression;
  return e;
}

const isZ = (e: ts.Expression) => ts.isIdentifier(e) && e.text === "z";

/**
 * The doc comments of every key under the schema `exportName` of `file`, by `pathKey` of its
 * segments (`["services", "[]", "build", "containers"]`).
 */
export function schemaDocs(file: string, exportName: string): Map<string, KeyDoc> {
  const sources = new Sources();
  const docs = new Map<string, KeyDoc>();
  const set = (segments: Segment[], doc: KeyDoc) => {
    const key = pathKey(segments);
    const had = docs.get(key) ?? {};
    docs.set(key, {
      ...had,
      ...(had.description === undefined && doc.description ? { description: doc.description } : {}),
      ...(had.default === undefined && doc.default ? { default: doc.default } : {}),
      ...(had.note === undefined && doc.note ? { note: doc.note } : {}),
      ...(doc.variants ? { variants: { ...had.variants, ...doc.variants } } : {}),
    });
  };

  const walk = (expr: ts.Expression, segments: Segment[], inherit: boolean, seen: ReadonlySet<ts.Node>) => {
    const e = unwrap(expr);
    if (ts.isIdentifier(e)) {
      const decl = sources.resolve(e);
      if (!decl || seen.has(decl.initializer)) return;
      if (inherit) set(segments, leadingComment(decl.statement, true));
      walk(decl.initializer, segments, inherit, new Set([...seen, decl.initializer]));
      return;
    }
    if (!ts.isCallExpression(e) || !ts.isPropertyAccessExpression(e.expression)) return;
    const method = e.expression.name.text;
    const receiver = e.expression.expression;
    const [first, second] = e.arguments;
    if (isZ(receiver)) {
      if (["strictObject", "object", "looseObject"].includes(method) && first)
        properties(first, segments, seen);
      else if (method === "array" && first) walk(first, [...segments, "[]"], false, seen);
      else if (method === "record" && second) walk(second, [...segments, "*"], false, seen);
      else if (method === "union" && first) variants(first, segments, undefined, seen);
      else if (method === "discriminatedUnion" && first && second && ts.isStringLiteral(first))
        variants(second, segments, first.text, seen);
      return;
    }
    if (method === "extend" && first) properties(first, segments, seen);
    walk(receiver, segments, inherit, seen);
  };

  const properties = (expr: ts.Expression, segments: Segment[], seen: ReadonlySet<ts.Node>) => {
    let obj = unwrap(expr);
    if (ts.isIdentifier(obj)) {
      const decl = sources.resolve(obj);
      if (!decl) return;
      obj = unwrap(decl.initializer);
    }
    if (!ts.isObjectLiteralExpression(obj)) return;
    for (const prop of obj.properties) {
      if (ts.isSpreadAssignment(prop)) {
        properties(prop.expression, segments, seen);
        continue;
      }
      const name =
        prop.name && (ts.isIdentifier(prop.name) || ts.isStringLiteral(prop.name))
          ? prop.name.text
          : undefined;
      if (name === undefined) continue;
      const at = [...segments, name];
      set(at, leadingComment(prop, false));
      if (ts.isPropertyAssignment(prop)) walk(prop.initializer, at, true, seen);
      else if (ts.isShorthandPropertyAssignment(prop)) walk(prop.name, at, true, seen);
    }
  };

  /** A union's members: each walked at the union's own path; a discriminated one's docs per value. */
  const variants = (
    list: ts.Expression,
    segments: Segment[],
    discriminator: string | undefined,
    seen: ReadonlySet<ts.Node>,
  ) => {
    const arr = unwrap(list);
    if (!ts.isArrayLiteralExpression(arr)) return;
    for (const el of arr.elements) {
      if (discriminator) {
        const own = leadingComment(el, true).description;
        const decl = ts.isIdentifier(el) ? sources.resolve(el) : undefined;
        const doc = own ?? (decl ? leadingComment(decl.statement, true).description : undefined);
        const value = literalOf(decl ? decl.initializer : el, discriminator);
        if (doc && value !== undefined) set([...segments, discriminator], { variants: { [value]: doc } });
      }
      walk(el, segments, false, seen);
    }
  };

  const sf = sources.file(file);
  const decl = sf.statements
    .filter(ts.isVariableStatement)
    .flatMap((s) => [...s.declarationList.declarations])
    .find((d) => ts.isIdentifier(d.name) && d.name.text === exportName);
  if (!decl?.initializer) throw new Error(`${file} declares no ${exportName}`);
  walk(decl.initializer, [], false, new Set());
  return docs;
}

/** The `z.literal("x")` value of a variant's discriminator property, when written literally. */
function literalOf(expr: ts.Expression, discriminator: string): string | undefined {
  const e = unwrap(expr);
  if (
    !ts.isCallExpression(e) ||
    !ts.isPropertyAccessExpression(e.expression) ||
    !isZ(e.expression.expression)
  )
    return undefined;
  const [obj] = e.arguments;
  if (!obj || !ts.isObjectLiteralExpression(obj)) return;
  for (const p of obj.properties)
    if (ts.isPropertyAssignment(p) && ts.isIdentifier(p.name) && p.name.text === discriminator) {
      const v = unwrap(p.initializer);
      if (ts.isCallExpression(v) && v.arguments[0] && ts.isStringLiteral(v.arguments[0]))
        return v.arguments[0].text;
    }
  return undefined;
}
