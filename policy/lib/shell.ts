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
