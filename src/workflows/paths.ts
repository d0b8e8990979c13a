/**
 * What the repository is made of, as globs relative to its root: the one list the infra
 * pipelines' path filters and CODEOWNERS are derived from (the tsconfig takes every `.ts` file).
 * A test loads the program and fails when a module it loads lies outside `PROGRAM_PATHS`.
 */

/** Everything `pulumi up` loads or reads: a change here can change what a stack does. */
export const PROGRAM_PATHS = [
  "Pulumi*.yaml",
  "index.ts",
  "src/**",
  "policy/**",
  "bootstrap/**",
  "apps/**",
  "package.json",
  "package-lock.json",
  "tsconfig.json",
] as const;

/** What builds and checks the program without being deployed: tests, tools, benchmarks, CI. */
export const DEVELOPMENT_PATHS = [
  "dev/**",
  "test/**",
  "examples/**",
  "docs/**",
  ".ci/**",
  ".github/**",
] as const;

/** `src/**` → `/src/`, `index.ts` → `/index.ts`: the CODEOWNERS form of a path glob (anchored at the root). */
export function codeOwnersPattern(glob: string): string {
  return `/${glob.endsWith("/**") ? glob.slice(0, -2) : glob}`;
}
