import * as aws from "../../lib/aws";
import * as pulumi from "@pulumi/pulumi";
import { policyDocument } from "../../lib/iam";
import { AccountContext, createKmsKey } from "../../lib/kms";

export interface RegistryArgs {
  /** Services that get a repository each. */
  readonly services: readonly string[];
  /** `ecr`: repositories created here. `ghcr`: images live in GitHub Packages; nothing is created. @default "ecr" */
  readonly kind?: "ecr" | "ghcr";
  /** GitHub owner of the packages (ghcr only). */
  readonly ghcrOwner?: string;
  /** Repository path prefix, e.g. the stack name, so stacks sharing an account do not collide. */
  readonly prefix: string;
  /** Images kept per repository. @default 30 */
  readonly keepLastImages?: number;
  /** Days before untagged images expire. @default 7 */
  readonly untaggedExpiryDays?: number;
  /** Accounts allowed to pull; each named explicitly, never a wildcard. @default [] */
  readonly pullAccountIds?: readonly string[];
  /** Account context for the KMS key policy (ecr only). */
  readonly account?: AccountContext;
  /** Keep repositories (and their images) on stack deletion. @default false */
  readonly protect?: boolean;
}

/** The ECR lifecycle policy: expire untagged images first, then keep only the newest N. */
export function lifecyclePolicyDocument(keepLastImages: number, untaggedExpiryDays: number): string {
  return JSON.stringify({
    rules: [
      {
        rulePriority: 1,
        description: `Expire untagged images after ${untaggedExpiryDays} days`,
        selection: {
          tagStatus: "untagged",
          countType: "sinceImagePushed",
          countUnit: "days",
          countNumber: untaggedExpiryDays,
        },
        action: { type: "expire" },
      },
      {
        rulePriority: 2,
        description: `Keep the last ${keepLastImages} images`,
        selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: keepLastImages },
        action: { type: "expire" },
      },
    ],
  });
}

/**
 * One image repository per service: ECR with scan on push, immutable tags, KMS encryption and a
 * lifecycle policy (optionally pullable by named accounts), or GHCR image names.
 */
export class Registry extends pulumi.ComponentResource {
  /** Service name → image repository URL (no tag or digest). */
  public readonly repositoryUrls: Record<string, pulumi.Output<string>>;
  /** Service name → repository ARN (ecr only; empty for ghcr). */
  public readonly repositoryArns: Record<string, pulumi.Output<string>>;

  constructor(name: string, args: RegistryArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:registry:Registry", name, {}, opts);
    this.repositoryUrls = {};
    this.repositoryArns = {};

    if ((args.kind ?? "ecr") === "ghcr") {
      if (!args.ghcrOwner) throw new Error(`Registry ${name}: ghcrOwner is required when kind is "ghcr"`);
      const owner = args.ghcrOwner.toLowerCase();
      for (const service of args.services)
        this.repositoryUrls[service] = pulumi.output(`ghcr.io/${owner}/${service}`);
      this.registerOutputs({ repositoryUrls: this.repositoryUrls });
      return;
    }
    const account = args.account;
    if (!account) throw new Error(`Registry ${name}: account is required when kind is "ecr"`);

    const child = { parent: this, protect: args.protect };
    const key = createKmsKey(
      `${name}-ecr`,
      account,
      { description: `ECR images of ${name}` },
      { parent: this },
    );
    const lifecycle = lifecyclePolicyDocument(args.keepLastImages ?? 30, args.untaggedExpiryDays ?? 7);
    const pullers = args.pullAccountIds ?? [];

    for (const service of args.services) {
      const repo = new aws.ecr.Repository(
        `${name}-${service}`,
        {
          name: `${args.prefix}/${service}`,
          imageTagMutability: "IMMUTABLE",
          imageScanningConfiguration: { scanOnPush: true },
          encryptionConfigurations: [{ encryptionType: "KMS", kmsKey: key.arn }],
          forceDelete: false,
        },
        child,
      );
      new aws.ecr.LifecyclePolicy(
        `${name}-${service}`,
        { repository: repo.name, policy: lifecycle },
        { parent: this },
      );
      if (pullers.length > 0) {
        new aws.ecr.RepositoryPolicy(
          `${name}-${service}-pull`,
          {
            repository: repo.name,
            policy: policyDocument([
              {
                Sid: "NamedAccountsPull",
                Effect: "Allow",
                Principal: {
                  AWS: pullers.map((id) => pulumi.interpolate`arn:${account.partition}:iam::${id}:root`),
                },
                Action: [
                  "ecr:BatchGetImage",
                  "ecr:GetDownloadUrlForLayer",
                  "ecr:BatchCheckLayerAvailability",
                ],
              },
            ]),
          },
          { parent: this },
        );
      }
      this.repositoryUrls[service] = repo.repositoryUrl;
      this.repositoryArns[service] = repo.arn;
    }
    this.registerOutputs({ repositoryUrls: this.repositoryUrls, repositoryArns: this.repositoryArns });
  }
}
