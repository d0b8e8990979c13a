/**
 * The cross-key rule of `platform:eks.addons.images` (see addon-images.ts): every add-on the
 * stack installs has its image pinned by digest, since the chart's default (its publisher's image
 * by tag) is refused by the policy pack at preview. Images of add-ons the stack does not install
 * are accepted: they create nothing, and a stack that mirrors an add-on ahead of the service that
 * needs it (or keeps it while no service does for a while) need not edit two keys in lockstep.
 */
import {
  ADDON_CHARTS,
  ADDON_REASONS,
  AddonDemand,
  AddonName,
  planAddons,
  plannedAddons,
  servicesNeeding,
} from "../components/kubernetes/cluster-addons-plan";
import { IMAGE_REFERENCE_FORMAT } from "./addon-images";
import { exposureOf } from "./dns";
import { namespaceOf } from "./applications";
import type { ConfigProblem } from "./rules";
import { keyOf } from "./rules";
import type { ServiceConfig, StackConfig } from "./schema";
import { registryOf } from "./applications";

/** A service's secrets, and its registry's pull credential when it has one. */
function withPullCredentials(s: ServiceConfig, config: StackConfig): Readonly<Record<string, string>> {
  const registry = registryOf(s, config);
  return registry.kind === "ghcr" && registry.pullCredentialsSecretArn
    ? { ...s.secrets, REGISTRY_PULL_CREDENTIALS: registry.pullCredentialsSecretArn }
    : s.secrets;
}

/** What each EKS service asks of the cluster: its exposure, an HPA, secrets. */
export function addonDemands(config: StackConfig): AddonDemand[] {
  return config.services
    .filter((s) => s.target === "eks")
    .map((s) => ({
      name: s.name,
      ...(config.kubernetes.namespaces === "stack-service" ? { namespace: namespaceOf(s.name, config) } : {}),
      exposure: exposureOf(s, config),
      autoscaled: s.autoscaling !== undefined && s.strategy.type !== "canary",
      // The namespace reads the registry pull credential through the store too.
      secrets: withPullCredentials(s, config),
    }));
}

/**
 * The add-ons the stack installs (on its own EKS cluster only: a cluster reached through
 * `kubernetes.kubeconfig` brings its own), each with the services that need it.
 */
export function installedAddons(config: StackConfig): { addon: AddonName; services: string[] }[] {
  if (!config.eks.enabled) return [];
  const demands = addonDemands(config);
  return plannedAddons(planAddons(demands, config.kubernetes.secretStore)).map((addon) => ({
    addon,
    services: servicesNeeding(addon, demands),
  }));
}

/** Every installed add-on has `eks.addons.images.<addon>`. */
export const addonImageRules = (c: StackConfig): ConfigProblem[] =>
  installedAddons(c)
    .filter(({ addon }) => !c.eks.addons.images[addon])
    .map(({ addon, services }) => {
      const chart = ADDON_CHARTS[addon];
      const which =
        services.length === 1 ? `service ${services[0]} has` : `services ${services.join(", ")} have`;
      return {
        key: keyOf(["eks", "addons", "images", addon]),
        value: undefined,
        allowed: `required because ${which} ${ADDON_REASONS[addon]}, which needs ${chart.title} (chart ${chart.chart} ${chart.version}): ${chart.upstreamImage} mirrored into a registry the policy pack approves (this account's ECR or an ECR pull-through cache) and pinned by digest, ${IMAGE_REFERENCE_FORMAT}`,
      };
    });
