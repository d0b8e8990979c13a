/**
 * `platform:operations`: what happens after a deploy — the alarms the program creates and where
 * they notify, the metric gate of canary steps and blue/green flips, change windows and the
 * emergency switches. Thresholds left unset take the environment's defaults (`operationsOf`), so a
 * stack names only what it changes.
 */
import { z } from "zod";
import { HH_MM, isTimeZone, WEEKDAYS } from "../operations/change-windows";
// schema.ts imports this file, so only types come from it (erased: no cycle at load time).
import type { EnvironmentName, StackConfig } from "./schema";
import { dnsLabel, PROJECT } from "./primitives";
import { CHATBOT_API_REGIONS } from "./aws-catalog";

const percent = z.number().min(0).max(100);
const millis = z.number().int().min(1).max(600_000);

const thresholdsShape = {
  /** Highest acceptable share of target 5xx answers, percent. @default 5 (production 1) */
  errorRatePercent: percent.optional(),
  /** Highest acceptable p95 response time, ms. @default 1000 (production 500) */
  latencyP95Ms: millis.optional(),
  /** Highest acceptable p99 response time, ms. @default 2500 (production 1500) */
  latencyP99Ms: millis.optional(),
};

const alarmsSchema = z.strictObject({
  ...thresholdsShape,
  /** Container restarts in one period of an EKS service that alarm. @default 3 (production 1) */
  restarts: z.number().int().min(1).max(1000).optional(),
  /** Length of one evaluation period, minutes. @default 5 (production 1) */
  periodMinutes: z.number().int().min(1).max(60).optional(),
  /** Periods in a row that must breach before the alarm fires. @default 3 (production 3) */
  evaluationPeriods: z.number().int().min(1).max(30).optional(),
});

const gateSchema = z.strictObject({
  ...thresholdsShape,
  /** How long each canary step and each blue/green post-flip watch lasts, minutes. @default 2 (staging 5, production 10) */
  windowMinutes: z.number().int().min(1).max(120).optional(),
  /** How often the gate reads the metrics while watching, seconds. @default 60 */
  intervalSeconds: z.number().int().min(10).max(600).optional(),
  /** Requests below which a window is "no data". @default 20 (production 100) */
  minRequests: z.number().int().min(1).max(1_000_000).optional(),
  /** What no data decides: `fail` rolls back, `pass` goes on and says so. @default "pass" (production "fail") */
  noData: z.enum(["fail", "pass"]).optional(),
  /**
   * In-cluster Prometheus HTTP API the gate queries for EKS services (e.g.
   * `http://prometheus-server.monitoring.svc.cluster.local:80`, reached through a port-forward).
   * Unset: EKS services behind an ALB Ingress are read from CloudWatch, others are not gated.
   */
  prometheusUrl: z
    .string()
    .regex(
      /^http:\/\/[a-z0-9-]+\.[a-z0-9-]+\.svc(\.cluster\.local)?(:\d+)?\/?$/,
      "must be an in-cluster http://<service>.<namespace>.svc[.cluster.local][:port] URL",
    )
    .optional(),
});

const timeOfDay = z.string().regex(HH_MM, "must be a local time HH:MM (24 h)");
const timeZone = z
  .string()
  .refine(isTimeZone, { message: "must be an IANA time zone such as Europe/Berlin or UTC" });
const weekday = z.enum(WEEKDAYS);

const changeWindowSchema = z.strictObject({
  name: dnsLabel,
  /** Days the window opens on (mon … sun). */
  days: z.array(weekday).min(1),
  /** Local opening time, HH:MM. */
  from: timeOfDay,
  /** Local closing time, HH:MM. */
  to: timeOfDay,
  /** Day it closes on, for a window spanning days (fri 15:00 → mon 08:00). @default the opening day, or the next when `to` ≤ `from` */
  until: weekday.optional(),
  /** IANA time zone of `from` and `to`: DST is the zone's. */
  timeZone,
});

const DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

/**
 * Whether `YYYY-MM-DD` names a real day (the month has that many days, leap years included). A
 * string of another shape is left to the pattern's own message.
 */
export function isCalendarDate(date: string): boolean {
  if (!DATE.test(date)) return true;
  const [y, m, d] = date.split("-").map(Number);
  const day = new Date(Date.UTC(y, m - 1, d));
  return day.getUTCFullYear() === y && day.getUTCMonth() === m - 1 && day.getUTCDate() === d;
}

const holidaySchema = z.strictObject({
  /** Local date, YYYY-MM-DD. */
  date: z
    .string()
    .regex(DATE, "must be a date YYYY-MM-DD")
    .refine(
      isCalendarDate,
      "must be a date the calendar has (YYYY-MM-DD): 2026-02-30 never comes, so it would never block a deploy",
    ),
  name: z.string().min(1).max(80).optional(),
  timeZone,
});

const secretArn = z
  .string()
  .regex(
    /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$/,
    "must be a Secrets Manager secret ARN (a reference; never the key itself)",
  );

const notificationsSchema = z.strictObject({
  /**
   * Slack channel the stack's alarm topic posts to through AWS Chatbot. The workspace is
   * authorised once in the Chatbot console (its id is the `T…` there).
   */
  slack: z
    .strictObject({
      workspaceId: z.string().regex(/^T[A-Z0-9]{8,11}$/, "must be a Slack workspace id such as T07EA123LEP"),
      channelId: z.string().regex(/^[CG][A-Z0-9]{8,11}$/, "must be a Slack channel id such as C07EZ1ABC23"),
      /**
       * Region of the Chatbot configuration: Chatbot's API exists in four regions only
       * (`CHATBOT_API_REGIONS`); the configuration there subscribes to the stack's topic in its own
       * region. @default the stack's region when Chatbot is there, else `chatbotRegionFor` it
       */
      region: z
        .enum(CHATBOT_API_REGIONS, {
          error: `must be a region where AWS Chatbot's API exists: ${CHATBOT_API_REGIONS.join(", ")}`,
        })
        .optional(),
    })
    .optional(),
  /**
   * Secrets Manager secret holding the PagerDuty Events API v2 integration key of the service
   * that pages on-call (production). The program reads it when it creates the subscription and
   * keeps it as a secret; the config holds only this reference.
   */
  pagerDutyIntegrationKeySecretArn: secretArn.optional(),
});

export const operationsSchema = z.strictObject({
  /** Thresholds of the alarms created for every service. @default the environment's (see `operationsOf`) */
  alarms: alarmsSchema.default({}),
  /** Where alarms notify. @default {} (the topic only) */
  notifications: notificationsSchema.default({}),
  /** The metric gate of canary steps and blue/green flips. @default the environment's */
  gate: gateSchema.default({}),
  /** Weekly windows during which deploys need an override. @default [] */
  changeWindows: z.array(changeWindowSchema).default([]),
  /** Whole local days without deploys. @default [] */
  holidays: z.array(holidaySchema).default([]),
  /** Emergency switch: while set (a reason), every deploy of the stack is refused. */
  freeze: z.string().min(1).max(200).optional(),
  /** Emergency switch: these services run zero tasks/pods (their alarms on running count are off). @default [] */
  stopped: z.array(dnsLabel).default([]),
});

export type OperationsConfig = z.output<typeof operationsSchema>;

/** Resolved alarm thresholds. */
export interface AlarmSettings {
  readonly errorRatePercent: number;
  readonly latencyP95Ms: number;
  readonly latencyP99Ms: number;
  readonly restarts: number;
  readonly periodMinutes: number;
  readonly evaluationPeriods: number;
}

/** Resolved gate settings. */
export interface GateSettings {
  readonly errorRatePercent: number;
  readonly latencyP95Ms: number;
  readonly latencyP99Ms: number;
  readonly windowMinutes: number;
  readonly intervalSeconds: number;
  readonly minRequests: number;
  readonly noData: "fail" | "pass";
  readonly prometheusUrl?: string;
}

const PRODUCTION_ALARMS: AlarmSettings = {
  errorRatePercent: 1,
  latencyP95Ms: 500,
  latencyP99Ms: 1500,
  restarts: 1,
  periodMinutes: 1,
  evaluationPeriods: 3,
};
const OTHER_ALARMS: AlarmSettings = {
  errorRatePercent: 5,
  latencyP95Ms: 1000,
  latencyP99Ms: 2500,
  restarts: 3,
  periodMinutes: 5,
  evaluationPeriods: 3,
};

/** The defaults per environment: production pages early and fails closed; others tolerate quiet. */
export function defaultAlarmSettings(environment: EnvironmentName): AlarmSettings {
  return environment === "production" ? PRODUCTION_ALARMS : OTHER_ALARMS;
}

export function defaultGateSettings(environment: EnvironmentName): GateSettings {
  const alarms = defaultAlarmSettings(environment);
  const base = {
    errorRatePercent: alarms.errorRatePercent,
    latencyP95Ms: alarms.latencyP95Ms,
    latencyP99Ms: alarms.latencyP99Ms,
    intervalSeconds: 60,
  };
  switch (environment) {
    case "production":
      return { ...base, windowMinutes: 10, minRequests: 100, noData: "fail" };
    case "staging":
      return { ...base, windowMinutes: 5, minRequests: 20, noData: "pass" };
    default:
      return { ...base, windowMinutes: 2, minRequests: 20, noData: "pass" };
  }
}

const defined = <T extends object>(o: T): Partial<T> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;

/** The stack's operations settings with the environment's defaults where a key is unset. */
export function operationsOf(c: Pick<StackConfig, "environment" | "operations">): {
  alarms: AlarmSettings;
  gate: GateSettings;
} {
  return {
    alarms: { ...defaultAlarmSettings(c.environment), ...defined(c.operations.alarms) },
    gate: { ...defaultGateSettings(c.environment), ...defined(c.operations.gate) },
  };
}

const key = (...path: (string | number)[]) =>
  `${PROJECT}:operations` + path.map((p) => (typeof p === "number" ? `[${p}]` : `.${p}`)).join("");

/**
 * Cross-key rules: p95 below p99, pages only from production (and production pages), windows and
 * stopped services that name real things.
 */
export function operationsProblems(c: StackConfig): { key: string; value: unknown; allowed: string }[] {
  const out: { key: string; value: unknown; allowed: string }[] = [];
  const ops = operationsOf(c);
  for (const area of ["alarms", "gate"] as const)
    if (ops[area].latencyP95Ms > ops[area].latencyP99Ms)
      out.push({
        key: key(area, "latencyP95Ms"),
        value: ops[area].latencyP95Ms,
        allowed: `at most latencyP99Ms (${ops[area].latencyP99Ms}): the 95th percentile cannot exceed the 99th`,
      });
  const pd = c.operations.notifications.pagerDutyIntegrationKeySecretArn;
  if (c.environment === "production" && c.usesAws && !pd)
    out.push({
      key: key("notifications", "pagerDutyIntegrationKeySecretArn"),
      value: undefined,
      allowed:
        "required in production: the ARN of the Secrets Manager secret holding the PagerDuty Events API v2 integration key, so alarms page on-call",
    });
  if (c.environment !== "production" && pd)
    out.push({
      key: key("notifications", "pagerDutyIntegrationKeySecretArn"),
      value: pd,
      allowed: "nothing outside production: only production alarms page on-call (others go to Slack)",
    });
  c.operations.changeWindows.forEach((w, i) => {
    if (w.from === w.to && w.until === undefined)
      out.push({
        key: key("changeWindows", i, "to"),
        value: w.to,
        allowed: `a time other than from (${w.from}), or an until day: the window would be a whole day`,
      });
  });
  const names = c.operations.changeWindows.map((w) => w.name);
  names.forEach((n, i) => {
    if (names.indexOf(n) !== i)
      out.push({ key: key("changeWindows", i, "name"), value: n, allowed: "a name no other window has" });
  });
  // A gate that fails closed on no data must have something that measures each service: the
  // ALB's metrics, the platform's Prometheus on a cluster it creates, or a Prometheus the stack
  // names on a cluster it does not. Otherwise every release of such a service would roll back, or,
  // were "not measured" accepted, pass unjudged in the one environment that asked for judgement.
  if (ops.gate.noData === "fail" && !ops.gate.prometheusUrl && !c.eks.enabled) {
    const unmeasured = c.services.filter(
      (s) => s.target === "eks" && (s.exposure ?? "cluster") === "cluster",
    );
    if (unmeasured.length)
      out.push({
        key: key("gate", "prometheusUrl"),
        value: undefined,
        allowed: `the in-cluster Prometheus of the cluster kubernetes.kubeconfig reaches (http://<service>.<namespace>.svc[:port]): ${unmeasured.map((s) => s.name).join(", ")} ${unmeasured.length === 1 ? "is" : "are"} reachable only inside the cluster, so no ALB measures ${unmeasured.length === 1 ? "its" : "their"} releases, and this stack's gate fails on no data (noData: fail)`,
      });
  }
  const services = c.services.map((s) => s.name);
  c.operations.stopped.forEach((s, i) => {
    if (!services.includes(s))
      out.push({
        key: key("stopped", i),
        value: s,
        allowed: `a service of the stack: ${services.join(", ") || "none configured"}`,
      });
  });
  return out;
}
