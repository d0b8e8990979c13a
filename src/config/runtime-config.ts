/** The runtime form of stack config: every value a string, structured values as JSON. */
export function toRuntimeConfig(config: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(config)) {
    out[key] = typeof value === "string" ? value : JSON.stringify(value);
  }
  return out;
}
