/**
 * What a workflow runs besides its own steps: container images, pulled by digest so a re-pushed tag
 * cannot change a job, and scanner caches, which a job that can publish must not restore (another
 * run wrote them).
 */
import { asArray, resourceRule } from "../lib/rule";
import { workflowOf } from "./workflows";

const FILE = "github:index/repositoryFile:RepositoryFile";
const DIGEST = /@sha256:[0-9a-f]{64}$/;
/** Token permissions that let a job publish: OIDC credentials to registries and clouds, packages, the repository. */
const PUBLISHING = ["id-token", "packages", "contents"];

/** A rule over the workflow files a RepositoryFile writes; messages carry the file name. */
function workflowFileRule(
  meta: Omit<Parameters<typeof resourceRule>[0], "types">,
  check: (wf: any) => string[],
) {
  return resourceRule({ ...meta, types: [FILE] }, (p) => {
    const wf = workflowOf(p);
    if (wf === undefined) return [];
    if (wf.__parseError) return [`${p.file} is not valid YAML: ${wf.__parseError}`];
    return check(wf).map((m) => `${p.file}: ${m}`);
  });
}

const jobsOf = (wf: any): [string, any][] => Object.entries(wf?.jobs ?? {});

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

const isTrivyAction = (uses: unknown) => /^aquasecurity\/trivy-action@/.test(String(uses ?? ""));
const cacheOff = (value: unknown) => value === false || value === "false";

export const workflowSupplyChainRules = [
  workflowFileRule(
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
  workflowFileRule(
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
            isTrivyAction(s?.uses) && !cacheOff(s?.with?.cache)
              ? [`jobs.${id}.steps[${i}] runs trivy-action with its cache on in a job that can publish`]
              : [],
          ),
        ),
  ),
];
