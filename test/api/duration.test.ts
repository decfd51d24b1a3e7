import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  describeDuration,
  formatDuration,
  formatDurationNanos,
  parseBudgetDuration,
  parseDuration,
  parseDurationNanos,
  parseKarpenterDuration,
} from "../../api/duration.ts";
import { ValueError } from "../../api/value-error.ts";

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

describe("parseDuration (Go time.ParseDuration)", () => {
  // [input, milliseconds]; mostly Go's own parseDurationTests.
  const cases: [string, number][] = [
    ["0", 0],
    ["-0", 0],
    ["+0", 0],
    ["5s", 5 * SECOND],
    ["30s", 30 * SECOND],
    ["1478s", 1478 * SECOND],
    ["-5s", -5 * SECOND],
    ["+5s", 5 * SECOND],
    ["-0s", 0],
    ["+0s", 0],
    ["5.0s", 5 * SECOND],
    ["5.6s", 5600],
    ["5.s", 5 * SECOND],
    [".5s", 500],
    ["1.0s", SECOND],
    ["1.00s", SECOND],
    ["1.004s", 1004],
    ["1.0040s", 1004],
    ["100.00100s", 100001],
    ["10ns", 0.00001],
    ["11us", 0.011],
    ["12µs", 0.012],
    ["12μs", 0.012],
    ["13ms", 13],
    ["14s", 14 * SECOND],
    ["15m", 15 * MINUTE],
    ["16h", 16 * HOUR],
    ["3h30m", 3.5 * HOUR],
    ["1h30m", 90 * MINUTE],
    ["10.5s4m", 4 * MINUTE + 10500],
    ["-2m3.4s", -(2 * MINUTE + 3400)],
    ["1h2m3s4ms5us6ns", HOUR + 2 * MINUTE + 3 * SECOND + 4.005006],
    ["39h9m14.425s", 39 * HOUR + 9 * MINUTE + 14425],
    ["1.5h", 90 * MINUTE],
    ["0.5m", 30 * SECOND],
    ["720h", 720 * HOUR],
    ["17280h", 17280 * HOUR],
    ["1h1h", 2 * HOUR],
    ["1.h", HOUR],
    ["52763797000ns", 52763.797],
    ["0.3333333333333333333h", 1_199_999.999999],
    ["9223372036854775807ns", 9_223_372_036_854.775],
    ["-9223372036854775808ns", -9_223_372_036_854.775],
    ["2562047h", 2562047 * HOUR],
  ];
  for (const [input, ms] of cases) {
    test(input, () => {
      assert.equal(parseDuration(input), ms);
    });
  }

  test("nanoseconds are exact", () => {
    assert.equal(parseDurationNanos("9223372036854775807ns"), 2n ** 63n - 1n);
    assert.equal(parseDurationNanos("-9223372036854775808ns"), -(2n ** 63n));
    assert.equal(parseDurationNanos("1.000000001s"), 1_000_000_001n);
    // Finer than a nanosecond is truncated, as Go does.
    assert.equal(parseDurationNanos("1.0000000019s"), 1_000_000_001n);
    assert.equal(parseDurationNanos("0.3333333333333333333h"), 1_199_999_999_999n);
  });

  const invalid: [string, RegExp][] = [
    ["", /^invalid duration "": expected a Go duration/],
    ["3", /missing unit/],
    ["-", /expected a Go duration/],
    ["s", /expected a Go duration/],
    [".", /expected a Go duration/],
    ["-.", /expected a Go duration/],
    [".s", /expected a Go duration/],
    ["+.s", /expected a Go duration/],
    ["1d", /"d" \(days\) is not a Go duration unit; use hours, e.g. "24h"/],
    ["1.5d", /use hours, e.g. "36h"/],
    ["1d12h30m", /use hours, e.g. "36h30m"/],
    ["2w", /"w" \(weeks\) is not a Go duration unit; use hours, e.g. "336h"/],
    ["5min", /"min" is not a Go duration unit; use "m", e.g. "5m"/],
    ["1hr30mins", /"hr" is not a Go duration unit; use "h", e.g. "1h30m"/],
    ["10S", /"S" is not a Go duration unit; use "s", e.g. "10s"/],
    ["3x", /unknown unit "x"/],
    ["1y", /unknown unit "y"/],
    ["1constructor", /unknown unit "constructor"/],
    ["1toString", /unknown unit "toString"/],
    ["1h 30m", /unknown unit "h "/],
    ["00", /missing unit/],
    ["1e3s", /unknown unit "e"/],
    ["9223372036854775808ns", /out of range/],
    ["9223372036854775.808us", /out of range/],
    ["2562048h", /out of range/],
    ["-9223372036854775809ns", /out of range/],
    ["1000000000000000000000000000h", /out of range/],
  ];
  for (const [input, message] of invalid) {
    test(`invalid: ${JSON.stringify(input)}`, () => {
      assert.throws(
        () => parseDuration(input),
        (error: unknown) => {
          assert.ok(error instanceof ValueError);
          assert.match(error.message, message);
          assert.ok(error.message.includes(JSON.stringify(input)), error.message);
          assert.equal(error.value, input);
          return true;
        },
      );
    });
  }

  test("720d names days and suggests 17280h", () => {
    assert.throws(() => parseDuration("720d"), {
      name: "ValueError",
      message: 'invalid duration "720d": "d" (days) is not a Go duration unit; use hours, e.g. "17280h"',
    });
  });

  test("non-string input", () => {
    assert.throws(() => parseDuration(720 as unknown as string), ValueError);
  });
});

describe("parseKarpenterDuration", () => {
  const accepted: [string, number][] = [
    ["720h", 720 * HOUR],
    ["30s", 30 * SECOND],
    ["0s", 0],
    ["1h30m", 90 * MINUTE],
    ["1h30m15s", 90 * MINUTE + 15 * SECOND],
    ["90m", 90 * MINUTE],
    ["1m1h", HOUR + MINUTE],
    ["48h", 48 * HOUR],
  ];
  for (const [input, ms] of accepted) {
    test(input, () => {
      assert.deepEqual(parseKarpenterDuration(input, { allowNever: true }), { never: false, ms });
      assert.deepEqual(parseKarpenterDuration(input, { allowNever: false }), { never: false, ms });
    });
  }

  test("Never only where allowed", () => {
    assert.deepEqual(parseKarpenterDuration("Never", { allowNever: true }), { never: true });
    assert.throws(() => parseKarpenterDuration("Never", { allowNever: false, field: "terminationGracePeriod" }), {
      message: /^invalid terminationGracePeriod "Never": terminationGracePeriod does not accept "Never"/,
    });
  });

  // Valid Go durations that the CRD pattern rejects, with the fix in the message.
  const rejected: [string, RegExp][] = [
    ["1.5h", /write it as "1h30m"/],
    ["0", /write it as "0s"/],
    ["+1h", /write it as "1h"/],
    ["1h30m0.5s", /fractions of a second are not allowed/],
    ["500ms", /fractions of a second are not allowed/],
    ["2000ms", /write it as "2s"/],
    ["-1h", /must not be negative/],
    ["720d", /"d" \(days\) is not a Go duration unit; use hours, e.g. "17280h"/],
    ["never", /did you mean "Never"\?/],
    ["NEVER", /did you mean "Never"\?/],
    ["", /expected whole hours/],
    ["1 h", /expected whole hours/],
    ["Never ", /expected whole hours/],
  ];
  for (const [input, hint] of rejected) {
    test(`rejects ${JSON.stringify(input)}`, () => {
      assert.throws(
        () => parseKarpenterDuration(input, { allowNever: true, field: "expireAfter" }),
        (error: unknown) => {
          assert.ok(error instanceof ValueError);
          assert.ok(error.message.startsWith(`invalid expireAfter ${JSON.stringify(input)}: expected whole hours`));
          assert.match(error.message, hint);
          return true;
        },
      );
    });
  }

  test("the expected forms mention Never only when allowed", () => {
    assert.throws(() => parseKarpenterDuration("1.5h", { allowNever: true }), /or "Never"/);
    assert.throws(
      () => parseKarpenterDuration("1.5h", { allowNever: false }),
      (error: unknown) => error instanceof ValueError && !error.message.includes("Never"),
    );
    assert.throws(
      () => parseKarpenterDuration("never", { allowNever: false }),
      (error: unknown) => error instanceof ValueError && !error.message.includes("did you mean"),
    );
  });

  test("values past Go's range are refused although they match the pattern", () => {
    assert.throws(() => parseKarpenterDuration("9999999999h", { allowNever: true }), /out of range/);
  });

  test("non-string input", () => {
    assert.throws(() => parseKarpenterDuration(30 as unknown as string, { allowNever: true }), ValueError);
  });
});

describe("parseBudgetDuration", () => {
  const accepted: [string, number][] = [
    ["10m", 10 * MINUTE],
    ["1h", HOUR],
    ["1h30m", 90 * MINUTE],
    ["1h30m0s", 90 * MINUTE],
    ["10m0s", 10 * MINUTE],
    ["8h0s", 8 * HOUR],
    ["0m", 0],
    ["90m", 90 * MINUTE],
  ];
  for (const [input, ms] of accepted) {
    test(input, () => {
      assert.equal(parseBudgetDuration(input), ms);
    });
  }

  const rejected: [string, RegExp][] = [
    ["30s", /seconds and finer units are not allowed/],
    ["1h30m30s", /seconds and finer units are not allowed/],
    ["120s", /write it as "2m"/],
    ["1h0m0s0s", /write it as "1h"/],
    ["30m1h", /write it as "1h30m"/],
    ["1.5h", /write it as "1h30m"/],
    ["0s", /write it as "0m"/],
    ["1d", /use hours, e.g. "24h"/],
    ["", /expected whole hours and\/or minutes/],
  ];
  for (const [input, hint] of rejected) {
    test(`rejects ${JSON.stringify(input)}`, () => {
      assert.throws(
        () => parseBudgetDuration(input, { field: "budgets[0].duration" }),
        (error: unknown) => {
          assert.ok(error instanceof ValueError);
          assert.ok(error.message.startsWith(`invalid budgets[0].duration ${JSON.stringify(input)}: expected`));
          assert.match(error.message, hint);
          return true;
        },
      );
    });
  }
});

describe("formatDuration (Go Duration.String)", () => {
  const cases: [number, string][] = [
    [0, "0s"],
    [0.000001, "1ns"],
    [0.0011, "1.1µs"],
    [2.2, "2.2ms"],
    [3300, "3.3s"],
    [4 * MINUTE + 5 * SECOND, "4m5s"],
    [4 * MINUTE + 5001, "4m5.001s"],
    [5 * HOUR + 6 * MINUTE + 7001, "5h6m7.001s"],
    [8 * MINUTE + 0.000001, "8m0.000000001s"],
    [90 * MINUTE, "1h30m0s"],
    [720 * HOUR, "720h0m0s"],
    [30 * SECOND, "30s"],
    [HOUR, "1h0m0s"],
    [MINUTE, "1m0s"],
    [-90 * MINUTE, "-1h30m0s"],
    [-0.5, "-500µs"],
    [-0, "0s"],
    [9_223_372_036_854, "2562047h47m16.854s"],
  ];
  for (const [ms, expected] of cases) {
    test(expected, () => {
      assert.equal(formatDuration(ms), expected);
    });
  }

  test("round-trips through parseDuration", () => {
    for (const text of ["1h30m0s", "720h0m0s", "30s", "1.5ms", "4m5.001s", "1ns", "-2m3.4s"]) {
      assert.equal(formatDuration(parseDuration(text)), text);
    }
  });

  test("exact nanoseconds", () => {
    assert.equal(formatDurationNanos(2n ** 63n - 1n), "2562047h47m16.854775807s");
    assert.equal(formatDurationNanos(-(2n ** 63n)), "-2562047h47m16.854775808s");
    assert.equal(formatDurationNanos(999n), "999ns");
    assert.equal(formatDurationNanos(1000n), "1µs");
  });

  test("non-finite input throws", () => {
    for (const value of [NaN, Infinity, -Infinity]) assert.throws(() => formatDuration(value), ValueError);
  });
});

describe("describeDuration", () => {
  const cases: [number, string][] = [
    [720 * HOUR, "30 days"],
    [90 * MINUTE, "1 hour 30 minutes"],
    [0, "0 seconds"],
    [SECOND, "1 second"],
    [30 * SECOND, "30 seconds"],
    [24 * HOUR + HOUR + MINUTE + SECOND, "1 day 1 hour 1 minute 1 second"],
    [2 * 24 * HOUR + 2 * HOUR, "2 days 2 hours"],
    [1, "1 millisecond"],
    [500, "500 milliseconds"],
    [1.5, "1.5 milliseconds"],
    [0.000001, "0.000001 milliseconds"],
    [1500, "1 second 500 milliseconds"],
    [-5 * MINUTE, "minus 5 minutes"],
    [17280 * HOUR, "720 days"],
  ];
  for (const [ms, expected] of cases) {
    test(expected, () => {
      assert.equal(describeDuration(ms), expected);
    });
  }

  test("non-finite input throws", () => {
    assert.throws(() => describeDuration(NaN), ValueError);
  });
});
