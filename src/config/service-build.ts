/**
 * How a service is built and tested (`services[].build`): where its source lives, its toolchain
 * and versions, the commands of its checks, its coverage floor, the containers its integration
 * tests need and its Dockerfile. ci.yml gets the service's own jobs from it (service-ci.ts), and
 * build-deploy.yml builds the image from it when its path changed.
 *
 * The schema refuses unknown toolchains and containers; `serviceBuildProblems`
 * (service-build-rules.ts) refuses what the repository does not hold (the directory, the toolchain's manifests, the Dockerfile), since a
 * required check that cannot find its service fails every pull request.
 */
import { z } from "zod";
import { containerChoiceProblem } from "../workflows/containers";
import { CHECK_KINDS, TOOLCHAIN_NAMES } from "../workflows/toolchains";

/** A directory relative to the repository root, without `..`, `.` or a trailing slash. */
const relativePath = z
  .string()
  .regex(
    /^(?!.*(^|\/)\.{1,2}(\/|$))[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/,
    "must be a path relative to the repository root, such as services/api",
  );

const command = z.string().min(1).max(1000);

export const serviceBuildSchema = z.strictObject({
  /**
   * Source directory, relative to the repository root; `.` for an application at the root (seed
   * 002), then the repository's only built service. @default "services/<name>"
   */
  path: z.union([z.literal("."), relativePath]).optional(),
  /**
   * Directories outside `path` the service is built from, such as a shared package at the root
   * (seed 001's `shared/`): a change there rebuilds and rechecks the service, and its image is
   * built with the repository root as the context (its Dockerfile copies paths from the root).
   * @default []
   */
  sharedPaths: z.array(relativePath).default([]),
  /** The service's toolchain: what sets it up, installs and checks it (src/workflows/toolchains.ts). */
  toolchain: z.enum(TOOLCHAIN_NAMES, {
    error: () =>
      `must be one of ${TOOLCHAIN_NAMES.map((t) => `"${t}"`).join(", ")} (the toolchains CI sets up)`,
  }),
  /** Versions of the unit-test matrix; the first also runs every other job. @default python ["3.12"], node ["20"] */
  versions: z
    .array(z.string().regex(/^\d+(\.\d+)?$/, "must be a version such as 3.12 or 20"))
    .min(1)
    .optional(),
  /**
   * Commands run in the service's directory, replacing the toolchain's defaults (python: ruff
   * check, ruff format --check, mypy, pytest tests/unit with pytest-cov, pytest tests/integration;
   * node: eslint, tsc --noEmit, npm test, npm run test:integration). `contract` and `build` (a
   * frontend build) run only when set. @default {}
   */
  commands: z.strictObject(Object.fromEntries(CHECK_KINDS.map((k) => [k, command.optional()]))).default({}),
  /** Line coverage the unit tests must reach, percent. @default 80 */
  coverage: z.number().int().min(0).max(100).default(80),
  /**
   * Service containers the tests need, pulled by digest: an official image by name (`postgres`,
   * `mysql`, `redis`, `mongodb`, `rabbitmq`), or a publisher's image by the digest the team pulled
   * (`pgvector/pgvector:pg16@sha256:…`, `qdrant/qdrant:v1.7.4@sha256:…`,
   * `pactfoundation/pact-broker:<tag>@sha256:…`). The Pact broker serves the contract job, which
   * publishes the pacts to it; the others serve the integration job. @default []
   */
  containers: z
    .array(
      z.string().superRefine((choice, ctx) => {
        const problem = containerChoiceProblem(choice);
        if (problem) ctx.addIssue({ code: "custom", message: `must be ${problem}` });
      }),
    )
    .default([]),
  /**
   * Where the contract tests write their pact files, relative to the service's directory: the
   * contract job publishes them to its Pact broker container. @default "pacts" with a broker
   */
  pacts: relativePath.optional(),
  /** The Dockerfile, relative to the service's directory. @default "Dockerfile" */
  dockerfile: relativePath.default("Dockerfile"),
  /**
   * The image's architectures, each built natively on GitHub's hosted runner of it. GitHub offers
   * its arm64 runner (`ubuntu-24.04-arm`) to public repositories (GitHub changelog 2025-01-16,
   * "Linux arm64 hosted runners now available for free in public repositories"); a private
   * repository's build refuses it ("not supported yet for private repositories").
   * @default ["amd64", "arm64"] in a public repository, ["amd64"] in a private or internal one
   */
  architectures: z
    .array(z.enum(["amd64", "arm64"], { error: () => 'must be "amd64" or "arm64"' }))
    .min(1)
    .refine((a) => new Set(a).size === a.length, "each architecture once")
    .optional(),
});

/** An image architecture the build workflow builds on its native hosted runner. */
export type Architecture = "amd64" | "arm64";

export type ServiceBuildConfig = z.output<typeof serviceBuildSchema>;

/** The service's source directory. */
export const buildPathOf = (name: string, build: { readonly path?: string }): string =>
  build.path ?? `services/${name}`;
