// The interruption controller reports to the Git status through an interface gitops's StatusPublisher satisfies:
// assigning one to the other is checked by the compiler, and an event recorded through it is pending in the
// publisher, as the status report's producers' events are.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { InterruptionStatusSink } from "../../../controller/index.ts";
import { StatusPublisher } from "../../../gitops/index.ts";
import type { StatusWriter } from "../../../gitops/status-writer.ts";
import { silentLogger } from "../../../runtime/index.ts";
import { FakeClock } from "../../support/fake-clock.ts";

test("gitops's StatusPublisher is an InterruptionStatusSink: an interruption lands in its pending events", () => {
  const clock = new FakeClock(new Date("2026-04-06T09:00:00Z"));
  // Manual mode never writes until flushed; the writer is not reached.
  const writer = null as unknown as StatusWriter;
  const publisher = new StatusPublisher({
    writer,
    cluster: "sim",
    coalesceMs: 60_000,
    clock,
    logger: silentLogger(),
    retry: { minBackoffMs: 1_000, maxBackoffMs: 60_000 },
    manual: true,
  });
  const sink: InterruptionStatusSink = publisher;
  sink.record({
    kind: "interrupted",
    pool: "default",
    node: "ip-10-0-0-1",
    reason: "spot_interrupted for instance i-0123456789abcdef0",
  });
  sink.record({ kind: "drained", pool: "default", reason: "3 pod(s) moved" });
  assert.equal(publisher.pendingEvents, 2);
});
