import { strict as assert } from "assert";
import * as fs from "fs";
import { OUTPUT_CONTRACT } from "../../src/stack/outputs";
import { parseReleasesOutput } from "../../src/release/state";
import { committedStack } from "../helpers/stacks";
import { CONTRACT_FILE } from "../../dev/paths";

const contractFile = CONTRACT_FILE;

describe("stack outputs contract", function () {
  this.timeout(60000);
  const committed: Record<string, { type: string; secret: boolean }> = JSON.parse(
    fs.readFileSync(contractFile, "utf8"),
  );

  it("keeps every committed output with the same name, type and secrecy", () => {
    const broken = Object.entries(committed)
      .filter(([name, spec]) => {
        const now = (OUTPUT_CONTRACT as Record<string, { type: string; secret: boolean }>)[name];
        return !now || now.type !== spec.type || now.secret !== spec.secret;
      })
      .map(([name]) => name);
    assert.deepEqual(broken, [], `removed, renamed or retyped outputs break consumers: ${broken.join(", ")}`);
  });

  it("has no output missing from the committed contract (run npm run contract:update)", () => {
    assert.deepEqual(
      Object.keys(OUTPUT_CONTRACT).filter((n) => !(n in committed)),
      [],
    );
  });

  for (const stack of ["dev", "production", "local"]) {
    it(`${stack} exports exactly the contract's outputs with values of the declared types`, async () => {
      const e = await committedStack(stack);
      assert.deepEqual(Object.keys(e.outputs).sort(), Object.keys(OUTPUT_CONTRACT).sort());
      for (const [name, spec] of Object.entries(OUTPUT_CONTRACT)) {
        const value = e.outputs[name];
        if (value === null) continue;
        if (spec.type === "string") assert.equal(typeof value, "string", name);
        if (spec.type === "string[]")
          assert.ok(Array.isArray(value) && value.every((v) => typeof v === "string"), name);
        if (spec.type === "map<string>")
          assert.ok(
            value && typeof value === "object" && Object.values(value).every((v) => typeof v === "string"),
            name,
          );
        if (spec.type === "map<release>") assert.doesNotThrow(() => parseReleasesOutput(value), name);
      }
    });
  }

  it("dev publishes the values consumers rely on", async () => {
    const o = (await committedStack("dev")).outputs as any;
    assert.equal(o.environment, "development");
    assert.equal(o.clusterName, "platform-dev-eks");
    assert.deepEqual(o.namespaces, { api: "api", web: "web", orders: "orders" });
    assert.deepEqual(o.serviceUrls.payments, "https://payments.dev.example.com");
    assert.equal(o.serviceUrls.api, "http://api.api.svc.cluster.local");
    assert.deepEqual(o.privateSubnetIds, ["network-private-0-id", "network-private-1-id"]);
  });

  it("marks the kubeconfig output secret", async () => {
    const { buildPlatform } = await import("../../src/stack/platform");
    const { parseStackConfig } = await import("../../src/config");
    const { readStackConfig } = await import("../../src/config/stack-files");
    const { evaluate } = await import("../../dev/harness/evaluate");
    let secret: boolean | undefined;
    await evaluate("dev", readStackConfig("dev"), () => {
      const values: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(readStackConfig("dev")))
        if (k.startsWith("platform:")) values[k.slice(9)] = v;
      const out = buildPlatform(parseStackConfig("dev", values, "eu-west-1"));
      const kubeconfig = out.kubeconfig as any;
      void kubeconfig.isSecret.then((s: boolean) => (secret = s));
      return out;
    });
    assert.equal(secret, true);
  });
});
