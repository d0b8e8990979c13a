import { strict as assert } from "assert";
import { stackConfigFromFile } from "../../src/config";
import { pipelineScriptProblems, ScriptsAt } from "../../src/config/pipeline-scripts";
import { npmScriptsRun } from "../../src/lib/npm-scripts";

const scripts =
  (byDir: Record<string, Record<string, string>>): ScriptsAt =>
  (dir) =>
    byDir[dir];

describe("scripts the configured pipelines run", () => {
  const dev = () => structuredClone(stackConfigFromFile("dev")) as any;

  it("refuses contract tests while the root package.json has no test:contract, and accepts them with it", () => {
    assert.deepEqual(pipelineScriptProblems(dev(), scripts({ ".": { "test:contract": "mocha x" } })), []);
    assert.deepEqual(pipelineScriptProblems(dev(), scripts({ ".": { test: "mocha" } })), [
      {
        key: "platform:github.contractTests",
        value: true,
        allowed:
          'false while the root package.json has no "test:contract" script for ci.yml\'s contract job to run',
      },
    ]);
  });

  it("refuses integration containers without test:integration, naming the containers", () => {
    const c = dev();
    c.github.integrationServices = ["postgres", "redis"];
    const problems = pipelineScriptProblems(c, scripts({ ".": { "test:contract": "x" } }));
    assert.deepEqual(
      problems.map((p) => [p.key, p.value]),
      [["platform:github.integrationServices", ["postgres", "redis"]]],
    );
    assert.deepEqual(
      pipelineScriptProblems(c, scripts({ ".": { "test:contract": "x", "test:integration": "y" } })),
      [],
    );
  });

  it("checks a migrating service's npm scripts in its own directory, and leaves other tools alone", () => {
    const c = dev();
    c.services[3].migrations = {
      ...c.services[3].migrations,
      apply: "npm run migrate",
      validate: "npx prisma migrate status",
    };
    const root = { "test:contract": "x", migrate: "at the root, which does not count" };
    assert.deepEqual(
      pipelineScriptProblems(c, scripts({ ".": root })).map((p) => p.key),
      ["platform:services[3].migrations.apply"],
    );
    assert.deepEqual(
      pipelineScriptProblems(
        c,
        scripts({ ".": root, "services/payments": { migrate: "prisma migrate deploy" } }),
      ),
      [],
    );
  });

  it("reads the scripts a command runs the way npm does", () => {
    const cases: [string, string[]][] = [
      ["npm run lint", ["lint"]],
      ['npm run -s release -- promote --stack "$STACK"', ["release"]],
      ["npx --yes c8@10.1.3 --check-coverage npm test", ["test"]],
      ["npm ci --no-audit && npm start", ["start"]],
      ["npm run --if-present build", []],
      ["npm audit --omit=dev; npm install", []],
      ["cd x && npm run-script a && npm t", ["a", "test"]],
    ];
    for (const [command, expected] of cases) assert.deepEqual(npmScriptsRun(command), expected, command);
  });
});
