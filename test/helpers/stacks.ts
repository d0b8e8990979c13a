import { Evaluation } from "../../dev/harness/evaluate";
import { evaluateStack } from "../../dev/harness/program";

const cache = new Map<string, Promise<Evaluation>>();

/**
 * A committed stack file evaluated once per test run and shared, read-only, by every test that
 * needs it as committed (tests that change config evaluate their own).
 */
export function committedStack(stack: string, options: { preview?: boolean } = {}): Promise<Evaluation> {
  const key = `${stack}:${options.preview ? "preview" : "update"}`;
  if (!cache.has(key)) cache.set(key, evaluateStack(stack, {}, options));
  return cache.get(key)!;
}
