import * as aws from "../../lib/aws";
import * as pulumi from "@pulumi/pulumi";
import { policyDocument, Statement } from "../../lib/iam";
import { AccountContext, createKmsKey } from "../../lib/kms";
import { ciDeployRoleArnPattern } from "../../lib/naming";

export interface RegistryArgs {
  /** Services that get a repository each. */
  readonly services: readonly string[];
  /** `ecr`: repositories created here. `ghcr`: images live in GitHub Packages; nothing is created. */
  readonly kind: "ecr" | "ghcr";
  /** GitHub owner of the packages; required when `kind` is `ghcr`. */
  readonly ghcrOwner?: string;
  /** Repository path prefix, e.g. the stack name, so stacks sharing an account do not collide. */
  readonly prefix: string;
  /** Images kept per repository by the lifecycle policy. */
  readonly keepLastImages: number;
  /** Days before untagged images expire. */
  readonly untaggedExpiryDays: number;
  /** Accounts allowed to pull, each named explicitly, never a wildcard; empty for none. */
  readonly pullAccountIds: readonly string[];
  /**
   * Accounts whose CI deploy role (and no other principal) may pull, to copy images into its own
   * registry at promotion. GHCR needs no such grant. @default []
   */
  readonly promotionTargetAccountIds?: readonly string[];
  /** Account context for the KMS key policy; required when `kind` is `ecr`. */
  readonly account?: AccountContext;
  /** Keep repositories (and their images) on stack deletion. */
  readonly protect: boolean;
  /**
   * Services whose images live in GHCR whatever `kind` says (an application's own registry),
   * each with its packages' owner: no repository is created for them. @default {}
   */
  readonly ghcrServices?: Readonly<Record<string, string>>;
}

/** Repository settings that are posture, not configuration: immutable tags, scan on push, no force delete. */
export const REPOSITORY_SETTINGS = {
  imageTagMutability: "IMMUTABLE",
  imageScanningConfiguration: { scanOnPush: true },
  forceDelete: false,
} as const;

/** Actions a named account may use to pull an image. */
export const PULL_ACTIONS = [
  "ecr:BatchGetImage",
  "ecr:GetDownloadUrlForLayer",
  "ecr:BatchCheckLayerAvailability",
];

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

/** Throws when the args of kind `kind` lack what that kind needs. */
export function validateRegistryArgs(name: string, args: RegistryArgs): void {
  if (args.kind === "ghcr" && !args.ghcrOwner)
    throw new Error(`Registry ${name}: ghcrOwner is required when kind is "ghcr"`);
  if (args.kind === "ecr" && !args.account)
    throw new Error(`Registry ${name}: account is required when kind is "ecr"`);
}

/** GHCR image names (lower-case owner, as GitHub Packages requires) per service. */
export function ghcrRepositoryUrls(owner: string, services: readonly string[]): Record<string, string> {
  return Object.fromEntries(services.map((s) => [s, `ghcr.io/${owner.toLowerCase()}/${s}`]));
}

/** The repository policy statements letting each named account (its root principal) pull. */
export function pullStatements(
  pullAccountIds: readonly string[],
  partition: pulumi.Input<string>,
): Statement[] {
  if (pullAccountIds.length === 0) return [];
  return [
    {
      Sid: "NamedAccountsPull",
      Effect: "Allow",
      Principal: { AWS: pullAccountIds.map((id) => pulumi.interpolate`arn:${partition}:iam::${id}:root`) },
      Action: PULL_ACTIONS,
    },
  ];
}

/**
 * The repository policy statement letting the CI deploy role of each named account pull, and only
 * pull: an account's root as principal (ECR requires the account to exist, not the role) narrowed
 * to its deploy role's ARN. That role's own policy must allow the pull too (cross-account).
 */
export function promotionPullStatements(
  accountIds: readonly string[],
  partition: pulumi.Input<string>,
): Statement[] {
  if (accountIds.length === 0) return [];
  return [
    {
      Sid: "PromotionTargetsPull",
      Effect: "Allow",
      Principal: { AWS: accountIds.map((id) => pulumi.interpolate`arn:${partition}:iam::${id}:root`) },
      Action: PULL_ACTIONS,
      Condition: {
        ArnLike: { "aws:PrincipalArn": accountIds.map((id) => ciDeployRoleArnPattern(partition, id)) },
      },
    },
  ];
}

export interface EcrRepositoryArgs {
  readonly service: string;
  readonly prefix: string;
  readonly kmsKeyArn: pulumi.Input<string>;
  /** Lifecycle policy JSON (see `lifecyclePolicyDocument`). */
  readonly lifecyclePolicy: string;
  /** Repository policy statements; none creates no policy. */
  readonly pullStatements: Statement[];
  readonly protect: boolean;
}

/** One ECR repository `<prefix>/<service>` with its lifecycle policy and, if any, its pull policy. */
export function createEcrRepository(
  name: string,
  args: EcrRepositoryArgs,
  parent: pulumi.Resource,
): aws.ecr.Repository {
  const repo = new aws.ecr.Repository(
    `${name}-${args.service}`,
    {
      name: `${args.prefix}/${args.service}`,
      ...REPOSITORY_SETTINGS,
      encryptionConfigurations: [{ encryptionType: "KMS", kmsKey: args.kmsKeyArn }],
    },
    { parent, protect: args.protect },
  );
  new aws.ecr.LifecyclePolicy(
    `${name}-${args.service}`,
    { repository: repo.name, policy: args.lifecyclePolicy },
    { parent },
  );
  if (args.pullStatements.length > 0)
    new aws.ecr.RepositoryPolicy(
      `${name}-${args.service}-pull`,
      { repository: repo.name, policy: policyDocument(args.pullStatements) },
      { parent },
    );
  return repo;
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
    validateRegistryArgs(name, args);
    this.repositoryUrls = {};
    this.repositoryArns = {};
    for (const [service, owner] of Object.entries(args.ghcrServices ?? {}))
      this.repositoryUrls[service] = pulumi.output(ghcrRepositoryUrls(owner, [service])[service]);

    if (args.kind === "ghcr") {
      for (const [service, url] of Object.entries(ghcrRepositoryUrls(args.ghcrOwner!, args.services)))
        this.repositoryUrls[service] = pulumi.output(url);
      this.registerOutputs({ repositoryUrls: this.repositoryUrls });
      return;
    }
    const account = args.account!;
    const key = createKmsKey(
      `${name}-ecr`,
      account,
      { description: `ECR images of ${name}` },
      { parent: this },
    );
    const lifecyclePolicy = lifecyclePolicyDocument(args.keepLastImages, args.untaggedExpiryDays);
    const statements = [
      ...pullStatements(args.pullAccountIds, account.partition),
      ...promotionPullStatements(args.promotionTargetAccountIds ?? [], account.partition),
    ];
    for (const service of args.services) {
      const repo = createEcrRepository(
        name,
        {
          service,
          prefix: args.prefix,
          kmsKeyArn: key.arn,
          lifecyclePolicy,
          pullStatements: statements,
          protect: args.protect,
        },
        this,
      );
      this.repositoryUrls[service] = repo.repositoryUrl;
      this.repositoryArns[service] = repo.arn;
    }
    this.registerOutputs({ repositoryUrls: this.repositoryUrls, repositoryArns: this.repositoryArns });
  }
}
