/**
 * Promotion across registries: a stack that deploys images another stack's build pushed
 * (production at release: staging's; under trunk, staging: dev's) copies them from that stack's
 * ECR repositories. Its deploy role may pull exactly those repositories, named from config: the
 * source stack (`imageSourceStack`), its account and region (`registry.promotionSource`) and this
 * stack's services. The source grants the pull in its repository policy
 * (`registry.promotionTargetAccountIds`). GHCR needs neither: its images stay under one owner.
 */
import * as pulumi from "@pulumi/pulumi";
import { StackConfig } from "../config";
import { imageSourceStack } from "../workflows/context";

/** `arn:…:ecr:<region>:<account>:repository/<project>-<source stack>/<service>` per service; empty when nothing is copied. */
export function promotionSourceRepositoryArns(
  config: StackConfig,
  partition: pulumi.Input<string>,
): pulumi.Output<string>[] {
  const gh = config.github;
  const own = gh?.stacks.find((s) => s.stack === config.stack);
  const from = config.registry.promotionSource;
  if (!gh || !own || !from || config.registry.kind !== "ecr") return [];
  const source = imageSourceStack(config.branchModel, gh.stacks, own);
  if (!source || source.stack === config.stack) return [];
  return config.services.map(
    (s) =>
      pulumi.interpolate`arn:${partition}:ecr:${from.region}:${from.accountId}:repository/${pulumi.getProject()}-${source.stack}/${s.name}`,
  );
}
