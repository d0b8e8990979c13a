/**
 * The one way the project's command-line tools take their arguments and end: flags parsed by
 * `node:util` `parseArgs` (strict: an unknown flag or a missing value is refused), `--help` on
 * every command, and a user's mistake (a bad flag, an unknown stack, an invalid configuration, a
 * stack file YAML cannot read) ends in one message and exit code 2, without a stack trace. Other
 * failures exit 1 with their message; `--debug` shows the trace.
 */
import { parseArgs } from "node:util";

/** A mistake of the person running the command: its message is the whole report (exit 2). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

export interface FlagSpec {
  readonly type: "string" | "boolean";
  /** What the flag does, for `--help`. */
  readonly description: string;
  /** The value's placeholder in `--help` (`--stack NAME`). @default "VALUE" */
  readonly value?: string;
  /** The values it accepts; anything else is a usage error naming them. */
  readonly choices?: readonly string[];
  /** A usage error when absent. @default false */
  readonly required?: boolean;
  /** The flag may repeat; its value is then the list. @default false */
  readonly multiple?: boolean;
}

export interface CommandSpec {
  /** How the command is invoked, as `--help` shows it: `npm run preview --`. */
  readonly usage: string;
  /** One or two lines on what it does. */
  readonly summary: string;
  readonly flags: Readonly<Record<string, FlagSpec>>;
  /** Positional arguments in order, with the values each accepts. @default none */
  readonly positionals?: readonly { name: string; description: string; choices?: readonly string[] }[];
}

export type ParsedFlags = Record<string, string | boolean | string[] | undefined>;

/** `--help`'s text: usage line, summary, then each positional and flag with its description. */
export function helpText(spec: CommandSpec): string {
  const positionals = spec.positionals ?? [];
  const flag = (name: string, f: FlagSpec) =>
    f.type === "boolean" ? `--${name}` : `--${name} ${f.value ?? "VALUE"}`;
  const rows: [string, string][] = [
    ...positionals.map((p): [string, string] => [
      `<${p.name}>`,
      `${p.description}${p.choices ? ` (${p.choices.join(", ")})` : ""}`,
    ]),
    ...Object.entries(spec.flags).map(([name, f]): [string, string] => [
      flag(name, f),
      `${f.description}${f.choices ? ` (${f.choices.join(", ")})` : ""}${f.required ? " [required]" : ""}`,
    ]),
    ["--debug", "show the stack trace of an unexpected failure"],
    ["--help", "show this help"],
  ];
  const width = Math.max(...rows.map(([left]) => left.length)) + 2;
  const required = Object.entries(spec.flags)
    .filter(([, f]) => f.required)
    .map(([n, f]) => flag(n, f));
  return [
    `usage: ${spec.usage} ${[...positionals.map((p) => `<${p.name}>`), ...required, "[flags]"].join(" ")}`,
    "",
    spec.summary,
    "",
    ...rows.map(([left, right]) => `  ${left.padEnd(width)}${right}`),
  ].join("\n");
}

/** Parses `argv` against the spec: every problem is a UsageError naming the flag and what it takes. */
export function parseCommand(
  spec: CommandSpec,
  argv: readonly string[],
): { flags: ParsedFlags; positionals: string[] } {
  const options = Object.fromEntries(
    Object.entries(spec.flags).map(([name, f]) => [name, { type: f.type, multiple: f.multiple ?? false }]),
  );
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: argv.filter((a) => a !== "--debug"),
      options,
      allowPositionals: (spec.positionals?.length ?? 0) > 0,
      strict: true,
    });
  } catch (e) {
    // parseArgs' own words ("Unknown option '--x'", "Option '--s <value>' argument missing"), then
    // the flags this command takes.
    const message = (e as Error).message.replace(/\. To specify a positional argument.*$/s, "");
    throw new UsageError(`${message}; ${spec.usage} takes ${describeFlags(spec)} (--help for more)`);
  }
  const flags = { ...parsed.values } as ParsedFlags;
  const problems: string[] = [];
  for (const [name, f] of Object.entries(spec.flags)) {
    const value = flags[name];
    if (f.required && value === undefined) problems.push(`--${name} is required (${f.description})`);
    if (f.choices && value !== undefined)
      for (const v of Array.isArray(value) ? value : [value])
        if (!f.choices.includes(String(v)))
          problems.push(`--${name} ${JSON.stringify(v)} is not one of ${f.choices.join(", ")}`);
  }
  const wanted = spec.positionals ?? [];
  const positionals = parsed.positionals;
  if (positionals.length > wanted.length)
    problems.push(`unexpected argument ${JSON.stringify(positionals[wanted.length])}`);
  wanted.forEach((p, i) => {
    const value = positionals[i];
    if (value === undefined) problems.push(`<${p.name}> is required (${p.description})`);
    else if (p.choices && !p.choices.includes(value))
      problems.push(`<${p.name}> ${JSON.stringify(value)} is not one of ${p.choices.join(", ")}`);
  });
  if (problems.length) throw new UsageError(`${problems.join("; ")} (--help for more)`);
  return { flags, positionals };
}

const describeFlags = (spec: CommandSpec) =>
  Object.entries(spec.flags)
    .map(([name, f]) => (f.type === "boolean" ? `--${name}` : `--${name} ${f.value ?? "VALUE"}`))
    .join(", ") || "no flags";

/** Errors whose message is the whole report: usage, configuration, a stack file that cannot be read. */
export function isUserError(e: unknown): e is Error {
  return e instanceof Error && ["UsageError", "ConfigError", "StackFileError"].includes(e.name);
}

/** Whether the arguments ask for `--help`. */
export const wantsHelp = (argv: readonly string[]): boolean => argv.includes("--help") || argv.includes("-h");

/**
 * Ends a command that failed: a user error's message alone and exit 2; any other failure's message
 * (its stack with `--debug`) and exit 1.
 */
export function reportFailure(e: unknown, argv: readonly string[] = process.argv.slice(2)): void {
  if (isUserError(e)) {
    console.error(e.message);
    process.exitCode = 2;
    return;
  }
  console.error(
    argv.includes("--debug") && e instanceof Error
      ? e.stack
      : `${e instanceof Error ? e.message : String(e)}\n(run again with --debug for the stack trace)`,
  );
  process.exitCode = 1;
}

/**
 * Runs a command: `--help` prints the help and exits 0; a user error prints its message and exits
 * 2; any other failure prints its message (its stack with `--debug`) and exits 1.
 */
export function runCommand(
  spec: CommandSpec,
  main: (args: { flags: ParsedFlags; positionals: string[] }) => Promise<void | number> | void | number,
  argv: readonly string[] = process.argv.slice(2),
): Promise<void> {
  if (wantsHelp(argv)) {
    console.log(helpText(spec));
    return Promise.resolve();
  }
  return (async () => main(parseCommand(spec, argv)))().then(
    (code) => {
      if (typeof code === "number") process.exitCode = code;
    },
    (e: unknown) => reportFailure(e, argv),
  );
}
