import { stackConfigFromFile } from "../../src/config";
import { deliveryContext } from "../../src/stack/delivery";
import { BranchModel, DeliveryContext } from "../../src/workflows/context";

/** The delivery context the owning stack would generate the pipelines from, as committed. */
export function contextFor(stack: string, branchModel?: BranchModel): DeliveryContext {
  const config = stackConfigFromFile(stack);
  return { ...deliveryContext(config, config.github!), ...(branchModel ? { branchModel } : {}) };
}
