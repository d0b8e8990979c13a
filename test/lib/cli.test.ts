// The command-line tools' contract: flags through node:util parseArgs, --help everywhere, a user's
// mistake ends in one message and exit code 2 without a stack trace, and a stack file YAML cannot
// read is named with its line and column. The commands run as processes, as a person runs them.
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { CommandSpec, helpText, parseCommand, UsageError } from "../../src/lib/cli";
import { readStackFile } from "../../src/config/stack-files";

const ROOT = path.resolve(__dirname, "../..");

/** Runs a TypeScript entry point as `npm run` would, without npm's own output. */
function run(script: string, args: string[]) {
  const r = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", script, ...args], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, TS_NODE_TRANSPILE_ONLY: "true" },
    timeout: 120_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const SPEC: CommandSpec = {
  usage: "npm run thing --",
  summary: "Does a thing.",
  positionals: [{ name: "command", description: "what to do", choices: ["go", "stop"] }],
  flags: {
    stack: { type: "string", value: "NAME", required: true, description: "the stack" },
    mode: { type: "string", value: "MODE", description: "how", choices: ["fast", "slow"] },
    dry: { type: "boolean", description: "change nothing" },
  },
};

describe("the command-line tools", function () {
  this.timeout(300_000);

  describe("their argument parsing", () => {
    it("returns the flags and positionals of a valid command line", () => {
      assert.deepEqual(parseCommand(SPEC, ["go", "--stack", "dev", "--dry", "--debug"]), {
        flags: { stack: "dev", dry: true },
        positionals: ["go"],
      });
    });

    it("refuses every problem of a command line at once, naming each and what it takes", () => {
      assert.throws(
        () => parseCommand(SPEC, ["jump", "--mode", "warp"]),
        (e: Error) =>
          e instanceof UsageError &&
          e.message ===
            '--stack is required (the stack); --mode "warp" is not one of fast, slow; <command> "jump" is not one of go, stop (--help for more)',
      );
    });

    it("refuses an unknown flag with the flags the command takes", () => {
      assert.throws(
        () => parseCommand(SPEC, ["go", "--stak", "dev"]),
        (e: Error) =>
          e instanceof UsageError &&
          /^Unknown option '--stak'; npm run thing -- takes --stack NAME, --mode MODE, --dry \(--help for more\)$/.test(
            e.message,
          ),
      );
    });

    it("prints a help naming every positional and flag, the required ones in the usage line", () => {
      const help = helpText(SPEC);
      assert.match(help, /^usage: npm run thing -- <command> --stack NAME \[flags\]$/m);
      for (const line of [
        /<command> +what to do \(go, stop\)/,
        /--mode MODE +how \(fast, slow\)/,
        /--dry +change nothing/,
        /--debug +show the stack trace/,
      ])
        assert.match(help, line);
    });
  });

  describe("a stack file YAML cannot read", () => {
    it("is named with its line and column", () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "stack-yaml-"));
      try {
        fs.writeFileSync(
          path.join(dir, "Pulumi.qa.yaml"),
          "config:\n  platform:environment: development\n   platform:bad: [\n",
        );
        assert.throws(
          () => readStackFile("qa", dir),
          (e: Error) =>
            e.name === "StackFileError" &&
            /^\/.*\/Pulumi\.qa\.yaml:2:25: Nested mappings are not allowed in compact mappings$/.test(
              e.message,
            ),
        );
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe("run as processes", () => {
    const commands: [script: string, usage: RegExp][] = [
      ["dev/scripts/preview.ts", /^usage: npm run preview --/],
      ["dev/scripts/policy-gate.ts", /^usage: npm run policy:gate --/],
      ["dev/scripts/state.ts", /^usage: npm run state -- <command> --stack NAME/],
      ["src/release/cli.ts", /^usage: npm run release -- <command>/],
      ["src/stack/runner-cli.ts", /^usage: npm run runner --/],
    ];
    for (const [script, usage] of commands)
      it(`${script} answers --help with its usage and exit code 0`, () => {
        const r = run(script, ["--help"]);
        assert.equal(r.code, 0, r.err);
        assert.match(r.out, usage);
      });

    it("end a bad flag with one line and exit code 2, no stack trace", () => {
      const r = run("dev/scripts/preview.ts", ["--stak", "dev"]);
      assert.equal(r.code, 2);
      assert.equal(r.err.trim().split("\n").length, 1, r.err);
      assert.match(
        r.err,
        /^Unknown option '--stak'; npm run preview -- takes --stack NAME, --program PROGRAM/,
      );
    });

    it("end an unknown stack with the stacks there are and exit code 2, no stack trace", () => {
      const r = run("dev/scripts/preview.ts", ["--stack", "prod"]);
      assert.equal(r.code, 2);
      assert.match(
        r.err,
        /\nNo stack file Pulumi\.prod\.yaml; known stacks: dev, local, production, staging\n$/,
      );
      assert.doesNotMatch(r.err, /^\s+at /m);
    });
  });
});
