/** Markdown tables generated from code, so the README cannot drift from what the program does. */
import { isStackPolicy, policies } from "../policy/policies";
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

/** One row per rule: what the README's policy table shows. */
export function policyTable(): string {
  return table(
    ["policy", "kind", "severity", "enforcement", "anchors", "settings (default)", "auto-fix"],
    policies.map((p) => {
      const schema = p.configSchema?.properties ?? {};
      const settings = Object.entries(schema).map(
        ([k, v]) => `\`${k}\` (${JSON.stringify((v as { default?: unknown }).default)})`,
      );
      return [
        `\`${p.name}\``,
        isStackPolicy(p) ? "stack" : "resource",
        p.severity ?? "",
        p.enforcementLevel ?? "advisory",
        p.anchors.join(", "),
        settings.join(", "),
        (p as { fix?: unknown }).fix ? "yes" : "",
      ];
    }),
  );
}

/** Why each automatic fix is safe to apply unattended. */
export function remediationList(): string {
  return policies
    .filter((p) => (p as { fix?: unknown }).fix)
    .map((p) => `- \`${p.name}\`: ${(p as unknown as { fix: { why: string } }).fix.why}`)
    .join("\n");
}

/** Every generated README section by marker name. */
export function generatedSections(): Record<string, string> {
  return { outputs: outputsTable(), policies: policyTable(), remediations: remediationList() };
}
