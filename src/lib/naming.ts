/**
 * Physical names. Logical names are unique per stack already; physical names (log groups, KMS
 * aliases, clusters, repositories) share one AWS account across stacks, so they carry the stack.
 */
import * as pulumi from "@pulumi/pulumi";
import { APPS_PROJECT } from "../config/applications";
import { PROJECT } from "../config/primitives";

/**
 * Whose names the running program gives. An application stack (the `apps` project) builds
 * workloads in its environment's platform stack's name space: the platform config declares every
 * application's services with unique names, so `platform-dev-payments` stays unique in the
 * account, and a workload moved from the platform stack into its application stack keeps every
 * physical name (an ECS service, target group or log group whose name changes is replaced). Read
 * from the running stack's own config (`apps:platformStack`), so programs run side by side in one
 * process (inline programs) each see their own.
 */
export function namingScope(): { readonly project: string; readonly stack: string } {
  if (pulumi.getProject() === APPS_PROJECT) {
    const platformStack = new pulumi.Config(APPS_PROJECT).get("platformStack");
    if (platformStack) return { project: PROJECT, stack: platformStack.split("/").pop()! };
  }
  return { project: pulumi.getProject(), stack: pulumi.getStack() };
}

/** `platform-dev`: the project and stack physical names and shared groupings carry. */
export function stackPrefix(): string {
  const { project, stack } = namingScope();
  return `${project}-${stack}`;
}

/** `platform-dev-<suffix>`: unique per project and stack within an account. */
export function physicalName(suffix: string): string {
  return `${stackPrefix()}-${suffix}`;
}

/**
 * IAM path of every role the stack's components create. The stack's deploy role may manage only
 * roles under it; the GitHub roles themselves live outside it, so a deploy cannot widen its own rights.
 */
export function rolePath(): string {
  const { project, stack } = namingScope();
  return `/${project}/${stack}/`;
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
