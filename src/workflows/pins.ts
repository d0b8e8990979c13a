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
  // v5 and later cache npm on their own when package.json names npm as its package manager; every
  // step therefore says whether it caches (`cache` or `package-manager-cache: false`, steps.ts).
  setupNode: pin("actions/setup-node", "249970729cb0ef3589644e2896645e5dc5ba9c38", "v6.5.0"),
  // Python services' toolchain (src/workflows/toolchains.ts): caches pip downloads by the lock file.
  setupPython: pin("actions/setup-python", "a26af69be951a213d495a4c3e4e4022e16d87065", "v5.6.0"),
  // The platform's own tools (release archives), keyed by version: see platformToolSteps.
  cache: pin("actions/cache", "5a3ec84eff668545956fd18022155c47e93e2684", "v4.2.3"),
  uploadArtifact: pin("actions/upload-artifact", "ea165f8d65b6e75b540449e92b4886f43607fa02", "v4.6.2"),
  configureAwsCredentials: pin(
    "aws-actions/configure-aws-credentials",
    "e3dd6a429d7300a6a4c196c26e071d42e0343502",
    "v4.0.2",
  ),
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
  // CodeQL for Node services' SAST: the same codeql-action commit as upload-sarif.
  codeqlInit: pin("github/codeql-action/init", "5d4e8d1aca955e8d8589aabd499c5cae939e33c7", "v4.31.9"),
  codeqlAnalyze: pin("github/codeql-action/analyze", "5d4e8d1aca955e8d8589aabd499c5cae939e33c7", "v4.31.9"),
  trufflehog: pin("trufflesecurity/trufflehog", "6c05c4a00b91aa542267d8e32a8254774799d68d", "v3.93.8"),
  // The commit tag v3.1.1 names in actions/create-github-app-token (a lightweight tag); the token it
  // mints is masked and revoked in the action's post step.
  createGithubAppToken: pin(
    "actions/create-github-app-token",
    "1b10c78c7865c340bc4f6099eb2f838309f1e8c3",
    "v3.1.1",
  ),
} as const;

/**
 * A container image by tag and the digest that tag named when pinned: the runner pulls the digest
 * (the tag only documents it), so a re-pushed tag changes nothing until the digest here is bumped.
 */
export interface PinnedImage {
  readonly image: string;
  readonly tag: string;
  readonly digest: `sha256:${string}`;
  /** The release the tag named when it was pinned. */
  readonly version: string;
}

const image = (name: string, tag: string, digest: `sha256:${string}`, version: string): PinnedImage => ({
  image: name,
  tag,
  digest,
  version,
});

/**
 * The service containers of ci.yml's integration job (Docker official images). This machine has no
 * registry access, so each digest is the image index the tag named in docker-library/repo-info
 * (`repos/<image>/remote/<tag>.md`, at the commit named), the official images' own record of every
 * tag's digests. Bump with `docker buildx imagetools inspect <image>:<tag>` and take its Digest.
 */
export const SERVICE_IMAGES = {
  // repo-info 14ad5cc17dd0e9a01079feefc7a59c24536f5291, PostgreSQL 16.15 on Alpine 3.24
  postgres: image(
    "postgres",
    "16-alpine",
    "sha256:721873c34ceb9f8d8fc265984940dc982404c105f19ad51be9fdc5970a6080ea",
    "16.15",
  ),
  // repo-info 0f0c69aaf7d364b2fd5a00f9141c6b51de83f2cb, MySQL 8.4.11
  mysql: image(
    "mysql",
    "8.4",
    "sha256:85b9bf2e29cf836ecb8c2a15a935d4ba0c606631dff1dd79531a11983c638f2a",
    "8.4.11",
  ),
  // repo-info 1742085aa3304e996a45e00271d6b8308029b6e3, Redis 7.4.11 on Alpine 3.21
  redis: image(
    "redis",
    "7-alpine",
    "sha256:ff02b58f971e7d7d156a1267e283fcbbeee91773b6aa36c49dac28ecfe28eadf",
    "7.4.11",
  ),
  // repo-info 05a154fe6714d09f0ce806727ff0733c483f3d09, MongoDB 7.0.39
  mongodb: image(
    "mongo",
    "7",
    "sha256:35a5926f71f8b6cb19206bee928c5a85f241a8be99f20c81abe35ae78a73415d",
    "7.0.39",
  ),
  // repo-info 0639f311d42a32a2324bec7751c22e5cf1b3e0a7, RabbitMQ 4.3.5 with the management plugin
  rabbitmq: image(
    "rabbitmq",
    "4-management",
    "sha256:06fb591136a49e861e01aaaf9ce45085839ca23c35913d45a1e83519bb9778ca",
    "4.3.5",
  ),
} as const;

/** `image:tag@sha256:…`: what the runner pulls is the digest. */
export const imageRef = (i: PinnedImage) => `${i.image}:${i.tag}@${i.digest}`;

/** `owner/repo@sha # version`; the renderer turns the suffix into a YAML comment. */
export const usesRef = (a: PinnedAction) => `${a.action}@${a.sha} # ${a.version}`;

/** Owners whose actions the repository's Actions settings allow (`allowed_actions: selected`). */
export function allowedActionPatterns(): string[] {
  const repos = new Set(Object.values(ACTIONS).map((a) => a.action.split("/").slice(0, 2).join("/")));
  return [...repos].sort().map((r) => `${r}@*`);
}

/** The Pulumi CLI the workflows install (same major/minor as the SDK in package.json). */
export const PULUMI_CLI_VERSION = "3.248.0";
