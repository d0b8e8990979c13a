// A pull request's preview comment is one per stack, edited in place on every push: the rendered
// step run with bash and a recording `gh` on PATH.
import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import YAML from "yaml";
import { deliveryFiles } from "../../src/workflows";
import { contextFor } from "../helpers/context";

/** Runs the comment step of preview-dev with `gh` answering the comment list with `existing`. */
function comment(existing: { id: number; body: string; type: string }[]): string[] {
  const wf = YAML.parse(deliveryFiles(contextFor("dev"))[".github/workflows/infra-preview.yml"]);
  const step = wf.jobs["preview-dev"].steps.find(
    (s: { name: string }) => s.name === "Comment the preview on the pull request",
  );
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "preview-comment-"));
  try {
    fs.writeFileSync(path.join(dir, "preview.txt"), "Resources: 3 to update\n");
    fs.writeFileSync(path.join(dir, "comments.json"), JSON.stringify(existing));
    // A gh that records its calls and answers `api .../comments --jq <filter>` by running jq on the list.
    fs.writeFileSync(
      path.join(dir, "gh"),
      [
        "#!/usr/bin/env bash",
        'echo "gh $*" >> "$RUNNER_TEMP/calls"',
        // The list as the API returns it: user.type, read by the step's filter.
        'if [ "$1 $2" = "api --paginate" ]; then jq -c "map({id, body, user: {type}})" "$RUNNER_TEMP/comments.json" | jq -r "$5"; fi',
        'if [ "$2" = "--method" ]; then cat > "$RUNNER_TEMP/patched.json"; fi',
      ].join("\n"),
      { mode: 0o755 },
    );
    execFileSync("bash", ["-e", "-c", step.run], {
      env: {
        PATH: `${dir}${path.delimiter}${process.env.PATH}`,
        HOME: dir,
        RUNNER_TEMP: dir,
        STACK: "dev",
        OUTCOME: "success",
        PR_NUMBER: "7",
        GH_REPO: "acme-shop/shop",
      },
    });
    const calls = fs.readFileSync(path.join(dir, "calls"), "utf8").trim().split("\n");
    if (fs.existsSync(path.join(dir, "patched.json")))
      assert.match(
        JSON.parse(fs.readFileSync(path.join(dir, "patched.json"), "utf8")).body,
        /^<!-- pulumi-preview:dev -->\n### pulumi preview `dev`: success/,
      );
    return calls.slice(1);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe("the pull request's preview comment", () => {
  it("is created, starting with the stack's marker, when the pull request has none from a bot", () => {
    const calls = comment([
      { id: 1, body: "<!-- pulumi-preview:dev --> quoted by a person", type: "User" },
      { id: 2, body: "<!-- pulumi-preview:staging -->\n### pulumi preview", type: "Bot" },
    ]);
    assert.equal(calls.length, 1);
    assert.match(calls[0], /^gh pr comment 7 --body-file .*\/comment\.md$/);
  });

  it("is edited in place when the stack's comment exists, and no new one is posted", () => {
    const calls = comment([
      { id: 5, body: "<!-- pulumi-preview:dev -->\n### pulumi preview `dev`: failure", type: "Bot" },
      { id: 9, body: "<!-- pulumi-preview:dev -->\nan older duplicate", type: "Bot" },
    ]);
    assert.deepEqual(calls, [
      "gh api --method PATCH repos/acme-shop/shop/issues/comments/5 --input - --silent",
    ]);
  });
});
