import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { budgetWindowDescription } from "../../../policies/schedule-text/index.ts";
import { ValueError } from "../../../api/value-error.ts";

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
