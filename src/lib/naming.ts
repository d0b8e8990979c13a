/**
 * Physical names. Logical names are unique per stack already; physical names (log groups, KMS
 * aliases, clusters, repositories) share one AWS account across stacks, so they carry the stack.
 */
import * as pulumi from "@pulumi/pulumi";

/** `platform-dev-<suffix>`: unique per project and stack within an account. */
export function physicalName(suffix: string): string {
  return `${pulumi.getProject()}-${pulumi.getStack()}-${suffix}`;
}

/**
 * IAM path of every role the stack's components create. The stack's deploy role may manage only
 * roles under it; the GitHub roles themselves live outside it, so a deploy cannot widen its own rights.
 */
export function rolePath(): string {
  return `/${pulumi.getProject()}/${pulumi.getStack()}/`;
}
