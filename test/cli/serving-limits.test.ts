// --max-connections and --max-in-flight of `serve` and `sync`, and sync's --hook-rate-limit: whole numbers, or a
// usage error naming the flag; unset, the defaults apply.
import { test } from "node:test";
import assert from "node:assert/strict";
import { InputError } from "../../cli/input-files.ts";
import { main } from "../../cli/main.ts";
import { capturedOutput } from "../../cli/output.ts";
import { hookRateLimitOf, servingLimitsOf } from "../../cli/serving-limits.ts";

test("the flags become the listener's limits; absent ones are left to its defaults", () => {
  assert.deepEqual(servingLimitsOf({}), {});
  assert.deepEqual(servingLimitsOf({ maxConnections: "64", maxInFlight: "8" }), { maxConnections: 64, maxInFlight: 8 });
});

test("anything but a positive whole number is a usage error naming the flag", () => {
  for (const [flag, text] of [
    ["maxConnections", "0"],
    ["maxConnections", "-3"],
    ["maxInFlight", "2.5"],
    ["maxInFlight", "many"],
    ["maxInFlight", "1e3"],
  ] as const) {
    assert.throws(
      () => servingLimitsOf({ [flag]: text }),
      (error: unknown) =>
        error instanceof InputError &&
        error.message ===
          `--${flag === "maxConnections" ? "max-connections" : "max-in-flight"} ${text}: not a positive whole number`,
    );
  }
});

test("--hook-rate-limit: deliveries a minute, as many at once; 0 turns the limit off", () => {
  assert.equal(hookRateLimitOf(undefined), undefined);
  assert.equal(hookRateLimitOf("0"), false);
  assert.deepEqual(hookRateLimitOf("120"), { perSecond: 2, burst: 120 });
  assert.throws(() => hookRateLimitOf("-1"), /--hook-rate-limit -1: not a positive whole number/);
});

test("serve and sync refuse a bad value before they start (exit 2)", async () => {
  for (const argv of [
    ["serve", "--tls-cert", "none.crt", "--tls-key", "none.key", "--max-in-flight", "0"],
    ["sync", "--repo", "none.git", "--max-connections", "ten"],
  ]) {
    const out = capturedOutput();
    assert.equal(await main(argv, out), 2, argv.join(" "));
    assert.match(out.err, /--max-(in-flight 0|connections ten): not a positive whole number/);
  }
});
