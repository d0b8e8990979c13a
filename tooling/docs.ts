/** Markdown tables generated from code, so the README cannot drift from what the program does. */
import { OUTPUT_CONTRACT } from "../outputs";

function table(header: string[], rows: string[][]): string {
  const esc = (s: string) => s.replace(/\|/g, "\\|");
  return [
    `| ${header.join(" | ")} |`,
    `|${header.map(() => "---").join("|")}|`,
    ...rows.map((r) => `| ${r.map(esc).join(" | ")} |`),
  ].join("\n");
}

export function outputsTable(): string {
  return table(
    ["output", "type", "secret", "meaning"],
    Object.entries(OUTPUT_CONTRACT).map(([name, s]) => [
      `\`${name}\``,
      s.type,
      s.secret ? "yes" : "no",
      s.description,
    ]),
  );
}

/** Every generated README section by marker name. */
export function generatedSections(): Record<string, string> {
  return { outputs: outputsTable() };
}
