/** Small Markdown helpers of the generated reference pages and the link check. */

/** A table cell: pipes escaped, line breaks folded into spaces. */
export function cell(text: string): string {
  return text.replace(/\r?\n/g, " ").replace(/\|/g, "\\|");
}

/** Inline code that survives any backticks inside it. */
export function code(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((m) => m.length));
  const fence = "`".repeat(longest + 1);
  const pad = text.startsWith("`") || text.endsWith("`") ? " " : "";
  return `${fence}${pad}${text}${pad}${fence}`;
}

/**
 * Prose from a doc comment or a message, safe in Markdown: outside its code spans, `*`, `_`
 * (except inside a word) and `<` are escaped, so `release/*` is no emphasis and `<service>` no
 * HTML tag.
 */
export function prose(text: string): string {
  return text
    .split(/(`+[^`]*?`+)/)
    .map((part, i) =>
      i % 2 === 1
        ? part
        : part
            .replace(/\\/g, "\\\\")
            .replace(/\*/g, "\\*")
            .replace(/(?<![\p{L}\p{N}])_|_(?![\p{L}\p{N}])/gu, "\\_")
            .replace(/</g, "\\<"),
    )
    .join("");
}

/** A Markdown table; prettier aligns it when the page is written. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return [
    `| ${header.join(" | ")} |`,
    `|${header.map(() => "---").join("|")}|`,
    ...rows.map((r) => `| ${r.map(cell).join(" | ")} |`),
  ].join("\n");
}

/**
 * GitHub's anchor of a heading (github-slugger): the heading's text as rendered (code spans and
 * links reduced to their text), lower-cased, punctuation and symbols removed, spaces turned into
 * hyphens; a repeated slug gets `-1`, `-2`, … (see `headingSlugs`).
 */
export function githubSlug(heading: string): string {
  return headingText(heading)
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, "")
    .replace(/ /g, "-");
}

/** A heading's rendered text: links and images reduced to their text, emphasis and code marks dropped. */
function headingText(heading: string): string {
  return heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/<[^>]+>/g, "")
    .replace(/`+/g, "")
    .replace(/(\*\*|__|\*|_)(?=\S)([^*_]*?\S)\1/g, "$2")
    .trim();
}

/** Fenced code blocks blanked out (line count kept), so their contents are neither links nor headings. */
export function withoutCodeBlocks(markdown: string): string {
  const lines = markdown.split("\n");
  let fence: string | undefined;
  return lines
    .map((line) => {
      const open = /^\s*(`{3,}|~{3,})/.exec(line);
      if (fence === undefined) {
        if (open) {
          fence = open[1];
          return "";
        }
        return line;
      }
      if (open && open[1][0] === fence[0] && open[1].length >= fence.length) fence = undefined;
      return "";
    })
    .join("\n");
}

/** Every heading's anchor in a page, in order, with GitHub's suffixes for repeats. */
export function headingSlugs(markdown: string): string[] {
  const seen = new Map<string, number>();
  const slugs: string[] = [];
  for (const line of withoutCodeBlocks(markdown).split("\n")) {
    const m = /^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!m) continue;
    const base = githubSlug(m[1]);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    slugs.push(n === 0 ? base : `${base}-${n}`);
  }
  return slugs;
}

/** A link of a page: its target as written and the line it is on. */
export interface Link {
  readonly target: string;
  readonly line: number;
}

/** The inline links, images and reference definitions of a page, outside code blocks and code spans. */
export function links(markdown: string): Link[] {
  const out: Link[] = [];
  withoutCodeBlocks(markdown)
    .split("\n")
    .forEach((raw, i) => {
      const line = raw.replace(/(`+)[\s\S]*?\1/g, "");
      for (const m of line.matchAll(
        /!?\[(?:[^\][]|\[[^\]]*\])*\]\(\s*(?:<([^>]*)>|([^)\s]+))(?:\s+"[^"]*")?\s*\)/g,
      ))
        out.push({ target: m[1] ?? m[2], line: i + 1 });
      const def = /^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+.*)?$/.exec(line);
      if (def) out.push({ target: def[1], line: i + 1 });
    });
  return out;
}
