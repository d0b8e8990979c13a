// Which test files make the unit tier (`npm run test:unit`): every file under test/ that needs no
// native tool and no server. A file is tool-backed when it, or a test module it imports, names
// one of the markers below (the helpers that run built tools, the control plane, the engine,
// the tools' directories) — so a new test that starts using a tool leaves the unit tier by
// itself. The full suite (`npm test`) runs every file.
"use strict";
const fs = require("fs");
const path = require("path");

const ROOT = path.resolve(__dirname, "..", "..");
const MARKERS = [
  /^(?!import type).*helpers\/(actionlint|pulumi-cli|scanners|aws-emulator)["']/m,
  /cluster\/control-plane["']/,
  /engine\/local-engine["']/,
  /\b(TOOLS_BIN|SCANNERS_BIN)\b/,
  /["']\.tools["']/,
  // A test that starts the project's own commands as processes (ts-node per process, seconds
  // each) belongs to the full suite: the unit tier stays a loop of seconds.
  /["']ts-node\/register\/transpile-only["']/,
  // Typed linting builds the whole TypeScript program: seconds, not a unit loop.
  /from ["']eslint["']/,
];
// `import type` is erased before the code runs: it loads nothing.
const IMPORT = /^(?!import type)[^\n]*?(?:from|require\()\s*["'](\.{1,2}\/[^"']+)["']/gm;

function resolveModule(from, spec) {
  const base = path.resolve(path.dirname(from), spec);
  for (const candidate of [base, `${base}.ts`, path.join(base, "index.ts")])
    if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate;
  return undefined;
}

/** Whether the file, or a test module it imports (helpers, fixtures), names a marker. */
function toolBacked(file, seen = new Map()) {
  if (seen.has(file)) return seen.get(file);
  seen.set(file, false);
  // Code only: a comment that mentions a tool does not use it.
  const text = fs.readFileSync(file, "utf8").replace(/\/\*[\s\S]*?\*\/|(^|[^:])\/\/.*$/gm, "$1");
  let backed = MARKERS.some((m) => m.test(text));
  for (const [, spec] of text.matchAll(IMPORT)) {
    if (backed) break;
    const target = resolveModule(file, spec);
    const rel = target && path.relative(ROOT, target);
    if (rel && rel.startsWith("test/") && toolBacked(target, seen)) backed = true;
  }
  seen.set(file, backed);
  return backed;
}

function testFiles(dir = path.join(ROOT, "test")) {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) =>
      e.isDirectory()
        ? testFiles(path.join(dir, e.name))
        : e.name.endsWith(".test.ts")
          ? [path.join(dir, e.name)]
          : [],
    );
}

/** The unit tier's test files, relative to the repository root, sorted. */
function unitTestFiles() {
  return testFiles()
    .filter((f) => !toolBacked(f))
    .map((f) => path.relative(ROOT, f))
    .sort();
}

module.exports = { unitTestFiles, toolBacked, testFiles, MARKERS };
