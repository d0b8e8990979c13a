/**
 * Onboarding an application's stacks: one `apps/Pulumi.<application>-<stack>.yaml` per platform
 * stack that declares the application's services and keeps its workloads in application stacks.
 * An existing file is never overwritten (it may hold release pins).
 */
import * as fs from "fs";
import * as path from "path";
import { stackConfigFromFile } from "../config";
import { appsDir } from "../config/application-stack";
import { APPS_PROJECT, applicationsOf, applicationStackName } from "../config/applications";
import { knownStacks, ROOT, stackFilePath } from "../config/stack-files";

/** What was done, one line per platform stack. Throws naming the known applications when none declares it. */
export function initApplicationStacks(
  application: string,
  options: { root?: string; organization?: string } = {},
): string[] {
  const root = options.root ?? ROOT;
  const organization = options.organization ?? "organization";
  const lines: string[] = [];
  const known = new Set<string>();
  for (const stack of knownStacks(root)) {
    const config = stackConfigFromFile(stack, root);
    applicationsOf(config).forEach((a) => known.add(a));
    if (!applicationsOf(config).includes(application)) continue;
    const name = applicationStackName(application, stack);
    const file = stackFilePath(name, appsDir(root));
    const shown = path.relative(root, file);
    if (!config.applicationStacks) {
      lines.push(
        `skipped ${stack}: its workloads live in the platform stack (set platform:applicationStacks: true after moving them, docs/application-stacks.md, "Move workloads into application stacks")`,
      );
      continue;
    }
    if (fs.existsSync(file)) {
      lines.push(`kept ${shown}: it exists (its release pins stay)`);
      continue;
    }
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(
      file,
      [
        `# The ${application} application in the ${config.environment} environment: its workloads,`,
        `# alarms and release state, built on platform stack ${stack} (npm run app:init wrote it).`,
        "config:",
        `  ${APPS_PROJECT}:platformStack: ${organization}/platform/${stack}`,
        `  ${APPS_PROJECT}:application: ${application}`,
        "",
      ].join("\n"),
    );
    lines.push(`wrote ${shown}`);
  }
  if (lines.length === 0)
    throw new Error(
      `no platform stack declares application ${JSON.stringify(application)}; known: ${[...known].sort().join(", ") || "none"} (set services[].application in the platform stack files first)`,
    );
  return lines;
}
