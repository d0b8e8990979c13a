/**
 * Moves the workloads of a platform stack that held them (before `applicationStacks`) into their
 * application stacks, without deleting or replacing any: `pulumi state move` carries each
 * workload's component with its children (and a copy of their provider) into the application
 * stack, where the application program registers the same names under the same parents, so the
 * first `pulumi up` there finds them as they run. Alarms are not moved (their parent, the
 * platform's alarm component, stays): the platform's `up` deletes its copies and the application's
 * `up` creates its own, notifying the same topic.
 *
 * Order (docs/application-stacks.md, "Move workloads into application stacks"): move, set `applicationStacks: true`,
 * preview both (no replace, no delete of a workload), then `up` the platform and each application.
 */
import { APPS_PROJECT, applicationOf, applicationStackName } from "../config/applications";
import type { StackConfig } from "../config";

/** The component types a workload's root has, by target. */
export const WORKLOAD_ROOT_TYPES = {
  eks: "platform:kubernetes:KubernetesApp",
  ecs: "platform:ecs:EcsService",
} as const;

/** One `pulumi state move`: the workload roots of one application. */
export interface WorkloadMove {
  readonly application: string;
  /** The application stack's name in the apps project. */
  readonly stack: string;
  /** Root URNs to move (children follow them). */
  readonly urns: string[];
}

/** The type chain and name of a URN: what stays the same when a resource changes stack. */
export function urnTail(urn: string): string {
  return urn.split("::").slice(2).join("::");
}

/**
 * Which URNs of the platform stack's state go to which application stack: each service's
 * workload root, when the state has it. Pure; `urns` is the state's resource URNs.
 */
export function planWorkloadMoves(config: StackConfig, urns: readonly string[]): WorkloadMove[] {
  const byApplication = new Map<string, string[]>();
  for (const service of config.services) {
    const tail = `${WORKLOAD_ROOT_TYPES[service.target]}::${service.name}`;
    const urn = urns.find((u) => urnTail(u) === tail);
    if (!urn) continue;
    const application = applicationOf(service, config);
    byApplication.set(application, [...(byApplication.get(application) ?? []), urn]);
  }
  return [...byApplication].map(([application, roots]) => ({
    application,
    stack: applicationStackName(application, config.stack),
    urns: roots,
  }));
}

/** The CLI arguments of one move, the destination named as the backend fully qualifies it. */
export function stateMoveArgs(move: WorkloadMove, source: string, organization: string): string[] {
  return [
    "state",
    "move",
    "--source",
    source,
    "--dest",
    `${organization}/${APPS_PROJECT}/${move.stack}`,
    "--yes",
    ...move.urns,
  ];
}
