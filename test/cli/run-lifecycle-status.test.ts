// `poolkeeper run` telling Git what the NodeClaim lifecycle and garbage collection did, end to end in the simulated
// world through the real adapters on its virtual clock: a NodeClaim whose EC2NodeClass does not exist is deleted 5
// minutes after it was created (Karpenter's launch timeout, liveness.go) and an instance tagged for the cluster with
// no NodeClaim is terminated once the collector's 2-minute pass finds it past the 1-minute grace; each appears once
// in the status branch, through the one status publisher, as a `timed-out` / `garbage-collected` trailer with its
// pool, its NodeClaim and why. Expected values come from the world (the instance it launched, the NodeClaim it stores)
// and from Karpenter's timeouts.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { KubeObject } from "../../sim/index.ts";
import { CLUSTER, NODE_CLASS, NODE_POOL, startRunWorld, type RunWorld } from "../support/run-world.ts";

let w: RunWorld;

const trailers = (messages: string[]) =>
  messages.flatMap((m) =>
    m
      .split("\n")
      .filter((line) => line.startsWith("Poolkeeper-Event: "))
      .map((line) => line.slice("Poolkeeper-Event: ".length)),
  );

/** Moves the clock a second at a time until the status branch holds an event `match` accepts; all such events. */
async function statusEvents(match: (event: string) => boolean, what: string): Promise<string[]> {
  for (let step = 0; step < 60; step++) {
    const found = trailers(await w.statusCommits()).filter(match);
    if (found.length > 0) return found;
    await w.until(() => true, what);
    w.clock.step(1_000);
  }
  assert.fail(`${what}: not in the status branch within a minute of simulated time`);
}

before(async () => {
  w = await startRunWorld();
  await w.commit("pools: class and pool", { "pools/nodeclass.yaml": NODE_CLASS, "pools/nodepool.yaml": NODE_POOL });
  await w.startRun(["--leader-election-name", "poolkeeper-lifecycle"]);
  await w.until(() => w.list("karpenter.sh", "v1", "nodepools").length === 1, "the NodePool applied", {
    limitMs: 60_000,
  });
});
after(async () => {
  await w?.stop();
});

describe("poolkeeper run reports the NodeClaim lifecycle's deletions in Git", () => {
  test("a NodeClaim that cannot launch: timed-out, 5 minutes after it was created", async () => {
    const created = w.world.store.create(w.world.kind("karpenter.sh", "v1", "nodeclaims"), undefined, {
      apiVersion: "karpenter.sh/v1",
      kind: "NodeClaim",
      metadata: { name: "default-nowhere", labels: { "karpenter.sh/nodepool": "default" } },
      spec: {
        nodeClassRef: { group: "karpenter.k8s.aws", kind: "EC2NodeClass", name: "missing" },
        requirements: [{ key: "karpenter.sh/capacity-type", operator: "In", values: ["spot"] }],
      },
    } as KubeObject);
    const createdAt = Date.parse(String(created.metadata?.creationTimestamp));
    const gone = () => !w.list("karpenter.sh", "v1", "nodeclaims").some((c) => c.metadata?.name === "default-nowhere");
    await w.until(gone, "the NodeClaim deleted", { stepMs: 5_000 });
    assert.ok(w.clock.now().getTime() - createdAt >= 5 * 60_000, "not before the 5 minutes");
    const events = await statusEvents((e) => e.startsWith("timed-out "), "the launch timeout");
    assert.deepEqual(events, [
      "timed-out default default-nowhere: NodeClaim default-nowhere did not launch within 5 minutes (launch timeout): deleting it",
    ]);
  });

  test("a leaked instance: garbage-collected once past the grace period", async () => {
    const cloud = w.world.cloud;
    const [leaked] = cloud.launch(
      {
        instanceType: "m5.large",
        subnetId: cloud.scenario.subnets[0]?.id ?? "",
        imageId: "ami-0a00000000000a023",
        capacityType: "on-demand",
        securityGroupIds: [],
        tags: [
          { key: "karpenter.sh/nodepool", value: "default" },
          { key: "karpenter.k8s.aws/ec2nodeclass", value: "default" },
          { key: "karpenter.sh/nodeclaim", value: "default-leaked" },
          { key: "eks:eks-cluster-name", value: CLUSTER },
        ],
      },
      1,
    );
    assert.ok(leaked);
    const launchedAt = w.clock.now().getTime();
    const terminated = () => ["shutting-down", "terminated"].includes(cloud.stateOf(leaked));
    await w.until(terminated, "the leaked instance terminated", { stepMs: 5_000 });
    assert.ok(w.clock.now().getTime() - launchedAt >= 60_000, "not within the grace period");
    const events = await statusEvents((e) => e.startsWith("garbage-collected "), "the leaked instance collected");
    assert.deepEqual(events, [
      `garbage-collected default default-leaked: terminated instance aws:///${leaked.zone}/${leaked.id}: tagged for ` +
        "this cluster with no NodeClaim naming it for 1 min (leaked)",
    ]);
    // Reported once: a further collector pass finds nothing more to say.
    w.clock.step(2 * 60_000);
    await w.until(() => true, "another pass");
    assert.equal(trailers(await w.statusCommits()).filter((e) => e.startsWith("garbage-collected ")).length, 1);
  });
});
