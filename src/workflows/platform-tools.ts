/**
 * The native tools the platform's own test suite needs (actionlint, the Pulumi CLI), from their
 * release archives instead of Go builds: minutes per run saved. The archives are cached by
 * version and verified on every run, cached or not, against the SHA-256 sums committed in
 * `dev/tools/release-checksums.txt`, so a cache entry another run wrote cannot change what runs.
 * `dev/tools/setup.sh` (npm test's pretest) then takes each tool of the right version from PATH.
 *
 * The Pulumi archive's sum is not committed yet (no copy of the v3.248.0 release's checksums file
 * could be read where this was written): until it is, the archive is verified against the
 * checksums file of the same GitHub release, fetched in the job, and the job says so in a warning.
 */
import { Step } from "./model";
import { ACTIONS, PULUMI_CLI_VERSION } from "./pins";

/** The actionlint release setup.sh expects (its ACTIONLINT_VERSION, without the v). */
export const ACTIONLINT_VERSION = "1.7.7";
/** Committed `sha256sum` lines of the release archives. */
export const RELEASE_CHECKSUMS_FILE = "dev/tools/release-checksums.txt";
/** Where dev/tools/setup.sh caches the tools it builds with Go, by module hash (its TOOLS_CACHE). */
export const GO_TOOLS_CACHE = "~/.cache/delivery-platform/tools";
/** Where the archives are cached, and the tools unpacked. */
const TOOLS_DIR = "~/.cache/platform-tools";

export const PLATFORM_TOOLS_SCRIPT = [
  "set -euo pipefail",
  'dir="$HOME/.cache/platform-tools"',
  'mkdir -p "$dir/bin"',
  'sums="$GITHUB_WORKSPACE/$CHECKSUMS_FILE"',
  'fetch() { [ -f "$dir/$1" ] || curl -fsSLo "$dir/$1" "$2"; }',
  "verify() {",
  '  if grep -q "  $1\\$" "$sums"; then (cd "$dir" && grep "  $1\\$" "$sums" | sha256sum -c -)',
  '  else echo "::warning::no committed checksum for $1: verified against the release\'s checksums file"; (cd "$dir" && grep " $1\\$" "$2" | sha256sum -c -); fi',
  "}",
  'al="actionlint_${ACTIONLINT_VERSION}_linux_amd64.tar.gz"',
  'fetch "$al" "https://github.com/rhysd/actionlint/releases/download/v${ACTIONLINT_VERSION}/$al"',
  'verify "$al" /dev/null',
  'tar -xzf "$dir/$al" -C "$dir/bin" actionlint',
  'pl="pulumi-v${PULUMI_VERSION}-linux-x64.tar.gz"',
  'fetch "$pl" "https://github.com/pulumi/pulumi/releases/download/v${PULUMI_VERSION}/$pl"',
  'curl -fsSLo "$dir/pulumi-sums.txt" "https://github.com/pulumi/pulumi/releases/download/v${PULUMI_VERSION}/pulumi-${PULUMI_VERSION}-checksums.txt"',
  'verify "$pl" "$dir/pulumi-sums.txt"',
  'tar -xzf "$dir/$pl" -C "$dir"',
  'cp "$dir"/pulumi/* "$dir/bin/"',
  'echo "$dir/bin" >> "$GITHUB_PATH"',
].join("\n");

/**
 * What setup.sh still builds with Go — the kubernetes provider of the engine tier and the control
 * plane (kube-apiserver, kube-controller-manager, kube-scheduler, etcd, kwok; built from their
 * modules, version-stamped) — in its cache by module hash, and the add-ons' CRDs from the module
 * proxy, restored by the hash of everything that decides them, so a runner builds them only when
 * a pin changes. setup.sh names each cache entry by its module's hash (and the Go version), so a
 * restored build that no longer matches is rebuilt, never run. They run in a job holding
 * `contents: read`.
 */
const controlPlaneCache: Step = {
  name: "Cache the engine's provider and the end-to-end control plane built from Go modules",
  uses: ACTIONS.cache,
  with: {
    path: [GO_TOOLS_CACHE, ".tools/crds"].join("\n"),
    key: "go-tools-${{ runner.os }}-${{ hashFiles('dev/tools/kubernetes-provider/go.*', 'dev/tools/kubernetes-provider/*.go', 'dev/tools/kubernetes/go.*', 'dev/tools/etcd/go.*', 'dev/tools/etcd/*.go', 'dev/tools/kwok/go.*', 'dev/tools/crds.sh', 'package-lock.json') }}",
  },
};

/** Restore the archives, verify and unpack them, put the tools on PATH; restore the control plane. */
export const platformToolSteps: Step[] = [
  controlPlaneCache,
  {
    name: "Cache the platform's tool archives",
    uses: ACTIONS.cache,
    with: {
      path: TOOLS_DIR,
      key: `platform-tools-\${{ runner.os }}-actionlint-${ACTIONLINT_VERSION}-pulumi-${PULUMI_CLI_VERSION}`,
    },
  },
  {
    name: "Install actionlint and the Pulumi CLI from their release archives (checksums verified)",
    env: {
      ACTIONLINT_VERSION,
      PULUMI_VERSION: PULUMI_CLI_VERSION,
      CHECKSUMS_FILE: RELEASE_CHECKSUMS_FILE,
    },
    run: PLATFORM_TOOLS_SCRIPT,
  },
];
