/**
 * One request against one identity policy in the IAM simulator (@cloud-copilot/iam-simulate),
 * as a role of the mocked account calling in its region: the decision AWS would make.
 */
import { runSimulation } from "@cloud-copilot/iam-simulate";
import { MOCK_ACCOUNT } from "../../dev/harness/evaluate";

/** An IAM request: action, the resource AWS authorises it on, and its request context. */
export type IamCall = [action: string, resource: string, context?: Record<string, string | string[]>];

/** `Allowed`, `ImplicitlyDenied` or `ExplicitlyDenied`; throws when the simulator refuses the request. */
export async function simulate(policy: object, [action, resource, context]: IamCall): Promise<string> {
  const r = await runSimulation(
    {
      identityPolicies: [{ name: "role", policy }],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      request: {
        action,
        principal: `arn:aws:iam::${MOCK_ACCOUNT}:role/platform/dev/addon`,
        resource: { accountId: MOCK_ACCOUNT, resource },
        contextVariables: { "aws:RequestedRegion": "eu-west-1", ...context },
      },
    } as any,
    {},
  );
  if (r.resultType === "error")
    throw new Error(`the simulator refused ${action} ${resource}: ${JSON.stringify(r.errors)}`);
  return r.overallResult;
}

/** The calls of `calls` whose decision is not `expected`, as readable lines (empty when all match). */
export async function mismatches(policy: object, calls: IamCall[], expected: string): Promise<string[]> {
  const out: string[] = [];
  for (const call of calls) {
    const d = await simulate(policy, call);
    if (d !== expected) out.push(`${d}: ${call[0]} ${call[1]} ${JSON.stringify(call[2] ?? {})}`);
  }
  return out;
}
