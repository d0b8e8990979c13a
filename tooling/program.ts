/** Evaluates this program (config validation + all layers) for a stack under mocks. */
import { loadStackConfig } from "../config";
import { buildPlatform } from "../platform";
import { evaluate, Evaluation } from "./evaluate";
import { readStackConfig } from "./stack-files";

/** The program exactly as `index.ts` composes it. */
export function program(): Record<string, unknown> {
  return buildPlatform(loadStackConfig());
}

/** Evaluates a stack from its `Pulumi.<stack>.yaml`, with optional key overrides (`platform:eks`, …). */
export function evaluateStack(
  stack: string,
  overrides: Record<string, unknown> = {},
  options: { preview?: boolean } = {},
): Promise<Evaluation> {
  return evaluate(stack, { ...readStackConfig(stack), ...overrides }, program, options);
}
