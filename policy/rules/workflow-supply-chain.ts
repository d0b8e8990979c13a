/**
 * What a workflow runs besides its own steps: container images, pulled by digest so a re-pushed tag
 * cannot change a job; scanner caches, which a job that can publish must not restore (another run
 * wrote them); actions whose name, repository or ref is not what it seems (a look-alike owner, an
 * archived repository, an obfuscated reference, a version comment that names another commit); and
 * npm packages `npx` fetches without a version.
 */
import {
  archivedReplacement,
  obfuscationOf,
  parseUses,
  typosquatOf,
  VersionedPin,
  versionedPins,
  WELL_KNOWN_OWNERS,
} from "../lib/action-refs";
import { asArray, stackRule } from "../lib/rule";
import { unpinnedNpxSpecs } from "../lib/shell";
import {
  ACTION_PATH,
  actionOf,
  documentRule,
  jobsOf,
  TRIVY_CACHE,
  usesSites,
  WORKFLOW_PATH,
  workflowRule,
} from "./workflows";

const FILE = "github:index/repositoryFile:RepositoryFile";
const DIGEST = /@sha256:[0-9a-f]{64}$/;
/** Token permissions that let a job publish: OIDC credentials to registries and clouds, packages, the repository. */
const PUBLISHING = ["id-token", "packages", "contents"];

/** The images a job pulls: its container, its service containers and `docker://` steps. */
export function jobImages(job: any): { where: string; image: string }[] {
  const imageOf = (c: any): string | undefined => (typeof c === "string" ? c : c?.image);
  const out: { where: string; image: string }[] = [];
  const container = imageOf(job?.container);
  if (container !== undefined) out.push({ where: "container", image: String(container) });
  for (const [name, svc] of Object.entries(job?.services ?? {})) {
    const image = imageOf(svc);
    if (image !== undefined) out.push({ where: `services.${name}`, image: String(image) });
  }
  asArray(job?.steps).forEach((s: any, i: number) => {
    const uses = String(s?.uses ?? "");
    if (uses.startsWith("docker://"))
      out.push({ where: `steps[${i}]`, image: uses.slice("docker://".length) });
  });
  return out;
}

/** Whether a job's token can publish: write on id-token, packages or contents, or write-all (its own permissions, else the workflow's). */
export function jobCanPublish(wf: any, job: any): boolean {
  const permissions = job?.permissions ?? wf?.permissions;
  if (permissions === "write-all") return true;
  if (permissions === undefined) return true; // the repository default, which may be write-all
  if (typeof permissions !== "object" || permissions === null) return false;
  return PUBLISHING.some((scope) => permissions[scope] === "write");
}

/**
 * Each SHA pin whose version comment another pin contradicts: the same release of the same
 * repository pinned to another commit by the pack config (`knownPins`) or by an earlier file of the
 * stack (zizmor ref-version-mismatch, offline: a tag names one commit, so two SHAs under one
 * version mean at least one comment lies).
 */
export function pinVersionMismatches(
  files: { urn?: string; file: string; content: string }[],
  knownPins: readonly string[] = [],
): { urn?: string; message: string }[] {
  const first = new Map<string, { sha: string; where: string }>();
  const key = (p: VersionedPin) => `${p.slug} ${p.version}`;
  for (const p of versionedPins(knownPins.map((k) => `uses: ${k}`).join("\n")))
    first.set(key(p), { sha: p.sha, where: "the pack config's knownPins" });
  const out: { urn?: string; message: string }[] = [];
  for (const f of files)
    for (const p of versionedPins(f.content)) {
      const seen = first.get(key(p));
      if (!seen) first.set(key(p), { sha: p.sha, where: `${f.file}:${p.line}` });
      else if (seen.sha !== p.sha)
        out.push({
          urn: f.urn,
          message: `${f.file}:${p.line}: ${p.uses} says ${p.version}, but ${seen.where} pins ${p.slug} ${p.version} to ${seen.sha}`,
        });
    }
  return out;
}

export const workflowSupplyChainRules = [
  workflowRule(
    {
      name: "github-workflow-require-pinned-images",
      anchors: ["Z unpinned-images", "Scorecard Pinned-Dependencies"],
      summary:
        "Job containers, service containers and docker:// steps are pulled by digest (image@sha256:…), so a re-pushed tag cannot change what a job runs.",
      severity: "high",
      remediation:
        "Append the image's digest to its reference (postgres:16-alpine@sha256:…); `docker buildx imagetools inspect <image>:<tag>` prints it.",
    },
    (wf) =>
      jobsOf(wf).flatMap(([id, job]) =>
        jobImages(job)
          .filter(({ image }) => !DIGEST.test(image.trim()))
          .map(({ where, image }) => `jobs.${id}.${where} pulls ${image} without a digest`),
      ),
  ),
  workflowRule(
    {
      name: "github-workflow-disallow-scanner-cache-in-publishing-jobs",
      anchors: ["Z cache-poisoning"],
      summary:
        "trivy-action runs without its vulnerability-database cache in jobs that can publish (id-token, packages or contents write): a cache entry another run wrote would decide what the scan lets through.",
      severity: "high",
      remediation: "Set `cache: false` on the trivy-action step (it then downloads the database itself).",
    },
    (wf) =>
      jobsOf(wf)
        .filter(([, job]) => jobCanPublish(wf, job))
        .flatMap(([id, job]) =>
          asArray(job?.steps).flatMap((s: any, i: number) =>
            TRIVY_CACHE.action.test(actionOf(s?.uses)) && TRIVY_CACHE.restores(s?.with ?? {})
              ? [`jobs.${id}.steps[${i}] runs trivy-action with its cache on in a job that can publish`]
              : [],
          ),
        ),
  ),
  documentRule(
    {
      name: "github-workflow-disallow-typosquatted-actions",
      anchors: ["Z typosquat-uses"],
      summary: `No action or reusable workflow, in workflows and composite actions, comes from an owner one edit away from a well-known one (${WELL_KNOWN_OWNERS.join(", ")}).`,
      severity: "high",
      remediation:
        "Correct the owner's spelling and re-pin the SHA from the real repository; an owner that genuinely is someone else goes in the rule's allowedOwners.",
      config: {
        allowedOwners: {
          type: "array",
          items: { type: "string" },
          default: [],
          description: "Owners one edit away from a well-known owner that are trusted all the same.",
        },
      },
    },
    (parsed, config) =>
      usesSites(parsed).flatMap(({ where, uses }) => {
        const ref = parseUses(uses);
        if (ref.kind !== "repository") return [];
        const allowed = asArray<string>(config.allowedOwners).map((o) => o.toLowerCase());
        const like = allowed.includes(ref.owner.toLowerCase()) ? undefined : typosquatOf(ref.owner);
        return like ? [`${where} ${uses}: owner ${ref.owner} is one edit away from ${like}`] : [];
      }),
  ),
  documentRule(
    {
      name: "github-workflow-disallow-archived-actions",
      anchors: ["Z archived-uses"],
      summary:
        "No action or reusable workflow, in workflows and composite actions, comes from an archived repository, which gets no fixes, security fixes included.",
      severity: "medium",
      remediation: "Replace it with the maintained successor the message names, pinned to a commit SHA.",
    },
    (parsed) =>
      usesSites(parsed).flatMap(({ where, uses }) => {
        const ref = parseUses(uses);
        const instead = ref.kind === "repository" ? archivedReplacement(ref.owner, ref.repo) : undefined;
        return instead ? [`${where} ${actionOf(uses)} is an archived repository: use ${instead}`] : [];
      }),
  ),
  documentRule(
    {
      name: "github-workflow-disallow-obfuscated-uses",
      anchors: ["Z obfuscation"],
      summary:
        "uses: references, in workflows and composite actions, say plainly what runs: no '.', '..' or empty path segments, and no ref that carries a commit SHA without being one (v1@<sha>, upper case), which text matching and pin checks misread.",
      severity: "high",
      remediation:
        "Write the reference plainly: owner/repo[/path]@<40-hex lower-case sha>, or ./path for a local action.",
    },
    (parsed) =>
      usesSites(parsed).flatMap(({ where, uses }) => {
        const why = obfuscationOf(uses);
        return why.length ? [`${where} ${uses} is obfuscated: ${why.join(", ")}`] : [];
      }),
  ),
  stackRule(
    {
      name: "github-workflow-disallow-pin-version-mismatch",
      anchors: ["Z ref-version-mismatch"],
      summary:
        "A SHA pin's version comment (uses: owner/repo@<sha> # vX) names the commit every other pin of that repository and version names, in the stack's workflow and action files and in the stack's pack config (knownPins): a tag names one commit.",
      severity: "high",
      remediation:
        "Resolve the tag (git ls-remote https://github.com/<owner>/<repo> refs/tags/<version>) and correct the SHA or the comment; the program's own pins are in src/workflows/pins.ts.",
      config: {
        knownPins: {
          type: "array",
          items: { type: "string" },
          default: [],
          description:
            "Pins the stack vouches for, as `owner/repo@<sha> # <version>`; a file naming that version with another SHA is reported.",
        },
      },
    },
    (resources, config) =>
      pinVersionMismatches(
        resources
          .filter((r) => r.type === FILE)
          .filter((r) => [WORKFLOW_PATH, ACTION_PATH].some((p) => p.test(String(r.props.file ?? ""))))
          .map((r) => ({
            urn: r.urn,
            file: `${r.props.repository}/${r.props.file}`,
            content: String(r.props.content ?? ""),
          })),
        asArray<string>(config.knownPins),
      ),
  ),
  documentRule(
    {
      name: "github-workflow-require-pinned-npx",
      anchors: ["Z adhoc-packages", "Scorecard Pinned-Dependencies"],
      summary:
        "run: scripts, in workflows and composite actions, run npx packages at an exact version (npx --yes tool@1.2.3), or local binaries only (npx --no-install).",
      severity: "high",
      remediation:
        "Name the exact version (npx --yes c8@10.1.3), or install the tool from the lock file (npm ci) and run it with npx --no-install.",
    },
    ({ steps }) =>
      steps.flatMap(({ where, step }) => {
        const specs = unpinnedNpxSpecs(String(step?.run ?? ""));
        return specs.length
          ? [
              `${where} runs npx ${specs.join(", ")} without an exact version: whatever the registry serves that day runs with the job's token`,
            ]
          : [];
      }),
  ),
];
