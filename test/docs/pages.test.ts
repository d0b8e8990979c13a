import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { fillSections, GENERATED_PAGES, pagePath } from "../../dev/docs/pages";
import { ROOT } from "../../dev/paths";

describe("the generated pages", () => {
  it("each hold exactly the sections they are given, once", () => {
    const names = GENERATED_PAGES.flatMap((p) => Object.keys(p.sections));
    assert.equal(new Set(names).size, names.length, "a section lives in one page");
    for (const page of GENERATED_PAGES) {
      const text = fs.readFileSync(pagePath(page), "utf8");
      for (const name of Object.keys(page.sections)) {
        assert.equal(text.split(`\n<!-- generated:${name} -->\n`).length, 2, `${page.file}: ${name}`);
        assert.equal(text.split(`\n<!-- /generated:${name} -->\n`).length, 2, `${page.file}: /${name}`);
      }
    }
  });

  it("keep the README free of generated sections", () => {
    assert.ok(!/^<!-- generated:/m.test(fs.readFileSync(path.join(ROOT, "README.md"), "utf8")));
  });
});

describe("fillSections", () => {
  const page = "# T\n\nkept\n\n<!-- generated:a -->\nold\n<!-- /generated:a -->\n\nkept too\n";

  it("replaces what is between the markers and keeps the rest", () => {
    assert.equal(
      fillSections("p.md", page, { a: "new $1 body" }),
      "# T\n\nkept\n\n<!-- generated:a -->\n\nnew $1 body\n\n<!-- /generated:a -->\n\nkept too\n",
    );
  });

  it("names every missing, repeated, unclosed or unknown section at once", () => {
    assert.throws(
      () =>
        fillSections("p.md", `${page}<!-- generated:z -->\n<!-- generated:b -->\n`, { a: "", b: "", c: "" }),
      {
        message:
          "p.md has an unknown section <!-- generated:z -->; no <!-- /generated:b --> closing its section; 0 <!-- generated:c --> sections, not 1",
      },
    );
  });
});
