/**
 * Applications: a team's services, deployed together by its own stack of the `apps` project, one
 * per application × environment (`<application>-<platform stack>`). Pure, so the program, the
 * release CLI and the workflows derive the same names.
 */
import type { ServiceConfig, StackConfig } from "./schema";

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
