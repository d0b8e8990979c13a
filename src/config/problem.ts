/**
 * The vocabulary of configuration problems, shared by the schema's error mapping and every area's
 * cross-key rules: a leaf module (it imports no rule), so no area file imports the rule list back.
 */
import { PROJECT } from "./primitives";
import type { StackConfig } from "./schema";

export interface ConfigProblem {
  /** Full config key path, e.g. `platform:eks.publicAccessCidrs`. */
  readonly key: string;
  /** The value found (undefined when absent). */
  readonly value: unknown;
  /** What is allowed. */
  readonly allowed: string;
}

/** One area's cross-key rules: every problem it finds in a parsed configuration. */
export type ConfigRule = (config: StackConfig) => ConfigProblem[];

/** `["services", 1, "port"]` → `platform:services[1].port`. */
export function keyOf(path: readonly PropertyKey[]): string {
  let key = `${PROJECT}:`;
  path.forEach((part, i) => {
    if (typeof part === "number") key += `[${part}]`;
    else key += i === 0 ? String(part) : `.${String(part)}`;
  });
  return key;
}

/** A problem at a key path. */
export function problem(path: readonly PropertyKey[], value: unknown, allowed: string): ConfigProblem {
  return { key: keyOf(path), value, allowed };
}
