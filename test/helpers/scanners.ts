/**
 * zizmor and checkov, the independent scanners the generated artifacts are held against, run over
 * files written to a scratch folder. `dev/tools/setup.sh` installs both into `.tools/scanners`
 * (npm test's pretest); where they are missing the tests fail with that instruction, as the other
 * tool-based tests do. Each call returns the findings parsed from the tool's JSON report.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import YAML from "yaml";
import { CHECKOV_CONFIG, SCANNERS_BIN, ZIZMOR_CONFIG } from "../../dev/paths";

function scanner(name: "zizmor" | "checkov"): string {
  const binary = path.join(SCANNERS_BIN, name);
  if (!fs.existsSync(binary))
    throw new Error(`no ${name} in ${SCANNERS_BIN}: run npm run setup:tools (it installs the scanners)`);
  return binary;
}

/** Writes `files` (repository path → content) under a new scratch folder and returns it. */
export function writeTree(
  files: Record<string, string>,
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "scan-")),
) {
  for (const [p, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, p)), { recursive: true });
    fs.writeFileSync(path.join(dir, p), content);
  }
  return dir;
}

/** The workflow files and composite actions of a rendering: what zizmor and checkov read. */
export function workflowFiles(files: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(files).filter(
      ([p]) =>
        /^\.github\/workflows\/[^/]+\.ya?ml$/.test(p) || /^\.github\/actions\/[^/]+\/action\.ya?ml$/.test(p),
    ),
  );
}

export interface ZizmorFinding {
  readonly audit: string;
  readonly severity: string;
  readonly confidence: string;
  readonly file: string;
  /** 1-based line of the finding's primary location. */
  readonly line: number;
  readonly description: string;
}

/** One line per finding, for failure messages. */
export const formatZizmor = (f: ZizmorFinding) =>
  `${f.file}:${f.line} ${f.audit} (${f.severity}, confidence ${f.confidence}): ${f.description}`;

/**
 * zizmor over `dir`, offline (no GitHub API: the online audits need a token and the network), with
 * the committed zizmor.yml, at its default persona unless told otherwise. Exit codes 11–14 mean
 * "findings"; anything else but 0 is zizmor failing, and throws with its stderr.
 */
export function runZizmor(
  dir: string,
  options: { persona?: "regular" | "pedantic" | "auditor"; config?: string } = {},
): ZizmorFinding[] {
  const args = ["--offline", "--quiet", "--format", "json", "--config", options.config ?? ZIZMOR_CONFIG];
  if (options.persona) args.push("--persona", options.persona);
  const r = spawnSync(scanner("zizmor"), [...args, "."], {
    cwd: dir,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
  });
  if (r.status !== 0 && !(r.status! >= 11 && r.status! <= 14))
    throw new Error(`zizmor exited ${r.status}: ${r.stderr || r.error}`);
  const report = JSON.parse(r.stdout) as any[];
  return report.map((f) => {
    const primary = f.locations.find((l: any) => l.symbolic?.kind === "Primary") ?? f.locations[0];
    const key = primary.symbolic.key;
    return {
      audit: f.ident,
      severity: f.determinations.severity,
      confidence: f.determinations.confidence,
      file: key.Local?.given_path ?? key.Local?.verbatim_path ?? JSON.stringify(key),
      line: primary.concrete.location.start_point.row + 1,
      description: `${f.desc}${primary.symbolic.annotation ? ` — ${primary.symbolic.annotation}` : ""}`,
    };
  });
}

export interface CheckovReport {
  readonly passed: number;
  readonly failed: { id: string; name: string; file: string; resource: string }[];
  /** Resources checkov parsed (Kubernetes objects; 0 for workflows, which it reads as files). */
  readonly resourceCount: number;
}

export const formatCheckov = (f: CheckovReport["failed"][number]) =>
  `${f.file} ${f.resource}: ${f.id} ${f.name}`;

/**
 * checkov over `dir` for one framework, with the committed .checkov.yml (its skips, no download
 * from the vendor's API). checkov exits 1 when a check failed; anything else but 0 throws.
 */
export function runCheckov(
  dir: string,
  framework: "github_actions" | "kubernetes",
  config = CHECKOV_CONFIG,
): CheckovReport {
  const r = spawnSync(
    scanner("checkov"),
    [
      "--directory",
      ".",
      "--framework",
      framework,
      "--config-file",
      config,
      "--quiet",
      "--compact",
      "--output",
      "json",
    ],
    { cwd: dir, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" }, maxBuffer: 64 * 1024 * 1024 },
  );
  if (r.status !== 0 && r.status !== 1) throw new Error(`checkov exited ${r.status}: ${r.stderr || r.error}`);
  const parsed = JSON.parse(r.stdout);
  // One report per framework; with nothing to scan checkov prints a bare summary instead.
  const report = [parsed].flat().find((x: any) => x.check_type === framework);
  if (!report) return { passed: 0, failed: [], resourceCount: 0 };
  return {
    passed: report.summary.passed,
    resourceCount: report.summary.resource_count,
    failed: report.results.failed_checks.map((f: any) => ({
      id: f.check_id,
      name: f.check_name,
      file: f.file_path,
      resource: f.resource,
    })),
  };
}

/** Kubernetes objects as one multi-document manifest, the way `kubectl apply -f` reads them. */
export const manifestOf = (objects: readonly object[]) => objects.map((o) => YAML.stringify(o)).join("---\n");
