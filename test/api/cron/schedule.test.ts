import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  matchesScheduleCrdPattern,
  parseKarpenterSchedule,
  parseKarpenterScheduleOrThrow,
  type ParsedSchedule,
} from "../../../api/cron/schedule.ts";
import { goAtoi, goFields, goTrimSpace } from "../../../api/cron/go-text.ts";
import { ValueError } from "../../../api/value-error.ts";

// [schedule, robfig accepts, CRD pattern admits, why]. robfig = cron/v3 v3.0.1 ParseStandard("TZ=UTC " + s),
// read from parser.go/spec.go; "robfig test" marks inputs taken from robfig's own parser_test.go.
const TABLE: [string, boolean, boolean, string][] = [
  ["0 9 * * mon-fri", true, true, "names, case-insensitive"],
  ["0 0 * * *", true, true, "plain"],
  ["5 * * * *", true, true, "robfig test TestStandardSpecSchedule"],
  ["@yearly", true, true, "descriptor"],
  ["@annually", true, true, "descriptor"],
  ["@monthly", true, true, "descriptor"],
  ["@weekly", true, true, "descriptor"],
  ["@daily", true, true, "descriptor"],
  ["@midnight", true, true, "descriptor (cron-parser rejects it)"],
  ["@hourly", true, true, "descriptor"],
  ["@every 5m", true, false, "robfig test TestStandardSpecSchedule: ParseStandard enables Descriptor"],
  ["@every 1h30m", true, false, "Go duration"],
  ["@every 0s", true, false, "Every() raises anything below 1s to 1s"],
  ["@every -1h", true, false, "negative durations too"],
  ["@every 1h ", true, false, "Parse trims the text after the TZ prefix"],
  ["* * * * ?", true, true, "ParseStandard doc comment: ? is a star"],
  ["? ? ? ? ?", true, true, "? is accepted in every field"],
  ["*/15 * * * *", true, true, "step"],
  ["5-59/15 * * * *", true, true, "range with step"],
  ["5/15 * * * *", true, true, "N/step means N-max/step"],
  ["*/90 * * * *", true, true, "a step past the maximum leaves just the start"],
  ["*/1 * * * *", true, true, "step 1 keeps the star bit"],
  ["0 0 1,15 * *", true, true, "list"],
  ["0 0 * JAN-MAR *", true, true, "month names"],
  ["0 0 * * SUN", true, true, "day name"],
  ["0 0 * * Sat", true, true, "mixed case"],
  ["0 0 * * mon-5", true, true, "name and number in one range"],
  ["0 0 * * sun/2", true, true, "name with step"],
  ["0 0 * * 0-6", true, true, "full week"],
  ["0 0 31 2 *", true, true, "parses, but never fires"],
  ["59 23 31 12 *", true, true, "upper bounds"],
  ["1,,2 * * * *", true, true, "strings.FieldsFunc drops empty list items"],
  [", * * * *", true, true, "an empty list: no minute at all"],
  ["0 9 * * mon-fri,", true, true, "trailing comma"],
  ["*-5 * * * *", true, true, "getRange ignores what follows '*-'"],
  ["+5 * * * *", true, true, "strconv.Atoi accepts a plus sign"],
  ["*/+5 * * * *", true, true, "also in steps"],
  ["05 09 * * *", true, true, "leading zeros"],
  ["00000000000000000001 * * * *", true, true, "long numbers go through ParseInt"],
  ["  0 9 * * 1  ", true, true, "surrounding spaces are trimmed"],
  ["0\t9 * * 1-5", true, true, "any Go space separates fields"],
  ["0 9 * * *\u0085", true, true, "U+0085 is a Go space (not a JavaScript one)"],
  [" @daily", true, false, "trimmed before the '@' check; the CRD pattern refuses the space"],
  ["0 0 * * FR\u0130", true, true, "Go lower-cases U+0130 to 'i'"],
  ["0 0 * * sat-sun", false, true, "ranges do not wrap (kubernetes-sigs/karpenter#1866)"],
  ["0 22 * * fri-mon", false, true, "wrapping weekday range"],
  ["0 0 9 * * 1", false, true, "six fields: no seconds with ParseStandard"],
  ["0 9 * * 1-5 2025", false, true, "no year field"],
  ["* * * *", false, false, "robfig test TestStandardSpecSchedule: expected exactly 5 fields"],
  ["", false, false, "robfig test TestParseScheduleErrors: empty (here 0 fields after the TZ prefix)"],
  ["   ", false, false, "blank"],
  ["5 j * * *", false, true, "robfig test TestStandardSpecSchedule: failed to parse int"],
  ["@unrecognized", false, false, "robfig test TestParseScheduleErrors"],
  ["@every Xm", false, false, "robfig test TestParseScheduleErrors"],
  ["@every", false, false, "no space, so not the @every form"],
  ["@every  5m", false, false, "two spaces: ParseDuration sees ' 5m'"],
  ["@every\t5m", false, false, "only a space introduces the duration"],
  ["@every 1d", false, false, "Go durations have no days"],
  ["@Daily", false, false, "descriptors are case-sensitive"],
  ["@daily @hourly", false, true, "unanchored CRD pattern admits it"],
  ["0 0 L * *", false, true, "Quartz L"],
  ["0 0 LW * *", false, true, "Quartz LW"],
  ["0 0 1W * *", false, true, "Quartz W"],
  ["0 0 * * 5L", false, true, "Quartz last weekday"],
  ["0 0 * * 1#2", false, true, "Quartz nth weekday"],
  ["H * * * *", false, true, "Jenkins H"],
  ["H/15 * * * *", false, true, "Jenkins H with step"],
  ["0 0 * * 7", false, true, "day of week is 0-6"],
  ["0 0 * * 1-7", false, true, "7 as a range end"],
  ["60 * * * *", false, true, "minute above 59"],
  ["* 24 * * *", false, true, "hour above 23"],
  ["* * 0 * *", false, true, "day of month below 1"],
  ["* * 32 * *", false, true, "day of month above 31"],
  ["* * * 0 *", false, true, "month below 1"],
  ["* * * 13 *", false, true, "month above 12"],
  ["5-3 * * * *", false, true, "robfig test TestRange: beyond end of range"],
  ["*/0 * * * *", false, true, "robfig test TestRange: step should be a positive number"],
  ["*/-0 * * * *", false, true, "-0 parses as 0"],
  ["*/-12 * * * *", false, true, "robfig test TestRange: negative number"],
  ["*//2 * * * *", false, true, "robfig test TestRange: too many slashes"],
  ["5--5 * * * *", false, true, "robfig test TestRange: too many hyphens"],
  ["* * * jan-x *", false, true, "robfig test TestRange: jan-x"],
  ["70/5 * * * *", false, true, "start above the maximum"],
  ["-1 * * * *", false, true, "a leading hyphen is a range with no start"],
  ["1- * * * *", false, true, "range with no end"],
  ["TZ=Europe/Berlin 0 9 * * *", false, true, "Karpenter's own TZ=UTC prefix comes first: six fields"],
  ["CRON_TZ=UTC 0 9 * * *", false, true, "same with CRON_TZ"],
  ["TZ=UTC @daily", false, false, "two fields"],
  ["0 0 * * monday", false, true, "only three-letter names"],
  ["0 0 * january *", false, true, "only three-letter names"],
  ["0 0 * * jan", false, true, "month name in day of week"],
  ["jan * * * *", false, true, "names only in month and day of week"],
  ["1.5 * * * *", false, true, "not an integer"],
  ["0x10 * * * *", false, true, "no hex"],
  ["99999999999999999999 * * * *", false, true, "out of int64 range"],
  ["0 9 * * *\ufeff", false, true, "U+FEFF is not a Go space"],
];

describe("parseKarpenterSchedule accept/reject (robfig/cron v3 ParseStandard)", () => {
  test("the table has at least 40 schedules", () => assert.ok(TABLE.length >= 40));
  for (const [schedule, accepted, crd, why] of TABLE) {
    test(`${JSON.stringify(schedule)} is ${accepted ? "accepted" : "rejected"} (${why})`, () => {
      const parsed = parseKarpenterSchedule(schedule);
      assert.equal(parsed.ok, accepted, parsed.ok ? "accepted" : parsed.goError);
      assert.equal(matchesScheduleCrdPattern(schedule), crd, "CRD pattern");
      if (!parsed.ok) {
        assert.match(parsed.message, /^invalid schedule /);
        assert.ok(parsed.message.includes(parsed.goError), "the message quotes robfig's error");
      }
    });
  }
});

describe("robfig's error texts", () => {
  // The substrings robfig's own tests check (parser_test.go TestRange, TestParseScheduleErrors, TestStandardSpecSchedule).
  const cases: [string, string][] = [
    ["5 j * * *", "failed to parse int from"],
    ["* * * *", "expected exactly 5 fields"],
    ["@unrecognized", "unrecognized descriptor"],
    ["@every Xm", "failed to parse duration"],
    ["5--5 * * * *", "too many hyphens"],
    ["* * * jan-x *", "failed to parse int from"],
    ["*/-12 * * * *", "negative number"],
    ["*//2 * * * *", "too many slashes"],
    ["* * 0 * *", "below minimum"],
    ["* * * 13 *", "above maximum"],
    ["5-3 * * * *", "beyond end of range"],
    ["*/0 * * * *", "should be a positive number"],
  ];
  for (const [schedule, text] of cases) {
    test(`${schedule} → ${text}`, () => {
      const parsed = parseKarpenterSchedule(schedule);
      assert.ok(!parsed.ok);
      assert.ok(parsed.goError.includes(text), parsed.goError);
    });
  }

  test("exact texts", () => {
    const goError = (s: string) => {
      const parsed = parseKarpenterSchedule(s);
      return parsed.ok ? "" : parsed.goError;
    };
    assert.equal(goError("0 0 * * sat-sun"), "beginning of range (6) beyond end of range (0): sat-sun");
    assert.equal(goError("0 0 9 * * 1"), "expected exactly 5 fields, found 6: [0 0 9 * * 1]");
    assert.equal(goError("0 0 * * 7"), "end of range (7) above maximum (6): 7");
    assert.equal(goError(""), "expected exactly 5 fields, found 0: []");
    assert.equal(goError("0 0 L * *"), 'failed to parse int from L: strconv.Atoi: parsing "L": invalid syntax');
    assert.equal(goError("@every 1d"), 'failed to parse duration @every 1d: time: unknown unit "d" in duration "1d"');
    assert.equal(goError("@every 5"), 'failed to parse duration @every 5: time: missing unit in duration "5"');
  });

  test("the first bad field is the one reported, in robfig's order", () => {
    const parsed = parseKarpenterSchedule("x 99 * * *");
    assert.ok(!parsed.ok);
    assert.match(parsed.goError, /failed to parse int from x/);
  });
});

describe("plain-words errors", () => {
  const message = (s: string) => {
    const parsed = parseKarpenterSchedule(s);
    assert.ok(!parsed.ok);
    return parsed.message;
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
  });
});

function parse(schedule: string): ParsedSchedule {
  return parseKarpenterScheduleOrThrow(schedule);
}

function fields(schedule: string) {
  const parsed = parse(schedule);
  assert.equal(parsed.kind, "cron");
  return parsed.kind === "cron" ? parsed.fields : undefined;
}

describe("field values and the star bit", () => {
  test("steps", () => {
    assert.deepEqual(fields("5/15 * * * *")?.minutes, [5, 20, 35, 50]);
    assert.deepEqual(fields("*/90 * * * *")?.minutes, [0]);
    assert.deepEqual(fields("0 0 */10 * *")?.daysOfMonth, [1, 11, 21, 31]);
    assert.deepEqual(fields("0 0 * * sun/2")?.daysOfWeek, [0, 2, 4, 6]);
    assert.deepEqual(fields("1,5-7/2,3 * * * *")?.minutes, [1, 3, 5, 7]); // robfig test TestField
  });
  test("* and ? set the star bit; a step above 1 clears it; */1 keeps it", () => {
    assert.equal(fields("0 0 * * 1")?.domStar, true);
    assert.equal(fields("0 0 ? * 1")?.domStar, true);
    assert.equal(fields("0 0 */1 * 1")?.domStar, true);
    assert.equal(fields("0 0 */2 * 1")?.domStar, false);
    assert.equal(fields("0 0 1-31 * 1")?.domStar, false);
    assert.equal(fields("0 0 *,5 * 1")?.domStar, true);
  });
  test("descriptors are robfig's parseDescriptor fields", () => {
    assert.deepEqual(fields("@yearly"), {
      minutes: [0],
      hours: [0],
      daysOfMonth: [1],
      months: [1],
      daysOfWeek: [0, 1, 2, 3, 4, 5, 6],
      domStar: false,
      dowStar: true,
    });
    assert.deepEqual(fields("@weekly")?.daysOfWeek, [0]);
    assert.equal(fields("@weekly")?.domStar, true);
    assert.equal(fields("@hourly")?.hours.length, 24);
    assert.deepEqual(fields("@midnight"), fields("@daily"));
    assert.deepEqual(fields("@annually"), fields("@yearly"));
  });
  test("@every delays follow constantdelay.go Every()", () => {
    const every = (s: string) => {
      const parsed = parse(s);
      return parsed.kind === "every" ? parsed.everyMs : undefined;
    };
    assert.equal(every("@every 5m"), 300_000);
    assert.equal(every("@every 1.5s"), 1000);
    assert.equal(every("@every 0s"), 1000);
    assert.equal(every("@every -1h"), 1000);
    assert.equal(every("@every 1ns"), 1000);
  });
});

const at = (iso: string) => new Date(iso);
const iso = (d: Date | undefined) => d?.toISOString();

describe("next (robfig SpecSchedule.Next, UTC)", () => {
  test("strictly after, at whole seconds", () => {
    const s = parse("0 9 * * mon-fri");
    // 2025-06-06 is a Friday.
    assert.equal(iso(s.next(at("2025-06-06T08:59:59.999Z"))), "2025-06-06T09:00:00.000Z");
    assert.equal(iso(s.next(at("2025-06-06T09:00:00.000Z"))), "2025-06-09T09:00:00.000Z");
    assert.equal(iso(s.next(at("2025-06-07T12:00:00.000Z"))), "2025-06-09T09:00:00.000Z");
  });
  test("month and year wrap", () => {
    assert.equal(iso(parse("@yearly").next(at("2025-06-01T00:00:00Z"))), "2026-01-01T00:00:00.000Z");
    assert.equal(iso(parse("0 0 31 * *").next(at("2025-04-01T00:00:00Z"))), "2025-05-31T00:00:00.000Z");
    assert.equal(iso(parse("59 23 31 12 *").next(at("2025-12-31T23:59:00Z"))), "2026-12-31T23:59:00.000Z");
  });
  test("day-of-month OR day-of-week when neither has the star bit (spec.go dayMatches)", () => {
    // June 2025: the 1st is a Sunday; Mondays are the 2nd, 9th, ...
    const hits = (schedule: string, count: number) => {
      const s = parse(schedule);
      const out: string[] = [];
      let t = at("2025-05-31T12:00:00Z");
      for (let i = 0; i < count; i++) {
        const n = s.next(t);
        assert.ok(n);
        out.push(n.toISOString().slice(0, 10));
        t = n;
      }
      return out;
    };
    assert.deepEqual(hits("0 0 1 * 1", 3), ["2025-06-01", "2025-06-02", "2025-06-09"]);
    assert.deepEqual(hits("0 0 * * 1", 2), ["2025-06-02", "2025-06-09"]);
    assert.deepEqual(hits("0 0 */1 * 1", 2), ["2025-06-02", "2025-06-09"]);
    assert.deepEqual(hits("0 0 1-31 * 1", 3), ["2025-06-01", "2025-06-02", "2025-06-03"]);
    assert.deepEqual(hits("0 0 */10 * 1", 4), ["2025-06-01", "2025-06-02", "2025-06-09", "2025-06-11"]);
    assert.deepEqual(hits("0 0 1-7 * mon", 8).slice(6), ["2025-06-07", "2025-06-09"]);
  });
  test("schedules that never fire return undefined (Go's zero time)", () => {
    for (const schedule of ["0 0 31 2 *", "0 0 30 2 *", ", * * * *", "0 , * * *", "0 0 , * *"]) {
      const s = parse(schedule);
      assert.equal(s.next(at("2025-01-01T00:00:00Z")), undefined, schedule);
      assert.equal(s.neverFires, true, schedule);
    }
    // A day-of-week list makes an empty day-of-month harmless under OR.
    assert.equal(iso(parse("0 0 , * 1").next(at("2025-06-01T00:00:00Z"))), "2025-06-02T00:00:00.000Z");
  });
  test("robfig gives up after five years: 29 February around 2100", () => {
    const s = parse("0 0 29 2 *");
    assert.equal(iso(s.next(at("2025-03-01T00:00:00Z"))), "2028-02-29T00:00:00.000Z");
    assert.equal(s.next(at("2097-03-01T00:00:00Z")), undefined);
    assert.equal(s.neverFires, false);
  });
  test("@every counts from the time asked about", () => {
    const s = parse("@every 1h");
    assert.equal(iso(s.next(at("2025-06-06T09:00:00.750Z"))), "2025-06-06T10:00:00.000Z");
    assert.equal(s.previous(at("2025-06-06T09:00:00Z")), undefined);
  });
  test("invalid dates are a ValueError", () => {
    const s = parse("@daily");
    assert.throws(() => s.next(new Date(NaN)), ValueError);
    assert.throws(() => s.previous(new Date(NaN)), ValueError);
    assert.throws(() => s.next(new Date(8.64e15)), ValueError);
  });
});

describe("previous", () => {
  test("strictly before", () => {
    const s = parse("0 9 * * mon-fri");
    assert.equal(iso(s.previous(at("2025-06-09T09:00:00Z"))), "2025-06-06T09:00:00.000Z");
    assert.equal(iso(s.previous(at("2025-06-09T09:00:00.001Z"))), "2025-06-09T09:00:00.000Z");
    assert.equal(parse("0 0 31 2 *").previous(at("2025-06-09T09:00:00Z")), undefined);
    assert.equal(iso(parse("@yearly").previous(at("2025-06-09T09:00:00Z"))), "2025-01-01T00:00:00.000Z");
  });
});

// A brute-force reference: walk minute by minute and test each field, with dayMatches's AND/OR rule.
function bruteNext(schedule: string, from: Date, direction: 1 | -1): Date | undefined {
  const f = fields(schedule);
  assert.ok(f);
  let t = Math.floor(from.getTime() / 60_000) * 60_000;
  if (direction === 1) t += 60_000;
  else if (t === from.getTime()) t -= 60_000;
  for (let i = 0; i < 3 * 366 * 1440; i++, t += direction * 60_000) {
    const d = new Date(t);
    const dom = f.daysOfMonth.includes(d.getUTCDate());
    const dow = f.daysOfWeek.includes(d.getUTCDay());
    const day = f.domStar || f.dowStar ? dom && dow : dom || dow;
    if (
      day &&
      f.months.includes(d.getUTCMonth() + 1) &&
      f.hours.includes(d.getUTCHours()) &&
      f.minutes.includes(d.getUTCMinutes())
    ) {
      return d;
    }
  }
  return undefined;
}

describe("next and previous agree with a brute-force walk", () => {
  const schedules = [
    "0 9 * * mon-fri",
    "*/7 3-5 * * *",
    "30 2 1,15 * *",
    "0 0 13 * 5",
    "15 */6 * jan,jul *",
    "0 0 1 */3 *",
    "@weekly",
  ];
  let seed = 12345;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (const schedule of schedules) {
    test(schedule, () => {
      const s = parse(schedule);
      for (let i = 0; i < 6; i++) {
        const from = new Date(Date.UTC(2024, 0, 1) + Math.floor(random() * 365 * 86_400_000));
        assert.equal(iso(s.next(from)), iso(bruteNext(schedule, from, 1)), `next after ${from.toISOString()}`);
        assert.equal(
          iso(s.previous(from)),
          iso(bruteNext(schedule, from, -1)),
          `previous before ${from.toISOString()}`,
        );
      }
    });
  }
});

describe("describe", () => {
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
    test(schedule, () => assert.equal(parse(schedule).describe(), text));
  }
});

describe("Go string helpers", () => {
  test("strings.Fields and TrimSpace use Go's spaces", () => {
    assert.deepEqual(goFields(" a\u00a0b\u0085c\ufeffd "), ["a", "b", "c\ufeffd"]);
    assert.equal(goTrimSpace("\u2003x\u3000"), "x");
  });
  test("strconv.Atoi", () => {
    assert.equal(goAtoi("+7"), 7n);
    assert.equal(goAtoi("-9223372036854775808"), -9223372036854775808n);
    assert.match(String(goAtoi("9223372036854775808")), /value out of range/);
    assert.match(String(goAtoi("1_000")), /invalid syntax/);
    assert.match(String(goAtoi("")), /invalid syntax/);
  });
});
