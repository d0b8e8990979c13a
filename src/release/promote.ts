/**
 * Promotion: the image built once is copied by digest into the stack's registry (a no-op when the
 * source already is that registry), and its digest is what the release deploys.
 */
import { PulumiCli } from "./pulumi-cli";

/** Runs a command and resolves with its trimmed standard output. */
export type Run = (file: string, args: string[], input?: string) => Promise<string>;

export interface PromoteRequest {
  readonly stack: string;
  readonly service: string;
  /** Repository holding the built image. */
  readonly sourceImage: string;
  /** `sha256:…` digest or a tag of the image. */
  readonly sourceRef: string;
  /** Commit the image was built from: a digest source is tagged `sha-<commit>` in the target. */
  readonly commitSha?: string;
  /**
   * The release tag of the run (`v1.4.2`): the promoted image is tagged with its semver (`1.4.2`)
   * as well. Anything else, or none, adds no tag.
   */
  readonly releaseTag?: string;
}

/** `v1.4.2` → `1.4.2`; undefined for anything that is not a release tag. */
export function semverOf(tag: string | undefined): string | undefined {
  return /^v(\d+\.\d+\.\d+)$/.exec(tag ?? "")?.[1];
}

/** Copies the image and resolves with its digest. */
export async function promote(pulumi: PulumiCli, run: Run, request: PromoteRequest): Promise<string> {
  const registries = ((await pulumi.outputs(request.stack)).registryUrls ?? {}) as Record<string, string>;
  const target = registries[request.service];
  if (!target) throw new Error(`stack ${request.stack} has no registryUrls entry for ${request.service}`);
  const source = request.sourceImage;
  const byDigest = request.sourceRef.startsWith("sha256:");
  const from = byDigest ? `${source}@${request.sourceRef}` : `${source}:${request.sourceRef}`;
  for (const host of new Set([source.split("/")[0], target.split("/")[0]])) {
    const region = ecrRegion(host);
    if (!region) continue;
    // The token is the caller's, for the registry's region: a source in another account works when
    // its repository policy and the caller's role both allow the pull (registry.promotionSource).
    const password = await run("aws", ["ecr", "get-login-password", "--region", region]);
    await run("docker", ["login", "--username", "AWS", "--password-stdin", host], password);
  }
  const manifest = JSON.parse(
    await run("docker", ["buildx", "imagetools", "inspect", from, "--format", "{{json .Manifest}}"]),
  ) as { digest: string };
  const tags: string[] = [];
  if (target !== source) {
    if (byDigest && !request.commitSha)
      throw new Error("promoting by digest tags the copy sha-<commit>: GITHUB_SHA is not set");
    tags.push(byDigest ? `sha-${request.commitSha}` : request.sourceRef);
  }
  // GHCR packages take the semver tag in release.yml's own job, the one holding `packages: write`;
  // a deploy job only reads packages (src/workflows/deploy.ts: ghcrReleaseTagJob).
  const semver = semverOf(request.releaseTag);
  if (semver && ecrRegion(target.split("/")[0]!)) tags.push(semver);
  if (tags.length)
    await run("docker", [
      "buildx",
      "imagetools",
      "create",
      ...tags.flatMap((t) => ["--tag", `${target}:${t}`]),
      `${source}@${manifest.digest}`,
    ]);
  return manifest.digest;
}

/** `<account>.dkr.ecr.<region>.amazonaws.com[.cn]` → its region; undefined for any other registry (GHCR). */
export function ecrRegion(host: string): string | undefined {
  return /^\d{12}\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$/.exec(host)?.[1];
}
