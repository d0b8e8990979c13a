import { parseStackConfig, projectConfigValues } from "../../src/config";
import { readStackConfig, toRuntimeConfig } from "../../src/config/stack-files";
import { deliveryContext } from "../../src/stack/delivery";
import { DeliveryContext } from "../../src/workflows/context";

/** The delivery context the owning stack would generate the pipelines from, as committed. */
export function contextFor(stack: string, branchModel?: "gitflow" | "trunk"): DeliveryContext {
  const runtime = toRuntimeConfig(readStackConfig(stack));
  const config = parseStackConfig(stack, projectConfigValues(runtime), runtime["aws:region"]);
  return { ...deliveryContext(config, config.github!), ...(branchModel ? { branchModel } : {}) };
}
