// The platform's own CI takes actionlint and the Pulumi CLI from their release archives, cached by
// version and verified against committed checksums on every run, instead of building them with Go.
import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import YAML from "yaml";
import { ROOT } from "../../dev/paths";
import { deliveryFiles } from "../../src/workflows";
import { PULUMI_CLI_VERSION } from "../../src/workflows/pins";
import {
  ACTIONLINT_VERSION,
  PLATFORM_TOOLS_SCRIPT,
  RELEASE_CHECKSUMS_FILE,
} from "../../src/workflows/platform-tools";
import { contextFor } from "../helpers/context";

describe("the platform's tools from release archives", () => {
  const unit = YAML.parse(deliveryFiles(contextFor("dev"))[".github/workflows/ci.yml"]).jobs.unit;

  it("installs them in the job that runs npm test, before it, from a cache keyed by both versions", () => {
    const names = unit.steps.map((s: { name: string }) => s.name);
    const cache = names.indexOf("Cache the platform's tool archives");
    const install = names.indexOf(
      "Install actionlint and the Pulumi CLI from their release archives (checksums verified)",
    );
    const tests = names.indexOf("Unit tests with a coverage floor");
    assert.ok(cache >= 0 && cache < install && install < tests, names.join(" / "));
    assert.match(unit.steps[cache].uses, /^actions\/cache@[0-9a-f]{40}$/);
    assert.equal(
      unit.steps[cache].with.key,
      `platform-tools-\${{ runner.os }}-actionlint-${ACTIONLINT_VERSION}-pulumi-${PULUMI_CLI_VERSION}`,
    );
    // The cache-poisoning rule: a job that restores a cache holds no write permission.
    assert.deepEqual(unit.permissions, { contents: "read" });
  });

  it("restores the Go-built provider and control plane by the hash of their modules, so a runner builds them only when a pin changes", () => {
    const step = unit.steps.find(
      (s: { name: string }) =>
        s.name === "Cache the engine's provider and the end-to-end control plane built from Go modules",
    );
    assert.match(
      step.with.key,
      /^go-tools-\$\{\{ runner\.os \}\}-\$\{\{ hashFiles\('dev\/tools\/kubernetes-provider\/go\.\*'/,
    );
    for (const module of ["kubernetes-provider", "kubernetes", "etcd", "kwok"])
      assert.ok(step.with.key.includes(`'dev/tools/${module}/go.*'`), module);
    const setup = fs.readFileSync(path.join(ROOT, "dev", "tools", "setup.sh"), "utf8");
    const cacheDir = /^TOOLS_CACHE="\$\{TOOLS_CACHE:-\$\{XDG_CACHE_HOME:-\$HOME\/\.cache\}\/(.+)\}"$/m.exec(
      setup,
    )?.[1];
    assert.deepEqual(step.with.path.split("\n"), [`~/.cache/${cacheDir}`, ".tools/crds"]);
  });

  it("downloads from the projects' GitHub releases and builds nothing", () => {
    assert.match(
      PLATFORM_TOOLS_SCRIPT,
      /https:\/\/github\.com\/rhysd\/actionlint\/releases\/download\/v\$\{ACTIONLINT_VERSION\}\//,
    );
    assert.match(
      PLATFORM_TOOLS_SCRIPT,
      /https:\/\/github\.com\/pulumi\/pulumi\/releases\/download\/v\$\{PULUMI_VERSION\}\//,
    );
    assert.doesNotMatch(PLATFORM_TOOLS_SCRIPT, /\bgo (build|install)\b/);
  });

  it("pins the versions dev/tools/setup.sh expects, so setup.sh takes them from PATH", () => {
    const setup = fs.readFileSync(path.join(ROOT, "dev", "tools", "setup.sh"), "utf8");
    assert.match(setup, new RegExp(`^ACTIONLINT_VERSION=v${ACTIONLINT_VERSION.replace(/\./g, "\\.")}$`, "m"));
    const sdk = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).dependencies[
      "@pulumi/pulumi"
    ];
    assert.equal(sdk, PULUMI_CLI_VERSION);
  });

  it("commits the actionlint archive's SHA-256, as the release's checksums.txt lists it", () => {
    const lines = fs.readFileSync(path.join(ROOT, RELEASE_CHECKSUMS_FILE), "utf8").trim().split("\n");
    assert.deepEqual(lines, [
      `023070a287cd8cccd71515fedc843f1985bf96c436b7effaecce67290e7e0757  actionlint_${ACTIONLINT_VERSION}_linux_amd64.tar.gz`,
    ]);
  });

  it("refuses a cached archive whose checksum is not the committed one, before unpacking anything", () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "platform-tools-"));
    try {
      const dir = path.join(home, ".cache", "platform-tools");
      fs.mkdirSync(dir, { recursive: true });
      // A poisoned cache entry: present, so nothing is downloaded, and not the release's archive.
      fs.writeFileSync(
        path.join(dir, `actionlint_${ACTIONLINT_VERSION}_linux_amd64.tar.gz`),
        "not the release\n",
      );
      assert.throws(
        () =>
          execFileSync("bash", ["-e", "-c", PLATFORM_TOOLS_SCRIPT], {
            env: {
              PATH: process.env.PATH,
              HOME: home,
              GITHUB_WORKSPACE: ROOT,
              GITHUB_PATH: path.join(home, "path"),
              ACTIONLINT_VERSION,
              PULUMI_VERSION: PULUMI_CLI_VERSION,
              CHECKSUMS_FILE: RELEASE_CHECKSUMS_FILE,
            },
            stdio: "pipe",
          }),
        (e: { stdout: Buffer }) => /actionlint_1\.7\.7_linux_amd64\.tar\.gz: FAILED/.test(String(e.stdout)),
      );
      assert.deepEqual(fs.readdirSync(path.join(dir, "bin")), []);
      assert.equal(fs.existsSync(path.join(home, "path")), false);
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  });
});
