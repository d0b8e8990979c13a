/** Minimal `--name value` parsing for the project's scripts, with one clear error per bad flag. */
export function parseFlags(argv: string[], allowed: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const name = flag.replace(/^--/, "");
    if (!flag.startsWith("--") || !(name in allowed)) {
      throw new Error(
        `unknown argument ${JSON.stringify(flag)}; allowed: ${Object.entries(allowed)
          .map(([k, d]) => `--${k} (${d})`)
          .join(", ")}`,
      );
    }
    const value = argv[++i];
    if (value === undefined) throw new Error(`--${name} needs a value (${allowed[name]})`);
    out[name] = value;
  }
  return out;
}
