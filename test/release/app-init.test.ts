import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import YAML from "yaml";
import { initApplicationStacks } from "../../src/release/app-init";
import { applicationStackFromFile } from "../../src/config/application-stack";
import { ROOT } from "../../src/config/stack-files";

/** A copy of the checkout's stack files (platform and apps) in a temporary root. */
function checkoutCopy(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "app-init-"));
  for (const f of fs.readdirSync(ROOT).filter((f) => /^Pulumi\..*yaml$/.test(f)))
    fs.copyFileSync(path.join(ROOT, f), path.join(root, f));
  // The committed services' directories, which the config rules look for.
  fs.cpSync(path.join(ROOT, "services"), path.join(root, "services"), { recursive: true });
  fs.copyFileSync(path.join(ROOT, "package.json"), path.join(root, "package.json"));
  return root;
}

describe("npm run app:init", () => {
  let root: string;
  beforeEach(() => (root = checkoutCopy()));
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it("writes one application stack per environment that declares the application, which then reads as the platform declares it", () => {
    assert.deepEqual(initApplicationStacks("shop", { root, organization: "acme" }), [
      "wrote apps/Pulumi.shop-dev.yaml",
      "wrote apps/Pulumi.shop-local.yaml",
      "wrote apps/Pulumi.shop-production.yaml",
      "wrote apps/Pulumi.shop-staging.yaml",
    ]);
    const file = YAML.parse(fs.readFileSync(path.join(root, "apps", "Pulumi.shop-dev.yaml"), "utf8"));
    assert.deepEqual(file.config, { "apps:platformStack": "acme/platform/dev", "apps:application": "shop" });
    assert.deepEqual(
      applicationStackFromFile("shop-dev", root).services.map((s) => s.name),
      ["api", "web", "orders", "payments"],
    );
  });

  it("keeps a file that exists, and skips an environment whose platform stack still holds its workloads", () => {
    initApplicationStacks("storefront", { root });
    const dev = path.join(root, "Pulumi.dev.yaml");
    fs.writeFileSync(
      dev,
      fs
        .readFileSync(dev, "utf8")
        .replace("platform:applicationStacks: true", "platform:applicationStacks: false"),
    );
    const lines = initApplicationStacks("shop", { root });
    assert.match(lines[0]!, /^skipped dev: its workloads live in the platform stack/);
    assert.deepEqual(initApplicationStacks("storefront", { root }), [
      "kept apps/Pulumi.storefront-local.yaml: it exists (its release pins stay)",
    ]);
  });

  it("names the applications there are when none declares the one asked for", () => {
    assert.throws(
      () => initApplicationStacks("billing", { root }),
      /no platform stack declares application "billing"; known: shop, storefront/,
    );
  });
});
