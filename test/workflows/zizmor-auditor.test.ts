// zizmor at its auditor persona (every audit, every confidence) over the generated workflows of the
// committed stacks and the seed teams' repositories: nothing is found beyond what zizmor.yml
// explains (a workflow-wide concurrency group for the three workflows whose stack-changing jobs
// queue on their stack's own group). Each permission carries its reason; no expression indexes a
// computed object.
import { strict as assert } from "assert";
import * as fs from "fs";
import YAML from "yaml";
import { deliveryFiles } from "../../src/workflows";
import { PERMISSION_REASONS } from "../../src/workflows/model";
import { contextFor } from "../helpers/context";
import { formatZizmor, runZizmor, workflowFiles, writeTree } from "../helpers/scanners";
import { seedPlatformFiles, seedRepositories } from "../helpers/seeds";

describe("zizmor's auditor persona over the generated workflows", function () {
  this.timeout(120_000);
  const renderings: Record<string, Record<string, string>> = {
    "dev (gitflow)": workflowFiles(deliveryFiles(contextFor("dev", "gitflow"))),
    "production (trunk)": workflowFiles(deliveryFiles(contextFor("production", "trunk"))),
    "the seeds' platform": workflowFiles(seedPlatformFiles()),
    ...Object.fromEntries(
      Object.entries(seedRepositories()).map(([name, r]) => [`seed ${name}`, workflowFiles(r.files)]),
    ),
  };
  const dirs: string[] = [];
  after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  for (const [name, files] of Object.entries(renderings))
    it(`finds nothing zizmor.yml does not explain in ${name}`, () => {
      const dir = writeTree(files);
      dirs.push(dir);
      assert.deepEqual(runZizmor(dir, { persona: "auditor" }).map(formatZizmor), []);
    });

  it("writes each granted permission's reason beside it", () => {
    const ci = deliveryFiles(contextFor("dev", "gitflow"))[".github/workflows/ci.yml"];
    assert.match(ci, /^ {6}contents: read # check out the repository$/m);
    const doc = YAML.parseDocument(ci);
    let grants = 0;
    YAML.visit(doc, {
      Pair(_, pair, path) {
        const owner = path[path.length - 2];
        if (YAML.isPair(owner) && YAML.isScalar(owner.key) && owner.key.value === "permissions") {
          grants++;
          const grant = `${(pair.key as YAML.Scalar).value}:${(pair.value as YAML.Scalar).value}`;
          assert.equal((pair.value as YAML.Scalar).comment, ` ${PERMISSION_REASONS[grant]}`, grant);
        }
      },
    });
    assert.ok(grants > 5, `${grants} grants`);
  });

  it("reports what its audits exist for: a grant without a reason and an index into a computed object", () => {
    const dir = writeTree({
      ".github/workflows/bad.yml": [
        "name: bad",
        "on:",
        "  workflow_dispatch:",
        "    inputs:",
        "      stack:",
        "        type: string",
        "        required: true",
        "permissions: {}",
        "concurrency:",
        "  group: bad",
        "  cancel-in-progress: false",
        "jobs:",
        "  test:",
        "    name: test",
        "    runs-on: ubuntu-24.04",
        "    permissions:",
        "      contents: read",
        "      id-token: write",
        '    environment: ${{ fromJSON(\'{"dev":"development"}\')[inputs.stack] }}',
        "    steps:",
        "      - run: echo hi",
        "",
      ].join("\n"),
    });
    dirs.push(dir);
    const audits = runZizmor(dir, { persona: "auditor" }).map((f) => f.audit);
    assert.ok(audits.includes("undocumented-permissions"), audits.join(", "));
    assert.ok(audits.includes("obfuscation"), audits.join(", "));
  });
});
