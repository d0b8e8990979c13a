/**
 * Where a stack's network-bound CI jobs run (`platform:ci`). A private EKS endpoint or an internal
 * ALB is out of reach of GitHub-hosted runners, so such a stack names a runner inside its network:
 * AWS CodeBuild-hosted GitHub Actions runners in the VPC's private subnets (created by the
 * program), or self-hosted runners the operator keeps in reach. The stack publishes the labels of
 * its runner as a repository variable (`RUNNER_LABELS_<STACK>`), which the owning stack's workflows
 * read at `runs-on` time.
 */
import { z } from "zod";
// schema.ts imports this file, so only types come from it (erased: no cycle at load time).
import { PROJECT } from "./primitives";
import type { StackConfig } from "./schema";

/** The runner image of GitHub-hosted jobs, and of every job that needs no network. */
export const GITHUB_HOSTED_LABEL = "ubuntu-24.04";

/** CodeBuild compute types of Linux containers, smallest first. */
export const CODEBUILD_COMPUTE_TYPES = [
  "BUILD_GENERAL1_SMALL",
  "BUILD_GENERAL1_MEDIUM",
  "BUILD_GENERAL1_LARGE",
  "BUILD_GENERAL1_XLARGE",
  "BUILD_GENERAL1_2XLARGE",
] as const;

const CONNECTION_PREREQUISITE =
  "the ARN of an AWS CodeConnections connection to GitHub, created once in the console (Developer Tools → Settings → Connections → GitHub) and authorised there, such as arn:aws:codeconnections:eu-west-1:111111111111:connection/0d2c7a7e-1111-4a2b-9c3d-000000000001";

const githubHostedSchema = z.strictObject({ kind: z.literal("github-hosted") });

const codebuildSchema = z.strictObject({
  kind: z.literal("codebuild"),
  /**
   * CodeConnections connection through which CodeBuild reads the repository and registers its
   * runners. Required: creating one needs a person to authorise the GitHub App in the console.
   */
  connectionArn: z
    .string({
      error: (issue) => (issue.input === undefined ? `required: ${CONNECTION_PREREQUISITE}` : undefined),
    })
    .regex(
      /^arn:aws[a-z-]*:(codeconnections|codestar-connections):[a-z0-9-]+:\d{12}:connection\/[0-9a-f-]{36}$/,
      `must be ${CONNECTION_PREREQUISITE}`,
    ),
  /** CodeBuild compute type of each job's container. @default "BUILD_GENERAL1_MEDIUM" */
  computeType: z.enum(CODEBUILD_COMPUTE_TYPES).default("BUILD_GENERAL1_MEDIUM"),
  /** CodeBuild curated image the jobs run in. @default "aws/codebuild/standard:7.0" */
  image: z
    .string()
    .regex(
      /^aws\/codebuild\/[a-z0-9._/:-]+$/,
      "must be a CodeBuild curated image such as aws/codebuild/standard:7.0",
    )
    .default("aws/codebuild/standard:7.0"),
  /** Minutes a job may run before CodeBuild stops it. @default 60 */
  timeoutMinutes: z.number().int().min(5).max(480).default(60),
});

const selfHostedSchema = z.strictObject({
  kind: z.literal("self-hosted"),
  /** Labels that select the runners (`runs-on`); they must reach the stack's private endpoints. */
  labels: z
    .array(
      z.string().regex(/^[A-Za-z0-9._:-]+$/, "must be a runner label: letters, digits, '.', '_', ':', '-'"),
    )
    .min(1),
});

export const runnerSchema = z.discriminatedUnion("kind", [
  githubHostedSchema,
  codebuildSchema,
  selfHostedSchema,
]);

export const ciSchema = z.strictObject({
  /**
   * Where the stack's network-bound jobs (infra preview and up, drift, deploy, rollback) run.
   * Required when the stack's EKS endpoint is private or its ALB internal.
   * @default { kind: "github-hosted" } when nothing of the stack is private
   */
  runner: runnerSchema.optional(),
});

export type RunnerConfig = z.output<typeof runnerSchema>;
export type CodeBuildRunnerConfig = z.output<typeof codebuildSchema>;

/** The runner the stack's config names, or GitHub-hosted when it names none. */
export function runnerOf(c: Pick<StackConfig, "ci">): RunnerConfig {
  return c.ci.runner ?? { kind: "github-hosted" };
}

/** The CodeBuild project of a stack's runners: `<project>-<stack>-runner`. */
export function runnerProjectName(stack: string, project: string = PROJECT): string {
  return `${project}-${stack}-runner`;
}

/**
 * The `runs-on` labels of the stack's runner as a JSON array, with `{0}` and `{1}` where the
 * workflow's `format(…, github.run_id, github.run_attempt)` puts the run: CodeBuild requires the
 * label `codebuild-<project>-<run id>-<run attempt>` and starts one build for each job queued with it.
 */
export function runnerLabelsTemplate(c: Pick<StackConfig, "ci" | "stack">): string {
  const runner = runnerOf(c);
  switch (runner.kind) {
    case "github-hosted":
      return JSON.stringify([GITHUB_HOSTED_LABEL]);
    case "codebuild":
      return JSON.stringify([`codebuild-${runnerProjectName(c.stack)}-{0}-{1}`]);
    case "self-hosted":
      return JSON.stringify(runner.labels);
  }
}
