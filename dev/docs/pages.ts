/**
 * Which generated section lives in which page. `npm run docs` writes each between its
 * `<!-- generated:NAME -->` and `<!-- /generated:NAME -->` markers; `npm run docs:check` fails when
 * any page differs from what it would write. Everything outside the markers is hand-written.
 */
import * as path from "path";
import { benchSection, outputsTable, pipelineSection, policyTable, remediationList } from "../harness/docs";
import { ROOT } from "../../src/config/stack-files";
import { configReference } from "./config-reference";
import { limitsSection } from "./limits";

export interface GeneratedPage {
  /** Relative to the repository root. */
  readonly file: string;
  readonly sections: Readonly<Record<string, () => string>>;
}

export const GENERATED_PAGES: readonly GeneratedPage[] = [
  { file: "docs/reference/outputs.md", sections: { outputs: outputsTable } },
  { file: "docs/reference/policies.md", sections: { policies: policyTable, remediations: remediationList } },
  { file: "docs/reference/pipelines.md", sections: { pipelines: pipelineSection } },
  {
    file: "docs/reference/configuration.md",
    sections: { configuration: configReference, limits: limitsSection },
  },
  { file: "DEVELOPMENT.md", sections: { bench: benchSection } },
];

export const pagePath = (page: GeneratedPage): string => path.join(ROOT, page.file);

/** A marker on a line of its own (one quoted inside a sentence or code span is text). */
const MARKER = /^<!-- (\/?)generated:([\w-]+) -->$/gm;

/** The page's text with each section's body replaced; throws on a missing, repeated or unknown marker. */
export function fillSections(file: string, text: string, sections: Readonly<Record<string, string>>): string {
  const problems: string[] = [];
  const names = [...text.matchAll(MARKER)].filter((m) => !m[1]).map((m) => m[2]);
  for (const name of names)
    if (!(name in sections)) problems.push(`an unknown section <!-- generated:${name} -->`);
  let out = text;
  for (const [name, body] of Object.entries(sections)) {
    const count = names.filter((n) => n === name).length;
    if (count !== 1) {
      problems.push(`${count} <!-- generated:${name} --> sections, not 1`);
      continue;
    }
    const pattern = new RegExp(
      `(^<!-- generated:${name} -->\\n)[\\s\\S]*?(^<!-- /generated:${name} -->$)`,
      "m",
    );
    if (!pattern.test(out)) {
      problems.push(`no <!-- /generated:${name} --> closing its section`);
      continue;
    }
    out = out.replace(pattern, (_m, open: string, close: string) => `${open}\n${body}\n\n${close}`);
  }
  if (problems.length) throw new Error(`${file} has ${problems.join("; ")}`);
  return out;
}
