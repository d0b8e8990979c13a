/**
 * How a service's toolchain is set up, installed and checked: the one place that knows Python
 * from Node. A toolchain is data — its official setup action with dependency caching, the lock
 * file that keys the cache, the install command and the default commands of every check — so a
 * new one (Go, Java) is one more entry here, and the per-service CI (service-ci.ts) stays the same.
 *
 * Every command runs in the service's directory, in bash, with `COVERAGE_THRESHOLD` in the unit
 * step's environment.
 */
import { Step } from "./model";
import { ACTIONS } from "./pins";

export const TOOLCHAIN_NAMES = ["python", "node"] as const;
export type ToolchainName = (typeof TOOLCHAIN_NAMES)[number];

/** The checks a service may name a command for; each has a default per toolchain but `contract` and `build`. */
export const CHECK_KINDS = [
  "lint",
  "format",
  "typecheck",
  "unit",
  "integration",
  "contract",
  "build",
] as const;
export type CheckKind = (typeof CHECK_KINDS)[number];

export interface Toolchain {
  /** Versions of the unit matrix when the service names none. */
  readonly defaultVersions: readonly string[];
  /** What a version looks like (`3.12`, `20`): the config refuses others. */
  readonly versionPattern: RegExp;
  /**
   * The versions released so far (the setup action installs any of them; a version that was
   * never released fails the job at setup). Extend when one ships.
   */
  readonly releasedVersions: readonly string[];
  /** Files the service directory must hold, relative to it: the install reads them. */
  readonly manifests: readonly string[];
  /** The official setup action, caching dependencies keyed by the service's lock file. */
  setup(version: string, dir: string): Step;
  /** Installs the service's dependencies (and its check tools) into the job. */
  readonly install: string;
  /** Default commands; `contract` and `build` have none (run only when declared). */
  readonly defaults: Partial<Record<CheckKind, string>>;
  /** Steps after the unit tests that fail when line coverage is under `$COVERAGE_THRESHOLD`. */
  readonly coverage: Step[];
  /**
   * After the unit tests, whatever their outcome: the coverage report as Cobertura XML (`reports/cobertura-coverage.xml`, c8's name) in
   * `reports/` (beside a JUnit report where the unit command writes one), for the job's artifact
   * and summary. @default none
   */
  readonly reports: Step[];
  /**
   * Static analysis for security: the steps of the service's `sast` job, and whether it uploads
   * SARIF. `sastWithoutCodeScanning` replaces it on a repository whose code scanning accepts no
   * results (`PlanFeatures.codeScanning`). @default `sast`
   */
  readonly sast: { readonly steps: Step[]; readonly securityEvents: boolean };
  readonly sastWithoutCodeScanning?: { readonly steps: Step[]; readonly securityEvents: false };
}

/** bandit, pinned: the Python SAST runs without GitHub Advanced Security. */
export const BANDIT_VERSION = "1.9.4";
/** Where the CodeQL analysis writes its SARIF when it does not upload it. */
export const CODEQL_RESULTS = "codeql-results";

/**
 * Every error-level result of the kept SARIF as a GitHub annotation, and a failure when there is
 * one (SARIF 2.1.0: a result without `level` is a warning).
 */
export const CODEQL_GATE = [
  "set -euo pipefail",
  String.raw`errors='[.runs[].results[]? | select((.level // "warning") == "error")]'`,
  String.raw`jq -r "$errors"' | .[] | "::error file=\(.locations[0].physicalLocation.artifactLocation.uri // "?"),line=\(.locations[0].physicalLocation.region.startLine // 1)::\(.ruleId): \(.message.text)"' ${CODEQL_RESULTS}/*.sarif`,
  `found="$(jq -s "[.[] | $errors | length] | add // 0" ${CODEQL_RESULTS}/*.sarif)"`,
  `if [ "$found" -gt 0 ]; then echo "CodeQL: $found error-level result(s)"; exit 1; fi`,
  'echo "CodeQL: no error-level result"',
].join("\n");

/** c8 measures the V8 coverage of whatever Node process the unit command starts. */
export const C8_VERSION = "10.1.3";

export const TOOLCHAINS: Record<ToolchainName, Toolchain> = {
  python: {
    defaultVersions: ["3.12"],
    versionPattern: /^3\.\d{1,2}$/,
    // python.org release schedules (PEPs 596, 619, 664, 693, 719, 745, 790): 3.15.0 on 2026-10-01.
    releasedVersions: ["3.9", "3.10", "3.11", "3.12", "3.13", "3.14", "3.15"],
    manifests: ["requirements-dev.txt"],
    setup: (version, dir) => ({
      name: "Set up Python",
      uses: ACTIONS.setupPython,
      with: {
        "python-version": version,
        cache: "pip",
        "cache-dependency-path": `${dir}/requirements-dev.txt`,
      },
    }),
    install: "python -m pip install --disable-pip-version-check -r requirements-dev.txt",
    defaults: {
      lint: "ruff check .",
      format: "ruff format --check .",
      typecheck: "mypy .",
      // pytest-cov writes .coverage (its source from the service's coverage config), which the
      // coverage step reads; tests/unit and tests/integration as seeds 000 and 003 lay them out.
      unit: "python -m pytest --cov --cov-report= --junitxml=reports/junit.xml tests/unit",
      integration: "python -m pytest tests/integration",
    },
    coverage: [
      {
        name: "Coverage floor",
        // `coverage report` fails on no data as well: a unit command that measures nothing fails here.
        run: 'python -m coverage report --show-missing --fail-under="$COVERAGE_THRESHOLD"',
      },
    ],
    reports: [
      {
        name: "Coverage report (Cobertura XML)",
        run: "python -m coverage xml -o reports/cobertura-coverage.xml",
      },
    ],
    sast: {
      securityEvents: false,
      steps: [
        {
          name: "bandit (medium and high severity)",
          run: [
            `python -m pip install --disable-pip-version-check "bandit==${BANDIT_VERSION}"`,
            "python -m bandit --recursive . --severity-level medium --exclude ./tests,./.venv",
          ].join("\n"),
        },
      ],
    },
  },
  node: {
    defaultVersions: ["20"],
    versionPattern: /^\d{2}$/,
    // nodejs.org/en/about/previous-releases: 26 became current in April 2026.
    releasedVersions: ["18", "19", "20", "21", "22", "23", "24", "25", "26"],
    manifests: ["package.json", "package-lock.json"],
    setup: (version, dir) => ({
      name: "Set up Node.js",
      uses: ACTIONS.setupNode,
      with: { "node-version": version, cache: "npm", "cache-dependency-path": `${dir}/package-lock.json` },
    }),
    install: "npm ci --no-audit --no-fund",
    defaults: {
      // --no-install: a tool the package does not depend on fails the step instead of being fetched.
      lint: "npx --no-install eslint .",
      typecheck: "npx --no-install tsc --noEmit -p .",
      unit: "npm test",
      integration: "npm run test:integration",
    },
    coverage: [],
    // c8 writes the Cobertura report itself (unitCommand); the JUnit one is the test runner's.
    reports: [],
    sast: {
      securityEvents: true,
      steps: [
        {
          name: "CodeQL init (JavaScript and TypeScript)",
          uses: ACTIONS.codeqlInit,
          with: { languages: "javascript-typescript", "build-mode": "none" },
        },
        { name: "CodeQL analysis", uses: ACTIONS.codeqlAnalyze, with: { category: "${{ github.job }}" } },
      ],
    },
    // The analysis runs the same; only the upload needs code scanning. Its SARIF stays on the
    // runner and error-level results fail the job, each annotated where it is.
    sastWithoutCodeScanning: {
      securityEvents: false,
      steps: [
        {
          name: "CodeQL init (JavaScript and TypeScript)",
          uses: ACTIONS.codeqlInit,
          with: { languages: "javascript-typescript", "build-mode": "none" },
        },
        {
          name: "CodeQL analysis (results kept here: no code scanning on this repository)",
          uses: ACTIONS.codeqlAnalyze,
          with: { category: "${{ github.job }}", upload: "never", output: CODEQL_RESULTS },
        },
        { name: "Fail on CodeQL's error-level results", run: CODEQL_GATE, workingDirectory: "." },
      ],
    },
  },
};

/**
 * The unit command as the unit step runs it: Node's wrapped in c8 with the floor (any test runner
 * the package script starts is measured); Python's as it is, the coverage step after it judging.
 */
export function unitCommand(toolchain: ToolchainName, unit: string): string {
  return toolchain === "node"
    ? `npx --yes c8@${C8_VERSION} --check-coverage --lines "$COVERAGE_THRESHOLD" --reporter=text --reporter=cobertura --reports-dir=reports ${unit}`
    : unit;
}
