import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  Quantity,
  addQuantities,
  compareQuantities,
  formatQuantity,
  isQuantity,
  parseQuantity,
  subtractQuantities,
} from "../../api/quantity.ts";
import type { QuantityFormat } from "../../api/quantity.ts";
import { ValueError } from "../../api/value-error.ts";

const G = 1_000_000_000n;

describe("parseQuantity: value and format", () => {
  // [input, nanos, format]; expectations follow apimachinery's TestQuantityParse.
  const cases: [string, bigint, QuantityFormat][] = [
    ["0", 0n, "DecimalSI"],
    ["0n", 0n, "DecimalSI"],
    ["0m", 0n, "DecimalSI"],
    ["0Ki", 0n, "BinarySI"],
    ["0Gi", 0n, "BinarySI"],
    ["00", 0n, "DecimalSI"],
    ["-0", 0n, "DecimalSI"],
    ["1", G, "DecimalSI"],
    ["1Ki", 1024n * G, "BinarySI"],
    ["8Ki", 8n * 1024n * G, "BinarySI"],
    ["7Mi", 7n * 1024n ** 2n * G, "BinarySI"],
    ["6Gi", 6n * 1024n ** 3n * G, "BinarySI"],
    ["5Ti", 5n * 1024n ** 4n * G, "BinarySI"],
    ["4Pi", 4n * 1024n ** 5n * G, "BinarySI"],
    ["3Ei", 3n * 1024n ** 6n * G, "BinarySI"],
    ["5n", 5n, "DecimalSI"],
    ["4u", 4000n, "DecimalSI"],
    ["3m", 3_000_000n, "DecimalSI"],
    ["8k", 8000n * G, "DecimalSI"],
    ["50k", 50_000n * G, "DecimalSI"],
    ["7M", 7_000_000n * G, "DecimalSI"],
    ["6G", 6n * 10n ** 9n * G, "DecimalSI"],
    ["5T", 5n * 10n ** 12n * G, "DecimalSI"],
    ["2P", 2n * 10n ** 15n * G, "DecimalSI"],
    ["1E", 10n ** 18n * G, "DecimalSI"],
    ["12E", 12n * 10n ** 18n * G, "DecimalSI"],
    ["1E-3", 1_000_000n, "DecimalExponent"],
    ["1e3", 1000n * G, "DecimalExponent"],
    ["1E6", 10n ** 6n * G, "DecimalExponent"],
    ["1e+3", 1000n * G, "DecimalExponent"],
    ["1e03", 1000n * G, "DecimalExponent"],
    ["1.3E+6", 1_300_000n * G, "DecimalExponent"],
    ["1.7E18", 17n * 10n ** 17n * G, "DecimalExponent"],
    ["0.5e-2", 5_000_000n, "DecimalExponent"],
    [".001e12", 10n ** 9n * G, "DecimalExponent"],
    ["1.e3", 1000n * G, "DecimalExponent"],
    ["100.035k", 100_035n * G, "DecimalSI"],
    ["0.001", 1_000_000n, "DecimalSI"],
    ["0.0005k", 500_000_000n, "DecimalSI"],
    ["0.50000", 500_000_000n, "DecimalSI"],
    ["10.035M", 10_035_000n * G, "DecimalSI"],
    ["7.123456M", 7_123_456n * G, "DecimalSI"],
    ["6.987654321G", 6_987_654_321n * G, "DecimalSI"],
    ["1.01E", 101n * 10n ** 16n * G, "DecimalSI"],
    // Rounding of anything finer than 1n, away from zero.
    ["3.001n", 4n, "DecimalSI"],
    ["1.1E-9", 2n, "DecimalExponent"],
    ["0.0000000001", 1n, "DecimalSI"],
    ["0.0000000005", 1n, "DecimalSI"],
    ["0.5e-9", 1n, "DecimalExponent"],
    ["0.9n", 1n, "DecimalSI"],
    ["-0.9n", -1n, "DecimalSI"],
    ["0.00000012345", 124n, "DecimalSI"],
    ["1e-5000", 1n, "DecimalExponent"],
    // Fractional binary amounts; below 1 they become DecimalSI.
    ["100.035Ki", 102_435_840_000_000n, "BinarySI"],
    ["0.5Mi", 524_288n * G, "BinarySI"],
    ["0.05Gi", 53_687_091_200_000_000n, "BinarySI"],
    ["0.000000000001Ki", 2n, "DecimalSI"],
    ["-0.000000000001Ki", -2n, "DecimalSI"],
    // Written by trolls, still valid.
    [".001", 1_000_000n, "DecimalSI"],
    [".0001k", 100_000_000n, "DecimalSI"],
    ["1.", G, "DecimalSI"],
    ["5.", 5n * G, "DecimalSI"],
    [".5", 500_000_000n, "DecimalSI"],
    ["1.G", 10n ** 9n * G, "DecimalSI"],
    ["+1", G, "DecimalSI"],
    ["-1", -G, "DecimalSI"],
    ["-1.5Gi", -1_610_612_736n * G, "BinarySI"],
    ["007", 7n * G, "DecimalSI"],
    // Exact beyond int64 (apimachinery would cap 9Ei at 2^63-1).
    ["9Ei", 9n * 2n ** 60n * G, "BinarySI"],
    ["18446744073709551616", 18_446_744_073_709_551_616n * G, "DecimalSI"],
  ];
  for (const [input, nanos, format] of cases) {
    test(input, () => {
      const q = parseQuantity(input);
      assert.equal(q.nanos, nanos);
      assert.equal(q.format, format);
    });
  }
});

describe("parseQuantity: invalid input", () => {
  const invalid = [
    "",
    "1.2.3",
    "1Kb",
    "1 Gi",
    " 1",
    "1 ",
    "Gi",
    "k",
    "0x10",
    "NaN",
    "Infinity",
    "-Infinity",
    "+",
    "-",
    ".",
    "-.",
    "1.1.M",
    "1+1.0M",
    "0.1mi",
    "0.1am",
    "aoeu",
    ".5i",
    "1i",
    "-3.01i",
    "-3.01e-",
    "1e",
    "1e1.5",
    "1K",
    "1ki",
    "1GB",
    "1GiB",
    "1e9223372036854775808",
    "1_000",
    "1,5",
    "١",
  ];
  for (const input of invalid) {
    test(JSON.stringify(input), () => {
      assert.throws(() => parseQuantity(input), ValueError);
      assert.equal(isQuantity(input), false);
    });
  }

  test("message names the value and says what is expected", () => {
    assert.throws(() => parseQuantity("12x"), {
      name: "ValueError",
      message:
        'invalid quantity "12x": expected a number with an optional suffix (n u m k M G T P E, Ki Mi Gi Ti Pi Ei, or e<exp>)',
    });
  });

  test("the error carries the offending value", () => {
    try {
      parseQuantity("12x");
      assert.fail("expected a throw");
    } catch (error) {
      assert.ok(error instanceof ValueError);
      assert.equal(error.value, "12x");
    }
  });

  const hints: [string, string][] = [
    ["10GB", 'did you mean "10G" (10^9) or "10Gi" (2^30)?'],
    ["10GiB", 'suffixes are case-sensitive: did you mean "10Gi"?'],
    ["512mi", 'suffixes are case-sensitive: did you mean "512Mi"?'],
    ["1K", 'did you mean "1k" (10^3) or "1Ki" (2^10)?'],
    ["2g", 'did you mean "2G" (10^9) or "2Gi" (2^30)?'],
    ["1 Gi", 'remove the whitespace: "1Gi"'],
  ];
  for (const [input, hint] of hints) {
    test(`hint for ${JSON.stringify(input)}`, () => {
      assert.throws(
        () => parseQuantity(input),
        (error: unknown) => error instanceof ValueError && error.message.endsWith(`; ${hint}`),
      );
    });
  }

  test("no misleading hint for a missing exponent", () => {
    assert.throws(
      () => parseQuantity("1e"),
      (error: unknown) => error instanceof ValueError && !error.message.includes("did you mean"),
    );
  });

  test("huge values are refused rather than built", () => {
    assert.throws(() => parseQuantity("1e999999999"), /values of 1e1000 or more are not supported/);
    assert.equal(parseQuantity("1e999").nanos, 10n ** 1008n);
    assert.equal(parseQuantity("0e999999999").nanos, 0n);
  });

  test("non-string, non-number input", () => {
    for (const value of [null, undefined, true, {}, [], 1n]) {
      assert.throws(() => parseQuantity(value as unknown as string), ValueError);
      assert.equal(isQuantity(value), false);
    }
  });
});

describe("parseQuantity: numbers from YAML", () => {
  const cases: [number, string][] = [
    [2, "2"],
    [0, "0"],
    [0.5, "500m"],
    [-3, "-3"],
    [1.25, "1250m"],
    [1e21, "1e21"],
    // String(1e-7) is "1e-7", as Go's JSON encoding of the YAML float, so Kubernetes sees an exponent too.
    [1e-7, "100e-9"],
    [0.1 + 0.2, "300000001n"],
  ];
  for (const [input, expected] of cases) {
    test(String(input), () => {
      assert.equal(formatQuantity(parseQuantity(input)), expected);
      assert.equal(isQuantity(input), true);
    });
  }

  test("non-finite numbers are refused", () => {
    for (const n of [NaN, Infinity, -Infinity]) {
      assert.throws(() => parseQuantity(n), {
        name: "ValueError",
        message: `invalid quantity ${n}: expected a finite number`,
      });
    }
  });
});

describe("formatQuantity: canonical form", () => {
  // [input, canonical]; follows apimachinery's TestQuantityString / TestQuantityParseEmit.
  const cases: [string, string][] = [
    ["1000m", "1"],
    ["1024Mi", "1Gi"],
    ["1.5Gi", "1536Mi"],
    ["0.5", "500m"],
    ["1e3", "1e3"],
    ["1Ki", "1Ki"],
    ["1Gi", "1Gi"],
    ["300Mi", "300Mi"],
    ["307200Ki", "300Mi"],
    ["6Ki", "6Ki"],
    ["1025024Mi", "1001Gi"],
    ["1024Gi", "1Ti"],
    ["1000M", "1G"],
    ["0.001T", "1G"],
    ["1000000k", "1G"],
    ["1000000000", "1G"],
    ["1000u", "1m"],
    ["80m", "80m"],
    ["1.08", "1080m"],
    ["1080000000n", "1080m"],
    ["300M", "300M"],
    ["1T", "1T"],
    ["1E", "1E"],
    ["1000E", "1e21"],
    ["5000E", "5e21"],
    ["1000000E", "1e24"],
    ["1234567M", "1234567M"],
    ["3k", "3k"],
    ["1025", "1025"],
    ["10", "10"],
    ["100k", "100k"],
    ["0", "0"],
    ["0Gi", "0"],
    ["00", "0"],
    ["-0", "0"],
    ["1e9", "1e9"],
    [".001e12", "1e9"],
    ["0.001e0", "1e-3"],
    ["1000e-12", "1e-9"],
    ["80e-3", "80e-3"],
    ["300e6", "300e6"],
    ["1.5e3", "1500"],
    ["1e0", "1"],
    ["1n", "1n"],
    ["1080n", "1080n"],
    ["1u", "1u"],
    ["1080u", "1080u"],
    ["+1", "1"],
    ["007", "7"],
    [".001Ki", "1024m"],
    [".000001Ki", "1024u"],
    [".000000001Ki", "1024n"],
    [".000000000001Ki", "2n"],
    ["0.5Ki", "512"],
    ["1.5Ki", "1536"],
    ["1023", "1023"],
    ["100.035Ki", "102435840m"],
    ["1.0001Ki", "1024102400u"],
    ["8Ei", "8Ei"],
    ["1024Ei", "1024Ei"],
    ["1536Ei", "1536Ei"],
    ["1Pi", "1Pi"],
    ["16384Mi", "16Gi"],
  ];
  for (const [input, canonical] of cases) {
    test(`${input} -> ${canonical}`, () => {
      assert.equal(formatQuantity(input), canonical);
      if (canonical !== "0") assert.equal(formatQuantity(`-${input.replace(/^\+/, "")}`), `-${canonical}`);
      // Canonical strings are fixed points.
      assert.equal(formatQuantity(canonical), canonical);
      assert.equal(parseQuantity(canonical).nanos, parseQuantity(input).nanos);
    });
  }

  test("toString and toJSON give the canonical form", () => {
    const q = parseQuantity("2048Mi");
    assert.equal(q.toString(), "2Gi");
    assert.equal(`${q}`, "2Gi");
    assert.equal(JSON.stringify({ memory: q }), '{"memory":"2Gi"}');
  });

  test("a quantity built from nanos formats in its format", () => {
    assert.equal(formatQuantity(new Quantity(1024n * G, "BinarySI")), "1Ki");
    assert.equal(formatQuantity(new Quantity(1024n * G, "DecimalSI")), "1024");
    assert.equal(formatQuantity(new Quantity(1024n * G, "DecimalExponent")), "1024");
    assert.equal(formatQuantity(new Quantity(1000n * G)), "1k");
  });
});

describe("Quantity accessors", () => {
  const cases: [string, bigint, bigint, number][] = [
    // [input, milliValue, value, toNumber]
    ["1", 1000n, 1n, 1],
    ["100m", 100n, 1n, 0.1],
    ["1.5", 1500n, 2n, 1.5],
    ["1n", 1n, 1n, 1e-9],
    ["1500u", 2n, 1n, 0.0015],
    ["0", 0n, 0n, 0],
    ["-1.5", -1500n, -2n, -1.5],
    ["-1n", -1n, -1n, -1e-9],
    ["1Gi", 1_073_741_824_000n, 1_073_741_824n, 1073741824],
    ["4Ei", 4n * 2n ** 60n * 1000n, 4n * 2n ** 60n, 4 * 2 ** 60],
    ["123456789.123456789", 123_456_789_124n, 123_456_790n, 123456789.12345679],
  ];
  for (const [input, milli, value, number] of cases) {
    test(input, () => {
      const q = parseQuantity(input);
      assert.equal(q.milliValue(), milli);
      assert.equal(q.value(), value);
      assert.equal(q.toNumber(), number);
    });
  }

  test("isZero, sign, equals", () => {
    assert.equal(parseQuantity("0Gi").isZero(), true);
    assert.equal(parseQuantity("1n").isZero(), false);
    assert.equal(parseQuantity("-1n").sign(), -1);
    assert.equal(parseQuantity("0").sign(), 0);
    assert.equal(parseQuantity("3").sign(), 1);
    assert.equal(parseQuantity("1Gi").equals("1024Mi"), true);
    assert.equal(parseQuantity("1G").equals("1Gi"), false);
  });

  test("quantities are immutable", () => {
    const q = parseQuantity("1");
    assert.throws(() => {
      (q as { nanos: bigint }).nanos = 2n;
    }, TypeError);
  });

  test("parseQuantity returns a Quantity unchanged", () => {
    const q = parseQuantity("1Gi");
    assert.equal(parseQuantity(q), q);
    assert.equal(isQuantity(q), true);
  });
});

describe("compareQuantities", () => {
  const cases: [string | number, string | number, -1 | 0 | 1][] = [
    ["0", "0", 0],
    ["100m", "50m", 1],
    ["50m", "100m", -1],
    ["10000T", "100Gi", 1],
    ["1Gi", "1G", 1],
    ["1Gi", "1073741824", 0],
    ["1000m", 1, 0],
    [2, "1999m", 1],
    ["-1", "0", -1],
    ["18446744073709551617", "18446744073709551616", 1],
    ["1n", "0.0000000001", 0],
  ];
  for (const [a, b, expected] of cases) {
    test(`${a} vs ${b}`, () => {
      assert.equal(compareQuantities(a, b), expected);
      assert.equal(compareQuantities(b, a), expected === 0 ? 0 : -expected);
    });
  }

  test("invalid operands throw", () => {
    assert.throws(() => compareQuantities("1", "1x"), ValueError);
  });
});

describe("addQuantities and subtractQuantities", () => {
  test("exact sums across formats keep the left format", () => {
    const sum = addQuantities("1Gi", "512Mi");
    assert.equal(sum.format, "BinarySI");
    assert.equal(formatQuantity(sum), "1536Mi");
    assert.equal(formatQuantity(addQuantities("100m", "900m")), "1");
    assert.equal(formatQuantity(addQuantities("1", "1Ki")), "1025");
    assert.equal(formatQuantity(addQuantities(0.1, 0.2)), "300m");
  });

  test("a zero left side takes the right side's format (suffix preserved)", () => {
    for (const value of ["100m", "1Gi"]) {
      assert.equal(formatQuantity(addQuantities("0", value)), value);
      assert.equal(formatQuantity(addQuantities(value, "0")), value);
      assert.equal(formatQuantity(subtractQuantities(value, "0")), value);
      assert.equal(formatQuantity(subtractQuantities("0", value)), `-${value}`);
    }
  });

  test("subtraction can go negative and is exact", () => {
    assert.equal(formatQuantity(subtractQuantities("1", "1500m")), "-500m");
    assert.equal(formatQuantity(subtractQuantities("4Gi", "1Gi")), "3Gi");
    assert.equal(subtractQuantities("1n", "1n").isZero(), true);
  });

  test("invalid operands throw", () => {
    assert.throws(() => addQuantities("1", "NaN"), ValueError);
    assert.throws(() => subtractQuantities(NaN, "1"), ValueError);
  });
});
