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

/** IAM path of the CI roles: outside the stack's role path, so a deploy cannot change its own role. */
export function ciRolePath(project: string): string {
  return `/${project}-ci/`;
}

/** Logical name of a stack's CI roles component; its deploy role is `${CI_ROLES}-deploy`. */
export const CI_ROLES = "ci";

/**
 * The CI deploy role of the stacks in an account, as IAM names it: auto-named `ci-deploy-<suffix>`
 * under the CI path. Its preview role (`ci-preview-…`) and every other principal do not match.
 */
export function ciDeployRoleArnPattern(
  partition: pulumi.Input<string>,
  accountId: pulumi.Input<string>,
  project: string = pulumi.getProject(),
): pulumi.Output<string> {
  return pulumi.interpolate`arn:${partition}:iam::${accountId}:role${ciRolePath(project)}${CI_ROLES}-deploy-*`;
}
