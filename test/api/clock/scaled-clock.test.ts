// ScaledClock: simTime = start + (wall − wallStart) × factor; timers wait delay / factor of wall time; a second
// clock built from the first's published spec reads the same time. The wall is a VirtualClock, so nothing here
// depends on the machine's speed.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ScaledClock, VirtualClock } from "../../../api/index.ts";

const WALL0 = new Date("2026-12-05T06:00:00Z");
const SIM0 = new Date("2026-03-01T12:00:00Z");

describe("ScaledClock", () => {
  test("simulated time runs `factor` times as fast as the wall from `start`", () => {
    const wall = new VirtualClock(WALL0);
    const clock = new ScaledClock({ start: SIM0, factor: 10, wall });
    assert.equal(clock.now().toISOString(), "2026-03-01T12:00:00.000Z");
    wall.advance(12_000);
    assert.equal(clock.now().toISOString(), "2026-03-01T12:02:00.000Z", "12 s of wall time is 2 simulated minutes");
  });

  test("a 2-minute timer fires after 12 s of wall time at factor 10, reading its due time", async () => {
    const wall = new VirtualClock(WALL0);
    const clock = new ScaledClock({ start: SIM0, factor: 10, wall });
    let firedAt: string | undefined;
    clock.afterFunc(120_000, () => (firedAt = clock.now().toISOString()));
    wall.advance(11_999);
    assert.equal(firedAt, undefined);
    wall.advance(1);
    assert.equal(firedAt, "2026-03-01T12:02:00.000Z");
    const slept = clock.sleep(600_000).then(() => clock.now().toISOString());
    await wall.runFor(60_000);
    assert.equal(await slept, "2026-03-01T12:12:00.000Z");
  });

  test("another process builds the same clock from the published spec", () => {
    const wall = new VirtualClock(WALL0);
    const world = new ScaledClock({ start: SIM0, factor: 6, wall });
    wall.advance(5_000);
    const spec = JSON.parse(JSON.stringify(world.publish())) as ReturnType<ScaledClock["publish"]>;
    assert.deepEqual(spec, { start: "2026-03-01T12:00:00.000Z", wallStart: WALL0.getTime(), factor: 6 });
    const other = ScaledClock.from(spec, wall);
    assert.equal(other.now().toISOString(), world.now().toISOString());
    assert.equal(other.now().toISOString(), "2026-03-01T12:00:30.000Z");
  });

  test("a bad factor or spec is a RangeError naming the field", () => {
    assert.throws(() => new ScaledClock({ start: SIM0, factor: 0 }), /time factor: Invalid value: 0/);
    assert.throws(() => new ScaledClock({ start: SIM0, factor: Number.NaN }), /time factor/);
    assert.throws(() => ScaledClock.from({ start: "yesterday", wallStart: 0, factor: 1 }), /start: Invalid value/);
  });
});
