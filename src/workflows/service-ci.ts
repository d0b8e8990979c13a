/**
 * Each service's own jobs in ci.yml, from its `build` (toolchains.ts knows the toolchains): lint,
 * format and type-check; unit tests over its version matrix with the coverage floor enforced;
 * integration tests with its containers; contract tests and a frontend build when declared; SAST.
 *
 * A `changes` job decides which services a run checks: those whose directory the pull request or
 * push changed, or all when a shared file changed (ci.yml itself, a composite action, a file
 * directly under services/ or under services/shared/) or there is nothing to compare with. Jobs
 * of the others are skipped, and the `ci-passed` job — the one required check of ci.yml — passes
 * when every job it needs succeeded or was skipped, so a pull request touching one service waits
 * for that service.
 */
import { DIRS_CHANGED_FUNCTION, SHARED_SERVICE_FILES, watchedDirsOf } from "./build-selection";
import { jobContainers, PACT_BROKER_URL } from "./containers";
import { DeliveryContext, DeliveryService, ServiceBuild } from "./context";
import { Job, Step, StepsJob } from "./model";
import { checkout } from "./steps";
import { ACTIONS } from "./pins";
import { TOOLCHAINS, unitCommand } from "./toolchains";

/** Id of the job choosing the services a run checks; its `services` output is a JSON array of names. */
export const CHANGES_JOB = "changes";
/** Id and check name of the job that sums up ci.yml: the one check branch protection requires of it. */
export const SUMMARY_JOB = "ci-passed";

/** The workflow file whose change re-checks every service. */
export const CI_FILE = ".github/workflows/ci.yml";

/** The selection script: prints `services=<JSON array>` to `$GITHUB_OUTPUT`. */
export const CHANGES_SCRIPT = [
  "set -euo pipefail",
  'mapfile -t names < <(jq -r ".[].name" <<<"$SERVICES")',
  'mapfile -t dirs < <(jq -r \'.[].paths | join(" ")\' <<<"$SERVICES")',
  DIRS_CHANGED_FUNCTION,
  'if [ "$EVENT" = "pull_request" ]; then base="$BASE_SHA"; else base="$BEFORE"; fi',
  "selected=()",
  'if [ -z "$base" ] || [ "$base" = "0000000000000000000000000000000000000000" ] || ! git cat-file -e "$base^{commit}" 2>/dev/null; then',
  '  echo "nothing to compare with: checking every service"',
  '  selected=("${names[@]}")',
  "else",
  '  changed="$(git diff --name-only "$base" "$GITHUB_SHA")"',
  "  shared=false",
  '  if grep -qxF "$CI_FILE" <<<"$changed" || grep -qE "^\\.github/actions/|$SHARED_PATTERN" <<<"$changed"; then',
  '    echo "a shared file changed: checking every service"; shared=true',
  "  fi",
  '  for i in "${!names[@]}"; do',
  '    if [ "$shared" = true ] || dirs_changed "${dirs[$i]}"; then selected+=("${names[$i]}"); fi',
  "  done",
  "fi",
  'printf "checking: %s\\n" "${selected[*]:-none}"',
  'json="$(printf \'%s\\n\' "${selected[@]}" | jq -Rsc \'split("\\n") | map(select(length > 0))\')"',
  'echo "services=$json" >> "$GITHUB_OUTPUT"',
].join("\n");

/** The services with a `build`, each with it. */
export const builtServices = (ctx: DeliveryContext): (DeliveryService & { build: ServiceBuild })[] =>
  ctx.services.filter((s): s is DeliveryService & { build: ServiceBuild } => s.build !== undefined);

export function changesJob(ctx: DeliveryContext): StepsJob {
  return {
    name: "changed services",
    permissions: { contents: "read" },
    timeoutMinutes: 5,
    outputs: { services: "${{ steps.changes.outputs.services }}" },
    steps: [
      // The whole history: a push's `before` may be any number of commits back.
      checkout(0),
      {
        name: "Select the services this change touches",
        id: "changes",
        env: {
          SERVICES: JSON.stringify(
            builtServices(ctx).map((s) => ({ name: s.name, paths: watchedDirsOf(s) })),
          ),
          EVENT: "${{ github.event_name }}",
          BASE_SHA: "${{ github.event.pull_request.base.sha }}",
          BEFORE: "${{ github.event.before }}",
          CI_FILE,
          SHARED_PATTERN: SHARED_SERVICE_FILES,
        },
        run: CHANGES_SCRIPT,
      },
    ],
  };
}

/** The `if:` of a service's jobs: the changes job chose it. */
export const changedService = (service: string): string =>
  `contains(fromJSON(needs.${CHANGES_JOB}.outputs.services), '${service}')`;

/** Checkout, the toolchain at `version` with its dependency cache, and the install, in the service's directory. */
function prepare(b: ServiceBuild, version: string): Step[] {
  const t = TOOLCHAINS[b.toolchain];
  return [
    checkout(),
    t.setup(version, b.path),
    { name: "Install dependencies", workingDirectory: b.path, run: t.install },
  ];
}

/** A check's command, run in the service's directory. */
const run = (b: ServiceBuild, name: string, command: string): Step => ({
  name,
  workingDirectory: b.path,
  run: command,
});

/**
 * Publishes the consumer pacts the contract tests wrote (`<service>/<pacts>/*.json`) to the job's
 * Pact broker, one `POST /contracts/publish` per consumer (the broker's documented endpoint since
 * 2.86.0: pacticipant, version, branch, each contract base64-encoded), versioned by the commit
 * and its branch, the way `pact-broker publish` does; so the job proves the pacts are publishable
 * without a CLI of its own. No pact file fails the job: the tests wrote none where they were
 * expected to.
 */
export const PUBLISH_PACTS_SCRIPT = [
  "set -euo pipefail",
  "shopt -s nullglob",
  'files=("$PACTS_DIRECTORY"/*.json)',
  'if [ "${#files[@]}" -eq 0 ]; then',
  '  echo "::error::no pact files in $PACTS_DIRECTORY: the contract tests wrote none where the broker reads them (services[].build.pacts)"',
  "  exit 1",
  "fi",
  'branch="${GITHUB_HEAD_REF:-$GITHUB_REF_NAME}"',
  "jq -r '.consumer.name' \"${files[@]}\" | sort -u | while IFS= read -r consumer; do",
  '  answer=$(jq -n --arg consumer "$consumer" --arg version "$GITHUB_SHA" --arg branch "$branch" \\',
  '    --arg build "$GITHUB_SERVER_URL/$GITHUB_REPOSITORY/actions/runs/$GITHUB_RUN_ID" \\',
  "    '{pacticipantName: $consumer, pacticipantVersionNumber: $version, branch: $branch, buildUrl: $build,",
  "      contracts: [inputs | select(.consumer.name == $consumer)",
  '        | {consumerName: .consumer.name, providerName: .provider.name, specification: "pact",',
  '           contentType: "application/json", content: (tojson | @base64)}]}\' "${files[@]}" \\',
  "    | curl --fail-with-body --silent --show-error -X POST \\",
  "        -H 'Content-Type: application/json' -H 'Accept: application/hal+json' \\",
  '        --data-binary @- "$PACT_BROKER_BASE_URL/contracts/publish") || {',
  '    echo "::error::the broker refused the pacts of $consumer: $answer"',
  "    exit 1",
  "  }",
  '  echo "published the pacts of $consumer at $GITHUB_SHA ($branch)"',
  "done",
].join("\n");

const publishPactsStep = (b: ServiceBuild): Step => ({
  name: "Publish pacts to the broker",
  workingDirectory: b.path,
  env: { PACTS_DIRECTORY: b.pacts ?? "pacts", PACT_BROKER_BASE_URL: PACT_BROKER_URL },
  run: PUBLISH_PACTS_SCRIPT,
});

/**
 * The unit job's reports, whether the tests passed or not: coverage (and JUnit where the unit
 * command writes it) summarised on the run's page and kept as an artifact for 14 days.
 */
function reportSteps(service: string, b: ServiceBuild, produce: readonly Step[]): Step[] {
  const always = "always() && steps.unit.outcome != 'skipped'";
  return [
    ...produce.map((s) => ({ ...s, if: always, workingDirectory: b.path })),
    {
      name: "Summarise the reports",
      if: always,
      workingDirectory: b.path,
      env: { SERVICE: service, VERSION: "${{ matrix.version }}" },
      run: [
        'echo "### $SERVICE ($VERSION)" >> "$GITHUB_STEP_SUMMARY"',
        "if [ -f reports/cobertura-coverage.xml ]; then",
        "  rate=\"$(grep -o 'line-rate=\"[0-9.]*\"' reports/cobertura-coverage.xml | head -n 1 | grep -o '[0-9.]*')\"",
        '  awk -v r="$rate" -v f="$COVERAGE_THRESHOLD" \'BEGIN { printf "- line coverage: %.1f %% (floor %s %%)\\n", r * 100, f }\' >> "$GITHUB_STEP_SUMMARY"',
        "fi",
        "if [ -f reports/junit.xml ]; then",
        "  for a in tests failures errors skipped; do",
        '    n="$(grep -o "<testsuite [^>]*" reports/junit.xml | grep -o " $a=\\"[0-9]*\\"" | grep -o \'[0-9]*\' | awk \'{ s += $1 } END { print s + 0 }\')"',
        '    echo "- $a: $n" >> "$GITHUB_STEP_SUMMARY"',
        "  done",
        "fi",
      ].join("\n"),
    },
    {
      name: "Keep the reports",
      if: always,
      uses: ACTIONS.uploadArtifact,
      with: {
        name: `reports-${service}-\${{ matrix.version }}`,
        path: `${b.path}/reports/`,
        "if-no-files-found": "ignore",
        "retention-days": 14,
      },
    },
  ];
}

/** The jobs of one service, by id (`<check>-<service>`). */
export function serviceJobs(
  svc: DeliveryService & { build: ServiceBuild },
  codeScanning: boolean,
): Record<string, StepsJob> {
  const b = svc.build;
  const t = TOOLCHAINS[b.toolchain];
  const primary = b.versions[0];
  const base = {
    needs: [CHANGES_JOB],
    if: changedService(svc.name),
    permissions: { contents: "read" as const },
  };
  const c = b.commands;
  const jobs: Record<string, StepsJob> = {
    [`lint-${svc.name}`]: {
      ...base,
      name: `lint (${svc.name})`,
      timeoutMinutes: 15,
      steps: [
        ...prepare(b, primary),
        ...(c.lint ? [run(b, "Lint", c.lint)] : []),
        ...(c.format ? [run(b, "Format", c.format)] : []),
        ...(c.typecheck ? [run(b, "Type-check", c.typecheck)] : []),
      ],
    },
    [`unit-${svc.name}`]: {
      ...base,
      name: `unit (${svc.name}, ${b.toolchain} \${{ matrix.version }})`,
      timeoutMinutes: 20,
      strategy: { matrix: { version: b.versions }, failFast: false },
      env: { COVERAGE_THRESHOLD: String(b.coverage) },
      steps: [
        ...prepare(b, "${{ matrix.version }}"),
        { ...run(b, "Unit tests", unitCommand(b.toolchain, c.unit!)), id: "unit" },
        ...t.coverage.map((s) => ({ ...s, workingDirectory: b.path })),
        ...reportSteps(svc.name, b, t.reports),
      ],
    },
  };
  if (c.integration)
    jobs[`integration-${svc.name}`] = {
      ...base,
      name: `integration (${svc.name})`,
      timeoutMinutes: 30,
      ...jobContainers(b.containers, "integration"),
      steps: [...prepare(b, primary), run(b, "Integration tests", c.integration!)],
    };
  if (c.contract) {
    const broker = jobContainers(b.containers, "contract");
    jobs[`contract-${svc.name}`] = {
      ...base,
      name: `contract (${svc.name})`,
      timeoutMinutes: 20,
      ...broker,
      steps: [
        ...prepare(b, primary),
        run(b, "Contract tests", c.contract),
        ...(broker ? [publishPactsStep(b)] : []),
      ],
    };
  }
  if (c.build)
    jobs[`build-${svc.name}`] = {
      ...base,
      name: `build (${svc.name})`,
      timeoutMinutes: 20,
      steps: [...prepare(b, primary), run(b, "Build", c.build)],
    };
  const sast = codeScanning ? t.sast : (t.sastWithoutCodeScanning ?? t.sast);
  jobs[`sast-${svc.name}`] = {
    ...base,
    name: `sast (${svc.name})`,
    permissions: {
      contents: "read",
      ...(sast.securityEvents ? { "security-events": "write" as const } : {}),
    },
    timeoutMinutes: 20,
    steps: [
      checkout(),
      // bandit runs on the service's Python; CodeQL brings its own extractor.
      ...(b.toolchain === "python" ? [t.setup(primary, b.path)] : []),
      // A step that names its own directory keeps it (the CodeQL gate reads the repository root's results).
      ...sast.steps.map((s) => (s.run && !s.workingDirectory ? { ...s, workingDirectory: b.path } : s)),
    ],
  };
  return jobs;
}

/**
 * The one required check of ci.yml: every job ran green or was skipped as unchanged. A failed or
 * cancelled job fails it; so does a failed `changes` job, whose skipped dependants would otherwise
 * look like unchanged services.
 */
export function summaryJob(jobs: Record<string, Job>): StepsJob {
  return {
    name: SUMMARY_JOB,
    needs: Object.keys(jobs),
    // always(): a cancelled or failed job it needs must fail it, not skip it (a skipped check passes).
    if: "always()",
    permissions: {},
    timeoutMinutes: 5,
    steps: [
      {
        name: "Every job passed or was skipped as unchanged",
        env: { RESULTS: "${{ toJSON(needs) }}" },
        run: [
          "set -euo pipefail",
          `failed="$(jq -r 'to_entries[] | select(.value.result != "success" and .value.result != "skipped") | "\\(.key): \\(.value.result)"' <<<"$RESULTS")"`,
          `changes="$(jq -r '.["${CHANGES_JOB}"].result // "success"' <<<"$RESULTS")"`,
          'if [ -n "$failed" ] || [ "$changes" != "success" ]; then echo "$failed"; exit 1; fi',
          'echo "every job passed or was skipped"',
        ].join("\n"),
      },
    ],
  };
}
