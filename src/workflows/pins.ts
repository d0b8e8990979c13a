/**
 * Every third-party action the generated workflows use, pinned to a full commit SHA with the
 * release it corresponds to. Bump here only (resolve a tag with `git ls-remote <repo> refs/tags/<v>`),
 * and the policy pack's `github-workflow-require-pinned-actions` keeps it that way.
 */
export interface PinnedAction {
  /** `owner/repo` or `owner/repo/path`. */
  readonly action: string;
  readonly sha: string;
  readonly version: string;
}

const pin = (action: string, sha: string, version: string): PinnedAction => ({ action, sha, version });

export const ACTIONS = {
  checkout: pin("actions/checkout", "11bd71901bbe5b1630ceea73d27597364c9af683", "v4.2.2"),
  setupNode: pin("actions/setup-node", "49933ea5288caeca8642d1e84afbd3f7d6820020", "v4.4.0"),
  uploadArtifact: pin("actions/upload-artifact", "ea165f8d65b6e75b540449e92b4886f43607fa02", "v4.6.2"),
  configureAwsCredentials: pin(
    "aws-actions/configure-aws-credentials",
    "e3dd6a429d7300a6a4c196c26e071d42e0343502",
    "v4.0.2",
  ),
  setupQemu: pin("docker/setup-qemu-action", "29109295f81e9208d7d86ff1c6c12d2833863392", "v3.6.0"),
  setupBuildx: pin("docker/setup-buildx-action", "b5ca514318bd6ebac0fb2aedd5d36ec1b5c232a2", "v3.10.0"),
  login: pin("docker/login-action", "74a5d142397b4f367a81961eba4e8cd7edddf772", "v3.4.0"),
  metadata: pin("docker/metadata-action", "902fa8ec7d6ecbf8d84d538b9b233a880e428804", "v5.7.0"),
  buildPush: pin("docker/build-push-action", "263435318d21b8e681c14492fe198d362a7d2c83", "v6.18.0"),
  trivy: pin("aquasecurity/trivy-action", "ed142fd0673e97e23eac54620cfb913e5ce36c25", "v0.36.0"),
  uploadSarif: pin(
    "github/codeql-action/upload-sarif",
    "5d4e8d1aca955e8d8589aabd499c5cae939e33c7",
    "v4.31.9",
  ),
  trufflehog: pin("trufflesecurity/trufflehog", "6c05c4a00b91aa542267d8e32a8254774799d68d", "v3.93.8"),
  // The commit tag v3.1.1 names in actions/create-github-app-token (a lightweight tag); the token it
  // mints is masked and revoked in the action's post step.
  createGithubAppToken: pin(
    "actions/create-github-app-token",
    "1b10c78c7865c340bc4f6099eb2f838309f1e8c3",
    "v3.1.1",
  ),
} as const;

/** `owner/repo@sha # version`; the renderer turns the suffix into a YAML comment. */
export const usesRef = (a: PinnedAction) => `${a.action}@${a.sha} # ${a.version}`;

/** Owners whose actions the repository's Actions settings allow (`allowed_actions: selected`). */
export function allowedActionPatterns(): string[] {
  const repos = new Set(Object.values(ACTIONS).map((a) => a.action.split("/").slice(0, 2).join("/")));
  return [...repos].sort().map((r) => `${r}@*`);
}

/** The Pulumi CLI the workflows install (same major/minor as the SDK in package.json). */
export const PULUMI_CLI_VERSION = "3.248.0";
