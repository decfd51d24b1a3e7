import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { seasonalReferenceDates, timeZoneOffsetMinutes, toUtcWindow } from "../../../policies/schedule-text/index.ts";
import { ValueError } from "../../../api/value-error.ts";

const at = (iso: string) => new Date(iso);

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
