/**
 * What the configuration reference says about the keys the schema source leaves without a doc
 * comment, by key path. The source's JSDoc wins: once a key gets one there, its entry here is
 * stale, and test/docs/config-reference.test.ts fails until it is removed — so this list only
 * shrinks, as the schema's own comments grow.
 */
export const SUPPLEMENTARY_DESCRIPTIONS: Readonly<Record<string, string>> = {
  "platform:environment":
    "The environment the stack is: it picks the environment defaults (operations thresholds, `protect`) and the stricter rules of production.",
  "platform:network": "The stack's VPC: its CIDR, zones and NAT gateways.",
  "platform:registry":
    "Where the services' images live, who may pull or copy them, and how long they are kept.",
  "platform:registry.promotionSource.accountId": "The AWS account of the stack images are copied from.",
  "platform:registry.promotionSource.region": "The AWS region of the stack images are copied from.",
  "platform:eks": "The stack's EKS cluster, for services with target `eks`.",
  "platform:eks.nodeGroups": "The cluster's managed node groups.",
  "platform:eks.nodeGroups[].name": "Node group name, unique within the cluster.",
  "platform:eks.nodeGroups[].instanceTypes":
    "EC2 instance types of the group's nodes, of a known family and size; every EKS service's pod must fit what the smallest leaves for pods.",
  "platform:eks.nodeGroups[].minSize": "Fewest nodes the group scales to.",
  "platform:eks.nodeGroups[].maxSize": "Most nodes the group scales to.",
  "platform:eks.nodeGroups[].desiredSize": "Nodes the group runs when created.",
  "platform:eks.nodeGroups[].capacityType": "On-demand or spot instances.",
  "platform:eks.access.onCall":
    "IAM roles of the on-call people: read every namespace, not Secrets (`AmazonEKSViewPolicy`).",
  "platform:eks.access.breakGlass":
    "IAM roles that administer the cluster in an incident the pipelines cannot fix (`AmazonEKSClusterAdminPolicy`).",
  "platform:ecs": "The stack's ECS cluster and its shared ALB, for services with target `ecs`.",
  "platform:kubernetes":
    "The Kubernetes side: a cluster not created here, the secret store, the Ingress ALBs' allowed CIDRs and how namespaces are named.",
  "platform:services": "The services the stack runs, each with its settings in this environment.",
  "platform:services[].name":
    "Service name: it names the service's namespace (see `kubernetes.namespaces`), image repository and host `<name>.<domain>`.",
  "platform:services[].target":
    "Where the service runs: `eks` (a Kubernetes workload) or `ecs` (an ECS service).",
  "platform:services[].strategy": "How a release rolls out: `rolling`, `blueGreen` or `canary`.",
  "platform:services[].strategy.type": "The strategy.",
  "platform:services[].autoscaling":
    "Scale between `minReplicas` and `maxReplicas` on CPU; refused for canary services, whose pod ratio an autoscaler would undo.",
  "platform:services[].autoscaling.minReplicas": "Fewest replicas.",
  "platform:services[].autoscaling.maxReplicas": "Most replicas.",
  "platform:services[].postDeploy.command": "The bash command line of the checks.",
  "platform:services[].postDeploy.timeoutSeconds":
    "How long the command may run; past it, the release fails.",
  "platform:services[].build.commands.lint": "The service's lint command.",
  "platform:services[].build.commands.format": "The service's format check.",
  "platform:services[].build.commands.typecheck": "The service's type check.",
  "platform:services[].build.commands.unit": "The service's unit tests (with coverage).",
  "platform:services[].build.commands.integration": "The service's integration tests (with its containers).",
  "platform:services[].build.commands.contract": "The service's contract tests; run only when set.",
  "platform:services[].build.commands.build": "The service's build (a frontend build); run only when set.",
  "platform:releases":
    "What each service runs: seeds a service the stack has never deployed; the stack's `releases` output, written by every release, wins.",
  "platform:github":
    "The platform's GitHub repository and this stack's side of it: environment, reviewers, backend and secrets provider.",
  "platform:github.stacks[].stack": "A stack of the repository.",
  "platform:github.stacks[].environment": "The GitHub environment the stack deploys through.",
  "platform:github.backend.kind": "`s3` (a bucket made by `bootstrap/`) or `cloud` (Pulumi Cloud).",
  "platform:applications[].github.stacks[].stack": "A stack the application deploys to.",
  "platform:applications[].github.stacks[].environment":
    "The GitHub environment of the application's repository the stack deploys through.",
  "platform:ci.runner.kind":
    "`github-hosted`, `codebuild` (runners the program creates in the VPC) or `self-hosted` (the operator's, selected by `labels`).",
  "platform:operations.notifications.slack.workspaceId":
    "The Slack workspace's id (`T…`), authorised once in the Chatbot console.",
  "platform:operations.notifications.slack.channelId": "The Slack channel's id.",
  "platform:operations.changeWindows[].name": "The window's name, which a refused deploy names.",
  "platform:operations.holidays[].name": "What the day is.",
  "platform:operations.holidays[].timeZone": "IANA time zone of the day.",
};

/**
 * Where the README's old sections live now, for the schema comments that still point there
 * (`(README: "Branch models")`): the reference links the page instead, relative to
 * docs/reference/. A title missing here fails `npm run docs`, so no pointer goes stale unsaid.
 */
export const README_SECTIONS: Readonly<Record<string, string>> = {
  "Two projects": "../application-stacks.md",
  "Move workloads into application stacks": "../application-stacks.md#move-workloads-into-application-stacks",
  "Onboard a team": "../onboard-a-team.md",
  "Branch models": "../delivery.md#branch-models",
};

/** `(README: "A", and "B" …)` with each title a link to where it lives now. */
export function linkReadmeSections(text: string): string {
  return text.replace(/\(README: ([^)]*)\)/g, (_m, inside: string) => {
    const linked = inside.replace(/"([^"]+)"/g, (_quoted: string, title: string) => {
      const target = README_SECTIONS[title];
      if (!target)
        throw new Error(`a schema comment points at README section "${title}": add it to README_SECTIONS`);
      return `[${title}](${target})`;
    });
    return `(see ${linked})`;
  });
}
