// Tier 1 of the end-to-end checks, always run: the real Pulumi CLI reads every committed stack
// of both projects against its Pulumi.yaml, as `pulumi preview` would before it starts a program.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import YAML from "yaml";
import { BOOTSTRAP_DIR, ROOT } from "../../dev/paths";
import { knownStacks, readStackConfig, toRuntimeConfig } from "../../src/config/stack-files";
import { PulumiSandbox } from "../helpers/pulumi-cli";

const PROJECTS = [
  { name: "platform", dir: ROOT },
  { name: "platform-state (bootstrap)", dir: BOOTSTRAP_DIR },
];

/** Pulumi.yaml's declared defaults, in the runtime's string form. */
function projectDefaults(dir: string): Record<string, string> {
  const project = YAML.parse(fs.readFileSync(path.join(dir, "Pulumi.yaml"), "utf8"));
  const out: Record<string, string> = {};
  for (const [key, spec] of Object.entries<any>(project.config ?? {}))
    if (spec && typeof spec === "object" && "default" in spec) out[key] = String(spec.default);
  return out;
}

const decoded = (value: string) => {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
};

for (const project of PROJECTS) {
  describe(`the real Pulumi CLI on the ${project.name} project`, function () {
    this.timeout(180000);
    const stacks = knownStacks(project.dir);
    let cli: PulumiSandbox;
    before(() => {
      cli = new PulumiSandbox(
        project.dir,
        ["Pulumi.yaml", "index.ts", ...stacks.map((s) => `Pulumi.${s}.yaml`)],
        {
          isolated: true,
        },
      );
      for (const stack of stacks) cli.ok(["stack", "init", stack]);
    });
    after(() => cli?.dispose());

    for (const stack of stacks) {
      it(`accepts the ${stack} stack's config and gets as far as starting the program`, () => {
        const r = cli.run(["preview", "--stack", stack]);
        assert.doesNotMatch(r.output, /validating stack config|missing configuration value|must be of type/);
        assert.match(r.output, new RegExp(`Previewing update \\(${stack}\\)`));
        assert.match(r.output, /no language plugin 'pulumi-language-nodejs' found/);
      });

      it(`hands the ${stack} stack's program the values our stack-file reader reads`, () => {
        const fromCli = JSON.parse(cli.ok(["config", "--json", "--stack", stack])) as Record<
          string,
          { value: string }
        >;
        const ours = {
          ...projectDefaults(project.dir),
          ...toRuntimeConfig(readStackConfig(stack, project.dir)),
        };
        assert.deepEqual(Object.keys(fromCli).sort(), Object.keys(ours).sort());
        for (const [key, { value }] of Object.entries(fromCli))
          assert.deepEqual(decoded(value), decoded(ours[key]), key);
      });
    }
  });
}

describe("the real Pulumi CLI's config checks", function () {
  this.timeout(120000);
  let cli: PulumiSandbox;
  before(() => {
    cli = new PulumiSandbox(ROOT, ["Pulumi.yaml", "Pulumi.local.yaml"], { isolated: true });
    cli.ok(["stack", "init", "local"]);
  });
  after(() => cli?.dispose());

  it("are live: a wrong type and a missing required key stop the preview before the program", () => {
    cli.ok(["config", "set", "--stack", "local", "logRetentionDays", "a year"]);
    assert.match(
      cli.run(["preview", "--stack", "local"]).output,
      /configuration key 'platform:logRetentionDays' must be of type 'integer'/,
    );
    cli.ok(["config", "rm", "--stack", "local", "logRetentionDays"]);
    cli.ok(["config", "rm", "--stack", "local", "environment"]);
    assert.match(
      cli.run(["preview", "--stack", "local"]).output,
      /Stack 'local' is missing configuration value 'platform:environment'/,
    );
  });
});
