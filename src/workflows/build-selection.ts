/**
 * Which services a run of build-deploy.yml builds (and so deploys): the first job decides, from
 * git, so an unchanged service is not rebuilt and a new one is built without anyone running
 * anything by hand.
 *
 * - A push builds each service whose source directory (`services[].build.path`, by default
 *   `services/<name>/`) changed since the push's `before`, and every service when a shared build
 *   file changed: build-image.yml, a file directly under services/ or under services/shared/.
 * - A push that changes build-deploy.yml itself builds each service whose build job it adds: that
 *   is how a new service gets its first image. The owning stack's `pulumi up` creates the
 *   service's registry, writes the registry URL variables and proposes the regenerated workflows;
 *   merging that pull request is the push that builds the service, and its first deploy creates
 *   the workload (src/release/plan.ts, first release).
 * - A push whose `before` git does not have (a new branch, a force push) builds every service.
 * - `workflow_dispatch` builds the chosen service, or all.
 */
import { DeliveryContext, DeliveryService } from "./context";
import { StepsJob, WorkflowInput } from "./model";
import { checkout } from "./steps";

/** Id of the job; its `services` output is a JSON array of service names. */
export const BUILD_SELECTION_JOB = "select";

/** The file the selection compares against its previous version. */
export const BUILD_DEPLOY_FILE = ".github/workflows/build-deploy.yml";

/** `workflow_dispatch` input choosing what to build. */
export function buildDispatchInput(ctx: DeliveryContext): WorkflowInput {
  return {
    type: "choice",
    description: "Service to build and deploy (all: every service).",
    required: true,
    default: "all",
    options: ["all", ...ctx.services.map((s) => s.name)],
  };
}

/** The reusable build, whose change rebuilds every service. */
export const BUILD_IMAGE_FILE = ".github/workflows/build-image.yml";

/**
 * Files every service's build and checks may read: files directly under services/ (a shared
 * lock or compose file) and services/shared/, as an extended regular expression over paths.
 */
export const SHARED_SERVICE_FILES = "^services/([^/]+|shared/.+)$";

/** A service's source directory: its build's path, or `services/<name>`. */
export const sourceDirOf = (svc: DeliveryService): string => svc.build?.path ?? `services/${svc.name}`;

/** Every directory whose change selects the service: its own and the shared ones it is built from. */
export const watchedDirsOf = (svc: DeliveryService): string[] => [
  sourceDirOf(svc),
  ...(svc.build?.sharedPaths ?? []),
];

/**
 * The image's build context and Dockerfile: the service's directory, or the repository root when
 * it is built from shared directories too (the Dockerfile then copies paths from the root).
 */
export function buildContextOf(svc: DeliveryService): { context: string; dockerfile: string } {
  const dockerfile = svc.build?.dockerfile ?? "Dockerfile";
  const dir = sourceDirOf(svc);
  return svc.build?.sharedPaths?.length && dir !== "."
    ? { context: ".", dockerfile: `${dir}/${dockerfile}` }
    : { context: dir, dockerfile };
}

/**
 * Bash: whether any of the space-separated directories in \`$1\` changed in \`$changed\` (the
 * repository root, \`.\`, whenever anything did).
 */
export const DIRS_CHANGED_FUNCTION = [
  "dirs_changed() {",
  "  for d in $1; do",
  '    if [ "$d" = "." ] && [ -n "$changed" ]; then return 0; fi',
  '    if grep -q "^$d/" <<<"$changed"; then return 0; fi',
  "  done",
  "  return 1",
  "}",
].join("\n");

/** The selection script: prints `services=<JSON array>` to `$GITHUB_OUTPUT`. */
export const BUILD_SELECTION_SCRIPT = [
  "set -euo pipefail",
  'mapfile -t all < <(jq -r ".[].name" <<<"$SERVICES")',
  'mapfile -t dirs < <(jq -r \'.[].paths | join(" ")\' <<<"$SERVICES")',
  DIRS_CHANGED_FUNCTION,
  "selected=()",
  'if [ "$EVENT" = "workflow_dispatch" ]; then',
  '  if [ "$CHOSEN" = "all" ]; then selected=("${all[@]}"); else selected=("$CHOSEN"); fi',
  'elif [ -z "$BEFORE" ] || [ "$BEFORE" = "0000000000000000000000000000000000000000" ] || ! git cat-file -e "$BEFORE^{commit}" 2>/dev/null; then',
  '  echo "no previous commit to compare with: building every service"',
  '  selected=("${all[@]}")',
  "else",
  '  changed="$(git diff --name-only "$BEFORE" "$GITHUB_SHA")"',
  '  previous="$(git show "$BEFORE:$WORKFLOW_FILE" 2>/dev/null || true)"',
  "  shared=false",
  '  if grep -qxF "$BUILD_FILE" <<<"$changed" || grep -qE "$SHARED_PATTERN" <<<"$changed"; then shared=true; fi',
  '  for i in "${!all[@]}"; do',
  '    s="${all[$i]}"',
  '    if [ "$shared" = true ]; then',
  '      echo "$s: a shared build file changed"; selected+=("$s")',
  '    elif dirs_changed "${dirs[$i]}"; then',
  '      echo "$s: ${dirs[$i]} changed"; selected+=("$s")',
  '    elif grep -qx "$WORKFLOW_FILE" <<<"$changed" && ! grep -qx "  build-$s:" <<<"$previous"; then',
  '      echo "$s: new in $WORKFLOW_FILE (first build)"; selected+=("$s")',
  "    fi",
  "  done",
  "fi",
  'json="$(printf \'%s\\n\' "${selected[@]}" | jq -Rsc \'split("\\n") | map(select(length > 0))\')"',
  'echo "services=$json" >> "$GITHUB_OUTPUT"',
].join("\n");

/** The first job of build-deploy.yml: checks out enough history to compare with `before`. */
export function buildSelectionJob(ctx: DeliveryContext): StepsJob {
  return {
    name: "select services to build",
    permissions: { contents: "read" },
    timeoutMinutes: 5,
    outputs: { services: "${{ steps.select.outputs.services }}" },
    steps: [
      // The whole history: `before` may be any number of commits back.
      checkout(0),
      {
        name: "Select the services this push changed or added",
        id: "select",
        env: {
          SERVICES: JSON.stringify(ctx.services.map((s) => ({ name: s.name, paths: watchedDirsOf(s) }))),
          EVENT: "${{ github.event_name }}",
          BEFORE: "${{ github.event.before }}",
          CHOSEN: "${{ inputs.service }}",
          WORKFLOW_FILE: BUILD_DEPLOY_FILE,
          BUILD_FILE: BUILD_IMAGE_FILE,
          SHARED_PATTERN: SHARED_SERVICE_FILES,
        },
        run: BUILD_SELECTION_SCRIPT,
      },
    ],
  };
}

/** The `if:` of a service's build job: the selection chose it. */
export const selectedForBuild = (service: string): string =>
  `contains(fromJSON(needs.${BUILD_SELECTION_JOB}.outputs.services), '${service}')`;
