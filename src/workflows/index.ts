/** Every file the delivery layer commits, rendered once, and the status checks protection requires. */
import { ciWorkflow } from "./ci";
import { codeOwnersFile } from "./codeowners";
import { DeliveryContext, deploySource } from "./context";
import {
  buildDeployWorkflow,
  buildImageWorkflow,
  dbMigrateAction,
  deployServiceWorkflow,
  releaseWorkflow,
} from "./deploy";
import { driftWorkflow, infraPreviewWorkflow, infraUpWorkflow } from "./infra";
import { checkNames, renderAction, renderWorkflow, Workflow } from "./model";
import { rollbackWorkflow } from "./rollback";
import { securityWorkflow } from "./security";
import { SUMMARY_JOB } from "./service-ci";
import { doraWorkflow } from "./operations";

export { DeliveryContext } from "./context";

export function workflows(ctx: DeliveryContext): Workflow[] {
  return [
    ciWorkflow(ctx),
    securityWorkflow(ctx),
    infraPreviewWorkflow(ctx),
    infraUpWorkflow(ctx),
    buildImageWorkflow(ctx),
    deployServiceWorkflow(ctx),
    buildDeployWorkflow(ctx),
    // Only where a stack deploys from release tags: a mapping may deploy every stack from branches.
    ...(ctx.stacks.some((s) => deploySource(ctx.branchModel, s).kind === "tag")
      ? [releaseWorkflow(ctx)]
      : []),
    rollbackWorkflow(ctx),
    driftWorkflow(ctx),
    doraWorkflow(ctx),
  ];
}

/** Repository path → file content. */
export function deliveryFiles(ctx: DeliveryContext): Record<string, string> {
  return {
    ...Object.fromEntries(workflows(ctx).map((w) => [`.github/workflows/${w.file}`, renderWorkflow(w)])),
    [`.github/actions/${dbMigrateAction.dir}/action.yml`]: renderAction(dbMigrateAction),
    ".github/CODEOWNERS": codeOwnersFile(ctx),
  };
}

/**
 * Checks a pull request must pass: ci.yml's summary job (which fails when any job of ci.yml
 * failed, and passes when a job was skipped as unchanged) and every job of security.yml, under
 * the names GitHub reports. Derived from the model, so renaming a job cannot orphan a required check.
 */
export function requiredChecks(ctx: DeliveryContext): string[] {
  const ci = ciWorkflow(ctx);
  return [ci.jobs[SUMMARY_JOB].name, ...checkNames(securityWorkflow(ctx))];
}
