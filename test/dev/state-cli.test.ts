// The state procedures of the README run here with the real Pulumi CLI (built by
// dev/tools/setup.sh) on two file backends (test/e2e/s3-backend.test.ts runs them on S3): the S3 backend is the same code over another
// bucket driver, and nothing here may reach the network.
import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { backup, migrate, restore } from "../../dev/scripts/state";
import { TOOLS_BIN } from "../../dev/paths";

const TOOLS = TOOLS_BIN;

describe("state procedures with the Pulumi CLI", function () {
  this.timeout(60000);
  let root: string;
  const env = process.env;
  const cli = () => ({ dir: path.join(root, "project"), stack: "dev" });
  const backendA = () => `file://${path.join(root, "a")}`;
  const backendB = () => `file://${path.join(root, "b")}`;
  const pulumi = (backend: string, ...args: string[]) =>
    execFileSync("pulumi", [...args, "--stack", "dev", "--non-interactive"], {
      cwd: cli().dir,
      env: { ...process.env, PULUMI_BACKEND_URL: backend },
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
  const resourceTypes = (backend: string) =>
    JSON.parse(pulumi(backend, "stack", "export")).deployment.resources.map((r: any) => r.type);

  before(() => {
    assert.ok(fs.existsSync(path.join(TOOLS, "pulumi")), "run npm run setup:tools first");
    root = fs.mkdtempSync(path.join(os.tmpdir(), "state-"));
    for (const d of ["project", "a", "b", "home"]) fs.mkdirSync(path.join(root, d));
    fs.writeFileSync(path.join(root, "project", "Pulumi.yaml"), "name: platform\nruntime: nodejs\n");
    process.env = {
      ...env,
      PATH: `${TOOLS}${path.delimiter}${env.PATH}`,
      PULUMI_HOME: path.join(root, "home"),
      PULUMI_CONFIG_PASSPHRASE: "correct horse battery staple",
      PULUMI_SKIP_UPDATE_CHECK: "true",
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    };
    // A stack with a secret config value and a state of three resources, one output secret.
    pulumi(backendA(), "stack", "init", "--secrets-provider", "passphrase");
    pulumi(backendA(), "config", "set", "--secret", "slackWebhookUrl", "https://hooks.example/T0/B0/x");
    const exported = JSON.parse(pulumi(backendA(), "stack", "export"));
    const stack = "urn:pulumi:dev::platform::pulumi:pulumi:Stack::platform-dev";
    const provider = "urn:pulumi:dev::platform::pulumi:providers:kubernetes::k8s";
    exported.deployment.resources = [
      {
        urn: stack,
        custom: false,
        type: "pulumi:pulumi:Stack",
        outputs: {
          clusterName: "dev-eks",
          token: {
            "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
            plaintext: '"hunter2"',
          },
        },
      },
      { urn: provider, custom: true, id: "p1", type: "pulumi:providers:kubernetes", parent: stack },
      {
        urn: "urn:pulumi:dev::platform::kubernetes:core/v1:Namespace::apps",
        custom: true,
        id: "apps",
        type: "kubernetes:core/v1:Namespace",
        inputs: { metadata: { name: "apps" } },
        outputs: { metadata: { name: "apps" } },
        parent: stack,
        provider: `${provider}::p1`,
      },
    ];
    fs.writeFileSync(path.join(root, "seed.json"), JSON.stringify(exported));
    pulumi(backendA(), "stack", "import", "--file", path.join(root, "seed.json"));
  });

  after(() => {
    process.env = env;
    fs.rmSync(root, { recursive: true, force: true });
  });

  it("backs a stack up with its secrets still encrypted", () => {
    const file = path.join(root, "backup.json");
    assert.equal(backup(cli(), file, backendA()), 3);
    const text = fs.readFileSync(file, "utf8");
    assert.equal(text.includes("hunter2"), false);
    assert.match(text, /"ciphertext"/);
  });

  it("moves a stack to another backend with its resources, secret outputs and secret config", () => {
    const moved = migrate(cli(), backendA(), backendB(), undefined, path.join(root, "work.json"));
    assert.equal(moved, 3);
    assert.deepEqual(resourceTypes(backendB()), [
      "pulumi:pulumi:Stack",
      "pulumi:providers:kubernetes",
      "kubernetes:core/v1:Namespace",
    ]);
    assert.deepEqual(JSON.parse(pulumi(backendB(), "stack", "output", "--json", "--show-secrets")), {
      clusterName: "dev-eks",
      token: "hunter2",
    });
    assert.equal(
      pulumi(backendB(), "config", "get", "slackWebhookUrl").trim(),
      "https://hooks.example/T0/B0/x",
    );
    assert.equal(resourceTypes(backendA()).length, 3, "the source stack is left as it was");
  });

  it("refuses to move onto a stack that already exists in the target, naming the CLI's reason", () => {
    assert.throws(
      () => migrate(cli(), backendA(), backendB(), undefined, path.join(root, "work2.json")),
      /pulumi stack init --secrets-provider passphrase failed:[\s\S]*already exists/,
    );
  });

  it("restores a stack to an earlier export and keeps the state it replaced", () => {
    const good = path.join(root, "good.json");
    backup(cli(), good, backendB());
    // An update that lost the namespace from the state.
    pulumi(
      backendB(),
      "state",
      "delete",
      "urn:pulumi:dev::platform::kubernetes:core/v1:Namespace::apps",
      "--yes",
    );
    assert.equal(resourceTypes(backendB()).length, 2);

    const result = restore(cli(), good, backendB());
    assert.equal(result.resources, 3);
    assert.deepEqual(resourceTypes(backendB()).at(-1), "kubernetes:core/v1:Namespace");
    const replaced = JSON.parse(fs.readFileSync(result.previous, "utf8"));
    assert.equal(replaced.deployment.resources.length, 2);
  });
});
