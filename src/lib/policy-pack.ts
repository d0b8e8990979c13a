/**
 * Where the policy pack lives as source and as the precompiled pack `pulumi preview` and
 * `pulumi up` load (built by policy-pack-build.ts). Kept apart from the builder, which loads the
 * TypeScript compiler, so the workflows the program renders do not load it.
 */
export const POLICY_SOURCE_DIR = "policy";
export const POLICY_PACK_DIR = ".policy-pack";
