import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as path from "path";
import { minimatch } from "minimatch";
import { ROOT } from "../../dev/paths";
import { codeOwnersFile } from "../../src/workflows/codeowners";
import { INFRA_PATHS } from "../../src/workflows/infra";
import { codeOwnersPattern, DEVELOPMENT_PATHS, PROGRAM_PATHS } from "../../src/workflows/paths";
import { committedStack } from "../helpers/stacks";
import { contextFor } from "../helpers/context";

const matchesAny = (file: string, globs: readonly string[]) => globs.some((g) => minimatch(file, g));

describe("the repository's path lists", () => {
  it("cover every module the program loads with the paths that trigger an infrastructure preview", async () => {
    for (const stack of ["dev", "production", "local"]) await committedStack(stack);
    const loaded = Object.keys(require.cache)
      .map((file) => path.relative(ROOT, file))
      .filter((file) => !file.startsWith("..") && !file.includes("node_modules"))
      .filter((file) => file.startsWith("src/") || file === "index.ts");
    assert.ok(loaded.includes("src/components/aws/ecs-service.ts"), "the program's modules were loaded");
    assert.deepEqual(
      loaded.filter((file) => !matchesAny(file, INFRA_PATHS)),
      [],
    );
  });

  it("give every tracked file an owner in CODEOWNERS, apart from the services' own code", () => {
    const tracked = execFileSync("git", ["ls-files"], { cwd: ROOT, encoding: "utf8" }).trim().split("\n");
    const globs = [...PROGRAM_PATHS, ...DEVELOPMENT_PATHS];
    const unowned = tracked.filter(
      (file) => !matchesAny(file, globs) && !file.startsWith("services/") && !/^[^/]+$/.test(file),
    );
    assert.deepEqual(unowned, []);
  });

  it("anchor each CODEOWNERS pattern at the repository root", () => {
    assert.equal(codeOwnersPattern("src/**"), "/src/");
    assert.equal(codeOwnersPattern("Pulumi*.yaml"), "/Pulumi*.yaml");
    const lines = codeOwnersFile(contextFor("dev")).split("\n");
    assert.ok(lines.includes("/src/ @acme-shop/platform-leads"));
    assert.ok(lines.includes("/dev/ @acme-shop/platform-leads"));
  });
});
