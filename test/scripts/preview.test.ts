// The offline preview a person runs on a pull request: it says what it does while it evaluates,
// narrows to one service, shows inputs with secrets masked and unknowns said, and gives the
// policy result inline with where an exception is approved.
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as path from "path";
import { RecordedResource } from "../../dev/harness/evaluate";
import { ofService, shownInputs } from "../../dev/scripts/preview";

const ROOT = path.resolve(__dirname, "../..");

/** `npm run preview -- <args>` as a process. */
const preview = (...args: string[]) =>
  spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", "dev/scripts/preview.ts", ...args], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 170_000,
  });

const resource = (name: string, parent?: string): RecordedResource => ({
  type: "t",
  name,
  urn: `urn:${name}`,
  inputs: {},
  ...(parent ? { parent: `urn:${parent}` } : {}),
  custom: true,
  protect: false,
  dependencies: [],
  propertyDependencies: {},
  rawInputs: {},
});

describe("the offline preview", function () {
  this.timeout(180_000);

  it("masks secrets and says which values are known only after apply", () => {
    assert.deepEqual(
      shownInputs({
        name: "orders",
        password: {
          "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
          value: "hunter2",
        },
        arn: "04da6b54-80e4-46f7-96ec-b56ff0331ba9",
        list: ["a", "04da6b54-80e4-46f7-96ec-b56ff0331ba9"],
      }),
      {
        name: "orders",
        password: "[secret]",
        arn: "(known after apply)",
        list: ["a", "(known after apply)"],
      },
    );
  });

  it("narrows to a service's resources, their children and the components above them", () => {
    const resources = [
      resource("platform"),
      resource("apps", "platform"),
      resource("orders", "apps"),
      resource("orders-svc", "orders"),
      resource("api", "apps"),
      resource("api-svc", "api"),
    ];
    assert.deepEqual([...ofService(resources, "orders")].sort(), [
      "urn:apps",
      "urn:orders",
      "urn:orders-svc",
      "urn:platform",
    ]);
  });

  it("runs with progress, one service's tree with its inputs, and the pack's result inline", () => {
    const r = preview("--stack", "production", "--service", "orders", "--details", "--policy");
    assert.equal(r.status, 0, r.stderr);
    assert.match(
      r.stderr,
      /^Evaluating the platform program for stack "production" \(offline, AWS and GitHub mocked\)…\n/,
    );
    assert.match(r.stderr, /Evaluated in \d+\.\d s\./);
    assert.match(r.stdout, /^Previewing platform stack "production", service orders:/m);
    assert.match(r.stdout, /\+ kubernetes:core\/v1:Namespace {2}orders-ns\n {6}apiVersion: v1/);
    assert.doesNotMatch(r.stdout, /\+ kubernetes:core\/v1:Namespace {2}api-ns/);
    assert.match(r.stdout, /^Policy pack: \d+ checks, 0 mandatory violation\(s\), 0 advisory$/m);
  });

  it("refuses a service the stack does not have, by name, with exit code 2", () => {
    const r = preview("--stack", "dev", "--service", "ghost");
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--service ghost: no resource of the platform stack "dev" is named after it\n$/);
  });
});
