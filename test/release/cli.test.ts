import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as os from "os";
import { spawnSync } from "child_process";
import {
  failureOutputs,
  parseCommandLine,
  policyPackOf,
  releaseTarget,
  UsageError,
} from "../../src/release/cli";
import { ReleaseFailure } from "../../src/release/executor";

const DEPLOY = "deploy takes --stack <stack name>, --service <service name>, --digest <sha256 digest>";

describe("release command line", () => {
  it("parses a deploy with every flag", () => {
    assert.deepEqual(
      parseCommandLine(["deploy", "--stack", "dev", "--service", "api", "--digest", "sha256:x"]),
      {
        command: "deploy",
        flags: { stack: "dev", service: "api", digest: "sha256:x" },
      },
    );
  });

  it("accepts --flag=value", () => {
    assert.deepEqual(parseCommandLine(["restore", "--stack=dev"]), {
      command: "restore",
      flags: { stack: "dev" },
    });
  });

  const errors: [string, string[], string][] = [
    ["no command", [], 'unknown command ""; allowed: restore, promote, deploy, guard, rollback, migrations'],
    [
      "an unknown command",
      ["ship"],
      'unknown command "ship"; allowed: restore, promote, deploy, guard, rollback, migrations',
    ],
    ["an unknown flag", ["deploy", "--stack", "dev", "--force"], `unknown flag --force; ${DEPLOY}`],
    [
      "a flag of another command",
      ["restore", "--stack", "dev", "--service", "api"],
      "unknown flag --service; restore takes --stack <stack name>",
    ],
    [
      "a flag without its value",
      ["deploy", "--stack", "--service", "api"],
      "--stack needs a value (stack name)",
    ],
    ["a flag at the end without its value", ["restore", "--stack"], "--stack needs a value (stack name)"],
    ["an empty value", ["restore", "--stack="], "--stack needs a value (stack name)"],
    ["a stray argument", ["restore", "dev"], 'unexpected argument "dev"; restore takes --stack <stack name>'],
    ["a flag given twice", ["restore", "--stack", "dev", "--stack", "prod"], "--stack is given twice"],
    [
      "missing flags",
      ["rollback", "--stack", "dev"],
      "rollback needs --service <service name>, --to <previous or sha256 digest>",
    ],
  ];
  for (const [what, argv, message] of errors)
    it(`refuses ${what}: ${message}`, () => {
      assert.throws(() => parseCommandLine(argv), new UsageError(message));
    });

  it("accepts every release command line the generated workflows run", () => {
    const dir = path.resolve(__dirname, "../../src/workflows");
    const lines = fs
      .readdirSync(dir)
      .flatMap((f) => [
        ...fs.readFileSync(path.join(dir, f), "utf8").matchAll(/npm run -s release -- ([^'>]+)/g),
      ])
      .map((m) => m[1].trim());
    assert.deepEqual(lines.map((l) => l.split(" ")[0]).sort(), [
      "deploy",
      "guard",
      "migrations",
      "promote",
      "restore",
      // infra-up's, and each application stack's before its preview and its drift check
      "restore",
      "restore",
      "rollback",
    ]);
    for (const line of lines) {
      const argv = line.split(/\s+/).map((a) => a.replace(/^"(.*)"$/, "$1"));
      assert.doesNotThrow(() => parseCommandLine(argv), line);
    }
  });

  describe("the step outputs of a failed release", () => {
    it("say rolled back, and by whom, when the release was undone", () => {
      assert.equal(
        failureOutputs(
          new ReleaseFailure("release of api failed and was rolled back: gate", "circuitBreaker"),
        ),
        "outcome=rolled-back\nreason=rolled back by the ECS circuit breaker: release of api failed and was rolled back: gate\n",
      );
      assert.equal(
        failureOutputs(new ReleaseFailure("release of api failed and was rolled back: 503", "executor")),
        "outcome=rolled-back\nreason=rolled back: release of api failed and was rolled back: 503\n",
      );
    });

    it("say failed otherwise, on one line of at most 140 characters", () => {
      const out = failureOutputs(new Error(`unknown service "x";\nconfigured: ${"a, ".repeat(80)}`));
      const [outcome, reason] = out.trimEnd().split("\n");
      assert.equal(outcome, "outcome=failed");
      assert.equal(reason.length, "reason=".length + 140);
      assert.ok(reason.startsWith('reason=failed: unknown service "x"; configured: a, a,'));
      assert.ok(reason.endsWith("…"));
    });
  });
});

describe("the stack a release command acts on", () => {
  const digest = `sha256:${"a".repeat(64)}`;
  const line = (argv: string[]) => parseCommandLine(argv);

  it("is the service's application stack when its platform stack keeps no workload", () => {
    const t = releaseTarget(line(["deploy", "--stack", "dev", "--service", "payments", "--digest", digest]));
    assert.equal(t.stack, "shop-dev");
    assert.equal(t.application?.platformStackFile, "dev");
    assert.deepEqual(
      t.config.services.map((s) => s.name),
      ["api", "web", "orders", "payments"],
    );
    // The environment's switches and windows hold it, and its platform's pack config.
    assert.equal(t.config.stack, "dev");
    assert.deepEqual(policyPackOf(t, "/checkout")("shop-dev"), {
      policyPack: "/checkout/.policy-pack",
      policyPackConfig: "/checkout/policy/config/dev.json",
    });
  });

  it("is the application stack named, and the platform stack for a restore", () => {
    assert.equal(
      releaseTarget(line(["rollback", "--stack", "storefront-local", "--service", "web", "--to", "previous"]))
        .stack,
      "storefront-local",
    );
    const restore = releaseTarget(line(["restore", "--stack", "dev"]));
    assert.equal(restore.stack, "dev");
    assert.equal(restore.application, undefined);
  });

  it("names the services there are, or the application stack file to add", () => {
    assert.throws(
      () => releaseTarget(line(["guard", "--stack", "dev", "--service", "billing"])),
      new Error('unknown service "billing"; configured: api, web, orders, payments'),
    );
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), "apps-"));
    try {
      assert.throws(
        () => releaseTarget(line(["guard", "--stack", "dev", "--service", "api"]), { appsDir: empty }),
        /api belongs to application shop, whose stack shop-dev has no file: add apps-\w+\/Pulumi\.shop-dev\.yaml \(npm run app:init -- --application shop\)/,
      );
    } finally {
      fs.rmSync(empty, { recursive: true });
    }
  });
});

describe("the release command's exit status", function () {
  this.timeout(60000);
  const cli = (args: string[]) =>
    spawnSync(
      process.execPath,
      ["-r", "ts-node/register/transpile-only", path.resolve(__dirname, "../../src/release/cli.ts"), ...args],
      {
        encoding: "utf8",
        env: { ...process.env, GITHUB_OUTPUT: "" },
      },
    );

  it("is 2 for a command line it cannot run as given, naming the flag", () => {
    assert.ok(new UsageError("x") instanceof Error);
    assert.throws(() => parseCommandLine(["deploy", "--stak", "dev"]), UsageError);
    const r = cli(["deploy", "--stak", "dev"]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^unknown flag --stak; deploy takes --stack <stack name>/);
  });

  it("is 1 for a release that cannot go ahead, saying why", () => {
    const r = cli(["guard", "--stack", "dev", "--service", "billing"]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^unknown service "billing"; configured: api, web, orders, payments/);
  });
});
