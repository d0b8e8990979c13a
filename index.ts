// Composition root: validate the stack's config (before any resource exists), build the layers,
// export the outputs contract.
import { loadStackConfig } from "./config";
import { buildPlatform } from "./platform";

export = buildPlatform(loadStackConfig());
