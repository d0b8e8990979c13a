import { Evaluation } from "../../dev/harness/evaluate";
import { evaluateStack } from "../../dev/harness/program";

const cache = new Map<string, Promise<Evaluation>>();

/**
 * Under StrykerJS (npm run mutation) the test files load once and mutants are switched on at run
 * time, so an evaluation cached in an earlier run would hide the active mutant, and coverage would
 * be credited to the first test that evaluated the stack only. There every test evaluates its own.
 */
const underMutation = () => (globalThis as { __stryker__?: unknown }).__stryker__ !== undefined;

/**
 * A committed stack file evaluated once per test run and shared, read-only, by every test that
 * needs it as committed (tests that change config evaluate their own).
 */
export function committedStack(stack: string, options: { preview?: boolean } = {}): Promise<Evaluation> {
  if (underMutation()) return evaluateStack(stack, {}, options);
  const key = `${stack}:${options.preview ? "preview" : "update"}`;
  if (!cache.has(key)) cache.set(key, evaluateStack(stack, {}, options));
  return cache.get(key)!;
}
