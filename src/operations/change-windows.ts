/**
 * Change windows: spans of local time (Friday 15:00 to Monday 08:00 in Europe/Berlin, a holiday)
 * during which a stack's deploys wait for an explicit override. Local time is computed with Intl
 * in the window's own time zone, so a window holds across DST changes and the runner's zone does
 * not matter. Pure: `now` comes in.
 */

export const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/**
 * A weekly window: it opens on each of `days` at `from` and closes at `to` — the same day when
 * `to` is later, else `to` on a later day: `{ days: [fri], from: "15:00", to: "08:00", until: "mon" }`
 * spans the weekend.
 */
export interface ChangeWindow {
  readonly name: string;
  /** Days the window opens on. */
  readonly days: readonly Weekday[];
  /** Local opening time, `HH:MM`. */
  readonly from: string;
  /** Local closing time, `HH:MM`. */
  readonly to: string;
  /** Day it closes on, for a window spanning days. @default the opening day (the next day when `to` ≤ `from`) */
  readonly until?: Weekday;
  /** IANA time zone of `from` and `to`, e.g. `Europe/Berlin`. */
  readonly timeZone: string;
}

/** A whole local day without deploys, e.g. `{ date: "2026-12-24", timeZone: "Europe/Berlin" }`. */
export interface Holiday {
  readonly date: string;
  readonly name?: string;
  readonly timeZone: string;
}

/** What a zone's wall clock shows at an instant: weekday (0 = Monday) and minutes since midnight. */
export interface LocalTime {
  readonly date: string;
  readonly weekday: number;
  readonly minutes: number;
}

const FORMATTERS = new Map<string, Intl.DateTimeFormat>();

/** The local date, weekday and time in `timeZone` at `at` (Intl does the offsets and DST). */
export function localTime(at: Date, timeZone: string): LocalTime {
  let f = FORMATTERS.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      weekday: "short",
      hour: "2-digit",
      minute: "2-digit",
    });
    FORMATTERS.set(timeZone, f);
  }
  const parts = Object.fromEntries(f.formatToParts(at).map((p) => [p.type, p.value]));
  return {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    weekday: WEEKDAYS.indexOf(parts.weekday.toLowerCase().slice(0, 3) as Weekday),
    minutes: Number(parts.hour) * 60 + Number(parts.minute),
  };
}

/** Whether `timeZone` is an IANA zone this runtime knows. */
export function isTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone });
    return true;
  } catch {
    return false;
  }
}

export const HH_MM = /^([01]\d|2[0-3]):[0-5]\d$/;
const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/**
 * Whether the weekly window is open at `at`. Positions are minutes since Monday 00:00 local time;
 * a window that wraps past Sunday midnight wraps the week.
 */
export function windowOpen(w: ChangeWindow, at: Date): boolean {
  const local = localTime(at, w.timeZone);
  const week = 7 * 1440;
  const now = local.weekday * 1440 + local.minutes;
  const from = minutesOf(w.from);
  const to = minutesOf(w.to);
  return w.days.some((day) => {
    const open = WEEKDAYS.indexOf(day) * 1440 + from;
    const closeDay =
      w.until !== undefined ? WEEKDAYS.indexOf(w.until) : WEEKDAYS.indexOf(day) + (to > from ? 0 : 1);
    let close = closeDay * 1440 + to;
    while (close <= open) close += week;
    const length = close - open;
    const since = (((now - open) % week) + week) % week;
    return since < length;
  });
}

/** The window or holiday holding at `at`, if any. */
export function activeChangeWindow(
  windows: readonly ChangeWindow[],
  holidays: readonly Holiday[],
  at: Date,
): { readonly name: string; readonly detail: string } | undefined {
  for (const h of holidays)
    if (localTime(at, h.timeZone).date === h.date)
      return { name: h.name ?? `holiday ${h.date}`, detail: `${h.date} (${h.timeZone}) is a holiday` };
  for (const w of windows)
    if (windowOpen(w, at))
      return {
        name: w.name,
        detail: `${w.days.join(",")} ${w.from} → ${w.until ? `${w.until} ` : ""}${w.to} ${w.timeZone}`,
      };
  return undefined;
}

/** What a deploy may do now. */
export type DeployPermission =
  | { readonly allowed: true; readonly detail: string }
  | { readonly allowed: false; readonly detail: string };

export interface DeployGuardInput {
  readonly stack: string;
  readonly windows: readonly ChangeWindow[];
  readonly holidays: readonly Holiday[];
  /** `operations.freeze` of the stack config: a reason when the stack is frozen. */
  readonly configFreeze?: string;
  /** The `DEPLOY_FREEZE` variable the deploy job reads: non-empty freezes the stack at once. */
  readonly freezeVariable?: string;
  /**
   * The `CHANGE_WINDOW_OVERRIDE` variable: an ISO instant until which deploys may run inside a
   * window. It expires by itself, so a forgotten override does not disable the windows.
   */
  readonly overrideUntil?: string;
  readonly now: Date;
}

/**
 * Freezes win over everything (an incident freeze is not overridden by a change-window override);
 * a change window refuses unless an override is set and not yet expired.
 */
export function deployPermission(i: DeployGuardInput): DeployPermission {
  const frozen = i.freezeVariable?.trim() || i.configFreeze?.trim();
  if (frozen)
    return {
      allowed: false,
      detail: `deploys of ${i.stack} are frozen: ${frozen} (lift: clear the DEPLOY_FREEZE variable of the environment, or remove operations.freeze)`,
    };
  const window = activeChangeWindow(i.windows, i.holidays, i.now);
  if (!window) return { allowed: true, detail: `no change window holds for ${i.stack}` };
  const until = i.overrideUntil?.trim() ? new Date(i.overrideUntil.trim()) : undefined;
  if (until && !Number.isNaN(until.getTime()) && until.getTime() > i.now.getTime())
    return {
      allowed: true,
      detail: `change window "${window.name}" (${window.detail}) holds; overridden until ${until.toISOString()}`,
    };
  return {
    allowed: false,
    detail:
      `change window "${window.name}" (${window.detail}) holds for ${i.stack}` +
      (until
        ? ` and the override expired at ${Number.isNaN(until.getTime()) ? i.overrideUntil : until.toISOString()}`
        : "") +
      `: wait, or have an approver set CHANGE_WINDOW_OVERRIDE to an ISO time (e.g. gh variable set CHANGE_WINDOW_OVERRIDE --env <environment> --body "$(date -u -d '+2 hours' +%FT%TZ)") and re-run`,
  };
}
