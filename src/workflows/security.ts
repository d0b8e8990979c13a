/** security.yml: filesystem and dependency scans with SARIF upload, secret scanning, dependency audit. */
import { DeliveryContext, integrationBranches } from "./context";
import { StepsJob, Workflow } from "./model";
import { ACTIONS } from "./pins";
import { checkout, setupNode } from "./steps";

export function securityWorkflow(ctx: DeliveryContext): Workflow {
  const branches = integrationBranches(ctx.branchModel);
  return {
    file: "security.yml",
    name: "Security",
    on: { pull_request: { branches }, push: { branches }, schedule: [{ cron: "17 4 * * 1" }] },
    permissions: {},
    concurrency: { group: "security-${{ github.ref }}", cancelInProgress: true },
    jobs: {
      "trivy-fs": trivyFsJob(ctx.codeScanning),
      "secret-scan": {
        name: "secret-scan",
        permissions: { contents: "read" },
        timeoutMinutes: 15,
        steps: [
          checkout(0),
          {
            name: "TruffleHog (verified secrets only)",
            uses: ACTIONS.trufflehog,
            with: { path: "./", extra_args: "--only-verified" },
          },
        ],
      },
      // The program's npm dependencies; an application's toolchains audit their own in ci.yml.
      ...(ctx.executor ? {} : { "dependency-audit": dependencyAuditJob(ctx) }),
    },
  };
}

function dependencyAuditJob(ctx: DeliveryContext): StepsJob {
  return {
    name: "dependency-audit",
    permissions: { contents: "read" },
    timeoutMinutes: 10,
    steps: [
      checkout(),
      // The audit reads the lockfile alone: nothing is installed, so no cache and no npm ci.
      setupNode(ctx.nodeVersions[0], false),
      {
        name: "npm audit (runtime dependencies, from the lockfile)",
        run: "npm audit --package-lock-only --omit=dev --audit-level=high",
      },
    ],
  };
}

/**
 * trivy-fs: fails on HIGH and CRITICAL findings. Where code scanning accepts results, they go to
 * the Security tab as SARIF; elsewhere (a private repository without Code Security) the table is
 * the job log, and the job needs no `security-events` permission.
 */
export function trivyFsJob(codeScanning: boolean): StepsJob {
  const scan = {
    "scan-type": "fs",
    "scan-ref": ".",
    scanners: "vuln,secret,misconfig",
    severity: "HIGH,CRITICAL",
    "exit-code": "1",
  };
  return {
    name: "trivy-fs",
    permissions: codeScanning ? { contents: "read", "security-events": "write" } : { contents: "read" },
    timeoutMinutes: 15,
    steps: codeScanning
      ? [
          checkout(),
          {
            name: "Trivy filesystem scan (vulnerabilities, secrets, misconfigurations)",
            uses: ACTIONS.trivy,
            with: { ...scan, format: "sarif", output: "trivy-fs.sarif" },
          },
          {
            name: "Upload SARIF",
            if: "always()",
            uses: ACTIONS.uploadSarif,
            with: { sarif_file: "trivy-fs.sarif", category: "trivy-fs" },
          },
        ]
      : [
          checkout(),
          {
            name: "Trivy filesystem scan (vulnerabilities, secrets, misconfigurations; findings in this log)",
            uses: ACTIONS.trivy,
            with: { ...scan, format: "table" },
          },
        ],
  };
}
