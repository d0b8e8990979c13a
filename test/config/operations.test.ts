import { strict as assert } from "assert";
import { ConfigError, parseStackConfig } from "../../src/config";
import { operationsOf } from "../../src/config/operations";
import { chatbotRegionFor } from "../../src/config/aws-catalog";
import { readStackConfig } from "../../src/config/stack-files";

/** A committed stack's raw config with `operations` replaced. */
function withOperations(stack: string, operations: unknown): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(readStackConfig(stack)))
    if (k.startsWith("platform:")) values[k.slice(9)] = v;
  return { ...values, operations };
}

function problemsOf(stack: string, operations: unknown): string[] {
  try {
    parseStackConfig(stack, withOperations(stack, operations), "eu-west-1");
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.problems.map((p) => `${p.key}: got ${JSON.stringify(p.value)}; ${p.allowed}`);
  }
  return [];
}

describe("operations config", () => {
  it("fills unset thresholds with the environment's defaults: production pages early and fails closed on no data", () => {
    const prod = parseStackConfig(
      "production",
      withOperations("production", readStackConfig("production")["platform:operations"]),
      "eu-west-1",
    );
    const ops = operationsOf(prod);
    assert.deepEqual(ops.alarms, {
      errorRatePercent: 1,
      latencyP95Ms: 500,
      latencyP99Ms: 1500,
      restarts: 1,
      periodMinutes: 1,
      evaluationPeriods: 3,
    });
    assert.deepEqual(
      [ops.gate.windowMinutes, ops.gate.minRequests, ops.gate.noData, ops.gate.errorRatePercent],
      [10, 100, "fail", 1],
    );
    const dev = operationsOf(
      parseStackConfig("dev", withOperations("dev", { gate: { windowMinutes: 3 } }), "eu-west-1"),
    );
    assert.deepEqual([dev.gate.windowMinutes, dev.gate.noData, dev.alarms.errorRatePercent], [3, "pass", 5]);
  });

  it("names every bad window, holiday and threshold in one error, with the value and what is allowed", () => {
    assert.deepEqual(
      problemsOf("dev", {
        alarms: { errorRatePercent: 120 },
        changeWindows: [
          { name: "friday", days: ["fri", "funday"], from: "25:00", to: "08:00", timeZone: "Mars/Olympus" },
        ],
        holidays: [{ date: "2026-13-01", timeZone: "UTC" }],
        gate: { noData: "maybe", prometheusUrl: "https://prometheus.example.com" },
        notifications: { pagerDutyIntegrationKeySecretArn: "u+abc123integrationkey" },
      }),
      [
        "platform:operations.alarms.errorRatePercent: got 120; must be a number from 0 to 100",
        'platform:operations.changeWindows[0].days[1]: got "funday"; Invalid option: expected one of "mon"|"tue"|"wed"|"thu"|"fri"|"sat"|"sun"',
        'platform:operations.changeWindows[0].from: got "25:00"; must be a local time HH:MM (24 h)',
        'platform:operations.changeWindows[0].timeZone: got "Mars/Olympus"; must be an IANA time zone such as Europe/Berlin or UTC',
        'platform:operations.gate.noData: got "maybe"; Invalid option: expected one of "fail"|"pass"',
        'platform:operations.gate.prometheusUrl: got "https://prometheus.example.com"; must be an in-cluster http://<service>.<namespace>.svc[.cluster.local][:port] URL',
        'platform:operations.holidays[0].date: got "2026-13-01"; must be a date YYYY-MM-DD',
        'platform:operations.notifications.pagerDutyIntegrationKeySecretArn: got "u+abc123integrationkey"; must be a Secrets Manager secret ARN (a reference; never the key itself)',
      ],
    );
  });

  it("refuses a PagerDuty key given as a value, not a reference, even in production", () => {
    const problems = problemsOf("production", {
      notifications: { pagerDutyIntegrationKeySecretArn: "R0123456789ABCDEF0123456789ABCDEF" },
    });
    assert.equal(problems.length, 1);
    assert.match(
      problems[0],
      /^platform:operations\.notifications\.pagerDutyIntegrationKeySecretArn: got .*must be a Secrets Manager secret ARN/,
    );
  });

  it("every committed stack's operations validate", () => {
    for (const stack of ["dev", "staging", "production", "local"])
      assert.deepEqual(problemsOf(stack, readStackConfig(stack)["platform:operations"]), [], stack);
  });

  it("refuses a Chatbot region without Chatbot's API, naming the four that have it", () => {
    const ops = structuredClone(readStackConfig("dev")["platform:operations"]) as any;
    ops.notifications.slack.region = "us-east-1";
    assert.deepEqual(problemsOf("dev", ops), [
      'platform:operations.notifications.slack.region: got "us-east-1"; must be a region where AWS Chatbot\'s API exists: us-east-2, us-west-2, eu-west-1, ap-southeast-1',
    ]);
  });

  it("places each region's Chatbot configuration in its own region when the API is there, else on its continent", () => {
    for (const [region, chatbot] of [
      ["eu-west-1", "eu-west-1"],
      ["us-east-2", "us-east-2"],
      ["us-east-1", "us-east-2"],
      ["ca-central-1", "us-east-2"],
      ["sa-east-1", "us-east-2"],
      ["us-west-1", "us-west-2"],
      ["eu-central-1", "eu-west-1"],
      ["me-central-1", "eu-west-1"],
      ["af-south-1", "eu-west-1"],
      ["ap-northeast-1", "ap-southeast-1"],
      ["ap-south-1", "ap-southeast-1"],
    ])
      assert.equal(chatbotRegionFor(region), chatbot, region);
  });

  it("refuses a holiday the calendar does not have, which would never block a deploy, and keeps 29 February of a leap year", () => {
    const ops = structuredClone(readStackConfig("production")["platform:operations"]) as any;
    ops.holidays = [
      { date: "2026-02-30", name: "no such day", timeZone: "Europe/Berlin" },
      { date: "2027-02-29", name: "not a leap year", timeZone: "Europe/Berlin" },
      { date: "2028-02-29", name: "leap day", timeZone: "Europe/Berlin" },
      { date: "2026-04-31", name: "April has 30", timeZone: "Europe/Berlin" },
    ];
    assert.deepEqual(
      problemsOf("production", ops).filter((p) => p.includes("holidays")),
      [0, 1, 3].map(
        (i) =>
          `platform:operations.holidays[${i}].date: got ${JSON.stringify(ops.holidays[i].date)}; must be a date the calendar has (YYYY-MM-DD): 2026-02-30 never comes, so it would never block a deploy`,
      ),
    );
  });
});
