/**
 * What a `uses:` reference says, read the way GitHub resolves it: `owner/repo[/path]@ref`, a local
 * `./path`, or `docker://image`. Pure functions over the text, shared by the supply-chain rules
 * (typosquatted, archived and obfuscated references, and pins whose version comment lies).
 */

export type UsesRef =
  | { readonly kind: "docker"; readonly image: string }
  | { readonly kind: "local"; readonly path: string }
  | {
      readonly kind: "repository";
      readonly owner: string;
      readonly repo: string;
      /** Path segments after owner/repo (a reusable workflow's file, an action's folder). */
      readonly subpath: readonly string[];
      /** What follows the first `@`, or undefined without one. */
      readonly ref: string | undefined;
    };

export function parseUses(uses: string): UsesRef {
  const text = uses.trim();
  if (text.startsWith("docker://")) return { kind: "docker", image: text.slice("docker://".length) };
  if (text.startsWith("./")) return { kind: "local", path: text.slice(2) };
  const at = text.indexOf("@");
  const slug = at < 0 ? text : text.slice(0, at);
  const [owner = "", repo = "", ...subpath] = slug.split("/");
  return { kind: "repository", owner, repo, subpath, ref: at < 0 ? undefined : text.slice(at + 1) };
}

/** `owner/repo`, lower-cased: GitHub matches owners and repositories case-insensitively. */
export const slugOf = (ref: { owner: string; repo: string }) => `${ref.owner}/${ref.repo}`.toLowerCase();

const SHA = /^[0-9a-f]{40}$/;

/**
 * Why a reference hides what it runs from anyone (or any tool) matching it as text, or an empty
 * list (zizmor obfuscation): `.`/`..` or empty path segments, and a ref that carries a commit SHA
 * without being one (`v1@<sha>`, an upper-case SHA) or path tricks. A plain tag or branch is only
 * unpinned, which github-workflow-require-pinned-actions reports.
 */
export function obfuscationOf(uses: string): string[] {
  const ref = parseUses(uses);
  if (ref.kind === "docker") return [];
  const segments = ref.kind === "local" ? ref.path.split("/") : [ref.owner, ref.repo, ...ref.subpath];
  const out = [
    ...(segments.includes(".") ? ["a '.' path segment"] : []),
    ...(segments.includes("..") ? ["a '..' path segment"] : []),
    ...(segments.includes("") ? ["an empty path segment"] : []),
  ];
  if (ref.kind === "repository" && ref.ref !== undefined && !SHA.test(ref.ref)) {
    if (/[0-9a-f]{40}/i.test(ref.ref) || /\s|\.\.|\/\/|@|\$\{\{/.test(ref.ref))
      out.push(`the ref ${JSON.stringify(ref.ref)}, which is not a plain commit SHA`);
  }
  return out;
}

/** Owners whose actions most workflows run, and so the names a typosquatter imitates. */
export const WELL_KNOWN_OWNERS = [
  "actions",
  "docker",
  "aws-actions",
  "github",
  "azure",
  "google-github-actions",
  "hashicorp",
  "aquasecurity",
  "pulumi",
];

/** Edits (insert, delete, substitute, swap two neighbours) between two strings (optimal string alignment). */
export function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[a.length][b.length];
}

/** The well-known owner `owner` is one edit away from (and is not), or undefined (zizmor typosquat-uses). */
export function typosquatOf(owner: string, wellKnown: readonly string[] = WELL_KNOWN_OWNERS) {
  const name = owner.toLowerCase();
  if (wellKnown.includes(name)) return undefined;
  return wellKnown.find((w) => editDistance(name, w) === 1);
}

/**
 * Archived repositories (read-only: no fixes, security fixes included) that workflows still use,
 * with what replaces each. A subset of zizmor's archived-uses list,
 * zizmorcore/zizmor crates/zizmor/data/archived-repos.txt (commit 0105b44989e3d569c190a418f02d37e921e1a384);
 * `owner/*` means every repository of the owner. Keys are lower-case.
 */
export const ARCHIVED_ACTIONS: Readonly<Record<string, string>> = {
  "actions-rs/*": "dtolnay/rust-toolchain, and cargo in a run: step",
  "actions/create-release": "gh release create in a run: step",
  "actions/upload-release-asset": "gh release upload in a run: step",
  "actions/setup-ruby": "ruby/setup-ruby",
  "actions/setup-elixir": "erlef/setup-beam",
  "actions/setup-haskell": "haskell-actions/setup",
  "crazy-max/ghaction-docker-buildx": "docker/setup-buildx-action",
  "gradle/gradle-build-action": "gradle/actions/setup-gradle",
  "marvinpinto/action-automatic-releases": "gh release create in a run: step",
  "semgrep/semgrep-action": "semgrep ci in a run: step",
  "sonarsource/sonarcloud-github-action": "SonarSource/sonarqube-scan-action",
  "tibdex/github-app-token": "actions/create-github-app-token",
};

/** What replaces an archived `owner/repo`, or undefined when the repository is not on the list. */
export function archivedReplacement(owner: string, repo: string): string | undefined {
  const slug = slugOf({ owner, repo });
  return ARCHIVED_ACTIONS[slug] ?? ARCHIVED_ACTIONS[`${owner.toLowerCase()}/*`];
}

/** A release version as pins write it in their comment (`v4.2.2`, `4.31.9`, `v1`, `tag=v4.2.2`). */
const VERSION = /^(?:tag=)?(v?\d+(?:\.\d+)*(?:[-+][0-9A-Za-z.-]+)?)$/;

/** A SHA pin with the version its trailing comment names (`uses: owner/repo@<sha> # v1.2.3`). */
export interface VersionedPin {
  /** 1-based line in the file. */
  readonly line: number;
  readonly uses: string;
  /** `owner/repo`, lower-cased: a tag names one commit of the repository, whatever the path. */
  readonly slug: string;
  readonly sha: string;
  readonly version: string;
}

/**
 * The SHA pins of a workflow or action file whose comment names a version. Read from the text, as
 * YAML parsers drop comments; a comment that is no version (`# platform executor`) is skipped.
 */
export function versionedPins(content: string): VersionedPin[] {
  return content.split("\n").flatMap((text, i) => {
    const m = /^\s*(?:-\s+)?uses:\s*(["']?)([^\s"'#]+)\1\s+#\s*(\S+)/.exec(text);
    if (!m) return [];
    const ref = parseUses(m[2]);
    const version = VERSION.exec(m[3])?.[1];
    if (ref.kind !== "repository" || !ref.ref || !SHA.test(ref.ref) || !version) return [];
    return [{ line: i + 1, uses: m[2], slug: slugOf(ref), sha: ref.ref, version }];
  });
}
