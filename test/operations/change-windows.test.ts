import { strict as assert } from "assert";
import {
  activeChangeWindow,
  ChangeWindow,
  deployPermission,
  localTime,
  windowOpen,
} from "../../src/operations/change-windows";

const WEEKEND: ChangeWindow = {
  name: "weekend",
  days: ["fri"],
  from: "15:00",
  to: "08:00",
  until: "mon",
  timeZone: "Europe/Berlin",
};
const at = (iso: string) => new Date(iso);

describe("change windows", () => {
  it("reads local time in the window's zone, not the machine's", () => {
    // 2026-11-20 is a Friday; 14:30 UTC is 15:30 in Berlin (CET, +1) and 09:30 in New York.
    assert.deepEqual(localTime(at("2026-11-20T14:30:00Z"), "Europe/Berlin"), {
      date: "2026-11-20",
      weekday: 4,
      minutes: 15 * 60 + 30,
    });
    assert.equal(localTime(at("2026-11-20T14:30:00Z"), "America/New_York").minutes, 9 * 60 + 30);
  });

  const cases: [string, string, boolean][] = [
    ["Friday 14:59 Berlin (13:59 UTC in winter)", "2026-11-20T13:59:00Z", false],
    ["Friday 15:00 Berlin", "2026-11-20T14:00:00Z", true],
    ["Saturday noon", "2026-11-21T11:00:00Z", true],
    ["Sunday 23:59 Berlin", "2026-11-22T22:59:00Z", true],
    ["Monday 07:59 Berlin", "2026-11-23T06:59:00Z", true],
    ["Monday 08:00 Berlin", "2026-11-23T07:00:00Z", false],
    ["Wednesday", "2026-11-25T12:00:00Z", false],
    // Summer time (CEST, +2): the same local 15:00 is 13:00 UTC.
    ["Friday 15:00 Berlin in summer (13:00 UTC)", "2026-07-03T13:00:00Z", true],
    ["Friday 14:30 Berlin in summer (12:30 UTC)", "2026-07-03T12:30:00Z", false],
    // The weekend of the autumn DST change (Sunday 2026-10-25, 03:00 CEST → 02:00 CET).
    ["Monday 07:30 Berlin after the clocks went back (06:30 UTC)", "2026-10-26T06:30:00Z", true],
    ["Monday 08:00 Berlin after the clocks went back (07:00 UTC)", "2026-10-26T07:00:00Z", false],
  ];
  for (const [what, iso, open] of cases)
    it(`the Friday-to-Monday window is ${open ? "open" : "closed"} on ${what}`, () => {
      assert.equal(windowOpen(WEEKEND, at(iso)), open);
    });

  it("one instant is inside a Tokyo evening window and outside the same window in Berlin", () => {
    const evening: ChangeWindow = {
      name: "evening",
      days: ["mon", "tue", "wed", "thu", "fri"],
      from: "18:00",
      to: "23:00",
      timeZone: "Asia/Tokyo",
    };
    const instant = at("2026-11-24T10:00:00Z"); // Tuesday 19:00 in Tokyo, 11:00 in Berlin
    assert.equal(windowOpen(evening, instant), true);
    assert.equal(windowOpen({ ...evening, timeZone: "Europe/Berlin" }, instant), false);
  });

  it("a window wrapping past Sunday midnight holds on Monday morning", () => {
    const sunday: ChangeWindow = {
      name: "maintenance",
      days: ["sun"],
      from: "22:00",
      to: "02:00",
      timeZone: "UTC",
    };
    assert.equal(windowOpen(sunday, at("2026-11-23T01:00:00Z")), true);
    assert.equal(windowOpen(sunday, at("2026-11-23T02:00:00Z")), false);
  });

  it("a holiday holds for its whole local day in its zone", () => {
    const holidays = [{ date: "2026-12-24", name: "Christmas Eve", timeZone: "Europe/Berlin" }];
    assert.equal(activeChangeWindow([], holidays, at("2026-12-23T23:30:00Z"))?.name, "Christmas Eve"); // 00:30 Berlin
    assert.equal(activeChangeWindow([], holidays, at("2026-12-24T23:30:00Z")), undefined); // 00:30 on the 25th
  });

  describe("deploy permission", () => {
    const base = { stack: "production", windows: [WEEKEND], holidays: [], now: at("2026-11-21T11:00:00Z") };

    it("refuses inside a window, naming the window and how to override", () => {
      const p = deployPermission(base);
      assert.equal(p.allowed, false);
      assert.match(
        p.detail,
        /change window "weekend" \(fri 15:00 → mon 08:00 Europe\/Berlin\) holds for production/,
      );
      assert.match(p.detail, /CHANGE_WINDOW_OVERRIDE/);
    });

    it("allows inside a window while an override has not expired, and refuses once it has", () => {
      assert.equal(deployPermission({ ...base, overrideUntil: "2026-11-21T12:00:00Z" }).allowed, true);
      const expired = deployPermission({ ...base, overrideUntil: "2026-11-21T10:00:00Z" });
      assert.equal(expired.allowed, false);
      assert.match(expired.detail, /override expired at 2026-11-21T10:00:00\.000Z/);
    });

    it("allows outside every window", () => {
      assert.equal(deployPermission({ ...base, now: at("2026-11-25T12:00:00Z") }).allowed, true);
    });

    it("a freeze refuses at any time, and an override does not lift it", () => {
      const frozen = deployPermission({
        ...base,
        now: at("2026-11-25T12:00:00Z"),
        freezeVariable: "incident INC-42",
        overrideUntil: "2026-11-30T00:00:00Z",
      });
      assert.equal(frozen.allowed, false);
      assert.match(frozen.detail, /deploys of production are frozen: incident INC-42/);
      assert.equal(
        deployPermission({ ...base, windows: [], configFreeze: "migration weekend" }).allowed,
        false,
      );
      assert.equal(deployPermission({ ...base, windows: [], freezeVariable: "  " }).allowed, true);
    });
  });
});
