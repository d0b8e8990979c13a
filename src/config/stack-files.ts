/**
 * The one reader of stack configuration, wherever it comes from: `Pulumi.<stack>.yaml` files
 * (scripts, tests, the release CLI, the bootstrap tools) or the Pulumi runtime (the programs).
 * Both end in the same form — the project's keys as plain values — so a stack file is validated
 * exactly as `pulumi up` would validate it.
 */
import * as fs from "fs";
import * as path from "path";
import YAML from "yaml";

/** The repository: the nearest directory up from here with a Pulumi.yaml (compiled copies live deeper). */
function findRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, "Pulumi.yaml")) && fs.existsSync(path.join(dir, "package.json")))
      return dir;
    if (path.dirname(dir) === dir) return path.resolve(__dirname, "..", "..");
  }
}

export const ROOT = findRoot(path.resolve(__dirname, ".."));

export function stackFilePath(stack: string, dir = ROOT): string {
  return path.join(dir, `Pulumi.${stack}.yaml`);
}

/** Stacks with a settings file in a project directory, by name. */
export function knownStacks(dir = ROOT): string[] {
  return fs
    .readdirSync(dir)
    .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
    .filter((s): s is string => s !== undefined)
    .sort();
}

export interface StackFile {
  readonly stack: string;
  readonly path: string;
  /** The `config:` block, values as written (objects stay objects). */
  config: Record<string, unknown>;
  /** `secretsprovider:` of the file; absent for the passphrase provider. */
  readonly secretsProvider?: string;
}

/** A stack file that is missing or that YAML cannot read: its path, and where and why. */
export class StackFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StackFileError";
  }
}

/** A YAML text's document, or a StackFileError naming the file, line and column of its first error. */
export function parseYamlFile(file: string, text: string): any {
  const doc = YAML.parseDocument(text, { prettyErrors: true });
  const error = doc.errors[0];
  if (error) {
    const at = error.linePos?.[0];
    const relative = path.relative(process.cwd(), file);
    const shown = relative && !relative.startsWith("..") ? relative : file;
    const where = at ? `${shown}:${at.line}:${at.col}` : shown;
    const what = error.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
    throw new StackFileError(`${where}: ${what}`);
  }
  return doc.toJS();
}

/** Reads `Pulumi.<stack>.yaml` of a project directory (the repository by default). */
export function readStackFile(stack: string, dir = ROOT): StackFile {
  const file = stackFilePath(stack, dir);
  if (!fs.existsSync(file))
    throw new StackFileError(
      `No stack file ${path.basename(file)}; known stacks: ${knownStacks(dir).join(", ")}`,
    );
  const doc = parseYamlFile(file, fs.readFileSync(file, "utf8")) ?? {};
  return {
    stack,
    path: file,
    config: { ...(doc.config ?? {}) },
    ...(typeof doc.secretsprovider === "string" ? { secretsProvider: doc.secretsprovider } : {}),
  };
}

/** Raw `config:` block of a stack file, values as written (objects stay objects). */
export function readStackConfig(stack: string, dir = ROOT): Record<string, unknown> {
  return readStackFile(stack, dir).config;
}

/** The runtime form of stack config: every value a string, structured values as JSON. */
export function toRuntimeConfig(config: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(config)) {
    out[key] = typeof value === "string" ? value : JSON.stringify(value);
  }
  return out;
}

/**
 * One project's namespace of a runtime config map as plain values: Pulumi hands every value
 * over as a string, objects and arrays as JSON, so each is JSON-decoded when it parses. Keys in
 * `verbatim` stay strings (an account id is digits, which JSON would turn into a number).
 */
export function projectConfigValues(
  all: Record<string, string>,
  project: string,
  verbatim: readonly string[] = [],
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [fullKey, text] of Object.entries(all)) {
    const [namespace, key] = fullKey.split(":", 2);
    if (namespace !== project || key === undefined) continue;
    out[key] = verbatim.includes(key) ? text : decode(text);
  }
  return out;
}

function decode(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
