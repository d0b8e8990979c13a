/**
 * The digest of the policy pack's sources: what a built pack records and checks at load time.
 * The build copies this module into the pack (as source-digest.js), so the check there is this
 * code, not a copy of it. Node built-ins only.
 */
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";

/** The pack's TypeScript sources, sorted, relative to `sourceDir`. */
export function policySources(sourceDir: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(path.join(sourceDir, dir), { withFileTypes: true })) {
      const rel = path.join(dir, entry.name);
      if (entry.isDirectory() && entry.name !== "node_modules") walk(rel);
      else if (entry.isFile() && entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) out.push(rel);
    }
  };
  walk("");
  return out.sort();
}

/** A digest of every file the pack is built from: sources, PulumiPolicy.yaml and package.json. */
export function policySourceDigest(sourceDir: string): string {
  const hash = createHash("sha256");
  for (const rel of [...policySources(sourceDir), "PulumiPolicy.yaml", "package.json"]) {
    hash
      .update(rel)
      .update("\0")
      .update(fs.readFileSync(path.join(sourceDir, rel)))
      .update("\0");
  }
  return hash.digest("hex");
}
