/**
 * The cross-key rules of `platform:ci` (see runners.ts): a stack with private endpoints names a
 * runner that reaches them, and a CodeBuild runner has a VPC and a repository to serve.
 */
import { opensToInternet } from "../../policy/lib/address-coverage";
import type { ConfigProblem } from "./problem";
import { keyOf } from "./problem";
import type { StackConfig } from "./schema";

/**
 * The stack's endpoints GitHub-hosted runners cannot reach, by the key that closes each: a private
 * EKS API or an internal ALB (only the VPC reaches them), or a public one open to listed CIDRs
 * only (GitHub-hosted runners come from thousands of ranges no such list covers).
 */
export function closedEndpoints(c: Pick<StackConfig, "eks" | "ecs">): { key: string; value: unknown }[] {
  const out: { key: string; value: unknown }[] = [];
  if (c.eks.enabled)
    out.push(
      c.eks.endpointPublicAccess
        ? { key: keyOf(["eks", "publicAccessCidrs"]), value: c.eks.publicAccessCidrs }
        : { key: keyOf(["eks", "endpointPublicAccess"]), value: false },
    );
  if (c.ecs.enabled && !c.ecs.publicLoadBalancer)
    out.push({ key: keyOf(["ecs", "publicLoadBalancer"]), value: false });
  else if (c.ecs.enabled && !opensToInternet(c.ecs.allowedCidrs))
    out.push({ key: keyOf(["ecs", "allowedCidrs"]), value: c.ecs.allowedCidrs });
  return out;
}

/**
 * A stack CI deploys runs its network-bound jobs where its endpoints are reachable: a private EKS
 * API, an internal ALB, or either open to listed CIDRs only, needs a runner other than GitHub-hosted. CodeBuild runners live in the stack's
 * VPC, which exists only with a cluster, and register in the stack's repository.
 */
export const runnerRules = (c: StackConfig): ConfigProblem[] => {
  const out: ConfigProblem[] = [];
  const runner = c.ci.runner;
  const deployedByCi = c.github?.stacks.some((s) => s.stack === c.stack) ?? false;
  const closed = closedEndpoints(c);
  if (deployedByCi && closed.length > 0 && (!runner || runner.kind === "github-hosted"))
    out.push({
      key: keyOf(["ci", "runner"]),
      value: runner,
      allowed: `a runner that reaches the stack's endpoints, since ${closed.map((p) => `${p.key} is ${JSON.stringify(p.value)}`).join(" and ")}, which GitHub-hosted runners (outside the VPC, from no fixed addresses) cannot reach: { kind: "codebuild", connectionArn } (CodeBuild-hosted runners in the private subnets) or { kind: "self-hosted", labels } of runners that reach them (in the VPC, or larger runners with static IPs listed in those CIDRs)`,
    });
  if (runner?.kind === "codebuild") {
    if (!c.usesAws || !(c.eks.enabled || c.ecs.enabled))
      out.push({
        key: keyOf(["ci", "runner", "kind"]),
        value: "codebuild",
        allowed:
          '"github-hosted" or "self-hosted": CodeBuild runners run in the stack\'s VPC, which exists only with eks.enabled or ecs.enabled',
      });
    if (!c.github)
      out.push({
        key: keyOf(["ci", "runner", "kind"]),
        value: "codebuild",
        allowed: "a stack with platform:github: CodeBuild runners register in that repository",
      });
  }
  return out;
};
