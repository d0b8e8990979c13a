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
import type { ConfigProblem } from "./problem";
import { keyOf } from "./problem";
import type { ServiceConfig, StackConfig } from "./schema";
import { registryOf } from "./applications";
import * as fs from "fs";
import * as path from "path";
import { ROOT } from "./stack-files";

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

/** The policy rule that approves workload images, and the setting naming the registries. */
export const IMAGE_REGISTRY_RULE = "kubernetes-workload-require-pinned-approved-image";

/**
 * The registries that rule approves when a stack's pack config names none: its own default (a
 * test keeps the two equal; the program does not import the pack).
 */
export const DEFAULT_APPROVED_REGISTRIES = ["*.dkr.ecr.*.amazonaws.com/", "ghcr.io/"] as const;

/**
 * The registries the stack's pack config approves: `policy/config/<stack>.json`, the file the
 * policy gate and CI pass to the pack for that stack; the rule's default when it names none.
 */
export function approvedRegistriesOf(stack: string, root = ROOT): readonly string[] {
  const file = path.join(root, "policy", "config", `${stack}.json`);
  if (!fs.existsSync(file)) return DEFAULT_APPROVED_REGISTRIES;
  const setting = (JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>)[IMAGE_REGISTRY_RULE];
  const registries = (setting as { approvedRegistries?: unknown } | undefined)?.approvedRegistries;
  return Array.isArray(registries) ? registries.map(String) : DEFAULT_APPROVED_REGISTRIES;
}

/** Whether an image comes from one of `registries`: prefixes in which `*` stands for one path part, as the rule reads them. */
export const fromApprovedRegistry = (image: string, registries: readonly string[]): boolean =>
  registries.some((prefix) =>
    new RegExp(`^${prefix.replace(/[.+?^${}()|[\]\\/]/g, "\\$&").replace(/\*/g, "[^/]*")}`).test(image),
  );

/** Every installed add-on has `eks.addons.images.<addon>`, from a registry the stack's pack approves. */
export const addonImageRules = (c: StackConfig): ConfigProblem[] => [
  ...unapprovedAddonImages(c),
  // A service with secrets and no store is refused for its store (dependencies.ts); its add-on's
  // image is named in the same run, so the two arrive together rather than one run apart.
  ...installedAddons({
    ...c,
    kubernetes: { ...c.kubernetes, secretStore: c.kubernetes.secretStore ?? "(kubernetes.secretStore)" },
  })
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
    }),
];

/** Add-on images the pack would refuse at preview, refused here first with the registries it approves. */
function unapprovedAddonImages(c: StackConfig): ConfigProblem[] {
  const images = Object.entries(c.eks.addons.images).filter(([, image]) => image !== undefined);
  if (images.length === 0) return [];
  const approved = approvedRegistriesOf(c.stack);
  return images
    .filter(([, image]) => !fromApprovedRegistry(String(image), approved))
    .map(([addon, image]) => ({
      key: keyOf(["eks", "addons", "images", addon]),
      value: image,
      allowed: `an image from a registry the stack's policy config approves (${IMAGE_REGISTRY_RULE}.approvedRegistries in policy/config/${c.stack}.json: ${approved.join(", ")}): the pack refuses any other at preview`,
    }));
}
