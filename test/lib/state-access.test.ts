import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { stateReadStatements, stateWriteStatements, StateScope } from "../../src/lib/state-access";
import { Statement } from "../../src/lib/iam";
import { PulumiSandbox } from "../helpers/pulumi-cli";
import { ROOT } from "../../dev/paths";

const scope: StateScope = {
  partition: "aws",
  bucket: "platform-state-123456789012-eu-west-1",
  region: "eu-west-1",
  stateKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
  project: "platform",
  stack: "dev",
};

/** The object-key patterns (inside the bucket) a statement list allows for one action. */
async function keysAllowed(statements: Statement[], action: string): Promise<string[]> {
  const arns: string[] = [];
  for (const s of statements) {
    const actions = ([] as unknown[]).concat(s.Action);
    if (!actions.includes(action)) continue;
    for (const r of ([] as pulumi.Input<string>[]).concat(s.Resource as any))
      arns.push(await new Promise<string>((resolve) => pulumi.output(r).apply(resolve)));
  }
  const prefix = `arn:aws:s3:::${scope.bucket}/`;
  return arns.filter((a) => a.startsWith(prefix)).map((a) => a.slice(prefix.length));
}

describe("state access for the S3 backend", function () {
  this.timeout(60000);

  it("lets a writer take the lock exactly where the real CLI looks for it", async () => {
    const lockPatterns = (await keysAllowed(stateWriteStatements(scope), "s3:PutObject")).filter((k) =>
      k.startsWith(".pulumi/locks/"),
    );
    assert.deepEqual(lockPatterns, [".pulumi/locks/organization/platform/dev/*"]);
    // Plant another process's lock where the policy lets a writer put one: the CLI must see it.
    const cli = new PulumiSandbox(ROOT, []);
    try {
      fs.writeFileSync(path.join(cli.project, "Pulumi.yaml"), "name: platform\nruntime: nodejs\n");
      cli.ok(["stack", "init", "dev"]);
      const exported = path.join(cli.root, "dev.json");
      fs.writeFileSync(exported, cli.ok(["stack", "export", "--stack", "dev"]));
      const lockDir = path.join(cli.root, "state", lockPatterns[0].replace(/\/\*$/, ""));
      fs.mkdirSync(lockDir, { recursive: true });
      fs.writeFileSync(
        path.join(lockDir, "other-runner.json"),
        JSON.stringify({ pid: 1, username: "runner", hostname: "ci", timestamp: "2026-01-01T00:00:00Z" }),
      );
      const r = cli.run(["stack", "import", "--stack", "dev", "--file", exported]);
      assert.notEqual(r.status, 0);
      assert.match(r.output, /the stack is currently locked by 1 lock\(s\)/);
      assert.match(r.output, /locks\/organization\/platform\/dev\/other-runner\.json/);
    } finally {
      cli.dispose();
    }
  });

  it("gives a reader no lock, checkpoint or backup it could write", async () => {
    assert.deepEqual(await keysAllowed(stateReadStatements(scope), "s3:PutObject"), []);
    assert.deepEqual(await keysAllowed(stateReadStatements(scope), "s3:DeleteObject"), []);
    assert.deepEqual(await keysAllowed(stateReadStatements(scope), "s3:GetObject"), [
      ".pulumi/meta.yaml",
      ".pulumi/stacks/platform/dev.json*",
      ".pulumi/history/platform/dev/*",
    ]);
  });
});
