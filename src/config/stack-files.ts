/**
 * Reads `Pulumi.<stack>.yaml` into the flat string map the Pulumi runtime hands a program
 * (`project:key` → string, objects and lists as JSON), so tools and tests evaluate a stack from
 * the same files `pulumi` uses.
 */
import * as fs from "fs";
import * as path from "path";
import YAML from "yaml";

/** The repository: the nearest directory up from here with a Pulumi.yaml (compiled copies live deeper). */
function findRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, "Pulumi.yaml")) && fs.existsSync(path.join(dir, "package.json")))
      return dir;
    if (path.dirname(dir) === dir) return path.resolve(__dirname, "..", "..");
  }
}

export const ROOT = findRoot(path.resolve(__dirname, ".."));
export const STACKS = ["dev", "staging", "production"] as const;

export function stackFilePath(stack: string, root = ROOT): string {
  return path.join(root, `Pulumi.${stack}.yaml`);
}

/** Raw `config:` block of a stack file, values as written (objects stay objects). */
export function readStackConfig(stack: string, root = ROOT): Record<string, unknown> {
  const file = stackFilePath(stack, root);
  if (!fs.existsSync(file))
    throw new Error(`No stack file ${path.basename(file)}; known stacks: ${STACKS.join(", ")}, local`);
  const doc = YAML.parse(fs.readFileSync(file, "utf8")) ?? {};
  return { ...(doc.config ?? {}) };
}

export { toRuntimeConfig } from "./runtime-config";
