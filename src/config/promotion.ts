/**
 * Where a stack's images come from, and who may copy them. A stack deploying images another
 * stack's build pushed (production at release; staging under trunk) names that stack's account
 * and region, so its deploy role can pull exactly those repositories; the source names the
 * accounts it grants. With GHCR there is nothing to name: images stay in ghcr.io/<owner>, which
 * each job reads with its own GITHUB_TOKEN.
 */
import { imageSourceStack } from "../workflows/context";
import type { ConfigProblem } from "./problem";
import { keyOf } from "./problem";
import { PROJECT, StackConfig } from "./schema";

const GHCR =
  "nothing with GHCR: images stay in ghcr.io/<owner>, which each job reads with its GITHUB_TOKEN (packages: read); there is no cross-account grant to configure";

export function promotionProblems(c: StackConfig): ConfigProblem[] {
  const gh = c.github;
  const own = gh?.stacks.find((s) => s.stack === c.stack);
  const { promotionSource: from, promotionTargetAccountIds: targets } = c.registry;
  const out: ConfigProblem[] = [];
  if (c.registry.kind === "ghcr") {
    if (from) out.push({ key: keyOf(["registry", "promotionSource"]), value: from, allowed: GHCR });
    if (targets.length)
      out.push({ key: keyOf(["registry", "promotionTargetAccountIds"]), value: targets, allowed: GHCR });
    return out;
  }
  if (!gh || !own) return out;
  const source = imageSourceStack(c.branchModel, gh.stacks, own);
  const copies = source !== undefined && source.stack !== c.stack;
  if (copies && !from)
    out.push({
      key: keyOf(["registry", "promotionSource"]),
      value: undefined,
      allowed: `the account and region of stack "${source.stack}", whose repositories (${PROJECT}-${source.stack}/<service>) this stack copies its images from, e.g. { accountId: "222222222222", region: "eu-west-1" }`,
    });
  if (!copies && from)
    out.push({
      key: keyOf(["registry", "promotionSource"]),
      value: from,
      allowed: `nothing: stack "${c.stack}" deploys the images its own build pushes and copies from no other stack`,
    });
  const copiedBy = gh.stacks.filter(
    (s) => s.stack !== c.stack && imageSourceStack(c.branchModel, gh.stacks, s)?.stack === c.stack,
  );
  if (targets.length && copiedBy.length === 0)
    out.push({
      key: keyOf(["registry", "promotionTargetAccountIds"]),
      value: targets,
      allowed: `nothing: no stack copies its images from "${c.stack}"`,
    });
  return out;
}
