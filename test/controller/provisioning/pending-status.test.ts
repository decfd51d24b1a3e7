// The status report's `pending` event: one per batch that leaves pods unschedulable, pods grouped by their
// explanation, a few named and the rest counted, bounded whatever the batch's size; through gitops's own
// StatusPublisher into a commit's trailers and the status files. Explanations come from the scheduler (a pool whose
// limits.cpu of 0 leaves no room, m5.large's 2 vCPUs from the catalog) or are written by hand.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { explain, pendingEvent, type Unschedulable } from "../../../controller/provisioning/index.ts";
import { StatusPublisher } from "../../../gitops/index.ts";
import { parseTrailers } from "../../../gitops/status-render.ts";
import type { StatusWriteInput, StatusWriter } from "../../../gitops/status-writer.ts";
import { silentLogger } from "../../../runtime/index.ts";
import { FakeClock } from "../../support/fake-clock.ts";
import { catalogTypes, nodePool, pod, run } from "../../support/scheduling-fixtures.ts";

const taint = (pool: string) => explain(pool, { kind: "taint", taint: "dedicated=gpu:NoSchedule" });
const unschedulable = (name: string, explanations = [taint("gpu")]): Unschedulable => ({
  pod: `default/${name}`,
  explanations,
  message: undefined,
});

describe("pendingEvent", () => {
  test("nothing pending, no event", () => {
    assert.equal(pendingEvent([]), undefined);
  });

  test("pods that share an explanation are named together, the largest group first", () => {
    const event = pendingEvent([
      unschedulable("a", [taint("other")]),
      unschedulable("b"),
      unschedulable("c"),
      unschedulable("d"),
      unschedulable("e"),
    ]);
    assert.deepEqual(event, {
      kind: "pending",
      reason:
        "5 pods still pending — default/b, default/c, default/d and 1 more: pool gpu: taint dedicated=gpu:NoSchedule " +
        "not tolerated; default/a: pool other: taint dedicated=gpu:NoSchedule not tolerated",
    });
  });

  test("a thousand pods with a dozen explanations make one bounded sentence", () => {
    const pods = Array.from({ length: 1000 }, (_, i) => unschedulable(`p${i}`, [taint(`pool-${i % 12}`)]));
    const event = pendingEvent(pods) ?? assert.fail("no event");
    assert.ok(event.reason.length <= 2_000, `${event.reason.length} characters`);
    assert.match(event.reason, /^1000 pods still pending — /);
    assert.match(event.reason, /; 748 pods for 9 other explanations$/);
    assert.equal(event.reason.match(/default\/p\d+/g)?.length, 9, "three pods named for each of three explanations");
  });

  test("a batch explained against one pool is that pool's event, from the scheduler's own explanation", () => {
    const result = run(
      [pod({ name: "web", requests: { cpu: "1" } })],
      [nodePool("capped", { limits: { cpu: "0" } })],
      [...catalogTypes("m5.large")],
    );
    const event = pendingEvent(result.unschedulable);
    assert.equal(event?.pool, "capped");
    assert.equal(
      event?.reason,
      "1 pod still pending — default/web: pool capped: limits.cpu would be exceeded (0 of 0 used, the smallest " +
        "fitting type needs 2)",
    );
  });
});

test("the event goes through gitops's StatusPublisher into the commit's trailers and the status files", async () => {
  const writes: StatusWriteInput[] = [];
  const writer: StatusWriter = {
    remote: "memory",
    branch: "status",
    write: async (input) => {
      writes.push(input);
      return { sha: "c1", pushed: true, unchanged: false };
    },
    history: async () => [],
  };
  const publisher = new StatusPublisher({
    writer,
    cluster: "prod",
    coalesceMs: 0,
    clock: new FakeClock(new Date("2026-03-02T09:00:00Z")),
    logger: silentLogger(),
    retry: { minBackoffMs: 1_000, maxBackoffMs: 1_000 },
    manual: true,
  });
  publisher.record(pendingEvent([unschedulable("a"), unschedulable("b")]) ?? assert.fail("no event"));
  await publisher.close();
  assert.equal(writes.length, 1);
  const [trailer] = parseTrailers(writes[0]?.message ?? "").events;
  assert.deepEqual(trailer, {
    kind: "pending",
    pool: "gpu",
    reason: "2 pods still pending — default/a, default/b: pool gpu: taint dedicated=gpu:NoSchedule not tolerated",
  });
  const files = [...(writes[0]?.files.values() ?? [])].join("\n");
  assert.match(files, /pending/);
  assert.match(files, /default\/a, default\/b: pool gpu: taint dedicated=gpu:NoSchedule not tolerated/);
});
