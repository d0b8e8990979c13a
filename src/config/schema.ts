/**
 * The stack configuration schema: every key the program reads, with its type, default and the
 * rules that tie keys together. Parsing is pure (no Pulumi runtime), so tests and tools can
 * validate a `Pulumi.<stack>.yaml` without evaluating the program.
 */
import { z } from "zod";
import { addonsSchema } from "./addon-images";
import { backendSchema, secretsSchema } from "./backend";
import { dependencySchema } from "./dependencies";
import { dnsSchema, exposureSchema, ingressSchema } from "./dns";
import { GITHUB_PLANS, VISIBILITIES } from "./github-plan";
import { cidr, dnsLabel, githubLogin, githubRepositoryName } from "./primitives";
import { ciSchema } from "./runners";
import { serviceBuildSchema } from "./service-build";
import { BRANCH_MODELS } from "../workflows/context";
import { operationsSchema } from "./operations";

export { PROJECT } from "./primitives";

export const ENVIRONMENTS = ["development", "staging", "production", "local"] as const;
export type EnvironmentName = (typeof ENVIRONMENTS)[number];

const digest = z
  .string()
  .regex(/^sha256:[a-f0-9]{64}$/, "must be an image digest: sha256: and 64 hex characters");
const accountId = z.string().regex(/^\d{12}$/, "must be a 12-digit AWS account id");
const retentionDays = z
  .number()
  .int()
  .refine((d) => CLOUDWATCH_RETENTION_DAYS.includes(d), {
    message:
      "must be a CloudWatch retention period (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653)",
  });
export const CLOUDWATCH_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

const networkSchema = z.strictObject({
  /** VPC CIDR; split into public and private subnets per AZ. @default "10.0.0.0/16" */
  cidr: cidr.default("10.0.0.0/16"),
  /** Availability zones to span. @default 2 (production requires 3) */
  azCount: z.number().int().min(1).max(6).default(2),
  /** One NAT gateway for the VPC, or one per AZ (no cross-AZ dependency). @default "single" */
  natGateways: z.enum(["single", "perAz"]).default("single"),
});

const registrySchema = z.strictObject({
  /** Where images live: ECR repositories created here, or GHCR packages under `ghcrOwner`. @default "ecr" */
  kind: z.enum(["ecr", "ghcr"]).default("ecr"),
  /** GitHub owner whose packages hold the images (ghcr only). */
  ghcrOwner: githubLogin("a GitHub user or organisation name").optional(),
  /**
   * ghcr only, for private packages: the Secrets Manager secret holding a read-only pull
   * credential (`{"username": "…", "password": "<token with read:packages>"}`). ECS tasks pull
   * with it (`repositoryCredentials`); EKS pods through an `imagePullSecrets` Secret the External
   * Secrets store syncs from it into each service's namespace (needs `kubernetes.secretStore`).
   * @default none: public packages, pulled anonymously
   */
  pullCredentialsSecretArn: z
    .string()
    .regex(
      /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$/,
      "must be a Secrets Manager secret ARN",
    )
    .optional(),
  /** Images kept per repository by the lifecycle policy. @default 30 */
  keepLastImages: z.number().int().min(1).max(1000).default(30),
  /** Days after which untagged images expire. @default 7 */
  untaggedExpiryDays: z.number().int().min(1).max(365).default(7),
  /** Accounts allowed to pull (never a wildcard). @default [] */
  pullAccountIds: z.array(accountId).default([]),
  /** Accounts whose CI deploy role copies this stack's images into its own registry (pull only). @default [] */
  promotionTargetAccountIds: z.array(accountId).default([]),
  /** Account and region of the stack this one copies its images from (release tags: the promotion source). */
  promotionSource: z
    .strictObject({ accountId, region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, "must be an AWS region") })
    .optional(),
});

const nodeGroupSchema = z.strictObject({
  name: dnsLabel,
  instanceTypes: z
    .array(z.string().regex(/^[a-z0-9]+\.[a-z0-9]+$/, "must be an EC2 instance type such as m7i.large"))
    .min(1),
  // EKS quota "Nodes per managed node group": 450.
  minSize: z.number().int().min(0).max(450),
  maxSize: z.number().int().min(1).max(450),
  desiredSize: z.number().int().min(0).max(450),
  /** Root volume size in GiB. @default 50 */
  diskSizeGiB: z.number().int().min(20).max(16384).default(50),
  capacityType: z.enum(["ON_DEMAND", "SPOT"]).default("ON_DEMAND"),
});

export const MIN_KUBERNETES_VERSION = "1.31";
const iamRoleArn = z
  .string()
  .regex(
    /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/,
    "must be an IAM role ARN (arn:aws:iam::<account>:role/<name>)",
  );

const eksSchema = z.strictObject({
  /** Create an EKS cluster for services with target `eks`. @default false */
  enabled: z.boolean().default(false),
  /** Kubernetes minor version. @default "1.33" */
  version: z
    .string()
    .regex(/^1\.\d{2}$/, "must be a Kubernetes minor version such as 1.33")
    .default("1.33"),
  /** Expose the API endpoint publicly (then only to `publicAccessCidrs`). @default false */
  endpointPublicAccess: z.boolean().default(false),
  /** CIDRs allowed to reach a public endpoint; required when it is public. @default [] */
  publicAccessCidrs: z.array(cidr).default([]),
  nodeGroups: z.array(nodeGroupSchema).default([]),
  /** The cluster add-ons' images, pinned by digest (see addon-images.ts). @default { images: {} } */
  addons: addonsSchema.default({ images: {} }),
  /**
   * People's access to the cluster, through IAM roles they assume (SSO permission sets' roles):
   * `onCall` reads every namespace — objects, events and container logs, not Secrets
   * (`AmazonEKSViewPolicy`); `breakGlass` administers it (`AmazonEKSClusterAdminPolicy`), for an
   * incident the pipelines cannot fix. Production requires at least one of each. @default {}
   */
  access: z
    .strictObject({
      onCall: z.array(iamRoleArn).default([]),
      breakGlass: z.array(iamRoleArn).default([]),
    })
    .default({ onCall: [], breakGlass: [] }),
  /**
   * The `vpc-cni` managed add-on version (it enforces the workloads' NetworkPolicies). @default the
   * one pinned for `version` (VPC_CNI_VERSIONS in src/components/aws/eks-cluster.ts)
   */
  vpcCniVersion: z
    .string()
    .regex(/^v\d+\.\d+\.\d+-eksbuild\.\d+$/, "must be a vpc-cni add-on version such as v1.20.0-eksbuild.1")
    .optional(),
});

const ecsSchema = z.strictObject({
  /** Create an ECS cluster and ALB for services with target `ecs`. @default false */
  enabled: z.boolean().default(false),
  /** Internet-facing ALB; needs `allowedCidrs`. @default false (internal) */
  publicLoadBalancer: z.boolean().default(false),
  /** CIDRs allowed to reach the ALB. @default [] (the VPC CIDR) */
  allowedCidrs: z.array(cidr).default([]),
});

const kubernetesSchema = z.strictObject({
  /** Path to a kubeconfig for a cluster not created here (local stack, kind, minikube). */
  kubeconfig: z.string().min(1).optional(),
  /** Context within that kubeconfig. */
  context: z.string().min(1).optional(),
  /** ClusterSecretStore (External Secrets Operator) that resolves service secret references. */
  secretStore: dnsLabel.optional(),
  /** Ingress ALBs of `internal` and `public` EKS services (see dns.ts). */
  ingress: ingressSchema.default({ allowedCidrs: [] }),
  /**
   * How the services' namespaces are named: `service` (`api`), or `stack-service` (`dev-api`), so
   * environments that share one cluster (seed 003's dev, staging and production as namespaces)
   * never collide. Changing it on a running stack replaces every namespace. @default "service"
   */
  namespaces: z.enum(["service", "stack-service"]).default("service"),
  /**
   * The other platform stacks (their files beside this one) whose workloads run on the same
   * cluster: loading this stack checks that no two tenants derive one namespace. @default []
   */
  sharedWith: z.array(dnsLabel).default([]),
});

const rollingSchema = z.strictObject({
  type: z.literal("rolling"),
  /** Extra pods during a rollout. @default "25%" */
  maxSurge: z.union([z.number().int().min(0), z.string().regex(/^\d{1,3}%$/)]).default("25%"),
  /** Pods that may be unavailable during a rollout: a count, or a percentage up to 100 %. @default 0 */
  maxUnavailable: z
    .union([
      z.number().int().min(0),
      z
        .string()
        .regex(/^\d{1,3}%$/)
        .refine(
          (v) => Number(v.slice(0, -1)) <= 100,
          "a percentage of at most 100% (Kubernetes refuses more)",
        ),
    ])
    .default(0),
});
const blueGreenSchema = z.strictObject({
  type: z.literal("blueGreen"),
  /**
   * ECS only: minutes ECS keeps the previous (blue) revision after production traffic moved to
   * the new one, during which a rollback is one traffic shift. @default 10
   */
  bakeMinutes: z
    .number()
    .int()
    .min(0, "whole minutes from 0 to 30 (the bake counts against the deploy job's 60 minutes)")
    .max(30, "whole minutes from 0 to 30 (the bake counts against the deploy job's 60 minutes)")
    .optional(),
});

/** Minutes an ECS blue/green service keeps its previous revision when `bakeMinutes` is unset. */
export const DEFAULT_BAKE_MINUTES = 10;
const canarySchema = z.strictObject({
  type: z.literal("canary"),
  /**
   * Traffic weights (percent) the workflow steps through, strictly increasing, ending at 100. The
   * split is the canary track's share of the pods, so each weight must be one the replicas can
   * carry (k/replicas). @default the reachable weights nearest 10, 25 and 50, then 100 (two replicas: [50, 100])
   */
  steps: z.array(z.number().int()).optional(),
});
const strategySchema = z.discriminatedUnion("type", [rollingSchema, blueGreenSchema, canarySchema]);

const secretArn = z
  .string()
  .regex(
    /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$/,
    "must be a Secrets Manager secret ARN",
  );

const serviceSchema = z.strictObject({
  name: dnsLabel,
  /**
   * The application the service belongs to: its team's unit of onboarding, deployed, released
   * and rolled back by its own stack of the `apps` project (`<application>-<stack>`) when the
   * stack sets `applicationStacks`. @default the GitHub repository's name, else "app"
   */
  application: dnsLabel.optional(),
  /** Container port the service listens on. */
  port: z.number().int().min(1024, "must be ≥ 1024 (containers run as non-root)").max(65535),
  target: z.enum(["eks", "ecs"]),
  exposure: exposureSchema,
  strategy: strategySchema.default({ type: "rolling", maxSurge: "25%", maxUnavailable: 0 }),
  /** Desired replicas (ECS tasks or Kubernetes pods per colour/track); not with `autoscaling`, which owns the count. @default 2 */
  replicas: z.number().int().min(1).max(100).optional(),
  autoscaling: z
    .strictObject({
      // ECS quota "Tasks per service": 5000 (and far inside the int32 an HPA takes).
      minReplicas: z.number().int().min(1).max(5000),
      maxReplicas: z.number().int().min(1).max(5000),
      /** Target average CPU utilisation, percent. @default 70 */
      cpuTarget: z.number().int().min(10).max(95).default(70),
    })
    .optional(),
  /** CPU in millicores (Fargate: 256/512/1024/2048/4096 units = 250/500/1000/2000/4000). @default 250 */
  cpu: z.number().int().min(50).max(16000).default(250),
  /** Memory in MiB. @default 512 */
  memoryMiB: z.number().int().min(64).max(122880).default(512),
  /** HTTP path answering 200 when healthy. @default "/health" */
  healthPath: z
    .string()
    .regex(/^\/[\x21-\x7e]*$/, "must be an absolute URL path")
    .default("/health"),
  /**
   * The team's own checks after each deploy (smoke or end-to-end tests, as seeds 001, 003 and
   * 004 run them), per stack so each environment runs its own: `command` runs with bash in the
   * deploy job's checkout once every gate of the release passed, with `SERVICE_URL` (reachable
   * from the job: a port-forward for an in-cluster service), `SERVICE` and `STACK` set. A non-zero
   * exit or the timeout fails the release and the executor restores what ran before, as a failed
   * health gate does. It is read from the stack file at release time and never rendered into a
   * workflow, so GitHub never evaluates it. @default none
   */
  postDeploy: z
    .strictObject({
      command: z
        .string()
        .min(1, "a bash command line of 1 to 2000 characters")
        .max(2000, "a bash command line of 1 to 2000 characters"),
      /** @default 300 (the deploy job's own limit is 60 minutes) */
      timeoutSeconds: z
        .number()
        .int()
        .min(10, "whole seconds from 10 to 1800 (the deploy job stops at 60 minutes, gates included)")
        .max(1800, "whole seconds from 10 to 1800 (the deploy job stops at 60 minutes, gates included)")
        .default(300),
    })
    .optional(),
  /**
   * What the service talks to besides DNS and HTTPS: `{ service }` (another service of the stack,
   * same target) or `{ name, port, cidr | securityGroupId }` (a managed database or cache). The
   * program opens exactly these paths: security-group rules on ECS, NetworkPolicy egress on
   * Kubernetes. @default []
   */
  dependencies: z.array(dependencySchema).default([]),
  /**
   * Database migrations before each release (the db-migrate action: backup, apply, validate), run
   * by the deploy job on the stack's runner. None when unset.
   */
  migrations: z
    .strictObject({
      /** The service's command applying pending migrations, run in `services/<name>/`. */
      apply: z.string().min(1),
      /** Its command failing while migrations are pending or the schema differs. */
      validate: z.string().min(1),
      /**
       * Secrets Manager secret holding the database's connection URL (PostgreSQL: the backup is
       * `pg_dump`). Read by the deploy job inside the network, never stored in GitHub.
       */
      databaseUrlSecretArn: secretArn,
      /** Which of the service's `dependencies` is the database: the runner gets the same path. */
      database: dnsLabel,
    })
    .optional(),
  /** Plain environment variables (never secrets). @default {} */
  env: z
    .record(
      z.string().regex(/^[A-Z_][A-Z0-9_]*$/, "must be an environment variable name in UPPER_SNAKE_CASE"),
      z.string(),
    )
    .default({}),
  /** Environment name → Secrets Manager secret ARN. Values are references, never secret values. @default {} */
  secrets: z
    .record(
      z.string().regex(/^[A-Z_][A-Z0-9_]*$/, "must be an environment variable name in UPPER_SNAKE_CASE"),
      secretArn,
    )
    .default({}),
  /**
   * How an EKS service's containers get `secrets`: `files` mounts the synced Secret read-only at
   * `/var/run/secrets/app/<NAME>`; `environment` sets each `NAME` from it (`secretKeyRef`), as ECS
   * does and as apps that read `DATABASE_URL` from the environment expect. Environment variables
   * reach child processes, crash dumps and debug output, so the pack's advisory
   * `kubernetes-workload-prefer-secret-files` reports them. ECS injects secrets as environment
   * variables only, so an ECS service refuses the key. @default "files"
   */
  secretsAs: z.enum(["files", "environment"]).optional(),
  /** How the service is built and tested: ci.yml's jobs for it and its image build (see service-build.ts). */
  build: serviceBuildSchema.optional(),
});

/** The colour a blueGreen service serves before any flip, and a canary's weight before any step. */
export const RELEASE_PIN_DEFAULTS = { activeColor: "blue", canaryWeight: 0 } as const;

const releasePinsShape = {
  /** Digest the service runs (the active colour for blueGreen, the stable track for canary). */
  digest,
  /** blueGreen: colour the main Service selects. @default "blue" */
  activeColor: z.enum(["blue", "green"]).optional(),
  /** blueGreen: digest of the idle colour (the next release, reachable via the preview Service). @default digest */
  idleDigest: digest.optional(),
  /** canary: digest of the canary track. @default digest */
  canaryDigest: digest.optional(),
  /** canary: current traffic weight; 0 or one of the strategy's steps. @default 0 */
  canaryWeight: z.number().int().min(0).max(100).optional(),
};

export const releaseSchema = z.strictObject({
  ...releasePinsShape,
  /**
   * What ran before the last release changed this service: the release executor records it
   * (through the stack's `releases` output) and `rollback --to previous` restores it.
   */
  previous: z.strictObject(releasePinsShape).optional(),
});

const githubSchema = z.strictObject({
  /** Owner (organisation or user) of the application repository. */
  owner: githubLogin("a GitHub user or organisation name"),
  /** Repository name. */
  repository: githubRepositoryName,
  /**
   * The owner's GitHub plan, which decides what a repository can have (environment reviewers,
   * wait timers, protection on private repositories): see `planFeatures`. Required: the program
   * assumes none. Every stack of one repository states the same plan.
   */
  plan: z.enum(GITHUB_PLANS, {
    error: (issue) =>
      issue.input === undefined
        ? 'required: the owner\'s GitHub plan, "free", "team" or "enterprise" (what the repository can have depends on it)'
        : 'must be "free", "team" or "enterprise"',
  }),
  /** Visibility of the repository; every stack of one repository states the same. @default "private" */
  visibility: z.enum(VISIBILITIES).default("private"),
  /**
   * The owner holds a GitHub Advanced Security (Secret Protection) licence for private
   * repositories: secret scanning and push protection are then enabled on the private repository.
   * Public repositories get both free and take no licence. @default false
   */
  advancedSecurity: z.boolean().default(false),
  /** This stack manages the repository-level objects (settings, protection, workflow files). Exactly one stack may. @default false */
  manageRepository: z.boolean().default(false),
  /**
   * Stacks in promotion order and the GitHub environment each deploys through.
   * @default dev → development, staging → staging, production → production
   */
  stacks: z
    .array(
      z.strictObject({
        stack: dnsLabel,
        environment: z.enum(["development", "staging", "production"]),
        /**
         * What deploys this stack: a push to `{ branch }` (one of the branch model's integration
         * branches) or a release tag (`{ tag: "v*.*.*" }`). The branch models are presets of this
         * mapping (README: "Branch models"); a team states its own, e.g. develop → staging and
         * main → production. @default the branch model's: production from tags, development from
         * develop (main under trunk), staging from main (staging under environment)
         */
        deployFrom: z
          .union([
            z.strictObject({
              branch: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._/-]{0,99}$/, "must be a branch name"),
            }),
            z.strictObject({ tag: z.literal("v*.*.*") }),
          ])
          .optional(),
      }),
    )
    .min(1)
    .default([
      { stack: "dev", environment: "development" },
      { stack: "staging", environment: "staging" },
      { stack: "production", environment: "production" },
    ]),
  /**
   * Teams (slugs of the owner organisation) that own the platform code. Rendered into
   * `.github/CODEOWNERS`, which branch protection's code-owner review enforces; required in the
   * stack that manages the repository. @default []
   */
  codeOwners: z.array(z.string().regex(/^[a-z0-9][a-z0-9-]*$/, "must be a team slug")).default([]),
  /** Approving reviews a pull request needs. @default 1 */
  requiredApprovals: z.number().int().min(1).max(6).default(1),
  /** Reviewers of this stack's environment. */
  reviewers: z
    .strictObject({
      /** GitHub logins; resolved to the numeric ids the API needs. @default [] */
      users: z.array(githubLogin("a GitHub login")).default([]),
      /** Team slugs of the owner organisation; resolved to numeric ids. @default [] */
      teams: z.array(z.string().regex(/^[a-z0-9-]+$/, "must be a team slug")).default([]),
    })
    .default({ users: [], teams: [] }),
  /** Minutes the environment waits before a deployment proceeds. @default 0 */
  waitTimerMinutes: z.number().int().min(0).max(43200).default(0),
  /** URL shown on the environment. */
  environmentUrl: z.string().url().optional(),
  /** Node.js versions of the unit-test matrix. @default ["20", "22"] */
  nodeVersions: z
    .array(z.string().regex(/^\d{2}$/))
    .min(1)
    .default(["20", "22"]),
  /** Line coverage the unit tests must reach. @default 80 */
  coverageThreshold: z.number().int().min(0).max(100).default(80),
  /** Service containers for ci.yml's integration job (`npm run test:integration`). @default [] */
  integrationServices: z.array(z.enum(["postgres", "redis", "mysql", "mongodb"])).default([]),
  /** Run contract tests (`npm run test:contract`). @default false */
  contractTests: z.boolean().default(false),
  /**
   * Shared state for the jobs that run this stack: an S3 bucket from `bootstrap/` or Pulumi Cloud.
   * Required: a GitHub runner's local file backend is gone when the job ends.
   */
  backend: backendSchema.optional(),
  /** Secrets provider of the stack. @default { provider: "passphrase" } */
  secrets: secretsSchema.default({ provider: "passphrase" }),
  /**
   * The commit of this repository whose reusable workflows (build-image, deploy-service,
   * rollback-service) the applications' repositories call: their workflows pin it, and their
   * deploy roles trust only jobs of those workflows at it (OIDC `job_workflow_ref`). Bump it to
   * roll a platform change out to the applications. Required with `applications`.
   */
  executorCommit: z
    .string()
    .regex(/^[0-9a-f]{40}$/, "must be a full commit SHA (40 lowercase hex characters)")
    .optional(),
  /**
   * The pin `executorCommit` replaces, still trusted by the applications' deploy roles while their
   * repositories merge the pull requests that move them to the new one; remove it once they have.
   * @default none
   */
  previousExecutorCommit: z
    .string()
    .regex(/^[0-9a-f]{40}$/, "must be a full commit SHA (40 lowercase hex characters)")
    .optional(),
  /** IAM OIDC provider for GitHub that already exists in the account; unset creates one. */
  oidcProviderArn: z
    .string()
    .regex(
      /^arn:aws[a-z-]*:iam::\d{12}:oidc-provider\/token\.actions\.githubusercontent\.com$/,
      "must be the ARN of the token.actions.githubusercontent.com OIDC provider",
    )
    .optional(),
});

/**
 * An application with a repository of its own (a team's): where its code lives and how its
 * pipelines run there. Its services are `services[]` whose `application` names it; its workloads
 * live in its application stacks; the platform manages the repository's governance, its
 * environment in each stack, its deploy roles and its generated workflows, which call this
 * repository's reusable workflows at `github.executorCommit` (docs/onboard-a-team.md).
 */
const applicationGithubSchema = githubSchema
  .pick({
    owner: true,
    repository: true,
    plan: true,
    visibility: true,
    advancedSecurity: true,
    manageRepository: true,
    stacks: true,
    codeOwners: true,
    requiredApprovals: true,
    reviewers: true,
    waitTimerMinutes: true,
    environmentUrl: true,
  })
  .extend({
    /** The repository's branch model, preset of its stacks' deployFrom. @default "gitflow" */
    branchModel: z.enum(BRANCH_MODELS).default("gitflow"),
  });

const applicationSchema = z.strictObject({
  /** The application's name, which its services' `application` names. */
  name: dnsLabel,
  github: applicationGithubSchema,
  /**
   * Where its images live, when not the stack's `registry`: ECR repositories of the platform, or
   * GHCR packages of `ghcrOwner` (with `pullCredentialsSecretArn` for private ones).
   * @default the stack's registry kind, owner and pull credential
   */
  registry: registrySchema.pick({ kind: true, ghcrOwner: true, pullCredentialsSecretArn: true }).optional(),
});

export const stackConfigSchema = z.strictObject({
  environment: z.enum(ENVIRONMENTS),
  /**
   * gitflow (develop → main → tags, release/* and hotfix/*), trunk (main → tags) or environment
   * (develop → dev, staging → staging, tags → production). @default "gitflow"
   */
  branchModel: z.enum(BRANCH_MODELS).default("gitflow"),
  /** Protect stateful resources from deletion. @default true in production, else false */
  protect: z.boolean().optional(),
  /** Log retention for every CloudWatch log group. @default 365 */
  logRetentionDays: retentionDays.default(365),
  /** Tags applied to every AWS resource. @default {} */
  tags: z.record(z.string(), z.string()).default({}),
  network: networkSchema.default(networkSchema.parse({})),
  registry: registrySchema.default(registrySchema.parse({})),
  eks: eksSchema.default(eksSchema.parse({})),
  ecs: ecsSchema.default(ecsSchema.parse({})),
  kubernetes: kubernetesSchema.default(kubernetesSchema.parse({})),
  /** Route 53 zone, domain and certificate of the services (see dns.ts). */
  dns: dnsSchema.optional(),
  services: z.array(serviceSchema).default([]),
  /**
   * Where the services' workloads live. false: in this stack, deployed by its `pulumi up` (one
   * stack per environment holds everything). true: in one stack of the `apps` project per
   * application × environment, reading this stack's outputs by `StackReference`; this stack keeps
   * what the environment shares and a deploy touches only its application (README: "Two
   * projects", and "Move workloads into application stacks" before turning it on for a stack
   * that already runs them). @default false
   */
  applicationStacks: z.boolean().default(false),
  releases: z.record(dnsLabel, releaseSchema).default({}),
  github: githubSchema.optional(),
  /**
   * Applications whose code lives in repositories of their own (docs/onboard-a-team.md). A
   * service whose `application` is not listed here lives in the platform's repository (`github`).
   * @default []
   */
  applications: z.array(applicationSchema).default([]),
  /** Where the stack's network-bound CI jobs run (see runners.ts). @default {} */
  ci: ciSchema.default({}),
  /** Slack incoming webhook for deploy notifications: must be set with `pulumi config set --secret`. */
  slackWebhookUrl: z.string().url().optional(),
  /** Alarms, notifications, the metric gate, change windows and emergency switches (see operations.ts). @default {} */
  operations: operationsSchema.default(operationsSchema.parse({})),
});

export type StackConfigInput = z.input<typeof stackConfigSchema>;
type Parsed = z.output<typeof stackConfigSchema>;
export type ParsedService = z.output<typeof serviceSchema>;
type ParsedStrategy = z.output<typeof strategySchema>;
/** A service's strategy with its derived defaults filled in (canary steps). */
export type Strategy =
  | Exclude<ParsedStrategy, { type: "canary" }>
  | (Extract<ParsedStrategy, { type: "canary" }> & { readonly steps: number[] });
/** A validated service: `replicas` and the strategy's steps resolved from what was set. */
export interface ServiceConfig extends Omit<ParsedService, "replicas" | "strategy"> {
  readonly replicas: number;
  readonly strategy: Strategy;
}
export type ReleaseConfig = z.output<typeof releaseSchema>;
export type GithubConfig = z.output<typeof githubSchema>;
export type ApplicationConfig = z.output<typeof applicationSchema>;
export type ApplicationGithubConfig = z.output<typeof applicationGithubSchema>;
export type RegistryConfig = z.output<typeof registrySchema>;
export type NodeGroupConfig = z.output<typeof nodeGroupSchema>;

/** The validated configuration of one stack, with derived facts the layers share. */
export interface StackConfig extends Omit<Parsed, "protect" | "services"> {
  readonly services: ServiceConfig[];
  readonly stack: string;
  readonly protect: boolean;
  /** True when any AWS resource is needed (network, ECR, EKS, ECS, deploy roles). */
  readonly usesAws: boolean;
  /** `aws:region` of the stack; required when `usesAws`. */
  readonly awsRegion?: string;
}
