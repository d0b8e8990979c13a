/**
 * Applications: a team's services, deployed together by its own stack of the `apps` project, one
 * per application × environment (`<application>-<platform stack>`). Pure, so the program, the
 * release CLI and the workflows derive the same names.
 */
import type { ApplicationConfig, RegistryConfig, ServiceConfig, StackConfig } from "./schema";

/** The project of the application stacks (apps/Pulumi.yaml) and its config namespace. */
export const APPS_PROJECT = "apps";

/**
 * The application of services that name none: the GitHub repository's name as a DNS label (a
 * single-repository setup is one application), else "app".
 */
export function defaultApplication(config: Pick<StackConfig, "github">): string {
  const repo = config.github?.repository
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^[^a-z]+/, "")
    .slice(0, 40)
    .replace(/-+$/, "");
  return repo || "app";
}

/** The application a service belongs to. */
export function applicationOf(
  service: Pick<ServiceConfig, "application">,
  config: Pick<StackConfig, "github">,
): string {
  return service.application ?? defaultApplication(config);
}

/** Every application of the stack, in the order its services first name them. */
export function applicationsOf(config: Pick<StackConfig, "github" | "services">): string[] {
  return [...new Set(config.services.map((s) => applicationOf(s, config)))];
}

/** The services of one application, in config order. */
export function servicesOf(
  config: Pick<StackConfig, "github" | "services">,
  application: string,
): ServiceConfig[] {
  return config.services.filter((s) => applicationOf(s, config) === application);
}

/** The namespace a service's workload lives in on its cluster (`kubernetes.namespaces`). */
export function namespaceOf(
  service: string,
  config: {
    readonly stack: string;
    readonly kubernetes: { readonly namespaces: "service" | "stack-service" };
  },
): string {
  return config.kubernetes.namespaces === "stack-service" ? `${config.stack}-${service}` : service;
}

/** The application stack of `application` in the environment of platform stack `platformStack`. */
export function applicationStackName(application: string, platformStack: string): string {
  return `${application}-${platformStack}`;
}

/** The application `name` declares with a repository of its own, if it does (`applications[]`). */
export function declaredApplication(
  config: Pick<StackConfig, "applications">,
  name: string,
): ApplicationConfig | undefined {
  return config.applications.find((a) => a.name === name);
}

/** The declared application a service belongs to; undefined when it lives in the platform's repository. */
export function ownApplicationOf(
  service: Pick<ServiceConfig, "application">,
  config: Pick<StackConfig, "github" | "applications">,
): ApplicationConfig | undefined {
  return declaredApplication(config, applicationOf(service, config));
}

/** What a registry of one service is: the stack's, or its application's own (`applications[].registry`). */
export type ServiceRegistry = Pick<RegistryConfig, "kind" | "ghcrOwner" | "pullCredentialsSecretArn">;

/** Where a service's images live: its application's registry when it names one, else the stack's. */
export function registryOf(
  service: Pick<ServiceConfig, "application">,
  config: Pick<StackConfig, "github" | "applications" | "registry">,
): ServiceRegistry {
  const own = ownApplicationOf(service, config)?.registry;
  if (!own) return config.registry;
  return { kind: own.kind, ghcrOwner: own.ghcrOwner, pullCredentialsSecretArn: own.pullCredentialsSecretArn };
}

/** The services whose images live in ECR repositories of this stack. */
export function ecrServices<S extends Pick<ServiceConfig, "application">>(
  config: Pick<StackConfig, "github" | "applications" | "registry"> & { readonly services: readonly S[] },
): S[] {
  return config.services.filter((s) => registryOf(s, config).kind === "ecr");
}

/** The visibility of the repository a service is built in: its application's own, or the platform's. */
export function repositoryVisibilityOf(
  service: Pick<ServiceConfig, "application">,
  config: Pick<StackConfig, "github" | "applications">,
): "public" | "private" | "internal" {
  return ownApplicationOf(service, config)?.github.visibility ?? config.github?.visibility ?? "private";
}

/**
 * ECS's own blue/green: one update ECS moves traffic for, released and recorded as a rolling
 * release is (ECS, not the stack, knows which revision serves).
 */
export const isEcsBlueGreen = (service: {
  readonly target: ServiceConfig["target"];
  readonly strategy: { readonly type: ServiceConfig["strategy"]["type"] };
}): boolean => service.target === "ecs" && service.strategy.type === "blueGreen";
