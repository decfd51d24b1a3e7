import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { parseKarpenterSchedule } from "../../../api/cron/index.ts";
import { ValueError } from "../../../api/value-error.ts";
import {
  parseKarpenterScheduleOrThrow,
  scheduleErrorMessage,
  scheduleErrorReason,
} from "../../../policies/schedule-text/index.ts";
import { TABLE } from "../../api/cron/schedule-table.ts";

describe("the message for every rejected schedule of the parser's table", () => {
  for (const [schedule, accepted] of TABLE) {
    if (accepted) continue;
    test(JSON.stringify(schedule), () => {
      const parsed = parseKarpenterSchedule(schedule);
      assert.ok(!parsed.ok);
      const message = scheduleErrorMessage(parsed);
      assert.match(message, /^invalid schedule /);
      assert.ok(message.includes(parsed.goError), "the message quotes robfig's error");
      assert.equal(message, `invalid schedule ${JSON.stringify(schedule)}: ${scheduleErrorReason(parsed)}`);
    });
  }
});

describe("plain-words errors", () => {
  const message = (s: string) => {
    const parsed = parseKarpenterSchedule(s);
    assert.ok(!parsed.ok);
    return scheduleErrorMessage(parsed);
  };
  test("wrapping ranges suggest a list", () => {
    assert.match(message("0 0 * * sat-sun"), /write "sat,sun" instead/);
    assert.match(message("0 22 * * fri-mon"), /write "fri-sat,sun-mon" instead/);
    assert.match(message("0 22-2 * * *"), /write "22-23,0-2" instead/);
  });
  test("dialect mistakes are named", () => {
    assert.match(message("0 0 9 * * 1"), /no seconds or year field/);
    assert.match(message("0 0 L * *"), /Quartz/);
    assert.match(message("0 0 * * 1#2"), /Quartz/);
    assert.match(message("H * * * *"), /Jenkins/);
    assert.match(message("0 0 * * 7"), /Sunday as 0/);
    assert.match(message("TZ=Europe/Berlin 0 9 * * *"), /always evaluates schedules in UTC/);
    assert.match(message("@Daily"), /case-sensitive: write "@daily"/);
    assert.match(message("0 0 * * monday"), /three-letter names/);
    assert.match(message(""), /empty/);
  });
  test("parseKarpenterScheduleOrThrow throws a ValueError with the same message", () => {
    assert.throws(
      () => parseKarpenterScheduleOrThrow("0 0 * * sat-sun"),
      (e: unknown) => e instanceof ValueError && e.message === message("0 0 * * sat-sun"),
    );
    assert.equal(parseKarpenterScheduleOrThrow("@daily").kind, "cron");
  });
  test("a non-string is an error, not a throw", () => {
    const parsed = parseKarpenterSchedule(42 as unknown as string);
    assert.equal(parsed.ok, false);
    assert.equal(!parsed.ok && scheduleErrorMessage(parsed), "the schedule must be a string");
  });
});
