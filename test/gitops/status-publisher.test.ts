// The status publisher over a recording writer: coalescing, ordering, and that no event is lost or repeated
// when writes fail or cannot be pushed.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseTrailers } from "../../gitops/status-render.ts";
import { StatusPublisher } from "../../gitops/status-publisher.ts";
import type { StatusWriteInput, StatusWriteResult, StatusWriter } from "../../gitops/status-writer.ts";
import { silentLogger } from "../../runtime/log.ts";
import { FakeClock } from "../support/fake-clock.ts";
import { guardAgainstHang } from "../support/hang-guard.ts";

type Step = "push" | "pending" | "fail";

/** A writer that records each write and answers per the script (then "push"); `written` waits for the n-th write. */
function recordingWriter(script: Step[] = []) {
  const writes: StatusWriteInput[] = [];
  const waiting: { count: number; resolve: () => void }[] = [];
  let previous = "";
  const writer: StatusWriter = {
    remote: "memory",
    branch: "status",
    async write(input): Promise<StatusWriteResult> {
      const step = script.shift() ?? "push";
      if (step === "fail") throw new Error("remote said no");
      writes.push(input);
      for (const waiter of waiting.filter((w) => writes.length >= w.count)) waiter.resolve();
      const tree = JSON.stringify([...input.files]);
      const unchanged = tree === previous;
      previous = tree;
      return { sha: `c${writes.length}`, pushed: step === "push", unchanged };
    },
    history: async () => [],
  };
  const written = (count: number) =>
    guardAgainstHang(
      new Promise<void>((resolve) => (writes.length >= count ? resolve() : waiting.push({ count, resolve }))),
      `write ${count}`,
    );
  return { writer, writes, written };
}

const trailerEvents = (input: StatusWriteInput | undefined) =>
  parseTrailers(input?.message ?? "").events.map((e) => `${e.kind} ${e.node ?? ""}`.trim());

const T0 = new Date("2026-11-25T10:00:00Z");

function publisher(writer: StatusWriter, coalesceMs = 0, clock = new FakeClock(T0)) {
  return new StatusPublisher({
    writer,
    cluster: "prod",
    coalesceMs,
    clock,
    logger: silentLogger(),
    retry: { minBackoffMs: 60_000, maxBackoffMs: 60_000 },
  });
}

describe("StatusPublisher", () => {
  it("puts every recorded event into exactly one commit, in order", async () => {
    const { writer, writes } = recordingWriter();
    const p = publisher(writer, 60_000);
    p.record({ kind: "provisioned", pool: "default", node: "n1", reason: "pending pods" });
    p.record({ kind: "provisioned", pool: "default", node: "n2", reason: "pending pods" });
    await p.flush();
    p.record({ kind: "drained", pool: "default", node: "n1", reason: "spot interruption" });
    await p.flush();
    assert.deepEqual(writes.map(trailerEvents), [["provisioned n1", "provisioned n2"], ["drained n1"]]);
    assert.equal(p.pendingEvents, 0);
    assert.equal(await p.flush(), undefined, "nothing changed: no write at all");
  });

  it("coalesces: with a long interval nothing is written until flushed", async () => {
    const { writer, writes } = recordingWriter();
    const clock = new FakeClock(T0);
    const p = publisher(writer, 60_000, clock);
    p.record({ kind: "provisioned", node: "n0", reason: "r" });
    await p.flush(); // the first write is at once, and starts the interval
    const before = writes.length;
    p.record({ kind: "provisioned", node: "n1", reason: "r" });
    p.record({ kind: "provisioned", node: "n2", reason: "r" });
    assert.deepEqual(clock.pending, [60_000], "one write, due when the interval ends");
    clock.step(59_999);
    assert.deepEqual(clock.pending, [1], "the write has not started: it is still due");
    assert.equal(writes.length, before, "within the interval");
    assert.equal(p.pendingEvents, 2);
    await p.close();
    assert.deepEqual(trailerEvents(writes.at(-1)), ["provisioned n1", "provisioned n2"]);
  });

  it("writes soon after a record when the interval has passed", async () => {
    const { writer, writes, written } = recordingWriter();
    const clock = new FakeClock(T0);
    const p = publisher(writer, 0, clock);
    p.record({ kind: "expired", node: "n9", reason: "expireAfter 720h" });
    assert.deepEqual(clock.pending, [0], "due at once");
    clock.step(0);
    await written(1);
    assert.deepEqual(trailerEvents(writes[0]), ["expired n9"]);
    await p.close();
  });

  it("keeps the events of a failed write for the next one, and loses none", async () => {
    const { writer, writes } = recordingWriter(["fail"]);
    const p = publisher(writer, 60_000);
    p.record({ kind: "provisioned", node: "n1", reason: "r" });
    await assert.rejects(p.flush(), /remote said no/);
    assert.equal(p.pendingEvents, 1);
    p.record({ kind: "provisioned", node: "n2", reason: "r" });
    await p.close();
    assert.deepEqual(writes.map(trailerEvents), [["provisioned n1", "provisioned n2"]]);
  });

  it("a commit the remote did not take is retried until pushed, without repeating its events", async () => {
    const { writer, writes } = recordingWriter(["pending"]);
    const p = publisher(writer, 60_000);
    p.record({ kind: "drained", node: "n1", reason: "r" });
    const first = await p.flush();
    assert.equal(first?.pushed, false);
    assert.equal(p.unpushed, true);
    const second = await p.flush();
    assert.equal(second?.pushed, true);
    assert.equal(p.unpushed, false);
    assert.deepEqual(writes.map(trailerEvents), [["drained n1"], []]);
    await p.close();
  });

  it("manual: only flush and close write; update without write waits for the next write", async () => {
    const { writer, writes } = recordingWriter();
    const clock = new FakeClock(T0);
    const p = new StatusPublisher({
      writer,
      cluster: "prod",
      coalesceMs: 0,
      clock,
      logger: silentLogger(),
      retry: { minBackoffMs: 1, maxBackoffMs: 1 },
      manual: true,
    });
    p.update({ source: { sha: "b".repeat(40), accepted: true, findings: [] }, pools: [] }, { write: false });
    assert.equal(await p.flush(), undefined, "a quiet update alone writes nothing");
    p.record({ kind: "accepted", reason: "commit bbbbbbb accepted" });
    assert.deepEqual(clock.pending, [], "no timer");
    clock.step(24 * 3600 * 1000);
    assert.equal(writes.length, 0);
    await p.close();
    assert.equal(writes.length, 1);
    assert.match(writes[0]?.message ?? "", /accepted bbbbbbb/);
  });

  it("renders the source and pools it is given", async () => {
    const { writer, writes } = recordingWriter();
    const p = publisher(writer);
    p.update({ source: { sha: "a".repeat(40), accepted: true, findings: [] }, pools: [] });
    await p.close();
    assert.match(writes[0]?.message ?? "", /^status\(prod\): accepted aaaaaaa — 0 pools/);
    assert.ok(writes[0]?.files.has("summary.md"));
  });
});
