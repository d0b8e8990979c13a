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
import { rollbackServiceWorkflow, rollbackWorkflow } from "./rollback";
import { securityWorkflow } from "./security";
import { SUMMARY_JOB } from "./service-ci";
import { doraWorkflow } from "./operations";

export { DeliveryContext } from "./context";

/** Only where a stack deploys from release tags: a mapping may deploy every stack from branches. */
const releases = (ctx: DeliveryContext): Workflow[] =>
  ctx.stacks.some((s) => deploySource(ctx.branchModel, s).kind === "tag") ? [releaseWorkflow(ctx)] : [];

/** The platform repository's workflows: its program's pipelines and the executor every repository calls. */
export function workflows(ctx: DeliveryContext): Workflow[] {
  const otherKinds = (ctx.registryKinds ?? []).filter((k) => k !== ctx.registryKind);
  return [
    ciWorkflow(ctx),
    securityWorkflow(ctx),
    infraPreviewWorkflow(ctx),
    infraUpWorkflow(ctx),
    buildImageWorkflow(ctx),
    ...[...new Set(otherKinds)].map((kind) => buildImageWorkflow(ctx, kind)),
    deployServiceWorkflow(ctx),
    rollbackServiceWorkflow(ctx),
    // A platform whose services all live in applications' repositories builds none itself.
    ...(ctx.services.length ? [buildDeployWorkflow(ctx), ...releases(ctx), rollbackWorkflow(ctx)] : []),
    driftWorkflow(ctx),
    doraWorkflow(ctx),
  ];
}

/**
 * An application's repository (`ctx.executor` set): its services' checks, its scans, and its
 * builds, deploys, releases and rollbacks, which call the platform's reusable workflows at the
 * pinned commit. No infrastructure job runs there: its stacks' config lives in the platform's
 * repository, whose previews and drift checks cover them.
 */
export function applicationWorkflows(ctx: DeliveryContext): Workflow[] {
  if (!ctx.executor) throw new Error(`applicationWorkflows: ${ctx.repository} names no executor`);
  return [
    ciWorkflow(ctx),
    securityWorkflow(ctx),
    buildDeployWorkflow(ctx),
    ...releases(ctx),
    rollbackWorkflow(ctx),
  ];
}

/** Repository path → file content of an application's repository. */
export function applicationFiles(ctx: DeliveryContext): Record<string, string> {
  return {
    ...Object.fromEntries(
      applicationWorkflows(ctx).map((w) => [`.github/workflows/${w.file}`, renderWorkflow(w)]),
    ),
    ".github/CODEOWNERS": codeOwnersFile(ctx),
  };
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
