import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { githubSlug, headingSlugs, links } from "../../dev/docs/markdown";
import { ROOT } from "../../dev/paths";

/** The pages people read: the root's three and every page under docs/. */
function pages(): string[] {
  const under = (dir: string): string[] =>
    fs
      .readdirSync(path.join(ROOT, dir), { withFileTypes: true })
      .flatMap((e) =>
        e.isDirectory()
          ? under(path.join(dir, e.name))
          : e.name.endsWith(".md")
            ? [path.join(dir, e.name)]
            : [],
      );
  return ["README.md", "ARCHITECTURE.md", "DEVELOPMENT.md", ...under("docs")].sort();
}

const read = (file: string) => fs.readFileSync(path.join(ROOT, file), "utf8");
const external = (target: string) => /^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith("//");

/** A relative link resolved against its page: the file (repository-relative) and the anchor. */
function resolve(page: string, target: string): { file: string; anchor?: string } {
  const [raw, anchor] = target.split("#", 2) as [string, string | undefined];
  const file = raw
    ? path.normalize(
        raw.startsWith("/") ? decodeURI(raw.slice(1)) : path.join(path.dirname(page), decodeURI(raw)),
      )
    : page;
  return { file, anchor: anchor === undefined ? undefined : decodeURIComponent(anchor) };
}

describe("the docs' links", () => {
  const all = pages();

  it("finds the pages it checks", () => {
    for (const f of ["README.md", "ARCHITECTURE.md", "DEVELOPMENT.md", "docs/onboard-a-team.md"])
      assert.ok(all.includes(f), f);
  });

  it("point at files that exist and at headings their target has", () => {
    const problems: string[] = [];
    const slugs = new Map<string, string[]>();
    const slugsOf = (file: string) => {
      if (!slugs.has(file)) slugs.set(file, headingSlugs(read(file)));
      return slugs.get(file)!;
    };
    for (const page of all)
      for (const { target, line } of links(read(page))) {
        if (external(target)) continue;
        const { file, anchor } = resolve(page, target);
        const where = `${page}:${line} → ${target}`;
        if (!fs.existsSync(path.join(ROOT, file))) {
          problems.push(`${where}: no such file ${file}`);
          continue;
        }
        if (anchor === undefined) continue;
        if (!file.endsWith(".md")) problems.push(`${where}: an anchor into a file that is not Markdown`);
        else if (!slugsOf(file).includes(anchor))
          problems.push(`${where}: ${file} has no heading #${anchor} (it has ${slugsOf(file).join(", ")})`);
      }
    assert.deepEqual(problems, []);
  });

  it("lead from the README to every guide and reference page", () => {
    const linked = new Set(
      links(read("README.md"))
        .filter((l) => !external(l.target))
        .map((l) => resolve("README.md", l.target).file),
    );
    assert.deepEqual(
      all.filter((p) => p !== "README.md" && !linked.has(p)),
      [],
    );
  });
});

describe("the README", () => {
  const readme = read("README.md");

  it("stays short", () => {
    const lines = readme.trimEnd().split("\n").length;
    assert.ok(lines <= 200, `${lines} lines`);
  });

  it("opens with the command that runs the main job and the test command CI runs", () => {
    const first = /```sh\n([\s\S]*?)```/.exec(readme);
    assert.ok(first, "a sh block");
    const commands = first[1]
      .trim()
      .split("\n")
      .map((l) => l.replace(/\s+#.*$/, "").trim());
    assert.deepEqual(commands, ["npm ci --ignore-scripts && npm run local -- up", "npm test"]);
    // .ci/run runs the same test command (after its own install).
    assert.match(read(".ci/run"), /^echo "== tests";\s+npm test$/m);
  });
});

describe("githubSlug", () => {
  const cases: [string, string][] = [
    ["Delivery: from commit to production", "delivery-from-commit-to-production"],
    [
      "State and secrets: local, S3 + KMS, or Pulumi Cloud",
      "state-and-secrets-local-s3--kms-or-pulumi-cloud",
    ],
    ["What the owner's plan allows", "what-the-owners-plan-allows"],
    ["Reference (generated)", "reference-generated"],
    ["`network`", "network"],
    [
      "Alarms (`src/components/aws/alarms.ts`, `src/stack/operations.ts`)",
      "alarms-srccomponentsawsalarmsts-srcstackoperationsts",
    ],
    [
      "End-to-end tests: the real CLI, a real control plane, an AWS emulator",
      "end-to-end-tests-the-real-cli-a-real-control-plane-an-aws-emulator",
    ],
    ["**Bold** and [a link](x.md)", "bold-and-a-link"],
    ["Who runs → what", "who-runs--what"],
  ];
  for (const [heading, slug] of cases)
    it(`${heading} → #${slug}`, () => assert.equal(githubSlug(heading), slug));

  it("numbers a repeated heading as GitHub does, and skips code blocks", () => {
    assert.deepEqual(headingSlugs("# A\n\n## B\n\n```sh\n# not a heading\n```\n\n## B\n### A\n"), [
      "a",
      "b",
      "b-1",
      "a-1",
    ]);
  });
});

describe("links", () => {
  it("reads inline links, images and definitions, not code", () => {
    const md = [
      'See [a](a.md#x) and ![img](i.png "title").',
      "`[not](code.md)` and [b](<b c.md>)",
      "```",
      "[fenced](no.md)",
      "```",
      "[ref]: ref.md",
    ].join("\n");
    assert.deepEqual(
      links(md).map((l) => [l.target, l.line]),
      [
        ["a.md#x", 1],
        ["i.png", 1],
        ["b c.md", 2],
        ["ref.md", 6],
      ],
    );
  });
});
