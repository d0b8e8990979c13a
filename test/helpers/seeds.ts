/**
 * The five seed teams onboarded in one platform config (examples/seeds/): its stacks, and each
 * application's repository as the stack that manages it renders it.
 */
import * as path from "path";
import { ApplicationConfig, StackConfig, stackConfigFromFile } from "../../src/config";
import { ROOT } from "../../src/config/stack-files";
import { applicationFiles, deliveryFiles } from "../../src/workflows";
import { DeliveryContext } from "../../src/workflows/context";
import { applicationDeliveryContext } from "../../src/stack/application-delivery";
import { deliveryContext } from "../../src/stack/delivery";

export const SEEDS_DIR = path.join(ROOT, "examples", "seeds");
export const SEED_STACKS = ["dev", "staging", "production"] as const;
/** The account of each environment (its state key's). */
export const SEED_ACCOUNTS: Record<(typeof SEED_STACKS)[number], string> = {
  dev: "111111111111",
  staging: "222222222222",
  production: "333333333333",
};

export const seedConfig = (stack: string): StackConfig => stackConfigFromFile(stack, SEEDS_DIR);

export interface SeedRepository {
  readonly application: ApplicationConfig;
  /** The stack that manages the repository and renders its files. */
  readonly owningStack: string;
  readonly ctx: DeliveryContext;
  readonly files: Record<string, string>;
}

/** Every seed application's repository, by application name. */
export function seedRepositories(): Record<string, SeedRepository> {
  const out: Record<string, SeedRepository> = {};
  for (const stack of SEED_STACKS) {
    const config = seedConfig(stack);
    for (const application of config.applications.filter((a) => a.github.manageRepository)) {
      const ctx = applicationDeliveryContext(config, application);
      out[application.name] = { application, owningStack: stack, ctx, files: applicationFiles(ctx) };
    }
  }
  return out;
}

/** The platform's own repository in the seeds config, as its managing stack renders it. */
export function seedPlatformFiles(): Record<string, string> {
  const config = seedConfig("dev");
  return deliveryFiles(deliveryContext(config, config.github!));
}
