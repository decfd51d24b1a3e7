// The status files' live fields (nodes, usage, $/h) ride on the commits the publisher makes for other reasons: read
// from the source `fillPools` gives it with each write, never a commit of their own; absent until the source can
// tell; kept when a read fails. Expected values are the figures the test's source hands in.
import assert from "node:assert/strict";
import { test } from "node:test";
import { parse } from "yaml";
import { NO_LIVE_STATUS, type PoolLiveStatus } from "../../gitops/index.ts";
import { summarizePool } from "../../gitops/status-model.ts";
import { nodePool } from "../support/disruption-cluster.ts";
import { memoryStatusPublisher } from "../support/memory-status-publisher.ts";

const figures = (nodes: number): PoolLiveStatus => ({
  nodes: { byInstanceType: { "m5.large": nodes }, byZone: { "us-east-1a": nodes }, byCapacityType: { spot: nodes } },
  usage: { cpu: String(2 * nodes), memory: `${7577 * nodes}Mi`, nodes },
  hourlyCostUsd: 0.0367 * nodes,
  unpricedNodes: 0,
});

test("live fields come with the next commit, absent until the source can tell, and never make a commit", async () => {
  const { publisher, writes } = memoryStatusPublisher();
  const live = new Map<string, PoolLiveStatus>();
  let state: "unknown" | "known" | "failing" = "unknown";
  publisher.fillPools(async () => {
    if (state === "failing") throw new Error("the cache is not synced");
    return state === "known" ? live : undefined;
  });
  publisher.update({ pools: [summarizePool(nodePool("default")), summarizePool(nodePool("idle"))] });
  const pool = (name: string) => {
    const file = writes.at(-1)?.files.get(`${name}.yaml`) ?? assert.fail("no file");
    return (parse(file) as { pool: Record<string, unknown> }).pool;
  };

  await publisher.flush();
  assert.equal(pool("default")["usage"], undefined, "absent while the source cannot tell");

  live.set("default", figures(3));
  state = "known";
  assert.equal(await publisher.flush(), undefined, "a change of figures alone writes nothing");
  assert.equal(writes.length, 1);

  publisher.record({ kind: "provisioned", pool: "default", node: "default-abc", reason: "launched" });
  await publisher.flush();
  assert.equal(writes.length, 2);
  assert.deepEqual(pool("default")["usage"], { cpu: "6", memory: "22731Mi", nodes: 3 });
  assert.deepEqual(pool("default")["nodes"], figures(3).nodes);
  assert.equal(pool("default")["hourlyCostUsd"], figures(3).hourlyCostUsd);
  assert.deepEqual(pool("idle")["usage"], NO_LIVE_STATUS.usage, "a pool with no node says so");

  state = "failing";
  publisher.record({ kind: "provisioned", pool: "default", node: "default-def", reason: "launched" });
  await publisher.flush();
  assert.deepEqual(pool("default")["usage"], { cpu: "6", memory: "22731Mi", nodes: 3 }, "kept when a read fails");
});
