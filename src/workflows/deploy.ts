/**
 * The application pipelines. Images are built once, on an integration branch, and promoted by
 * digest; release tags never build (and never restore a cache):
 *
 * - build-image.yml (reusable): each architecture built natively on its own runner (amd64, arm64)
 *   and pushed by digest with SBOM and provenance, then one multi-arch index tagged `sha-<commit>`
 *   and scanned; outputs the repository and the index digest. No layer cache (see the build step).
 * - deploy-service.yml (reusable): promotes the digest into the stack's registry, runs the service's
 *   strategy through `pulumi up` (src/release/cli.ts), re-applies the last good release on failure,
 *   smoke-tests, notifies Slack.
 * - build-deploy.yml: per service, build then deploy to the stacks the branch feeds, in order.
 * - release.yml: on `v*.*.*` tags, once staging's deployment of that commit is known to have
 *   succeeded (deployments.ts), promote the digest staging runs for it to production.
 */
import { DEPLOY_JOB_TIMEOUT_MINUTES } from "../config/release-limits";
import {
  buildImageFile,
  DeliveryContext,
  deploySource,
  reusableWorkflow,
  deployBranches,
  promotionSource,
  RELEASE_TAG,
  refCondition,
} from "./context";
import { CompositeAction, Job, Permissions, Step, StepsJob, Workflow } from "./model";
import {
  BUILD_DEPLOY_FILE,
  BUILD_SELECTION_JOB,
  buildDispatchInput,
  buildSelectionJob,
  BUILD_IMAGE_FILE,
  selectedForBuild,
  buildContextOf,
  watchedDirsOf,
} from "./build-selection";
import { recordDeployment, recordDeploymentOutcome, sourceDeployedJob } from "./deployments";
import { ACTIONS } from "./pins";
import {
  awsCredentials,
  checkout,
  EXECUTOR_STEP,
  pulumiEnv,
  pulumiJobSetup,
  stackConcurrency,
} from "./steps";
import { secrets, storedName, vars } from "./names";
import { runnerInput, runsOnTemplate, RUNNER_INPUT } from "./runners";
import { countFailedRun, deployGuard, GUARD_ENV, SLACK_GATE_LINES } from "./operations";

export const SLACK = {
  name: "Notify Slack",
  if: "always()",
  env: {
    SLACK_WEBHOOK_URL: secrets("SLACK_WEBHOOK_URL"),
    STATUS: "${{ job.status }}",
    RUN_URL: "${{ github.server_url }}/${{ github.repository }}/actions/runs/${{ github.run_id }}",
  },
  run: [
    'if [ -z "$SLACK_WEBHOOK_URL" ]; then echo "no Slack webhook in this environment"; exit 0; fi',
    'text="$SERVICE → $STACK: $STATUS ($RUN_URL)"',
    // The metric gate's decisions and numbers, when the release ran one.
    SLACK_GATE_LINES,
    'payload="$(jq -n --arg text "$text" \'{text: $text}\')"',
    'curl -fsS -X POST -H "Content-Type: application/json" --data "$payload" "$SLACK_WEBHOOK_URL"',
  ].join("\n"),
};

/**
 * The image architectures and the GitHub-hosted runners that build them natively: no QEMU
 * emulation (an arm64 build under QEMU takes several times as long).
 */
/** GHCR's login with the job's own token (its `packages` permission decides what it may push). */
const ghcrLogin: Step = {
  name: "Log in to GHCR",
  uses: ACTIONS.login,
  with: { registry: "ghcr.io", username: "${{ github.actor }}", password: "${{ secrets.GITHUB_TOKEN }}" },
};

export const IMAGE_ARCHITECTURES = [
  { arch: "amd64", runner: "ubuntu-24.04" },
  { arch: "arm64", runner: "ubuntu-24.04-arm" },
] as const;

/** build-image.yml for the platform's registry kind, or build-image-<kind>.yml for an application's other kind. */
export function buildImageWorkflow(ctx: DeliveryContext, kind: "ecr" | "ghcr" = ctx.registryKind): Workflow {
  const ecr = kind === "ecr";
  const permissions: StepsJob["permissions"] = {
    contents: "read",
    "id-token": "write",
    ...(ecr ? {} : { packages: "write" }),
  };
  const env = { SERVICE: "${{ inputs.service }}", REGISTRY_URLS: vars("REGISTRY_URLS") };
  /** Checkout, registry credentials, the service's repository and the registry login. */
  const registrySteps: Step[] = [
    checkout(),
    ...(ecr ? [awsCredentials(vars("AWS_DEPLOY_ROLE_ARN"))] : []),
    {
      name: "Resolve the service's repository",
      id: "repo",
      run: [
        'image="$(jq -er --arg s "$SERVICE" \'.[$s]\' <<<"$REGISTRY_URLS")"',
        'echo "image=$image" >> "$GITHUB_OUTPUT"',
        'echo "registry=${image%%/*}" >> "$GITHUB_OUTPUT"',
      ].join("\n"),
    },
    ecr
      ? {
          name: "Log in to ECR",
          uses: ACTIONS.login,
          with: { registry: "${{ steps.repo.outputs.registry }}" },
        }
      : ghcrLogin,
  ];
  return {
    file: buildImageFile(ctx.registryKind, kind),
    name: kind === ctx.registryKind ? "Build image" : `Build image (${kind.toUpperCase()})`,
    on: {
      workflow_call: {
        inputs: {
          service: { type: "string", required: true, description: "Service to build." },
          context: {
            type: "string",
            required: true,
            description: "The service's source directory, the build context.",
          },
          dockerfile: {
            type: "string",
            required: false,
            default: "Dockerfile",
            description: "The Dockerfile, relative to the context.",
          },
          environment: {
            type: "string",
            required: true,
            description: "Environment whose registry receives the image.",
          },
          architectures: {
            type: "string",
            required: false,
            default: '["amd64"]',
            description:
              'The image\'s architectures, a JSON array of "amd64" and "arm64": each is built on its own hosted runner.',
          },
        },
        outputs: {
          image: {
            description: "Repository the image was pushed to.",
            value: "${{ jobs.build.outputs.image }}",
          },
          digest: {
            description: "Digest of the pushed multi-arch image.",
            value: "${{ jobs.build.outputs.digest }}",
          },
        },
      },
    },
    permissions: {},
    jobs: {
      ...Object.fromEntries(
        IMAGE_ARCHITECTURES.map(({ arch, runner }) => [
          `build-${arch}`,
          {
            name: `build (${arch})`,
            if: `contains(fromJSON(inputs.architectures), '${arch}')`,
            runsOn: runner,
            environment: "${{ inputs.environment }}",
            permissions,
            timeoutMinutes: 30,
            env,
            outputs: { digest: "${{ steps.build.outputs.digest }}" },
            steps: [
              ...registrySteps,
              { name: "Set up Buildx", uses: ACTIONS.setupBuildx },
              {
                name: `Build and push the ${arch} image by digest (SBOM, provenance)`,
                id: "build",
                uses: ACTIONS.buildPush,
                with: {
                  context: "${{ inputs.context }}",
                  file: "${{ inputs.context }}/${{ inputs.dockerfile }}",
                  platforms: `linux/${arch}`,
                  // Untagged: the merge job tags the index that points at every architecture built.
                  outputs:
                    "type=image,name=${{ steps.repo.outputs.image }},push-by-digest=true,name-canonical=true,push=true",
                  sbom: true,
                  provenance: "mode=max",
                  // No BuildKit layer cache: this job holds id-token: write and pushes what production
                  // runs, and a layer another run wrote to the Actions cache would become part of it.
                },
              },
            ],
          } satisfies StepsJob,
        ]),
      ),
      build: {
        name: "build",
        needs: IMAGE_ARCHITECTURES.map(({ arch }) => `build-${arch}`),
        // An architecture the service does not build is skipped; any that failed stops the index.
        if: "${{ !cancelled() && !contains(needs.*.result, 'failure') }}",
        environment: "${{ inputs.environment }}",
        permissions,
        timeoutMinutes: 15,
        env: {
          ...env,
          ...Object.fromEntries(
            IMAGE_ARCHITECTURES.map(({ arch }) => [
              `DIGEST_${arch.toUpperCase()}`,
              `\${{ needs.build-${arch}.outputs.digest }}`,
            ]),
          ),
        },
        outputs: { image: "${{ steps.repo.outputs.image }}", digest: "${{ steps.index.outputs.digest }}" },
        steps: [
          ...registrySteps,
          { name: "Set up Buildx", uses: ACTIONS.setupBuildx },
          {
            name: "Image tags and labels",
            id: "meta",
            uses: ACTIONS.metadata,
            with: { images: "${{ steps.repo.outputs.image }}", tags: "type=sha,format=long" },
          },
          {
            name: "Tag the image index of every architecture built",
            id: "index",
            env: { IMAGE: "${{ steps.repo.outputs.image }}", TAGS: "${{ steps.meta.outputs.tags }}" },
            run: [
              "set -euo pipefail",
              "args=()",
              'while IFS= read -r tag; do [ -n "$tag" ] && args+=(-t "$tag"); done <<<"$TAGS"',
              "sources=()",
              ...IMAGE_ARCHITECTURES.map(
                ({ arch }) =>
                  `if [ -n "$DIGEST_${arch.toUpperCase()}" ]; then sources+=("$IMAGE@$DIGEST_${arch.toUpperCase()}"); fi`,
              ),
              'if [ "${#sources[@]}" -eq 0 ]; then echo "::error::no architecture was built"; exit 1; fi',
              'docker buildx imagetools create "${args[@]}" "${sources[@]}"',
              'first="$(head -n1 <<<"$TAGS")"',
              'digest="$(docker buildx imagetools inspect "$first" --format \'{{json .Manifest}}\' | jq -er .digest)"',
              'echo "digest=$digest" >> "$GITHUB_OUTPUT"',
            ].join("\n"),
          },
          {
            name: "Image scan gate (HIGH, CRITICAL)",
            uses: ACTIONS.trivy,
            with: {
              "image-ref": "${{ steps.repo.outputs.image }}@${{ steps.index.outputs.digest }}",
              severity: "HIGH,CRITICAL",
              "ignore-unfixed": true,
              "exit-code": "1",
              // No vulnerability-DB cache in a job that holds id-token: write and pushes the image:
              // a cache entry another run wrote would decide what this gate lets ship.
              cache: false,
            },
          },
        ],
      },
    },
  };
}

/**
 * The stack a release holds: the service's application stack when it has one (its deploys never
 * wait for the platform's infra-up or another application's release), else the platform stack.
 */
export const RELEASE_STACK_EXPRESSION =
  "${{ inputs.application && format('{0}-{1}', inputs.application, inputs.stack) || inputs.stack }}";

/** Whether some repository the executor serves pulls from GHCR (its deploys then read packages). */
export const servesGhcr = (ctx: DeliveryContext): boolean =>
  (ctx.registryKinds ?? [ctx.registryKind]).includes("ghcr");

export function deployServiceWorkflow(ctx: DeliveryContext): Workflow {
  const ghcr = servesGhcr(ctx);
  return {
    file: "deploy-service.yml",
    name: "Deploy service",
    on: {
      workflow_call: {
        inputs: {
          service: { type: "string", required: true, description: "Service to deploy." },
          stack: { type: "string", required: true, description: "Pulumi stack to update." },
          application: {
            type: "string",
            required: false,
            default: "",
            description:
              "The service's application, when its workload lives in the application stack <application>-<stack>: the release acts on that stack and queues on it alone.",
          },
          environment: { type: "string", required: true, description: "GitHub environment of the stack." },
          "source-image": {
            type: "string",
            required: true,
            description: "Repository holding the built image.",
          },
          "source-ref": {
            type: "string",
            required: false,
            default: "",
            description: "Digest (sha256:…) or tag of the image to release; unset with source-environment.",
          },
          "source-environment": {
            type: "string",
            required: false,
            default: "",
            description:
              "Release from what this environment runs of the service (its latest successful deployment of this commit or an earlier one): the digest is read here, in place of source-ref.",
          },
          runner: RUNNER_INPUT,
        },
        outputs: {
          digest: {
            description: "Digest of the image released (in this stack's registry).",
            value: "${{ jobs.deploy.outputs.digest }}",
          },
        },
        secrets: {
          SLACK_WEBHOOK_URL: { required: false, description: "Environment secret: deploy notifications." },
          ...(ctx.passphraseSecrets
            ? {
                PULUMI_CONFIG_PASSPHRASE: {
                  required: false,
                  description: "Environment secret: stack secrets passphrase.",
                },
              }
            : {}),
        },
      },
    },
    permissions: {},
    jobs: {
      deploy: {
        name: "deploy",
        // Rollout gates, smoke tests and migrations reach the stack's private endpoints.
        runsOn: runsOnTemplate("inputs.runner"),
        environment: { name: "${{ inputs.environment }}", url: vars("ENVIRONMENT_URL") },
        permissions: {
          contents: "read",
          "id-token": "write",
          deployments: "write",
          ...(ghcr ? { packages: "read" } : {}),
        },
        outputs: { digest: "${{ steps.promote.outputs.digest }}" },
        concurrency: stackConcurrency(RELEASE_STACK_EXPRESSION),
        // The release budget every service's config is held to (src/config/release-budget.ts).
        timeoutMinutes: DEPLOY_JOB_TIMEOUT_MINUTES,
        env: {
          ...pulumiEnv(ctx),
          STACK: "${{ inputs.stack }}",
          SERVICE: "${{ inputs.service }}",
          SOURCE_IMAGE: "${{ inputs.source-image }}",
          SOURCE_REF: "${{ inputs.source-ref }}",
          ...GUARD_ENV,
        },
        steps: [
          // The executor at this workflow's own commit; an application's code beside it.
          ...pulumiJobSetup(ctx, {
            roleArn: vars("AWS_DEPLOY_ROLE_ARN"),
            github: { access: "write", stackExpression: "inputs.stack" },
            executor: true,
          }),
          ...(ghcr ? [{ ...ghcrLogin, if: "startsWith(inputs.source-image, 'ghcr.io/')" }] : []),
          deployGuard,
          {
            name: "Find what the source environment runs of the service",
            id: "source",
            if: "inputs.source-environment != ''",
            env: {
              GH_TOKEN: "${{ github.token }}",
              SOURCE_ENVIRONMENT: "${{ inputs.source-environment }}",
            },
            run: 'npm run -s release:verify -- --environment "$SOURCE_ENVIRONMENT" --service "$SERVICE" --sha "$GITHUB_SHA"',
          },
          {
            name: "Promote the image into this stack's registry",
            id: "promote",
            env: { SOURCE_DIGEST: "${{ steps.source.outputs.digest }}" },
            run: 'npm run -s release -- promote --stack "$STACK" --service "$SERVICE" --source-image "$SOURCE_IMAGE" --source-ref "${SOURCE_DIGEST:-$SOURCE_REF}" >> "$GITHUB_OUTPUT"',
          },
          recordDeployment,
          {
            // This stack's own commands and secret, read from its config now: no workflow carries
            // one environment's migrations into another's.
            name: "Read the service's migrations in this stack",
            id: "migrations",
            run: 'npm run -s release -- migrations --stack "$STACK" --service "$SERVICE" >> "$GITHUB_OUTPUT"',
          },
          {
            name: "Database migrations (backup, apply, validate)",
            if: "steps.migrations.outputs.migrate == 'true'",
            uses: "./.github/actions/db-migrate",
            with: {
              "database-url-secret": "${{ steps.migrations.outputs.database-url-secret }}",
              "backup-uri": vars("MIGRATION_BACKUP_URI"),
              "migrate-command": "${{ steps.migrations.outputs.apply }}",
              "validate-command": "${{ steps.migrations.outputs.validate }}",
              "working-directory": `\${{ steps.${EXECUTOR_STEP}.outputs.application-dir }}/\${{ steps.migrations.outputs.directory }}`,
            },
          },
          {
            // On a failed step the executor restores the service's recorded release itself.
            name: "Release with the service's strategy",
            id: "release",
            env: { DIGEST: "${{ steps.promote.outputs.digest }}" },
            run: 'npm run -s release -- deploy --stack "$STACK" --service "$SERVICE" --digest "$DIGEST"',
          },
          recordDeploymentOutcome,
          countFailedRun,
          SLACK,
        ],
      },
    },
  };
}

/** `cond && 'a' || cond2 && 'b' || ''`: the first environment the run's branch builds into. */
function buildEnvironmentExpression(ctx: DeliveryContext): string {
  const seen = new Set<string>();
  const parts: string[] = [];
  for (const s of ctx.stacks) {
    const src = deploySource(ctx.branchModel, s);
    if (src.kind !== "branch" || seen.has(src.branch)) continue;
    seen.add(src.branch);
    parts.push(`${refCondition(src)} && '${s.environment}'`);
  }
  return `\${{ ${parts.join(" || ")} }}`;
}

/**
 * What a job calling deploy-service.yml (or rollback-service.yml) grants it: a called job holds at
 * most what its caller grants, so packages: read whenever the platform's copy asks for it.
 */
export function deployCallPermissions(ctx: DeliveryContext): Permissions {
  const packages = ctx.executor ? ctx.executor.packagesRead : servesGhcr(ctx);
  return {
    contents: "read",
    "id-token": "write",
    deployments: "write",
    ...(packages ? { packages: "read" as const } : {}),
  };
}

export function buildDeployWorkflow(ctx: DeliveryContext): Workflow {
  const jobs: Record<string, Job> = { [BUILD_SELECTION_JOB]: buildSelectionJob(ctx) };
  const perms: Permissions = {
    contents: "read",
    "id-token": "write",
    ...(ctx.registryKind === "ghcr" ? { packages: "write" as const } : {}),
  };
  for (const svc of ctx.services) {
    const build = `build-${svc.name}`;
    jobs[build] = {
      name: `build (${svc.name})`,
      needs: [BUILD_SELECTION_JOB],
      if: selectedForBuild(svc.name),
      uses: reusableWorkflow(
        ctx,
        ctx.executor ? ctx.executor.buildImage : buildImageFile(ctx.registryKind, ctx.registryKind),
      ),
      permissions: perms,
      with: {
        service: svc.name,
        ...buildContextOf(svc),
        environment: buildEnvironmentExpression(ctx),
        architectures: JSON.stringify(svc.build?.architectures ?? ["amd64"]),
      },
    };
    let previous: Record<string, string> = {};
    for (const s of ctx.stacks) {
      const src = deploySource(ctx.branchModel, s);
      if (src.kind !== "branch") continue;
      const id = `deploy-${svc.name}-${s.stack}`;
      jobs[id] = {
        name: `deploy (${svc.name} → ${s.stack})`,
        needs: [build, ...(previous[src.branch] ? [previous[src.branch]] : [])],
        if: refCondition(src),
        uses: reusableWorkflow(ctx, "deploy-service.yml"),
        permissions: deployCallPermissions(ctx),
        with: {
          service: svc.name,
          stack: s.stack,
          ...(svc.application ? { application: svc.application } : {}),
          environment: s.environment,
          "source-image": `\${{ needs.${build}.outputs.image }}`,
          "source-ref": `\${{ needs.${build}.outputs.digest }}`,
          runner: runnerInput(s.stack),
        },
      };
      previous = { ...previous, [src.branch]: id };
    }
  }
  return {
    file: "build-deploy.yml",
    name: "Build and deploy",
    on: {
      // The workflow file too: merging the regenerated file is what builds a new service first.
      push: {
        // Only branches that deploy: under the environment model main builds nothing (production
        // takes staging's images at release), so a push there has no registry to build into.
        branches: deployBranches(ctx.branchModel, ctx.stacks),
        paths: [
          "services/**",
          ...ctx.services
            .flatMap((s) => watchedDirsOf(s).map((d) => (d === "." ? "**" : `${d}/**`)))
            .filter((p) => !p.startsWith("services/")),
          BUILD_DEPLOY_FILE,
          // An application's repository builds with the platform's copy, pinned.
          ...(ctx.executor ? [] : [BUILD_IMAGE_FILE]),
        ],
      },
      workflow_dispatch: { inputs: { service: buildDispatchInput(ctx) } },
    },
    permissions: {},
    // No workflow-level group: each deploy job queues in its stack's group (deploy-service.yml).
    jobs,
  };
}

/**
 * The release's semver tag (`v1.4.2` → `1.4.2`) on the GHCR image a release promoted, once every
 * stack released it: the one job of the release holding `packages: write`.
 */
export function ghcrReleaseTagJob(
  service: string,
  verify: string,
  releases: string[],
  image: string,
): StepsJob {
  return {
    name: `tag (${service})`,
    needs: [...new Set([verify, ...releases])],
    permissions: { contents: "read", packages: "write" },
    timeoutMinutes: 10,
    steps: [
      ghcrLogin,
      {
        name: "Tag the released image with the release's semver",
        env: { IMAGE: image, DIGEST: `\${{ needs.${verify}.outputs.digest }}` },
        run: 'docker buildx imagetools create --tag "$IMAGE:${GITHUB_REF_NAME#v}" "$IMAGE@$DIGEST"',
      },
    ],
  };
}

export function releaseWorkflow(ctx: DeliveryContext): Workflow {
  const tagged = ctx.stacks.filter((s) => deploySource(ctx.branchModel, s).kind === "tag");
  const sourceStack = promotionSource(ctx.branchModel, ctx.stacks);
  if (tagged.length > 0 && !sourceStack)
    throw new Error("release.yml promotes from a branch-deployed stack, and none precedes the tagged stacks");
  const jobs: Record<string, Job> = {};
  // An application's repository has no executor of its own to check the source with: the
  // platform's deploy-service.yml reads what the source environment runs, in the release job.
  const verifyInJob = ctx.executor !== undefined;
  for (const svc of ctx.services) {
    const verify = `verify-${svc.name}`;
    if (tagged.length > 0 && !verifyInJob)
      jobs[verify] = sourceDeployedJob(svc, sourceStack!, ctx.nodeVersions[0]);
    for (const s of tagged) {
      jobs[`release-${svc.name}-${s.stack}`] = {
        name: `release (${svc.name} → ${s.stack})`,
        ...(verifyInJob ? {} : { needs: [verify] }),
        uses: reusableWorkflow(ctx, "deploy-service.yml"),
        permissions: deployCallPermissions(ctx),
        with: {
          service: svc.name,
          stack: s.stack,
          ...(svc.application ? { application: svc.application } : {}),
          environment: s.environment,
          // The image the last branch stack runs for this commit: built once, promoted by digest.
          "source-image": `\${{ fromJSON(vars.${storedName("REGISTRY_URLS_REPOSITORY", sourceStack!.stack)})['${svc.name}'] }}`,
          // The digest the source runs (rebuilt at this commit or not): the verify job read it, or
          // the release job reads it itself.
          ...(verifyInJob
            ? { "source-environment": sourceStack!.environment }
            : { "source-ref": `\${{ needs.${verify}.outputs.digest }}` }),
          runner: runnerInput(s.stack),
        },
      };
    }
  }
  // GHCR: the deploy jobs read packages only; one job per service, after its releases, writes the
  // release's semver tag on the digest it promoted.
  if (ctx.registryKind === "ghcr" && tagged.length > 0)
    for (const svc of ctx.services)
      jobs[`tag-${svc.name}`] = ghcrReleaseTagJob(
        svc.name,
        verifyInJob ? `release-${svc.name}-${tagged[0].stack}` : `verify-${svc.name}`,
        tagged.map((s) => `release-${svc.name}-${s.stack}`),
        `\${{ fromJSON(vars.${storedName("REGISTRY_URLS_REPOSITORY", sourceStack!.stack)})['${svc.name}'] }}`,
      );
  return {
    file: "release.yml",
    name: "Release",
    on: { push: { tags: [RELEASE_TAG] } },
    permissions: {},
    jobs,
  };
}

/**
 * The database URL, read from Secrets Manager by the step that needs it (the job's AWS role may
 * read exactly the migrating services' secrets) and masked: it is never stored in GitHub.
 */
const READ_DATABASE_URL = [
  'DATABASE_URL="$(aws secretsmanager get-secret-value --secret-id "$DATABASE_URL_SECRET" --query SecretString --output text)"',
  'echo "::add-mask::$DATABASE_URL"',
  "export DATABASE_URL",
];

/**
 * The fingerprint of the PostgreSQL Global Development Group's apt signing key (ACCC4CF8), as
 * https://www.postgresql.org/download/linux/ubuntu/ publishes it: the downloaded key must match.
 */
export const PGDG_KEY_FINGERPRINT = "B97B0AFCAA1A47F044F244A07FCC7D46ACCC4CF8";

/**
 * pg_dump where the runner lacks it (CodeBuild's images do). From the PGDG repository over HTTPS
 * only: the runner's security group opens 443 and no port 80, so Ubuntu's own http mirrors are
 * left out of the update (`sourcelist` is PGDG's alone). The key is checked against the
 * published fingerprint before apt trusts it. CodeBuild runs as root, without sudo.
 */
export const installPostgresClient: Step = {
  name: "Install the PostgreSQL client (PGDG, over HTTPS)",
  env: { PGDG_KEY_FINGERPRINT, PGDG_PACKAGE: "postgresql-client-16" },
  run: [
    "set -euo pipefail",
    'if command -v pg_dump >/dev/null; then echo "pg_dump: $(command -v pg_dump)"; exit 0; fi',
    'sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo',
    'codename="$(. /etc/os-release && echo "$VERSION_CODENAME")"',
    'key="$RUNNER_TEMP/pgdg.gpg"',
    'curl -fsSL https://www.postgresql.org/media/keys/ACCC4CF8.asc | gpg --dearmor > "$key"',
    'fpr="$(gpg --show-keys --with-colons "$key" | awk -F: \'/^fpr/ { print $10; exit }\')"',
    'if [ "$fpr" != "$PGDG_KEY_FINGERPRINT" ]; then',
    '  echo "::error::the PGDG key has fingerprint ${fpr:-none}, not ${PGDG_KEY_FINGERPRINT}: pg_dump not installed"',
    "  exit 1",
    "fi",
    'echo "deb [signed-by=$key] https://apt.postgresql.org/pub/repos/apt ${codename}-pgdg main" > "$RUNNER_TEMP/pgdg.list"',
    'apt=(-o "Dir::Etc::sourcelist=$RUNNER_TEMP/pgdg.list" -o Dir::Etc::sourceparts=- -o APT::Get::List-Cleanup=0)',
    '$sudo apt-get "${apt[@]}" update -qq',
    '$sudo apt-get "${apt[@]}" install -y -qq --no-install-recommends "$PGDG_PACKAGE"',
  ].join("\n"),
};

export const dbMigrateAction: CompositeAction = {
  dir: "db-migrate",
  name: "Database migration",
  description:
    "Backs the database up to S3, applies the service's migrations, then validates the schema state. Runs on the stack's runner, inside the network the database is in.",
  inputs: {
    "database-url-secret": {
      description: "ARN of the Secrets Manager secret holding the database URL (PostgreSQL).",
      required: true,
    },
    "backup-uri": { description: "s3:// prefix for the pre-migration dump.", required: true },
    // No defaults: the platform cannot know a service's migration tool. The commands come from the
    // service's `migrations` in the stack config, and a missing one fails the step by name.
    "migrate-command": { description: "The service's command applying pending migrations.", required: true },
    "validate-command": {
      description: "The service's command failing when migrations are pending or the schema differs.",
      required: true,
    },
    "working-directory": {
      description: "The service's directory (services/<name>); both commands run there.",
      required: true,
    },
  },
  steps: [
    installPostgresClient,
    {
      name: "Back up",
      env: {
        DATABASE_URL_SECRET: "${{ inputs.database-url-secret }}",
        BACKUP_URI: "${{ inputs.backup-uri }}",
        SERVICE_DIR: "${{ inputs.working-directory }}",
      },
      run: [
        "set -euo pipefail",
        'if [ -z "$DATABASE_URL_SECRET" ] || [ -z "$BACKUP_URI" ]; then',
        '  echo "::error::no database URL secret or backup destination: set services[].migrations.databaseUrlSecretArn, and use the s3 backend (MIGRATION_BACKUP_URI)"',
        "  exit 1",
        "fi",
        ...READ_DATABASE_URL,
        'case "$DATABASE_URL" in postgres://*|postgresql://*) ;; *) echo "::error::the backup is pg_dump: the database URL must be postgres:// or postgresql://"; exit 1;; esac',
        'key="$BACKUP_URI/${SERVICE_DIR##*/}/$(date -u +%Y%m%dT%H%M%SZ)-$GITHUB_SHA.dump"',
        // No --sse flag: a PUT that names no encryption gets the bucket's default, the state key.
        'pg_dump --format=custom "$DATABASE_URL" | aws s3 cp - "$key" --only-show-errors',
        // Where the dump is, for whoever restores it: in the log and on the run's summary page.
        'echo "backup: $key"',
        'echo "Pre-migration backup of ${SERVICE_DIR##*/}: $key" >> "$GITHUB_STEP_SUMMARY"',
      ].join("\n"),
    },
    migrationCommandStep("Apply", "MIGRATE", "migrate-command", "apply"),
    migrationCommandStep("Validate", "VALIDATE", "validate-command", "validate"),
  ],
};

/** Runs one of the service's migration commands in its directory; an empty command fails by name. */
function migrationCommandStep(name: string, variable: string, input: string, key: string): Step {
  return {
    name,
    workingDirectory: "${{ inputs.working-directory }}",
    env: { DATABASE_URL_SECRET: "${{ inputs.database-url-secret }}", [variable]: `\${{ inputs.${input} }}` },
    run: [
      "set -euo pipefail",
      `if [ -z "$${variable}" ]; then`,
      `  echo "::error::no ${input}: set services[].migrations.${key} of this service in the stack config"`,
      "  exit 1",
      "fi",
      ...READ_DATABASE_URL,
      `bash -c "$${variable}"`,
    ].join("\n"),
  };
}
