import { strict as assert } from "assert";
import { Evaluation } from "../../dev/harness/evaluate";
import { evaluateStack } from "../../dev/harness/program";
import { deliveryFiles } from "../../src/workflows";
import { DeliveryContext } from "../../src/workflows/context";
import { DELIVERY_NAMES, NameSpec, storedName } from "../../src/workflows/names";
import { contextFor } from "../helpers/context";
import { committedStack } from "../helpers/stacks";

/** Every `vars.X` and `secrets.X` a rendered file reads. */
function namesRead(ctx: DeliveryContext): Set<string> {
  const read = new Set<string>();
  for (const content of Object.values(deliveryFiles(ctx)))
    for (const m of content.matchAll(/\b(vars|secrets)\.([A-Z][A-Z0-9_]*)/g)) read.add(`${m[1]}.${m[2]}`);
  return read;
}

/** Every variable and secret a stack's evaluation writes into GitHub. */
function namesWritten(e: Evaluation): Set<string> {
  const written = new Set<string>();
  for (const r of e.resources) {
    if (r.type.endsWith("Variable:ActionsEnvironmentVariable") || r.type.endsWith("Variable:ActionsVariable"))
      written.add(`vars.${r.inputs.variableName}`);
    if (r.type.endsWith("Secret:ActionsEnvironmentSecret")) written.add(`secrets.${r.inputs.secretName}`);
  }
  return written;
}

const BUILT_IN = new Set(["secrets.GITHUB_TOKEN"]);
const operatorWritten = new Set(
  Object.entries(DELIVERY_NAMES as Record<string, NameSpec>)
    .filter(([, spec]) => spec.writer === "operator")
    .map(([name, spec]) => `${spec.kind === "secret" ? "secrets" : "vars"}.${name}`),
);

describe("the contract of GitHub variables and secrets", function () {
  this.timeout(120000);
  let written: Set<string>;
  let read: Set<string>;

  before(async () => {
    // Every optional writer switched on in dev: secrets set, an environment URL (and, as
    // committed, a service migrating).
    const full = await evaluateStack(
      "dev",
      { "platform:slackWebhookUrl": "https://hooks.example/T0/B0/x" },
      { secretKeys: ["platform:slackWebhookUrl"] },
    );
    written = new Set([
      ...namesWritten(full),
      ...namesWritten(await committedStack("staging")),
      ...namesWritten(await committedStack("production")),
    ]);
    read = new Set([...namesRead(contextFor("dev", "gitflow")), ...namesRead(contextFor("dev", "trunk"))]);
  });

  it("has every name a generated workflow reads written by some stack or, once, by the operator", () => {
    const unwritten = [...read].filter((n) => !written.has(n) && !operatorWritten.has(n) && !BUILT_IN.has(n));
    assert.deepEqual(unwritten, []);
  });

  it("has every name a stack writes read by some generated workflow", () => {
    assert.deepEqual(
      [...written].filter((n) => !read.has(n)),
      [],
    );
  });

  it("documents the exact command that sets every operator-written name, for the name's kind and scope", () => {
    const operator = Object.entries(DELIVERY_NAMES as Record<string, NameSpec>).filter(
      ([, spec]) => spec.writer === "operator",
    );
    assert.deepEqual(
      operator.map(([name]) => name),
      [
        "GH_APP_CLIENT_ID",
        "GH_APP_PRIVATE_KEY",
        "GH_PREVIEW_APP_CLIENT_ID",
        "GH_PREVIEW_APP_PRIVATE_KEY",
        "PULUMI_CONFIG_PASSPHRASE",
        "DEPLOY_FREEZE",
        "CHANGE_WINDOW_OVERRIDE",
        "DORA_SLACK_WEBHOOK_URL",
      ],
    );
    for (const [name, spec] of operator) {
      assert.ok(spec.writer === "operator");
      const verb = spec.kind === "secret" ? "secret" : "variable";
      const where =
        spec.scope === "repository"
          ? ""
          : spec.scope === "preview-environment"
            ? " --env <preview environment>"
            : " --env <environment>";
      assert.ok(spec.command.startsWith(`gh ${verb} set ${name}${where}`), `${name}: ${spec.command}`);
    }
  });

  it("reads the per-stack copies of every stack the pipelines deploy", () => {
    for (const stack of ["dev", "staging", "production"]) {
      assert.ok(read.has(`vars.${storedName("AWS_PREVIEW_ROLE_ARN", stack)}`), stack);
      assert.ok(read.has(`vars.${storedName("PULUMI_BACKEND_URL_PREVIEW", stack)}`), stack);
    }
    assert.equal(storedName("REGISTRY_URLS_REPOSITORY", "staging"), "REGISTRY_URLS_STAGING");
    assert.throws(() => storedName("AWS_PREVIEW_ROLE_ARN"), /AWS_PREVIEW_ROLE_ARN is stored per stack/);
  });

  it("stores no database URL in GitHub: migrations read it from Secrets Manager, and back up beside the state exports", () => {
    assert.ok(![...written].some((n) => n.includes("DATABASE_URL")), [...written].join(", "));
    assert.ok(written.has("vars.MIGRATION_BACKUP_URI"));
    assert.ok(read.has("vars.MIGRATION_BACKUP_URI"));
  });
});
