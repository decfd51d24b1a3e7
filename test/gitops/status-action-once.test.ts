// Each node action once in the status branch (gitops/status-action-key.ts): a controller restarted after a crash
// re-derives its reports from the cluster and reports again what may already be recorded. The publisher drops an
// action it recorded already, one the branch held when it was seeded, and — after `reseed()`, when this replica
// starts leading — one another replica committed meanwhile, read from the branch before the next write. Events
// about no node, and a rebalance replacement held (no termination), are not taken for the node's interruption.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { HistoryEntry } from "../../gitops/history.ts";
import { parseTrailers } from "../../gitops/status-render.ts";
import { memoryStatusPublisher } from "../support/memory-status-publisher.ts";

function setup(history: HistoryEntry[] = [], pushed: () => boolean = () => true) {
  return memoryStatusPublisher({ history, pushed });
}

const entry = (events: HistoryEntry["events"], cluster = "prod"): HistoryEntry =>
  ({ sha: "a".repeat(40), time: new Date("2026-11-25T09:00:00Z"), cluster, events }) as HistoryEntry;

describe("each node action once in the status branch", () => {
  it("records a node action reported twice once, and events about no node every time", async () => {
    const { publisher, events } = setup();
    publisher.record({ kind: "provisioned", pool: "default", node: "default-a", reason: "launched m5.xlarge" });
    publisher.record({ kind: "provisioned", pool: "default", node: "default-a", reason: "launched; after a restart" });
    publisher.record({ kind: "accepted", reason: "commit 1 accepted" });
    publisher.record({ kind: "accepted", reason: "commit 1 accepted" });
    await publisher.flush();
    assert.deepEqual(events(), ["provisioned default-a", "accepted -", "accepted -"]);
  });

  it("takes an interruption and its drain for one however the report names the node (Node or NodeClaim)", async () => {
    const { publisher, events } = setup();
    publisher.seedActions([
      {
        kind: "interrupted",
        pool: "default",
        node: "ip-10-0-32-20",
        reason: "spot_interrupted for instance i-10: tainted",
      },
    ]);
    publisher.record({
      kind: "interrupted",
      pool: "default",
      node: "default-ltlsw",
      reason: "spot_interrupted for instance i-10: reported after a restart",
    });
    publisher.record({
      kind: "drained",
      pool: "default",
      node: "default-ltlsw",
      reason: "spot_interrupted for instance i-10",
    });
    publisher.record({
      kind: "drained",
      pool: "default",
      node: "ip-10-0-32-20",
      reason: "spot_interrupted for instance i-10",
    });
    await publisher.flush();
    assert.deepEqual(events(), ["drained default-ltlsw"]);
  });

  it("drops what the branch held when seeded, for this cluster only", async () => {
    const { publisher, events } = setup();
    publisher.seedActions([
      { kind: "interrupted", pool: "default", node: "n1", reason: "spot_interrupted for instance i-1" },
    ]);
    publisher.record({
      kind: "interrupted",
      pool: "default",
      node: "n1",
      reason: "instance_terminated for instance i-1",
    });
    publisher.record({ kind: "drained", pool: "default", node: "n1", reason: "spot_interrupted: 4 pod(s) moved" });
    await publisher.flush();
    assert.deepEqual(events(), ["drained n1"]);
  });

  it("after reseed, reads the branch before writing and drops what another replica committed meanwhile", async () => {
    const history = [
      entry([{ kind: "provisioned", pool: "default", node: "default-b", reason: "launched by the other replica" }]),
      entry([{ kind: "provisioned", pool: "default", node: "default-c", reason: "another cluster's" }], "staging"),
    ];
    const { publisher, events } = setup(history);
    publisher.reseed();
    publisher.record({ kind: "provisioned", pool: "default", node: "default-b", reason: "recovered" });
    publisher.record({ kind: "provisioned", pool: "default", node: "default-c", reason: "recovered" });
    await publisher.flush();
    assert.deepEqual(events(), ["provisioned default-c"]);
  });

  it("a rebalance replacement held is not the node's interruption", async () => {
    const { publisher, events } = setup();
    publisher.record({
      kind: "interrupted",
      pool: "p",
      node: "n",
      reason: "rebalance_recommendation for instance i-9: replacement held, budget",
    });
    publisher.record({
      kind: "interrupted",
      pool: "p",
      node: "n",
      reason: "spot_interrupted for instance i-9: NodeClaim c tainted and deleted, draining",
    });
    await publisher.flush();
    assert.deepEqual(events(), ["interrupted n", "interrupted n"]);
  });
});

describe("a commit a previous process left unpushed in the local clone", () => {
  it("is pushed by the first flush after reseed, which reports it not pushed while the remote refuses", async () => {
    // The local clone's history (read at start) holds the previous process's events, so their re-derived reports are
    // dropped: nothing is pending, yet the flush termination awaits before removing a finalizer must push.
    let remoteUp = false;
    const history = [entry([{ kind: "drained", pool: "default", node: "n1", reason: "spot_interrupted" }])];
    const { publisher, writes } = setup(history, () => remoteUp);
    publisher.seedActions(history.flatMap((e) => e.events));
    publisher.reseed();
    publisher.record({ kind: "drained", pool: "default", node: "n1", reason: "spot_interrupted: re-derived" });
    assert.equal((await publisher.flush())?.pushed, false, "the remote refused: not done");
    assert.equal(writes.length, 1);
    assert.deepEqual(parseTrailers(writes[0]?.message ?? "").events, [], "the re-derived drain is not repeated");
    remoteUp = true;
    assert.equal((await publisher.flush())?.pushed, true);
    assert.equal(await publisher.flush(), undefined, "nothing left to push");
  });
});
