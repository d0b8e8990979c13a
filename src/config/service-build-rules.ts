/**
 * `services[].build` against the repository: the service's directory, its toolchain's manifests
 * and its Dockerfile exist, service directories do not overlap, versions fit the toolchain.
 */
import * as fs from "fs";
import * as path from "path";
import { TOOLCHAINS, ToolchainName } from "../workflows/toolchains";
import type { ConfigProblem, ConfigRule } from "./rules";
import { keyOf } from "./rules";
import { StackConfig } from "./schema";
import { buildPathOf } from "./service-build";
import { ownApplicationOf, repositoryVisibilityOf } from "./applications";
import { ROOT } from "./stack-files";

/** Whether a file or directory exists, relative to the repository root. */
export type ExistsAt = (relative: string, kind: "file" | "directory") => boolean;

export function serviceBuildProblems(c: StackConfig, exists: ExistsAt): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  // Per repository: the platform's, or an application's own (whose files live there, not here).
  const ownersOf = new Map<string, Map<string, string>>();
  c.services.forEach((s, i) => {
    const b = s.build;
    if (!b) return;
    const at = (...k: PropertyKey[]) => keyOf(["services", i, "build", ...k]);
    const dir = buildPathOf(s.name, b);
    const toolchain = TOOLCHAINS[b.toolchain as ToolchainName];
    const repository = ownApplicationOf(s, c)?.name ?? "";
    const owners = ownersOf.get(repository) ?? new Map<string, string>();
    ownersOf.set(repository, owners);
    // The root (`.`) holds every directory: an application there is the only built service.
    const other = [...owners.entries()].find(
      ([p]) => p === dir || p === "." || dir === "." || dir.startsWith(`${p}/`) || p.startsWith(`${dir}/`),
    );
    if (other)
      out.push({
        key: at("path"),
        value: dir,
        allowed: `a directory of this service alone: it overlaps ${other[0]} of service "${other[1]}", so a change to one would be taken for a change to both`,
      });
    owners.set(dir, s.name);
    versionProblems(b, toolchain, at, out);
    const visibility = repositoryVisibilityOf(s, c);
    if (visibility !== "public" && b.architectures?.includes("arm64"))
      out.push({
        key: at("architectures"),
        value: b.architectures,
        allowed: `["amd64"]: GitHub offers its arm64 hosted runner (ubuntu-24.04-arm) to public repositories only (changelog 2025-01-16), and this service builds in a ${visibility} one`,
      });
    // An application's own repository is not this checkout: its CI meets a missing path there.
    if (repository) return;
    b.sharedPaths.forEach((shared, j) => {
      if (!exists(shared, "directory"))
        out.push({
          key: at("sharedPaths", j),
          value: shared,
          allowed: "a directory the repository holds (a package the service is built from)",
        });
    });
    if (!exists(dir, "directory")) {
      out.push({
        key: at("path"),
        value: dir,
        allowed: "a directory the repository holds (the service's source)",
      });
      return;
    }
    const missing = toolchain.manifests.filter((m) => !exists(`${dir}/${m}`, "file"));
    if (missing.length)
      out.push({
        key: at("toolchain"),
        value: b.toolchain,
        allowed: `a toolchain whose manifests ${dir}/ holds: it has no ${missing.join(", ")}`,
      });
    if (!exists(`${dir}/${b.dockerfile}`, "file"))
      out.push({
        key: at("dockerfile"),
        value: b.dockerfile,
        allowed: `a file in ${dir}/ (the image build reads it)`,
      });
  });
  return out;
}

/** Each version of the unit matrix is one the toolchain's setup step can install. */
function versionProblems(
  b: NonNullable<StackConfig["services"][number]["build"]>,
  toolchain: (typeof TOOLCHAINS)[ToolchainName],
  at: (...k: PropertyKey[]) => string,
  out: ConfigProblem[],
): void {
  (b.versions ?? []).forEach((v, j) => {
    if (!toolchain.versionPattern.test(v))
      out.push({
        key: at("versions", j),
        value: v,
        allowed: `a ${b.toolchain} version matching ${String(toolchain.versionPattern)}`,
      });
    else if (!toolchain.releasedVersions.includes(v))
      out.push({
        key: at("versions", j),
        value: v,
        allowed: `a released ${b.toolchain} version (the setup step fails on any other): ${toolchain.releasedVersions.join(", ")}`,
      });
  });
}

/** The rule as the program applies it: paths looked up in the repository. */
export const serviceBuildRules: ConfigRule = (c) =>
  serviceBuildProblems(c, (relative, kind) => {
    const stat = fs.statSync(path.join(ROOT, relative), { throwIfNoEntry: false });
    return kind === "file" ? stat?.isFile() === true : stat?.isDirectory() === true;
  });
