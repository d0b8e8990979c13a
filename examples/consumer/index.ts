// A consumer of the platform: reads the outputs contract by StackReference and derives what a
// team's own stack needs. Types come from the platform's outputs.ts, so a renamed output is a
// compile error here too.
import * as pulumi from "@pulumi/pulumi";
import type { OutputName } from "../../src/stack/outputs";

const config = new pulumi.Config();
const platform = new pulumi.StackReference("platform", { name: config.require("platformStack") });

const read = (name: OutputName) => platform.requireOutput(name);

export const environment = read("environment");
export const apiImageRepository = read("registryUrls").apply((urls: Record<string, string>) => urls["api"]);
export const apiNamespace = read("namespaces").apply((ns: Record<string, string>) => ns["api"] ?? null);
export const serviceUrls = read("serviceUrls");
export const privateSubnetCount = read("privateSubnetIds").apply((ids: string[] | null) => ids?.length ?? 0);
// Where each application's workloads live (its stack in the apps project), when they left this one.
export const applicationStacks = read("applicationStacks");
