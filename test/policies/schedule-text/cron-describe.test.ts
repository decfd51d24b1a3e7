import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { parseKarpenterSchedule, type ParsedSchedule } from "../../../api/cron/index.ts";
import { describeSchedule } from "../../../policies/schedule-text/index.ts";

function parse(schedule: string): ParsedSchedule {
  const parsed = parseKarpenterSchedule(schedule);
  assert.ok(parsed.ok, schedule);
  return parsed;
}

describe("describeSchedule", () => {
  const cases: [string, string][] = [
    ["0 9 * * mon-fri", "at 09:00 UTC on Monday through Friday"],
    ["0 0 * * *", "every day at midnight UTC"],
    ["@midnight", "every day at midnight UTC"],
    ["0 * * * *", "at minute 0 of every hour"],
    ["@hourly", "at minute 0 of every hour"],
    ["* * * * *", "every minute"],
    ["*/15 * * * *", "every 15 minutes"],
    ["@yearly", "at midnight UTC on 1 January"],
    ["@monthly", "at midnight UTC on day 1 of the month"],
    ["@weekly", "at midnight UTC on Sunday"],
    ["0 0 * * sat,sun", "at midnight UTC on Saturday and Sunday"],
    ["0 0 * * fri,sat,sun", "at midnight UTC on Friday through Sunday"],
    ["0 0 * * 1,3,5", "at midnight UTC on Monday, Wednesday and Friday"],
    ["0 9,17 * * *", "every day at 09:00 and 17:00 UTC"],
    ["0 0 1 * 1", "at midnight UTC on day 1 of the month and on every Monday"],
    ["0 0 1-7 * *", "at midnight UTC on days 1–7 of the month"],
    ["0 0 * jan-mar *", "every day at midnight UTC in January through March"],
    ["30 */2 * * *", "at minute 30 of every 2nd hour (00:30, … 22:30 UTC)"],
    ["* 9-17 * * *", "every minute from 09:00 to 17:59 UTC"],
    ["15,45 8-18 * * 1-5", "at minutes 15 and 45 past hours 8–18 UTC on Monday through Friday"],
    ["0 0 31 2 *", "at midnight UTC on 31 February, which never happens: no such date exists"],
    [", * * * *", "never: the minute field matches no value"],
    ["@every 90m", "every 1 hour 30 minutes, counted from whenever it is checked (no fixed start time)"],
  ];
  for (const [schedule, text] of cases) {
    test(schedule, () => assert.equal(describeSchedule(parse(schedule)), text));
  }
});
