import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  allowedDisruptions,
  DEFAULT_BUDGETS,
  isBudgetActive,
  scaledNodes,
  type BudgetActivity,
  type DisruptionBudget,
} from "../../../api/cron/budget-window.ts";
import {
  budgetWindowDescription,
  seasonalReferenceDates,
  timeZoneOffsetMinutes,
  toUtcWindow,
} from "../../../policies/schedule-text/index.ts";
import { ValueError } from "../../../api/value-error.ts";

const at = (iso: string) => new Date(iso);
const active = (budget: DisruptionBudget, iso: string) => isBudgetActive(budget, at(iso)).active;

// 2025-06-06 is a Friday, 2025-06-09 a Monday.
const WORKDAY_FREEZE: DisruptionBudget = { nodes: "0", schedule: "0 9 * * mon-fri", duration: "8h" };
const NIGHTLY: DisruptionBudget = { nodes: "0", schedule: "0 22 * * *", duration: "4h" };

describe("isBudgetActive (Karpenter Budget.IsActive)", () => {
  test("no schedule and no duration: always active", () => {
    assert.deepEqual(isBudgetActive({ nodes: "10%" }, at("2025-06-09T00:00:00Z")), { status: "always", active: true });
  });

  test("window edges: active from h, inactive from exactly h + duration", () => {
    assert.equal(active(WORKDAY_FREEZE, "2025-06-09T08:59:59.999Z"), false);
    assert.equal(active(WORKDAY_FREEZE, "2025-06-09T09:00:00.000Z"), true);
    assert.equal(active(WORKDAY_FREEZE, "2025-06-09T16:59:59.999Z"), true);
    // Karpenter asks for Next(now − duration), strictly after, so the run at exactly now − duration is not found.
    assert.equal(active(WORKDAY_FREEZE, "2025-06-09T17:00:00.000Z"), false);
    assert.equal(active(WORKDAY_FREEZE, "2025-06-09T17:00:00.001Z"), false);
    assert.equal(active(WORKDAY_FREEZE, "2025-06-07T10:00:00Z"), false, "Saturday");
  });

  test("reports the window and the next start", () => {
    const during = isBudgetActive(WORKDAY_FREEZE, at("2025-06-09T10:00:00Z"));
    assert.equal(during.status, "active");
    assert.equal(during.status === "active" ? during.windowStart?.toISOString() : "", "2025-06-09T09:00:00.000Z");
    assert.equal(during.status === "active" ? during.activeUntil?.toISOString() : "", "2025-06-09T17:00:00.000Z");
    const weekend = isBudgetActive(WORKDAY_FREEZE, at("2025-06-07T10:00:00Z"));
    assert.deepEqual(weekend, { status: "inactive", active: false, nextStart: at("2025-06-09T09:00:00Z") });
  });

  test("overnight windows cross midnight", () => {
    assert.equal(active(NIGHTLY, "2025-06-09T21:59:59Z"), false);
    assert.equal(active(NIGHTLY, "2025-06-09T22:00:00Z"), true);
    assert.equal(active(NIGHTLY, "2025-06-10T00:30:00Z"), true);
    assert.equal(active(NIGHTLY, "2025-06-10T01:59:59Z"), true);
    assert.equal(active(NIGHTLY, "2025-06-10T02:00:00Z"), false);
    const weekend: DisruptionBudget = { nodes: "0", schedule: "0 22 * * fri", duration: "56h" };
    assert.equal(active(weekend, "2025-06-08T12:00:00Z"), true, "Sunday noon");
    assert.equal(active(weekend, "2025-06-09T05:59:00Z"), true, "Monday 05:59");
    assert.equal(active(weekend, "2025-06-09T06:00:00Z"), false, "Monday 06:00");
  });

  test("overlapping windows extend activeUntil", () => {
    const every5: DisruptionBudget = { nodes: "1", schedule: "*/5 * * * *", duration: "10m" };
    const result = isBudgetActive(every5, at("2025-06-09T10:00:00Z"));
    assert.equal(result.status, "active");
    assert.equal(result.status === "active" ? result.activeUntil : "x", undefined);
    const twice: DisruptionBudget = { nodes: "1", schedule: "0 9,12 * * *", duration: "4h" };
    const merged = isBudgetActive(twice, at("2025-06-09T10:00:00Z"));
    assert.equal(merged.status === "active" ? merged.activeUntil?.toISOString() : "", "2025-06-09T16:00:00.000Z");
  });

  test("a schedule without duration has a zero-length window: never active", () => {
    const noDuration: DisruptionBudget = { nodes: "0", schedule: "0 9 * * *" };
    assert.deepEqual(isBudgetActive(noDuration, at("2025-06-09T09:00:00Z")), {
      status: "inactive",
      active: false,
      nextStart: undefined,
    });
  });

  test("a schedule robfig never finds a run for is always active", () => {
    const result = isBudgetActive({ nodes: "0", schedule: "0 0 31 2 *", duration: "1h" }, at("2025-06-09T09:00:00Z"));
    assert.equal(result.active, true);
    assert.equal(result.status === "active" && result.neverFires, true);
  });

  test("@every is either always or never active", () => {
    assert.equal(active({ nodes: "0", schedule: "@every 1h", duration: "2h" }, "2025-06-09T09:17:23.456Z"), true);
    assert.equal(active({ nodes: "0", schedule: "@every 2h", duration: "2h" }, "2025-06-09T09:17:23.456Z"), true);
    assert.equal(active({ nodes: "0", schedule: "@every 3h", duration: "2h" }, "2025-06-09T09:17:23.456Z"), false);
  });

  test("unparsable schedules, and duration without schedule, are invalid", () => {
    const invalid = (budget: DisruptionBudget): BudgetActivity => isBudgetActive(budget, at("2025-06-09T09:00:00Z"));
    const wrap = invalid({ nodes: "0", schedule: "0 0 * * sat-sun", duration: "48h" });
    assert.equal(wrap.status, "invalid");
    assert.match(wrap.status === "invalid" ? wrap.message : "", /sat,sun.*blocks all disruption/);
    assert.equal(invalid({ nodes: "0", duration: "1h" }).status, "invalid");
    const badDuration = invalid({ nodes: "0", schedule: "@daily", duration: "1d" });
    assert.match(badDuration.status === "invalid" ? badDuration.message : "", /API server would reject/);
  });

  test("an invalid now is a ValueError", () => {
    assert.throws(() => isBudgetActive(WORKDAY_FREEZE, new Date(NaN)), ValueError);
  });
});

describe("allowedDisruptions (Karpenter MustGetAllowedDisruptions)", () => {
  const MONDAY_10 = at("2025-06-09T10:00:00Z");
  const SATURDAY = at("2025-06-07T10:00:00Z");

  test("percentages round up", () => {
    const allowed = (nodes: string, numNodes: number) =>
      allowedDisruptions([{ nodes }], "Drifted", numNodes, MONDAY_10).allowed;
    assert.equal(allowed("10%", 15), 2);
    assert.equal(allowed("10%", 10), 1);
    assert.equal(allowed("10%", 1), 1);
    assert.equal(allowed("10%", 0), 0);
    assert.equal(allowed("1%", 101), 2);
    assert.equal(allowed("0%", 50), 0);
    assert.equal(allowed("100%", 7), 7);
    assert.equal(allowed("3", 100), 3);
    assert.equal(allowed("0", 100), 0);
  });

  test("the default budget is 10%", () => {
    assert.equal(allowedDisruptions(DEFAULT_BUDGETS, "Empty", 25, MONDAY_10).allowed, 3);
  });

  test("reason filtering", () => {
    const budgets: DisruptionBudget[] = [
      { nodes: "0", reasons: ["Drifted"] },
      { nodes: "5", reasons: ["Underutilized", "Empty"] },
    ];
    assert.equal(allowedDisruptions(budgets, "Drifted", 50, MONDAY_10).allowed, 0);
    assert.equal(allowedDisruptions(budgets, "Underutilized", 50, MONDAY_10).allowed, 5);
    assert.equal(
      allowedDisruptions([{ nodes: "0", reasons: ["Drifted"] }], "Empty", 50, MONDAY_10).allowed,
      "unlimited",
    );
    // `reasons: []` is not nil in Go, and contains no reason: the budget limits nothing.
    assert.equal(allowedDisruptions([{ nodes: "0", reasons: [] }], "Empty", 50, MONDAY_10).allowed, "unlimited");
  });

  test("the most restrictive active budget wins", () => {
    const budgets: DisruptionBudget[] = [{ nodes: "20%" }, { nodes: "3" }, { ...WORKDAY_FREEZE, nodes: "1" }];
    const result = allowedDisruptions(budgets, "Drifted", 50, MONDAY_10);
    assert.equal(result.allowed, 1);
    assert.deepEqual(
      result.activeBudgets.map((b) => [b.index, b.allowed]),
      [
        [0, 10],
        [1, 3],
        [2, 1],
      ],
    );
    assert.equal(allowedDisruptions(budgets, "Drifted", 50, SATURDAY).allowed, 3);
  });

  test("no active budget: unlimited, the scheduled-only surprise", () => {
    const result = allowedDisruptions([WORKDAY_FREEZE], "Underutilized", 50, SATURDAY);
    assert.equal(result.allowed, "unlimited");
    assert.equal(result.failClosed, false);
    assert.deepEqual(result.activeBudgets, []);
    assert.equal(result.budgets[0]?.allowed, "unlimited");
    assert.equal(allowedDisruptions([], "Underutilized", 50, SATURDAY).allowed, "unlimited");
    assert.equal(allowedDisruptions([WORKDAY_FREEZE], "Underutilized", 50, MONDAY_10).allowed, 0);
  });

  test("fail closed: one unparsable schedule blocks every reason, active or not", () => {
    const budgets: DisruptionBudget[] = [
      { nodes: "10%" },
      { nodes: "5", reasons: ["Drifted"], schedule: "0 0 * * sat-sun", duration: "48h" },
    ];
    for (const reason of ["Drifted", "Underutilized", "Empty"]) {
      const result = allowedDisruptions(budgets, reason, 100, MONDAY_10);
      assert.equal(result.allowed, 0, reason);
      assert.equal(result.failClosed, true);
      assert.match(result.budgets[1]?.error ?? "", /sat-sun/);
    }
  });

  test("a bad nodes value fails closed only while its budget is active", () => {
    const budgets: DisruptionBudget[] = [{ nodes: "ten", schedule: "0 9 * * mon-fri", duration: "8h" }];
    assert.equal(allowedDisruptions(budgets, "Empty", 10, MONDAY_10).failClosed, true);
    assert.equal(allowedDisruptions(budgets, "Empty", 10, SATURDAY).allowed, "unlimited");
  });

  test("invalid node counts are a ValueError", () => {
    assert.throws(() => allowedDisruptions([], "Empty", -1, MONDAY_10), ValueError);
    assert.throws(() => allowedDisruptions([], "Empty", 1.5, MONDAY_10), ValueError);
    assert.throws(() => allowedDisruptions([], "Empty", NaN, MONDAY_10), ValueError);
  });
});

describe("scaledNodes (intstr as Karpenter uses it)", () => {
  test("counts, percentages and errors", () => {
    assert.equal(scaledNodes("5", 3), 5);
    assert.equal(scaledNodes("+5", 3), 5);
    assert.equal(scaledNodes("150%", 10), 15);
    assert.equal(scaledNodes("4294967301", 10), 5, "intstr.FromInt keeps 32 bits");
    assert.equal(scaledNodes("ten", 10), "invalid type: string is not a percentage");
    assert.match(String(scaledNodes("x%", 10)), /^invalid value "x%"/);
    assert.match(String(scaledNodes("", 10)), /not a percentage/);
  });
});

describe("budgetWindowDescription", () => {
  const cases: [string, string, string][] = [
    ["0 9 * * mon-fri", "12h", "Mon–Fri 09:00–21:00 UTC"],
    ["0 22 * * *", "4h", "daily 22:00–02:00 UTC (next day)"],
    ["0 22 * * *", "2h", "daily 22:00–24:00 UTC"],
    ["0 9,17 * * *", "1h", "daily 09:00–10:00 and 17:00–18:00 UTC"],
    ["0 9 * * 1,3", "1h", "Mon, Wed 09:00–10:00 UTC"],
    ["0 9 * * sat,sun", "1h", "Sat, Sun 09:00–10:00 UTC"],
    ["0 * * * *", "10m", "hourly :00–:10 UTC"],
    ["0,30 * * * *", "10m", "hourly :00–:10 and :30–:40 UTC"],
    ["0 * * * mon-fri", "10m", "Mon–Fri hourly :00–:10 UTC"],
    ["0 9 * * mon-fri", "24h", "Mon 09:00 – Sat 09:00 UTC"],
    ["0 0 * * sat", "48h", "Sat 00:00 – Mon 00:00 UTC"],
    ["0 22 * * fri", "56h", "Fri 22:00 – Mon 06:00 UTC"],
    ["0 0 * * *", "24h", "always: each window starts before the previous one ends"],
    ["*/5 * * * *", "10m", "always: each window starts before the previous one ends"],
    ["0 0 1 * *", "4h", "on day 1 of the month, 00:00–04:00 UTC"],
    ["0 22 1 * *", "4h", "on day 1 of the month, 22:00–02:00 UTC (next day)"],
    ["0 0 1 * *", "48h", 'for 48h after each run of "0 0 1 * *" (at midnight UTC on day 1 of the month)'],
    ["0 9 * * *", "0m", "never: a window of zero length is never active"],
    ["0 0 31 2 *", "1h", 'always: "0 0 31 2 *" never runs, and Karpenter treats a schedule with no next run as active'],
  ];
  for (const [schedule, duration, text] of cases) {
    test(`${schedule} for ${duration}`, () => assert.equal(budgetWindowDescription(schedule, duration), text));
  }
  test("@every", () => {
    assert.match(budgetWindowDescription("@every 1h", "2h"), /^always: /);
    assert.match(budgetWindowDescription("@every 3h", "2h"), /^never: /);
  });
  test("invalid input is a ValueError", () => {
    assert.throws(() => budgetWindowDescription("0 0 * * sat-sun", "1h"), ValueError);
    assert.throws(() => budgetWindowDescription("@daily", "1d"), ValueError);
  });
});

describe("toUtcWindow", () => {
  const YEAR = seasonalReferenceDates(2025);

  test("Europe/Berlin drifts by an hour", () => {
    const result = toUtcWindow("0 9 * * *", "Europe/Berlin", YEAR);
    assert.equal(result.drifts, true);
    assert.equal(result.driftMinutes, 60);
    assert.deepEqual(result.offsetsMinutes, [60, 120]);
    assert.deepEqual(
      result.equivalents.map((e) => e.utcSchedule),
      ["0 8 * * *", "0 7 * * *"],
    );
    assert.equal(
      result.message,
      "09:00 Europe/Berlin is 08:00 UTC in winter and 07:00 UTC in summer: a UTC schedule drifts by 1h across DST",
    );
  });

  test("America/New_York keeps the weekdays", () => {
    const result = toUtcWindow("0 9 * * mon-fri", "America/New_York", YEAR);
    assert.deepEqual(
      result.equivalents.map((e) => [e.offsetMinutes, e.utcSchedule]),
      [
        [-300, "0 14 * * 1-5"],
        [-240, "0 13 * * 1-5"],
      ],
    );
    assert.match(result.message, /14:00 UTC in winter and 13:00 UTC in summer/);
  });

  test("Asia/Tokyo has no DST; early times move to the previous UTC day", () => {
    const nine = toUtcWindow("0 9 * * mon-fri", "Asia/Tokyo", YEAR);
    assert.equal(nine.drifts, false);
    assert.deepEqual(nine.offsetsMinutes, [540]);
    assert.equal(
      nine.message,
      '09:00 Asia/Tokyo is 00:00 UTC on every reference date (no DST shift): write "0 0 * * 1-5"',
    );
    const eight = toUtcWindow("0 8 * * mon-fri", "Asia/Tokyo", YEAR);
    assert.equal(eight.equivalents[0]?.utcSchedule, "0 23 * * 0-4");
    assert.equal(eight.equivalents[0]?.dayShift, -1);
  });

  test("UTC is unchanged", () => {
    const result = toUtcWindow("30 2 * * *", "UTC", YEAR);
    assert.equal(result.drifts, false);
    assert.equal(result.equivalents[0]?.utcSchedule, "30 2 * * *");
  });

  test("several times, and the southern hemisphere", () => {
    const berlin = toUtcWindow("0 9,17 * * 1-5", "Europe/Berlin", YEAR);
    assert.match(berlin.message, /"0 8,16 \* \* 1-5" in UTC in winter and "0 7,15 \* \* 1-5" in UTC in summer/);
    // Sydney's summer (DST, UTC+11) is in January.
    const sydney = toUtcWindow("0 9 * * *", "Australia/Sydney", YEAR);
    assert.deepEqual(sydney.offsetsMinutes, [600, 660]);
    assert.match(sydney.message, /23:00 UTC the day before in winter and 22:00 UTC the day before in summer/);
  });

  test("a day-of-month schedule that moves to another UTC day cannot be expressed", () => {
    const result = toUtcWindow("0 0 1 * *", "Europe/Berlin", YEAR);
    assert.equal(result.equivalents[0]?.utcSchedule, undefined);
    assert.match(result.equivalents[0]?.problem ?? "", /different day/);
    assert.match(result.message, /no single UTC schedule matches it/);
  });

  test("half-hour offsets shift minutes", () => {
    assert.equal(toUtcWindow("30 9 * * *", "Asia/Kolkata", YEAR).equivalents[0]?.utcSchedule, "0 4 * * *");
  });

  test("@every does not depend on the zone", () => {
    const result = toUtcWindow("@every 1h", "Europe/Berlin", YEAR);
    assert.equal(result.drifts, false);
    assert.equal(result.equivalents[0]?.utcSchedule, "@every 1h");
  });

  test("invalid input is a ValueError", () => {
    assert.throws(() => toUtcWindow("0 9 * * *", "Mars/Olympus", YEAR), /invalid time zone "Mars\/Olympus"/);
    assert.throws(() => toUtcWindow("0 9 * * *", "", YEAR), ValueError);
    assert.throws(() => toUtcWindow("0 9 * * *", "Europe/Berlin", []), ValueError);
    assert.throws(() => toUtcWindow("0 0 * * sat-sun", "Europe/Berlin", YEAR), ValueError);
    assert.throws(() => timeZoneOffsetMinutes("Europe/Berlin", new Date(NaN)), ValueError);
    assert.throws(() => seasonalReferenceDates(0), ValueError);
  });

  test("offsets at given instants", () => {
    assert.equal(timeZoneOffsetMinutes("Europe/Berlin", at("2025-03-30T00:59:59Z")), 60);
    assert.equal(timeZoneOffsetMinutes("Europe/Berlin", at("2025-03-30T01:00:00Z")), 120);
    assert.equal(timeZoneOffsetMinutes("America/New_York", at("2025-11-02T06:00:00Z")), -300);
  });
});
