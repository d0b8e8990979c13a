/**
 * "Open to the internet" by address coverage, not by spelling: `0.0.0.0/1` plus `128.0.0.0/1` is
 * as open as `0.0.0.0/0`. A set of CIDRs opens to the internet when it has `::/0`, or when its
 * IPv4 blocks together cover every public IPv4 address (everything outside the special-purpose
 * ranges of RFC 6890 and its successors). The policy pack and the program's config rules share it.
 */

/** IPv4 ranges that are not on the public internet (IANA special-purpose registry). */
export const NON_PUBLIC_IPV4 = [
  "0.0.0.0/8",
  "10.0.0.0/8",
  "100.64.0.0/10",
  "127.0.0.0/8",
  "169.254.0.0/16",
  "172.16.0.0/12",
  "192.0.0.0/24",
  "192.0.2.0/24",
  "192.168.0.0/16",
  "198.18.0.0/15",
  "198.51.100.0/24",
  "203.0.113.0/24",
  "224.0.0.0/3",
] as const;

type Interval = readonly [start: number, end: number];

/** `a.b.c.d/n` → its first and last address; undefined for anything else (IPv6, malformed). */
export function ipv4Interval(cidr: unknown): Interval | undefined {
  if (typeof cidr !== "string") return undefined;
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return undefined;
  const size = 2 ** (32 - prefix);
  const value = octets.reduce((acc, o) => acc * 256 + o, 0);
  const start = value - (value % size);
  return [start, start + size - 1];
}

/** Sorted, merged intervals (adjacent ones joined). */
function merge(intervals: Interval[]): Interval[] {
  const sorted = [...intervals].sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const [s, e] of sorted) {
    const last = out[out.length - 1];
    if (last && s <= last[1] + 1) last[1] = Math.max(last[1], e);
    else out.push([s, e]);
  }
  return out;
}

/** The public IPv4 space: the complement of NON_PUBLIC_IPV4. */
const PUBLIC_IPV4: Interval[] = (() => {
  const blocked = merge(NON_PUBLIC_IPV4.map((c) => ipv4Interval(c)!));
  const out: Interval[] = [];
  let next = 0;
  for (const [s, e] of blocked) {
    if (s > next) out.push([next, s - 1]);
    next = e + 1;
  }
  if (next <= 2 ** 32 - 1) out.push([next, 2 ** 32 - 1]);
  return out;
})();

/** Whether these CIDRs, together, admit the whole internet. */
export function opensToInternet(cidrs: readonly unknown[]): boolean {
  if (cidrs.some((c) => c === "::/0")) return true;
  const covered = merge(cidrs.map(ipv4Interval).filter((i): i is Interval => i !== undefined));
  return PUBLIC_IPV4.every(([s, e]) => covered.some(([cs, ce]) => cs <= s && e <= ce));
}
