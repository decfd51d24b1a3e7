import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { matchesScheduleCrdPattern, parseKarpenterSchedule, type ParsedSchedule } from "../../../api/cron/index.ts";
// The Go string functions are internal to api/cron; they are tested here directly.
import { goAtoi, goFields, goTrimSpace } from "../../../api/cron/go-text.ts";
import { ValueError } from "../../../api/value-error.ts";
import { TABLE } from "./schedule-table.ts";

describe("parseKarpenterSchedule accept/reject (robfig/cron v3 ParseStandard)", () => {
  test("the table has at least 40 schedules", () => assert.ok(TABLE.length >= 40));
  for (const [schedule, accepted, crd, why] of TABLE) {
    test(`${JSON.stringify(schedule)} is ${accepted ? "accepted" : "rejected"} (${why})`, () => {
      const parsed = parseKarpenterSchedule(schedule);
      assert.equal(parsed.ok, accepted, parsed.ok ? "accepted" : parsed.goError);
      assert.equal(matchesScheduleCrdPattern(schedule), crd, "CRD pattern");
      if (!parsed.ok) {
        // The words for the error are policies/schedule-text's (test/policies/schedule-text); here, the data.
        assert.equal(parsed.schedule, schedule);
        assert.equal(parsed.spec, goTrimSpace(schedule));
        assert.equal(parsed.notAString, false);
        assert.notEqual(parsed.goError, "");
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

describe("errors are data", () => {
  test("a field error names the field and the range robfig rejected", () => {
    const parsed = parseKarpenterSchedule("  0 0 * * sat-sun ");
    assert.ok(!parsed.ok);
    assert.deepEqual(
      { spec: parsed.spec, field: parsed.field, expr: parsed.expr },
      { spec: "0 0 * * sat-sun", field: 4, expr: "sat-sun" },
    );
    const count = parseKarpenterSchedule("0 0 9 * * 1");
    assert.ok(!count.ok);
    assert.equal(count.field, undefined);
  });
  test("a non-string is an error, not a throw", () => {
    const parsed = parseKarpenterSchedule(42 as unknown as string);
    assert.equal(parsed.ok, false);
    assert.equal(!parsed.ok && parsed.notAString, true);
  });
});

function parse(schedule: string): ParsedSchedule {
  const parsed = parseKarpenterSchedule(schedule);
  assert.ok(parsed.ok, `${schedule}: ${parsed.ok ? "" : parsed.goError}`);
  return parsed;
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
