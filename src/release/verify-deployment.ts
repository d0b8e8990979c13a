/**
 * A release tag proceeds only if the promotion source (staging) runs the tagged commit: its
 * latest GitHub deployment of the service (`task: deploy:<service>`, recorded by
 * deploy-service.yml) for that commit succeeded. Read through an injected `gh api`, so the
 * decision is tested against the REST API's shapes without the network.
 */
import { DEPLOYMENT_TASK_PREFIX } from "../workflows/deployments";

/** `gh api <path>`: the parsed JSON of a GET on the REST API. */
export type GhApi = (path: string) => Promise<unknown>;

export interface DeploymentQuery {
  /** `owner/repo`. */
  readonly repository: string;
  /** GitHub environment of the promotion source, e.g. `staging`. */
  readonly environment: string;
  readonly service: string;
  /** The tagged commit. */
  readonly sha: string;
}

/** The fields of a deployment (`GET /repos/{owner}/{repo}/deployments`) this check reads. */
interface Deployment {
  readonly id: number;
  readonly sha: string;
  readonly task: string;
  readonly environment: string;
  readonly payload?: { digest?: string } | string;
}

/** The fields of a deployment status (`GET …/deployments/{id}/statuses`) this check reads. */
interface DeploymentStatus {
  readonly id: number;
  readonly state: string;
  readonly log_url?: string;
}

export interface VerifiedDeployment {
  readonly deploymentId: number;
  /** The digest the source runs (the deployment's payload). */
  readonly digest?: string;
  /** The commit that deployment built (the tagged one, or an earlier one when not rebuilt since). */
  readonly sha?: string;
}

/** Thrown when the tag must not be released; the message says why and what to do. */
export class NotDeployed extends Error {
  constructor(message: string) {
    super(message);
    this.name = "NotDeployed";
  }
}

/**
 * The latest deployment (highest id) of `deploy:<service>` for the commit in the environment, if its
 * latest status is `success` — or `inactive` right after `success`: GitHub marks a succeeded
 * deployment inactive when a later one of the environment succeeds (auto_inactive), which means
 * superseded, not failed.
 */
export async function verifyDeployment(api: GhApi, q: DeploymentQuery): Promise<VerifiedDeployment> {
  const task = `${DEPLOYMENT_TASK_PREFIX}${q.service}`;
  const what = `${q.service} at ${q.sha.slice(0, 12)} in ${q.environment}`;
  const query = new URLSearchParams({ sha: q.sha, task, environment: q.environment, per_page: "100" });
  const deployments = ((await api(`repos/${q.repository}/deployments?${query}`)) as Deployment[]).filter(
    (d) => d.sha === q.sha && d.task === task && d.environment === q.environment,
  );
  if (deployments.length === 0)
    throw new NotDeployed(
      `no deployment of ${what}: release tags promote what ${q.environment} runs, so deploy this commit to ${q.environment} first (build-deploy.yml), then tag it`,
    );
  const latest = deployments.reduce((a, b) => (b.id > a.id ? b : a));
  const statuses = [
    ...((await api(
      `repos/${q.repository}/deployments/${latest.id}/statuses?per_page=100`,
    )) as DeploymentStatus[]),
  ].sort((a, b) => b.id - a.id);
  const outcome = statuses.find((s) => s.state !== "inactive");
  if (!outcome || outcome.state !== "success")
    throw new NotDeployed(
      `the latest deployment of ${what} (#${latest.id}) is ${outcome?.state ?? "without a status"}${
        outcome?.log_url ? ` (${outcome.log_url})` : ""
      }; release only a commit ${q.environment} runs successfully`,
    );
  const payload = typeof latest.payload === "object" ? latest.payload : undefined;
  return { deploymentId: latest.id, digest: payload?.digest };
}

/** The latest status that is not `inactive` (GitHub's mark for a superseded deployment). */
async function outcomeOf(api: GhApi, repository: string, id: number): Promise<DeploymentStatus | undefined> {
  const statuses = [
    ...((await api(`repos/${repository}/deployments/${id}/statuses?per_page=100`)) as DeploymentStatus[]),
  ].sort((a, b) => b.id - a.id);
  return statuses.find((s) => s.state !== "inactive");
}

/**
 * What a release tag promotes of one service: what the promotion source runs. A service deployed
 * at the tagged commit must have succeeded there (`verifyDeployment`); a service not rebuilt at
 * that commit (nothing of it changed) promotes the digest of its latest successful deployment in
 * the source, whichever commit built it, so a multi-service release never ends red for the
 * services it did not touch.
 */
export async function stagedRelease(api: GhApi, q: DeploymentQuery): Promise<VerifiedDeployment> {
  const task = `${DEPLOYMENT_TASK_PREFIX}${q.service}`;
  const query = new URLSearchParams({ task, environment: q.environment, per_page: "100" });
  const all = ((await api(`repos/${q.repository}/deployments?${query}`)) as Deployment[])
    .filter((d) => d.task === task && d.environment === q.environment)
    .sort((a, b) => b.id - a.id);
  if (all.some((d) => d.sha === q.sha)) return { ...(await verifyDeployment(api, q)), sha: q.sha };
  for (const d of all) {
    if ((await outcomeOf(api, q.repository, d.id))?.state !== "success") continue;
    const payload = typeof d.payload === "object" ? d.payload : undefined;
    if (!payload?.digest)
      throw new NotDeployed(
        `the latest successful deployment of ${q.service} in ${q.environment} (#${d.id}) records no digest: deploy ${q.service} to ${q.environment} again, then tag`,
      );
    return { deploymentId: d.id, digest: payload.digest, sha: d.sha };
  }
  throw new NotDeployed(
    `${q.service} has no successful deployment in ${q.environment}: release tags promote what ${q.environment} runs, so deploy it there first (build-deploy.yml), then tag`,
  );
}
