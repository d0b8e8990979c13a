// Composition root: validate the stack's config (before any resource exists), build the layers,
// export the outputs contract.
import { loadStackConfig } from "./src/config";
import { buildPlatform } from "./src/stack/platform";

export = buildPlatform(loadStackConfig());
