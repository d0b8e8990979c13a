/**
 * Shell patterns the pack and the config both refuse: downloads piped (or substituted) into an
 * interpreter, code nobody pinned or verified. Shared so a stack's config is refused at load for
 * exactly what the pack would refuse in the rendered workflow at preview.
 */
export const PIPE_TO_SHELL = [
  /\b(curl|wget)\b[^;&\n]*(?<!\|)\|(?!\|)\s*(sudo\s+(-\S+\s+)*)?(env\s+\S+=\S*\s+)*(ba|z|k|da)?sh\b/,
  /\b(curl|wget)\b[^;&\n]*(?<!\|)\|(?!\|)\s*(sudo\s+(-\S+\s+)*)?(python3?|perl|ruby|node)\b/,
  /\b((ba|z|k|da)?sh|source|\.)\s+<\(\s*(curl|wget)\b/,
  /\b(ba|z|k|da)?sh\s+-c\s+["']?\$\(\s*(curl|wget)\b/,
];

/** The first line of `script` that pipes a download into a shell or interpreter. */
export const pipeToShellLine = (script: string): string | undefined =>
  script.split("\n").find((l) => PIPE_TO_SHELL.some((p) => p.test(l)));

/** An exact release (`10.1.3`, `1.0.0-rc.1`): what `npx name@<version>` must name to be pinned. */
const EXACT_VERSION = /^v?\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.-]+)?$/;

/** Whether an npm package spec names one exact release (`c8@10.1.3`, `@scope/tool@1.0.0`). */
export function isExactPackageSpec(spec: string): boolean {
  const m = /^((?:@[^/@\s]+\/)?[^@\s]+)@(.+)$/.exec(spec);
  return m !== null && EXACT_VERSION.test(m[2]);
}

/**
 * The package specs `npx` invocations of a script fetch without an exact version (`npx foo`,
 * `npx --yes foo@latest`, `npx -p foo@^1 bar`): whatever the registry serves that day runs. `npx
 * --no-install` and `npx --no` run local binaries only; `npx ./bin/x` runs a path.
 */
export function unpinnedNpxSpecs(script: string): string[] {
  const joined = script.replace(/\\\r?\n/g, " ");
  const out: string[] = [];
  for (const m of joined.matchAll(/(?:^|[\s;&|(`])npx(?=\s)/g)) {
    const invocation = joined.slice(m.index! + m[0].length).split(/\n|;|&&|\|\||\||\)|`/)[0];
    const tokens = invocation
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map((t) => t.replace(/^["']|["']$/g, ""));
    const packages: string[] = [];
    let command: string | undefined;
    let local = false;
    let call = false;
    for (let i = 0; i < tokens.length && command === undefined; i++) {
      const t = tokens[i];
      if (t === "--no-install" || t === "--no") local = true;
      else if (t === "-p" || t === "--package") packages.push(tokens[++i] ?? "");
      else if (t.startsWith("--package=")) packages.push(t.slice("--package=".length));
      else if (t === "-c" || t === "--call") call = true;
      else if (t === "--") command = tokens[i + 1];
      else if (!t.startsWith("-")) command = t;
    }
    if (local) continue;
    // With --package (or -c) the command is a binary of those packages, not a package to fetch.
    const specs = packages.length || call ? packages : command !== undefined ? [command] : [];
    out.push(...specs.filter((s) => !/^[./]/.test(s) && !isExactPackageSpec(s)));
  }
  return out;
}
