import { strict as assert } from "assert";
import { ConfigError, parseStackConfig } from "../../src/config";
import { readStackConfig } from "../../src/config/stack-files";
import { deliveryContext, serviceBuild } from "../../src/stack/delivery";

/** The dev stack file's values in the shape parseStackConfig takes (no `platform:` prefix). */
function devValues(): Record<string, any> {
  const out: Record<string, any> = {};
  for (const [k, v] of Object.entries(readStackConfig("dev")))
    if (k.startsWith("platform:")) out[k.slice(9)] = structuredClone(v);
  return out;
}

/** The lines of the ConfigError the values raise. */
function problemLines(values: Record<string, unknown>): string[] {
  try {
    parseStackConfig("dev", values, "eu-west-1");
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected a ConfigError, got ${e}`);
    return e.message.split("\n").slice(1);
  }
  assert.fail("expected the configuration to be rejected");
}

describe("how a service is built and tested (services[].build)", () => {
  it("fills the toolchain's defaults: versions, lint, format, type-check and unit commands, no integration without containers", () => {
    const config = parseStackConfig("dev", devValues(), "eu-west-1");
    const ctx = deliveryContext(config, config.github!);
    assert.deepEqual(ctx.services.find((s) => s.name === "api")!.build, {
      path: "services/api",
      toolchain: "python",
      versions: ["3.11", "3.12"],
      commands: {
        lint: "ruff check .",
        format: "ruff format --check .",
        typecheck: "mypy .",
        unit: "python -m pytest --cov --cov-report= --junitxml=reports/junit.xml tests/unit",
      },
      coverage: 80,
      containers: [],
      dockerfile: "Dockerfile",
      // A private repository: GitHub's arm64 hosted runner is offered to public ones only.
      architectures: ["amd64"],
    });
    assert.equal(ctx.services.find((s) => s.name === "orders")!.build, undefined);
  });

  it("keeps a service's own commands over the defaults, and runs integration tests by default once it has containers", () => {
    const b = serviceBuild("web", {
      sharedPaths: [],
      toolchain: "node",
      commands: { lint: "npm run lint", contract: "npm run pact" },
      coverage: 90,
      containers: ["redis"],
      dockerfile: "Dockerfile",
    });
    assert.deepEqual(b.versions, ["20"]);
    assert.deepEqual(b.commands, {
      lint: "npm run lint",
      typecheck: "npx --no-install tsc --noEmit -p .",
      unit: "npm test",
      integration: "npm run test:integration",
      contract: "npm run pact",
    });
  });

  it("refuses an unknown toolchain, an unknown container and a path out of the repository in one ConfigError", () => {
    const values = devValues();
    values.services[0].build = { toolchain: "ruby", containers: ["qdrant"], path: "../elsewhere" };
    assert.deepEqual(problemLines(values), [
      '  - platform:services[0].build.containers[0]: got "qdrant"; must be one of "postgres", "mysql", "redis", "mongodb", "rabbitmq" (the containers pinned by digest)',
      '  - platform:services[0].build.path: got "../elsewhere"; must be a path relative to the repository root, such as services/api',
      '  - platform:services[0].build.toolchain: got "ruby"; must be one of "python", "node" (the toolchains CI sets up)',
    ]);
  });

  it("refuses a source directory the repository does not hold, naming the key, the value and what is allowed", () => {
    const values = devValues();
    values.services[1].build.path = "services/storefront";
    assert.deepEqual(problemLines(values), [
      '  - platform:services[1].build.path: got "services/storefront"; a directory the repository holds (the service\'s source)',
    ]);
  });

  it("refuses a command key that is not a check", () => {
    const values = devValues();
    values.services[0].build.commands = { lint: "ruff check .", deploy: "make deploy" };
    assert.match(
      problemLines(values).join("\n"),
      /platform:services\[0\]\.build\.commands\.deploy: got "make deploy"; unknown key; allowed here: lint, format, typecheck, unit, integration, contract, build/,
    );
  });
});
