/**
 * One application stack (the `apps` project): an application's workloads in one environment,
 * built from its platform stack's outputs contract (read by `StackReference`) and the services
 * the platform stack's file declares for it. It owns the workloads, their DNS records, their
 * alarms and the application's release state; its `up` never touches the platform or another
 * application, and the platform's `up` never touches it.
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "../lib/k8s";
import { ApplicationStackConfig, ownsService, parseApplicationStack } from "../config/application-stack";
import { APPS_PROJECT, declaredApplication } from "../config/applications";
import { APPLICATION_TAG } from "../components/aws/application-roles";
import { PROJECT, StackConfig, stackConfigFromFile } from "../config";
import { projectConfigValues, ROOT } from "../config/stack-files";
import { ServiceAlarms } from "../components/aws/alarms";
import { operationsOf } from "../config/operations";
import { OUTPUTS_CONTRACT_VERSION } from "./outputs";
import { alarmTargets } from "./operations";
import {
  albOutputs,
  awsLayer,
  EcsTarget,
  NetworkTarget,
  releaseOutputs,
  Workload,
  workloadsLayer,
} from "./platform";

/** The platform outputs an application stack builds on, as plain values. */
export interface PlatformContract {
  readonly contractVersion: string;
  readonly namePrefix: string;
  readonly kubeconfig: string | null;
  readonly registryUrls: Record<string, string>;
  readonly registryArns: Record<string, string>;
  readonly vpcId: string | null;
  readonly vpcCidr: string | null;
  readonly privateSubnetIds: string[] | null;
  readonly clusterName: string | null;
  readonly ecsClusterArn: string | null;
  readonly ecsClusterName: string | null;
  readonly albHttpsListenerArn: string | null;
  readonly albSecurityGroupId: string | null;
  readonly albDnsName: string | null;
  readonly albZoneId: string | null;
  readonly ecsAlbArnSuffix: string | null;
  readonly ecsLogKeyArn: string | null;
  readonly ingressWebAclArn: string | null;
  readonly alarmTopicArn: string | null;
}

/** Contract versions this program builds on. */
export const KNOWN_CONTRACT_VERSIONS: readonly string[] = [OUTPUTS_CONTRACT_VERSION];

const CONTRACT_KEYS: readonly (keyof PlatformContract)[] = [
  "contractVersion",
  "namePrefix",
  "kubeconfig",
  "registryUrls",
  "registryArns",
  "vpcId",
  "vpcCidr",
  "privateSubnetIds",
  "clusterName",
  "ecsClusterArn",
  "ecsClusterName",
  "albHttpsListenerArn",
  "albSecurityGroupId",
  "albDnsName",
  "albZoneId",
  "ecsAlbArnSuffix",
  "ecsLogKeyArn",
  "ingressWebAclArn",
  "alarmTopicArn",
];

/** Thrown when the platform stack's outputs are not a contract this program knows. */
export class PlatformContractError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PlatformContractError";
  }
}

/**
 * The platform's outputs, checked: a stack never deployed, one of an unknown contract version
 * (a newer platform, or one from before application stacks) or one named by another prefix is
 * refused with what to do, before any resource is registered.
 */
export function checkContract(
  app: Pick<ApplicationStackConfig, "stack" | "platformStack" | "platform">,
  outputs: Readonly<Record<string, unknown>>,
): PlatformContract {
  const version = outputs.contractVersion;
  if (version === undefined)
    throw new PlatformContractError(
      `stack ${app.stack}: platform stack ${app.platformStack} exports no contractVersion: it was never deployed, or was deployed by a platform program from before application stacks; run its pulumi up first`,
    );
  if (typeof version !== "string" || !KNOWN_CONTRACT_VERSIONS.includes(version))
    throw new PlatformContractError(
      `stack ${app.stack}: platform stack ${app.platformStack} exports outputs contract version ${JSON.stringify(version)}; this program knows ${KNOWN_CONTRACT_VERSIONS.join(", ")}: deploy the application stack from the platform commit that deployed its platform stack`,
    );
  const expectedPrefix = `${PROJECT}-${app.platform.stack}`;
  if (outputs.namePrefix !== expectedPrefix)
    throw new PlatformContractError(
      `stack ${app.stack}: platform stack ${app.platformStack} names its resources ${JSON.stringify(outputs.namePrefix)}, but its stack file is Pulumi.${app.platform.stack}.yaml (${expectedPrefix}): platformStack must name the stack of that file`,
    );
  const out: Record<string, unknown> = {};
  for (const key of CONTRACT_KEYS) out[key] = outputs[key] ?? null;
  return out as unknown as PlatformContract;
}

/** Reads every output the contract names from the platform stack, secrets unwrapped. */
export async function readPlatformOutputs(ref: pulumi.StackReference): Promise<Record<string, unknown>> {
  const entries = await Promise.all(
    CONTRACT_KEYS.map(async (key) => {
      const details = await ref.getOutputDetails(key);
      return [key, details.value ?? details.secretValue] as const;
    }),
  );
  return Object.fromEntries(entries.filter(([, v]) => v !== undefined));
}

/** What an application stack exports: the service-level half of the platform's contract. */
export interface ApplicationOutputs {
  readonly contractVersion: string;
  readonly application: string;
  readonly environment: string;
  readonly platformStack: string;
  readonly kubeconfig: pulumi.Output<string> | null;
  readonly ecsClusterArn: string | null;
  /** Service → image repository (the promotion copies into it). */
  readonly registryUrls: Record<string, string>;
  readonly namespaces: pulumi.Output<Record<string, string>>;
  readonly serviceUrls: pulumi.Output<Record<string, string>>;
  readonly previewUrls: pulumi.Output<Record<string, string>>;
  readonly taskDefinitionArns: pulumi.Output<Record<string, string>>;
  readonly releaseDigests: Record<string, string>;
  readonly activeColors: Record<string, string>;
  readonly releases: ReturnType<typeof releaseOutputs>["releases"];
  readonly albArnSuffixes: pulumi.Output<Record<string, string>>;
  readonly targetGroupSuffixes: pulumi.Output<Record<string, string>>;
}

const collect = (
  workloads: Record<string, Workload>,
  field: "url" | "namespace" | "previewUrl" | "taskDefinitionArn",
) =>
  pulumi.all(
    Object.fromEntries(
      Object.entries(workloads)
        .filter(([, w]) => w[field] !== undefined)
        .map(([name, w]) => [name, w[field]!]),
    ),
  ) as pulumi.Output<Record<string, string>>;

/** Builds the application's workloads and alarms on the platform's contract. */
export function buildApplicationOn(
  app: ApplicationStackConfig,
  contract: PlatformContract,
): ApplicationOutputs {
  const config: StackConfig = app.platform;
  // Physical names and role paths are the platform stack's (lib/naming.ts: namingScope).
  // An application with a repository of its own tags every AWS resource with its name: its deploy
  // role creates and changes only resources that carry it (components/aws/application-roles.ts).
  const awsl = awsLayer(
    config,
    declaredApplication(config, app.application) ? { [APPLICATION_TAG]: app.application } : {},
  );
  const network: NetworkTarget | undefined =
    contract.vpcId && contract.vpcCidr && contract.privateSubnetIds
      ? { vpcId: contract.vpcId, vpcCidr: contract.vpcCidr, privateSubnetIds: contract.privateSubnetIds }
      : undefined;
  const ecs: EcsTarget | undefined =
    contract.ecsClusterArn &&
    contract.ecsClusterName &&
    contract.albHttpsListenerArn &&
    contract.albSecurityGroupId &&
    contract.albDnsName &&
    contract.albZoneId &&
    contract.ecsAlbArnSuffix &&
    contract.ecsLogKeyArn
      ? {
          clusterArn: contract.ecsClusterArn,
          clusterName: contract.ecsClusterName,
          httpsListenerArn: contract.albHttpsListenerArn,
          albSecurityGroupId: contract.albSecurityGroupId,
          albDnsName: contract.albDnsName,
          albZoneId: contract.albZoneId,
          albArnSuffix: contract.ecsAlbArnSuffix,
          logKeyArn: contract.ecsLogKeyArn,
        }
      : undefined;
  const kubernetesProvider = contract.kubeconfig
    ? new k8s.Provider("kubernetes", {
        kubeconfig: pulumi.secret(contract.kubeconfig),
        context: config.kubernetes.context,
      })
    : undefined;
  const workloads = workloadsLayer(
    config,
    {
      awsl,
      network,
      registry: { repositoryUrls: contract.registryUrls, repositoryArns: contract.registryArns },
      ecs,
      kubernetesProvider,
      // The platform installs the add-ons every service of the environment needs before any
      // application stack runs (its config declares them all).
      ingressReady: config.eks.enabled && network !== undefined,
      ingressWebAclArn: contract.ingressWebAclArn ?? undefined,
    },
    (s) => ownsService(app, s),
  );
  if (awsl && contract.alarmTopicArn) {
    const eks = contract.clusterName ? { clusterName: contract.clusterName } : undefined;
    const services = alarmTargets({ ...config, services: app.services }, workloads, {
      eks,
      ecs: ecs && { clusterName: ecs.clusterName },
    });
    if (Object.keys(services).length)
      new ServiceAlarms(
        "alarms",
        { topicArn: contract.alarmTopicArn, settings: operationsOf(config).alarms, services },
        awsl.opts,
      );
  }
  const released = releaseOutputs({ ...config, services: app.services });
  return {
    contractVersion: OUTPUTS_CONTRACT_VERSION,
    application: app.application,
    environment: config.environment,
    platformStack: app.platformStack,
    kubeconfig: contract.kubeconfig ? pulumi.secret(contract.kubeconfig) : null,
    ecsClusterArn: contract.ecsClusterArn,
    registryUrls: Object.fromEntries(
      app.services
        .filter((s) => contract.registryUrls[s.name])
        .map((s) => [s.name, contract.registryUrls[s.name]]),
    ),
    namespaces: collect(workloads, "namespace"),
    serviceUrls: collect(workloads, "url"),
    previewUrls: collect(workloads, "previewUrl"),
    taskDefinitionArns: collect(workloads, "taskDefinitionArn"),
    ...released,
    ...albOutputs(workloads),
  };
}

/** Reads the platform stack's contract, then builds the application on it. */
export async function buildApplication(app: ApplicationStackConfig): Promise<ApplicationOutputs> {
  const ref = new pulumi.StackReference("platform", { name: app.platformStack });
  const contract = checkContract(app, await readPlatformOutputs(ref));
  return buildApplicationOn(app, contract);
}

/**
 * The running application stack's config: its `apps:` keys from the runtime, the platform stack's
 * file from `platformRoot` (the checkout, where the platform stack files are).
 */
export function loadApplicationStack(platformRoot = ROOT): ApplicationStackConfig {
  return parseApplicationStack(
    pulumi.getStack(),
    projectConfigValues(pulumi.runtime.allConfig(), APPS_PROJECT, ["platformStack", "application"]),
    (platform) => stackConfigFromFile(platform, platformRoot),
  );
}
