/**
 * A small evaluator of GitHub Actions expressions — the subset the generated `runs-on` values use:
 * literals ('…', numbers), context paths (`vars.X`, `inputs.stack`, `needs.j.outputs.o`,
 * `github.run_id`), `==`, `&&`, `||` with GitHub's value-returning semantics, and the functions
 * `format` (`{0}` placeholders, `{{`/`}}` escapes) and `fromJSON`. Unset paths are '' (falsy).
 */
type Value = string | number | boolean | null | Value[] | { [k: string]: Value };
export type Contexts = Record<string, Record<string, unknown>>;

const TOKEN =
  /\s*(?:('(?:[^']|'')*')|(\d+(?:\.\d+)?)|(==|&&|\|\||[(),])|([A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*)*))/y;

function tokens(text: string): string[] {
  const source = text.trim();
  const out: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < source.length) {
    const at = TOKEN.lastIndex;
    const m = TOKEN.exec(source);
    if (!m) throw new Error(`cannot read the expression at ${at}: ${source.slice(at)}`);
    out.push(m[1] ?? m[2] ?? m[3] ?? m[4]);
  }
  return out;
}

const truthy = (v: Value): boolean => !(v === "" || v === 0 || v === false || v === null);

function format(template: string, args: Value[]): string {
  return template.replace(/\{\{|\}\}|\{(\d+)\}/g, (whole, i: string | undefined) =>
    whole === "{{" ? "{" : whole === "}}" ? "}" : String(args[Number(i)]),
  );
}

/** The value of `${{ body }}` (pass the body, or a whole `${{ … }}` string). */
export function evaluateExpression(expression: string, contexts: Contexts): Value {
  const body = expression.replace(/^\s*\$\{\{\s*/, "").replace(/\s*\}\}\s*$/, "");
  const ts = tokens(body);
  let i = 0;
  const peek = () => ts[i];
  const take = (expected?: string) => {
    const t = ts[i++];
    if (expected !== undefined && t !== expected) throw new Error(`expected ${expected}, got ${t}`);
    return t;
  };
  function primary(): Value {
    const t = take();
    if (t === "(") {
      const v = or();
      take(")");
      return v;
    }
    if (t.startsWith("'")) return t.slice(1, -1).replace(/''/g, "'");
    if (/^\d/.test(t)) return Number(t);
    if (t === "true" || t === "false") return t === "true";
    if (peek() === "(") {
      take("(");
      const args: Value[] = [];
      while (peek() !== ")") {
        args.push(or());
        if (peek() === ",") take(",");
      }
      take(")");
      if (t === "format") return format(String(args[0]), args.slice(1));
      if (t === "fromJSON") return JSON.parse(String(args[0])) as Value;
      throw new Error(`function ${t} is not supported`);
    }
    const [head, ...rest] = t.split(".");
    let v: unknown = contexts[head];
    for (const p of rest) v = v === undefined || v === null ? undefined : (v as Record<string, unknown>)[p];
    return (v ?? "") as Value;
  }
  function equality(): Value {
    let v = primary();
    while (peek() === "==") {
      take();
      v = v === primary();
    }
    return v;
  }
  function and(): Value {
    let v = equality();
    while (peek() === "&&") {
      take();
      const r = equality();
      v = truthy(v) ? r : v;
    }
    return v;
  }
  function or(): Value {
    let v = and();
    while (peek() === "||") {
      take();
      const r = and();
      v = truthy(v) ? v : r;
    }
    return v;
  }
  const value = or();
  if (i !== ts.length) throw new Error(`unexpected ${ts[i]} in ${body}`);
  return value;
}
