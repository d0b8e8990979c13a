import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { policies } from "../../policy/policies";
import { POLICY_PACK_DIR } from "../../src/lib/policy-pack";
import { buildPolicyPack, policySourceDigest } from "../../src/lib/policy-pack-build";
import { ROOT } from "../../dev/paths";

/** A copy of the repository's policy/ beside links to src/ and node_modules, built into a pack there. */
function packInTempRoot(): { root: string; packDir: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "policy-pack-"));
  fs.cpSync(path.join(ROOT, "policy"), path.join(root, "policy"), {
    recursive: true,
    filter: (src) => !src.includes("node_modules"),
  });
  fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(root, "node_modules"));
  fs.symlinkSync(path.join(ROOT, "src"), path.join(root, "src"));
  return { root, packDir: buildPolicyPack(root) };
}

/** Loads the built pack's loader in a fresh node, as the policy runtime would, and lists its policies. */
function loadPack(packDir: string): { status: number | null; stdout: string; stderr: string } {
  const script = `
    const Module = require("module");
    const names = [];
    // @pulumi/policy's PolicyPack registers with the engine; here it only records the names.
    const original = Module._load;
    Module._load = function (request, parent, isMain) {
      if (request === "@pulumi/policy") {
        const real = original.apply(this, arguments);
        return { ...real, PolicyPack: class { constructor(name, args) { for (const p of args.policies) names.push(p.name); } } };
      }
      return original.apply(this, arguments);
    };
    require(${JSON.stringify(path.join(packDir, "loader.js"))});
    console.log(JSON.stringify(names));
  `;
  const out = spawnSync(process.execPath, ["-e", script], { encoding: "utf8" });
  return { status: out.status, stdout: out.stdout, stderr: out.stderr };
}

describe("the precompiled policy pack", function () {
  this.timeout(60_000);

  it("is built into .policy-pack with JavaScript only and a loader as its main", () => {
    const { root, packDir } = packInTempRoot();
    try {
      assert.equal(packDir, path.join(root, POLICY_PACK_DIR));
      const files = fs.readdirSync(packDir, { recursive: true }).map(String);
      assert.deepEqual(
        files.filter((f) => f.endsWith(".ts")),
        [],
      );
      assert.ok(files.includes(path.join("rules", "kubernetes.js")));
      assert.equal(JSON.parse(fs.readFileSync(path.join(packDir, "package.json"), "utf8")).main, "loader.js");
      assert.equal(
        fs.readFileSync(path.join(packDir, "PulumiPolicy.yaml"), "utf8"),
        fs.readFileSync(path.join(ROOT, "policy", "PulumiPolicy.yaml"), "utf8"),
      );
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it("loads the same policies as the TypeScript pack", () => {
    const { root, packDir } = packInTempRoot();
    try {
      const loaded = loadPack(packDir);
      assert.equal(loaded.status, 0, loaded.stderr);
      assert.deepEqual(
        JSON.parse(loaded.stdout.trim().split("\n").pop()!),
        policies.map((p) => p.name),
      );
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it("refuses to load once a source changed after the build, naming the command that rebuilds it", () => {
    const { root, packDir } = packInTempRoot();
    try {
      const before = policySourceDigest(path.join(root, "policy"));
      fs.appendFileSync(path.join(root, "policy", "rules", "s3.ts"), "\n// changed\n");
      assert.notEqual(policySourceDigest(path.join(root, "policy")), before);
      const loaded = loadPack(packDir);
      assert.notEqual(loaded.status, 0);
      assert.match(loaded.stderr, /was built from other sources than .*policy: run npm run policy:build/);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
