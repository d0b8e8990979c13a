/**
 * `services[].build` against the repository: the service's directory, its toolchain's manifests
 * and its Dockerfile exist, service directories do not overlap, versions fit the toolchain.
 */
import * as fs from "fs";
import * as path from "path";
import { TOOLCHAINS, ToolchainName } from "../workflows/toolchains";
import type { ConfigProblem, ConfigRule } from "./problem";
import { keyOf } from "./problem";
import { StackConfig } from "./schema";
import { buildPathOf } from "./service-build";
import { ownApplicationOf, repositoryVisibilityOf } from "./applications";
import { ROOT } from "./stack-files";
import { ciContainer, containerChoiceProblem, ContainerChoice } from "../workflows/containers";

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
    containerProblems(b, at, out);
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

/**
 * The containers can run side by side in their job and are used: one of each kind, one database
 * on 5432 (postgres and pgvector both bind it and both set DATABASE_URL), a Pact broker only where
 * a contract job runs, and `pacts` only where a broker takes them.
 */
function containerProblems(
  b: NonNullable<StackConfig["services"][number]["build"]>,
  at: (...k: PropertyKey[]) => string,
  out: ConfigProblem[],
): void {
  const chosen = b.containers
    .map((choice, j) => ({ choice, j }))
    .filter(({ choice }) => containerChoiceProblem(choice) === undefined)
    .map(({ choice, j }) => ({ j, ...ciContainer(choice as ContainerChoice) }));
  const seen = new Map<string, number>();
  for (const c of chosen) {
    const first = seen.get(c.key);
    if (first !== undefined)
      out.push({
        key: at("containers", c.j),
        value: b.containers[c.j],
        allowed: `one ${c.key} container: containers[${first}] is one already (a job's services are keyed by kind)`,
      });
    else seen.set(c.key, c.j);
  }
  const postgres = chosen.find((c) => c.key === "postgres");
  const pgvector = chosen.find((c) => c.key === "pgvector");
  if (postgres && pgvector)
    out.push({
      key: at("containers", pgvector.j),
      value: b.containers[pgvector.j],
      allowed: `postgres or pgvector, not both: both bind port 5432 and set DATABASE_URL (pgvector is postgres with the vector extension; keep it alone)`,
    });
  const broker = chosen.find((c) => c.job === "contract");
  if (broker && !b.commands.contract)
    out.push({
      key: at("containers", broker.j),
      value: b.containers[broker.j],
      allowed:
        "a Pact broker only with commands.contract: it serves the contract job, which runs only when the service declares its contract tests",
    });
  if (b.pacts !== undefined && !broker)
    out.push({
      key: at("pacts"),
      value: b.pacts,
      allowed:
        "unset without a Pact broker in containers: only the contract job's broker reads the pact files",
    });
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
