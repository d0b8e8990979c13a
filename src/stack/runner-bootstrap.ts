/**
 * The first `up` of a stack whose endpoints are private cannot run on the runner that `up`
 * creates. So infra-up.yml applies, from a GitHub-hosted runner, everything that needs no private
 * endpoint — the providers, network, registry, CI roles, the CodeBuild runner and the stack's
 * GitHub environment (whose variables the later jobs read) — with `pulumi up --target` (a
 * targeted component brings its children), and the full `up` follows on the new runner. Nothing
 * targeted depends on anything untargeted, so the targeted update is complete on its own.
 */
import { PROJECT, StackConfig } from "../config";
import { runnerLabelsTemplate, runnerOf } from "../config/runners";
import { CI_ROLES } from "../lib/naming";

/** Logical name of the stack's CodeBuildRunner component. */
export const RUNNER_COMPONENT = "ci-runner";

/** The URN of a top-level resource of the stack (its parent is the stack). */
export function topLevelUrn(stack: string, type: string, name: string, project: string = PROJECT): string {
  return `urn:pulumi:${stack}::${project}::${type}::${name}`;
}

/** What the bootstrap applies: the URNs of the top-level resources and components it targets. */
export function bootstrapTargets(config: StackConfig, project: string = PROJECT): string[] {
  const urn = (type: string, name: string) => topLevelUrn(config.stack, type, name, project);
  const own = config.github?.stacks.find((s) => s.stack === config.stack);
  return [
    urn("pulumi:providers:aws", "aws"),
    ...(config.github ? [urn("pulumi:providers:github", "github")] : []),
    urn("platform:network:Network", "network"),
    urn("platform:registry:Registry", "registry"),
    urn("platform:delivery:DeployRoles", CI_ROLES),
    urn("platform:ci:CodeBuildRunner", RUNNER_COMPONENT),
    ...(own ? [urn("platform:delivery:DeliveryEnvironment", own.environment)] : []),
    ...(config.github?.manageRepository ? [urn("platform:delivery:DeliveryRepository", "repo")] : []),
  ];
}

/**
 * Whether the runner must be bootstrapped before `up`: the stack names a CodeBuild runner and has
 * not published its labels yet (it publishes them in the same update that creates the runner).
 */
export function needsBootstrap(config: StackConfig, publishedLabels: string | undefined): boolean {
  return runnerOf(config).kind === "codebuild" && publishedLabels !== runnerLabelsTemplate(config);
}
