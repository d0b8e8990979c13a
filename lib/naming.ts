/**
 * Physical names. Logical names are unique per stack already; physical names (log groups, KMS
 * aliases, clusters, repositories) share one AWS account across stacks, so they carry the stack.
 */
import * as pulumi from "@pulumi/pulumi";

/** `platform-dev-<suffix>`: unique per project and stack within an account. */
export function physicalName(suffix: string): string {
  return `${pulumi.getProject()}-${pulumi.getStack()}-${suffix}`;
}
