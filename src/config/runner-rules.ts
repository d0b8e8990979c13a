/**
 * The cross-key rules of `platform:ci` (see runners.ts): a stack with private endpoints names a
 * runner that reaches them, and a CodeBuild runner has a VPC and a repository to serve.
 */
import type { ConfigProblem } from "./rules";
import { keyOf } from "./rules";
import type { StackConfig } from "./schema";

/** The stack's private endpoints that a runner outside the VPC cannot reach, by the key that makes them private. */
export function privateEndpoints(c: Pick<StackConfig, "eks" | "ecs">): { key: string; value: boolean }[] {
  return [
    ...(c.eks.enabled && !c.eks.endpointPublicAccess
      ? [{ key: keyOf(["eks", "endpointPublicAccess"]), value: false }]
      : []),
    ...(c.ecs.enabled && !c.ecs.publicLoadBalancer
      ? [{ key: keyOf(["ecs", "publicLoadBalancer"]), value: false }]
      : []),
  ];
}

/**
 * A stack CI deploys runs its network-bound jobs where its endpoints are reachable: a private EKS
 * API or an internal ALB needs a runner in the network. CodeBuild runners live in the stack's
 * VPC, which exists only with a cluster, and register in the stack's repository.
 */
export const runnerRules = (c: StackConfig): ConfigProblem[] => {
  const out: ConfigProblem[] = [];
  const runner = c.ci.runner;
  const deployedByCi = c.github?.stacks.some((s) => s.stack === c.stack) ?? false;
  const closed = privateEndpoints(c);
  if (deployedByCi && closed.length > 0 && (!runner || runner.kind === "github-hosted"))
    out.push({
      key: keyOf(["ci", "runner"]),
      value: runner,
      allowed: `a runner inside the network, since ${closed.map((p) => `${p.key} is ${p.value}`).join(" and ")} (reachable only from the VPC): { kind: "codebuild", connectionArn } (CodeBuild-hosted runners in the private subnets) or { kind: "self-hosted", labels } of runners that reach the VPC; or make the endpoint public to listed CIDRs`,
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
