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
    values.services[0].build = { toolchain: "ruby", containers: ["elasticsearch"], path: "../elsewhere" };
    assert.deepEqual(problemLines(values), [
      '  - platform:services[0].build.containers[0]: got "elasticsearch"; must be one of "postgres", "mysql", "redis", "mongodb", "rabbitmq" (official images pinned by digest here), or pgvector/pgvector:<tag>@sha256:<digest>, qdrant/qdrant:<tag>@sha256:<digest>, pactfoundation/pact-broker:<tag>@sha256:<digest> pinned by the digest you pulled (docker buildx imagetools inspect <image>:<tag> prints it)',
      '  - platform:services[0].build.path: got "../elsewhere"; must be a path relative to the repository root, such as services/api',
      '  - platform:services[0].build.toolchain: got "ruby"; must be one of "python", "node" (the toolchains CI sets up)',
    ]);
  });

  it("refuses pgvector, Qdrant and the Pact broker by name or tag alone: only the digest the team pulled pins them", () => {
    const values = devValues();
    values.services[0].build.containers = [
      "pgvector",
      "qdrant/qdrant:v1.7.4",
      "pactfoundation/pact-broker:latest",
    ];
    assert.deepEqual(problemLines(values), [
      '  - platform:services[0].build.containers[0]: got "pgvector"; must be pgvector/pgvector:<tag>@sha256:<digest>: pgvector is not a Docker official image, so no publisher\'s record pins its digest here; name the digest you pulled (docker buildx imagetools inspect pgvector/pgvector:<tag> prints it)',
      '  - platform:services[0].build.containers[1]: got "qdrant/qdrant:v1.7.4"; must be qdrant/qdrant:<tag>@sha256:<digest>: qdrant is not a Docker official image, so no publisher\'s record pins its digest here; name the digest you pulled (docker buildx imagetools inspect qdrant/qdrant:<tag> prints it)',
      '  - platform:services[0].build.containers[2]: got "pactfoundation/pact-broker:latest"; must be pactfoundation/pact-broker:<tag>@sha256:<digest>: pact-broker is not a Docker official image, so no publisher\'s record pins its digest here; name the digest you pulled (docker buildx imagetools inspect pactfoundation/pact-broker:<tag> prints it)',
    ]);
  });

  it("refuses containers that cannot share a job or serve no job, every one at once", () => {
    const values = devValues();
    const pgvector = `pgvector/pgvector:pg16@sha256:${"a".repeat(64)}`;
    const broker = `pactfoundation/pact-broker:2.110.0@sha256:${"c".repeat(64)}`;
    values.services[0].build.containers = ["postgres", "redis", pgvector, "redis", broker];
    values.services[0].build.pacts = "pacts";
    values.services[1].build.pacts = "pacts";
    assert.deepEqual(problemLines(values), [
      `  - platform:services[0].build.containers[2]: got "${pgvector}"; postgres or pgvector, not both: both bind port 5432 and set DATABASE_URL (pgvector is postgres with the vector extension; keep it alone)`,
      '  - platform:services[0].build.containers[3]: got "redis"; one redis container: containers[1] is one already (a job\'s services are keyed by kind)',
      `  - platform:services[0].build.containers[4]: got "${broker}"; a Pact broker only with commands.contract: it serves the contract job, which runs only when the service declares its contract tests`,
      '  - platform:services[1].build.pacts: got "pacts"; unset without a Pact broker in containers: only the contract job\'s broker reads the pact files',
    ]);
  });

  it("accepts seed 000's containers by digest, with the broker where its contract tests run", () => {
    const values = devValues();
    values.services[0].build.containers = [
      `pgvector/pgvector:pg16@sha256:${"a".repeat(64)}`,
      "redis",
      `qdrant/qdrant:v1.7.4@sha256:${"b".repeat(64)}`,
      `pactfoundation/pact-broker:2.110.0@sha256:${"c".repeat(64)}`,
    ];
    values.services[0].build.commands = {
      ...values.services[0].build.commands,
      contract: "pytest tests/contract",
    };
    const config = parseStackConfig("dev", values, "eu-west-1");
    const api = deliveryContext(config, config.github!).services.find((s) => s.name === "api")!.build!;
    assert.equal(api.commands.integration, "python -m pytest tests/integration");
    assert.equal(api.containers.length, 4);
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
