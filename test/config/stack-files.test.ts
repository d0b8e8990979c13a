import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import YAML from "yaml";
import { stackConfigFromFile } from "../../src/config";
import {
  knownStacks,
  projectConfigValues,
  readStackConfig,
  readStackFile,
  toRuntimeConfig,
} from "../../src/config/stack-files";

describe("the stack-file reader", () => {
  let dir: string;
  const write = (stack: string, doc: unknown) =>
    fs.writeFileSync(path.join(dir, `Pulumi.${stack}.yaml`), YAML.stringify(doc));
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "stack-files-"));
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: platform\nruntime: nodejs\n");
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("lists the stacks that have a settings file, and names them when one is missing", () => {
    assert.deepEqual(knownStacks(), ["dev", "local", "production", "staging"]);
    write("qa", { config: { "platform:environment": "development" } });
    assert.deepEqual(knownStacks(dir), ["qa"]);
    assert.throws(() => readStackFile("prod", dir), /No stack file Pulumi\.prod\.yaml; known stacks: qa$/);
  });

  it("reads the secrets provider a stack was created with", () => {
    write("qa", { secretsprovider: "awskms://1234abcd?region=eu-west-1", config: {} });
    assert.equal(readStackFile("qa", dir).secretsProvider, "awskms://1234abcd?region=eu-west-1");
    write("qa", { encryptionsalt: "v1:abc", config: {} });
    assert.equal(readStackFile("qa", dir).secretsProvider, undefined);
  });

  it("hands values over in the runtime's form and decodes them back, keeping named keys verbatim", () => {
    const runtime = toRuntimeConfig({
      "platform-state:accountId": "123456789012",
      "platform-state:protect": true,
      "platform:eks": { enabled: false },
      "aws:region": "eu-west-1",
    });
    assert.deepEqual(runtime["platform:eks"], '{"enabled":false}');
    assert.deepEqual(projectConfigValues(runtime, "platform-state", ["accountId"]), {
      accountId: "123456789012",
      protect: true,
    });
    assert.deepEqual(projectConfigValues(runtime, "platform-state"), {
      accountId: 123456789012,
      protect: true,
    });
    assert.deepEqual(projectConfigValues(runtime, "platform"), { eks: { enabled: false } });
  });

  it("validates a committed stack file exactly as the program validates its runtime config", () => {
    const dev = stackConfigFromFile("dev");
    assert.equal(dev.stack, "dev");
    assert.equal(dev.awsRegion, readStackConfig("dev")["aws:region"]);
    assert.deepEqual(
      dev.services.map((s) => s.name),
      (readStackConfig("dev")["platform:services"] as { name: string }[]).map((s) => s.name),
    );
  });

  it("accepts an encrypted secret key without decrypting it, and refuses it in plaintext", () => {
    write("qa", {
      config: {
        "platform:environment": "local",
        "platform:registry": { kind: "ghcr", ghcrOwner: "acme" },
        "platform:slackWebhookUrl": { secure: "v1:AAAA" },
      },
    });
    assert.equal(stackConfigFromFile("qa", dir).slackWebhookUrl, "https://encrypted.invalid/");
    write("qa", {
      config: {
        "platform:environment": "local",
        "platform:registry": { kind: "ghcr", ghcrOwner: "acme" },
        "platform:slackWebhookUrl": "https://hooks.example/T0/B0/x",
      },
    });
    assert.throws(
      () => stackConfigFromFile("qa", dir),
      /platform:slackWebhookUrl: got "\(a plaintext value\)"; a secret: pulumi config set --secret slackWebhookUrl <value>/,
    );
  });

  it("refuses an encrypted value for a key that is not a secret", () => {
    write("qa", { config: { "platform:environment": { secure: "v1:AAAA" } } });
    assert.throws(
      () => stackConfigFromFile("qa", dir),
      /platform:environment: got "\(a secret\)"; plaintext; the only secret key is slackWebhookUrl/,
    );
  });
});
