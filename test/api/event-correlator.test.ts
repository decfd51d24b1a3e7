// The EventCorrelator against client-go's tools/record/events_cache.go: the spam filter (25 events per source and
// object, refilled one per 300 s: EventSourceObjectSpamFilter with defaultSpamBurst / defaultSpamQPS), the
// aggregation window (10 similar events within 600 s: defaultAggregateMaxEvents / defaultAggregateIntervalInSeconds)
// and event names (`<object>.<UnixNano in hex>`, generateEvent's fmt.Sprintf("%v.%x")).
import assert from "node:assert/strict";
import { test } from "node:test";
import { EventCorrelator, type EventInput } from "../../api/index.ts";
import { FakeClock } from "../support/fake-clock.ts";

const nodeClaim = { apiVersion: "karpenter.sh/v1", kind: "NodeClaim", name: "default-x7k2p", uid: "u-1" };
const input = (reason: string, message = "m", involved = nodeClaim): EventInput => ({
  involved,
  type: "Normal",
  reason,
  message,
});

test("the spam filter lets 25 events about one object through, then one per 5 minutes; other objects are apart", () => {
  const clock = new FakeClock(new Date("2026-03-01T12:00:00Z"));
  const correlator = new EventCorrelator(clock, { component: "poolkeeper" });
  for (let i = 0; i < 25; i++) assert.notEqual(correlator.correlate(input(`R${i}`)).action, "drop", `event ${i + 1}`);
  assert.equal(correlator.correlate(input("R25")).action, "drop");
  assert.equal(correlator.correlate(input("R0", "m", { ...nodeClaim, name: "other" })).action, "create");
  clock.step(299_000);
  assert.equal(correlator.correlate(input("R26")).action, "drop", "299 s: not yet a token");
  clock.step(1_000);
  assert.equal(correlator.correlate(input("R27")).action, "create", "300 s: one token");
  assert.equal(correlator.correlate(input("R28")).action, "drop");
});

test("similar events are combined only within 10 minutes of the last one", () => {
  const clock = new FakeClock(new Date("2026-03-01T12:00:00Z"));
  const correlator = new EventCorrelator(clock, { component: "poolkeeper" });
  for (let i = 1; i <= 9; i++) {
    const write = correlator.correlate(input("FailedDraining", `try ${i}`));
    assert.equal(write.action, "create");
  }
  clock.step(601_000);
  const fresh = correlator.correlate(input("FailedDraining", "try 10"));
  assert.equal(fresh.action === "create" && fresh.event.message, "try 10", "the window restarted: not combined");
});

test("a repeat is a patch of count, message and lastTimestamp of the Event first written, under its name", () => {
  const clock = new FakeClock(new Date("2026-03-01T12:00:00Z"));
  const correlator = new EventCorrelator(clock, { component: "poolkeeper", host: "ip-10-0-1-1" });
  const first = correlator.correlate(input("Launched"));
  const other = correlator.correlate(input("Registered"));
  assert.equal(first.action, "create");
  assert.equal(other.action, "create");
  if (first.action !== "create" || other.action !== "create") return;
  // UnixNano of 2026-03-01T12:00:00Z is 1772366400000000000 = 0x1898b5d9b3d68000; a second event in the same
  // instant gets the next nanosecond, so names never collide.
  assert.equal(first.event.metadata.name, "default-x7k2p.1898b5d9b3d68000");
  assert.equal(other.event.metadata.name, "default-x7k2p.1898b5d9b3d68001");
  assert.equal(first.event.metadata.namespace, "default", "a cluster-scoped object's events go to default");
  assert.deepEqual(first.event.source, { component: "poolkeeper", host: "ip-10-0-1-1" });
  clock.step(61_000);
  const repeat = correlator.correlate(input("Launched"));
  assert.deepEqual(repeat.action === "patch" && [repeat.event.metadata.name, repeat.patch], [
    "default-x7k2p.1898b5d9b3d68000",
    { count: 2, message: "m", lastTimestamp: "2026-03-01T12:01:01Z" },
  ]);
});
