import { evaluate, Evaluation } from "../../dev/harness/evaluate";
import { AccountContext } from "../../src/lib/kms";

/** The mocked account every component test builds in (the harness answers for this account). */
export const ACCOUNT: AccountContext = { accountId: "123456789012", region: "eu-west-1", partition: "aws" };

/** Evaluates `build` (one component with explicit args) alone, as stack `stack` of project `platform`. */
export function evaluateComponent(build: () => void, stack = "dev"): Promise<Evaluation> {
  return evaluate(stack, {}, () => {
    build();
  });
}

/** The parsed `Statement` list of an IAM policy document input. */
export function statementsOf(policy: string): any[] {
  return JSON.parse(policy).Statement;
}

/** Every action of a statement list, flattened. */
export function actionsOf(statements: any[]): string[] {
  return statements.flatMap((s) => [s.Action].flat());
}
