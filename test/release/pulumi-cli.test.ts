import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import YAML from "yaml";
import { CommandFailed } from "../../src/release/process";
import { tempProject, TempProject } from "./temp-project";

describe("Pulumi CLI (the real one, file backend in a temp directory)", function () {
  this.timeout(60_000);
  let project: TempProject;
  before(async () => {
    project = await tempProject("dev");
  });
  after(() => project.remove());

  it("writes release pins under the project's namespace, numbers as integers, and reads them back", async () => {
    await project.pulumi.setConfig("dev", {
      "releases.api.digest": "sha256:abc",
      "releases.api.canaryWeight": 25,
      "releases.api.activeColor": "green",
    });
    const file = YAML.parse(fs.readFileSync(path.join(project.dir, "Pulumi.dev.yaml"), "utf8"));
    assert.deepEqual(file.config["platform:releases"], {
      api: { digest: "sha256:abc", canaryWeight: 25, activeColor: "green" },
    });
    assert.equal(await project.pulumi.getConfig("dev", "releases.api.digest"), "sha256:abc");
    assert.deepEqual(await project.pulumi.getConfig("dev", "releases.api"), {
      digest: "sha256:abc",
      canaryWeight: 25,
      activeColor: "green",
    });
  });

  it("removes a pin, and removing one that is not there is no error", async () => {
    await project.pulumi.setConfig("dev", { "releases.web.idleDigest": "sha256:def" });
    await project.pulumi.removeConfig("dev", ["releases.web.idleDigest", "releases.web.canaryDigest"]);
    assert.equal(await project.pulumi.getConfig("dev", "releases.web.idleDigest"), undefined);
  });

  it("refuses a string that the CLI would store as a number or boolean", async () => {
    await assert.rejects(
      project.pulumi.setConfig("dev", { "releases.api.activeColor": "true" }),
      new Error('releases.api.activeColor: "true" would be stored as a number or boolean'),
    );
  });

  it("reads no outputs from a stack that was never deployed", async () => {
    assert.deepEqual(await project.pulumi.outputs("dev"), {});
  });

  it("fails loudly, with the CLI's message, for a stack that does not exist", async () => {
    await assert.rejects(project.pulumi.outputs("nope"), (err: unknown) => {
      assert.ok(err instanceof CommandFailed);
      assert.match(err.message, /no stack named 'nope' found/);
      return true;
    });
  });
});
