/**
 * What a shell command asks of a package.json: the scripts `npm run <name>` (and `npm test`,
 * `npm start`) run. Shared by the configuration rules (a stack may not configure CI that runs a
 * script the repository lacks) and the test that every generated workflow's references resolve.
 */
import * as fs from "fs";
import * as path from "path";

/** npm's own commands that run a package script of the same name. */
const SCRIPT_COMMANDS: Record<string, string | undefined> = {
  run: undefined,
  "run-script": undefined,
  test: "test",
  t: "test",
  start: "start",
  stop: "stop",
  restart: "restart",
};

/**
 * The package scripts a shell command runs, in order: `npm run -s release -- promote` → release,
 * `npx c8 npm test` → test. `npm run --if-present x` asks for nothing (a missing x is fine).
 */
export function npmScriptsRun(command: string): string[] {
  const out: string[] = [];
  for (const m of command.matchAll(/(?:^|[\s;&|()`"'])npm\s+([^\n;&|)`]*)/g)) {
    const words = m[1].split(/\s+/).filter(Boolean);
    const verb = words.findIndex((w) => !w.startsWith("-"));
    if (verb < 0 || !(words[verb] in SCRIPT_COMMANDS)) continue;
    const fixed = SCRIPT_COMMANDS[words[verb]];
    if (fixed) {
      out.push(fixed);
      continue;
    }
    const rest = words.slice(verb + 1);
    if (rest.includes("--if-present")) continue;
    const name = rest.find((w) => !w.startsWith("-"));
    if (name) out.push(name.replace(/^["']|["']$/g, ""));
  }
  return out;
}

/** The `scripts` of `<dir>/package.json`; undefined when the directory has no package.json. */
export function packageScripts(dir: string): Record<string, string> | undefined {
  const file = path.join(dir, "package.json");
  if (!fs.existsSync(file)) return undefined;
  const scripts = (JSON.parse(fs.readFileSync(file, "utf8")) as { scripts?: Record<string, string> }).scripts;
  return scripts ?? {};
}
