// The executor against the in-process Cluster port (sim/world/cluster-port.ts) on a virtual clock. The replacement's
// launch and initialization are simulated by the test writing its status, as the NodeClaim lifecycle controller
// will once it is merged; everything else — the taint, the DisruptionReason condition, the replacement NodeClaim,
// the candidate's deletion, the rollback — is the executor's writes, observed through the port's watch.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { Cluster, ClusterChange, Condition, NodeClaim } from "../../../api/index.ts";
import {
  ANNOTATION_DISRUPTION_COMMAND,
  ANNOTATION_DISRUPTION_REPLACEMENTS,
  ANNOTATION_NODE_POOL_HASH,
  ANNOTATION_SOURCE_COMMIT,
  type DisruptionCommand,
  DisruptionExecutor,
  nodePoolHash,
  plan,
  revalidate,
  type RolloutProgress,
  writeRolloutStatus,
} from "../../../controller/disruption/index.ts";
import { initialObjects, ObjectStore, servedKindRegistry, StoreCluster } from "../../../sim/index.ts";
import { FakeClock } from "../../support/fake-clock.ts";
import { instanceTypes, nodePool, pod, SnapshotBuilder, typesByPool } from "../../support/disruption-cluster.ts";

const START = new Date("2026-01-05T14:00:00Z");
const TYPES = instanceTypes(["m5.large", "m5.xlarge", "m5.2xlarge"]);
const POOL = nodePool("default");
const DESIRED = { nodePools: [POOL], commit: "c9f00d" };
const BY_POOL = typesByPool([POOL], TYPES);

async function world() {
  const clock = new FakeClock(START);
  const registry = servedKindRegistry();
  const store = new ObjectStore(registry, { clock });
  for (const { resource, object } of initialObjects()) {
    const kind = registry.resource(...resource);
    if (kind) store.create(kind, undefined, object);
  }
  const connect = async () => {
    const cluster = new StoreCluster(store, { clock });
    await cluster.start(["nodes", "nodeclaims", "nodepools", "events"]);
    return cluster;
  };
  return { clock, connect, cluster: await connect() };
}

/** Resolves once `ready()` holds, checked on each change the cache takes in. */
function until(cluster: Cluster, ready: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const check = () => {
      if (!ready()) return false;
      offNodes();
      offClaims();
      resolve();
      return true;
    };
    const offNodes = cluster.onChange("nodes", () => void check());
    const offClaims = cluster.onChange("nodeclaims", () => void check());
    check();
  });
}

async function install(cluster: Cluster, b: SnapshotBuilder): Promise<void> {
  for (const { node, nodeClaim } of b.nodes) {
    await cluster.create("nodes", { ...node, status: undefined } as never);
    await cluster.update(
      "nodes",
      { ...(await cluster.read("nodes", { name: node.metadata.name ?? "" })), status: node.status },
      { subresource: "status" },
    );
    const created = await cluster.create("nodeclaims", { ...nodeClaim, status: undefined } as never);
    await cluster.update("nodeclaims", { ...created, status: nodeClaim.status }, { subresource: "status" });
  }
  await until(cluster, () => cluster.list("nodeclaims").length === b.nodes.length);
}

async function setStatus(cluster: Cluster, name: string, conditions: Partial<Condition>[]): Promise<void> {
  const claim = await cluster.read("nodeclaims", { name });
  const stamped = conditions.map((c) => ({
    lastTransitionTime: START.toISOString(),
    message: "",
    reason: c.type,
    ...c,
  }));
  await cluster.update(
    "nodeclaims",
    { ...claim, status: { ...claim.status, conditions: stamped as never } },
    { subresource: "status" },
  );
}

const oversized = () => new SnapshotBuilder(TYPES).node("big", { type: "m5.2xlarge", pods: [pod({ cpu: "500m" })] });
const replacementOf = (cluster: Cluster) =>
  cluster.list("nodeclaims").find((c) => c.metadata.name !== "big-claim" && c.metadata.deletionTimestamp === undefined);
const condition = (claim: NodeClaim | undefined, type: string) =>
  (claim?.status?.conditions as Condition[] | undefined)?.find((c) => c.type === type);
const tainted = (cluster: Cluster) =>
  (cluster.get("nodes", { name: "big" })?.spec?.taints ?? []).some((t) => t.key === "karpenter.sh/disrupted");

function commandFor(b: SnapshotBuilder, clock: FakeClock): DisruptionCommand {
  const [command] = plan(b.snapshot(), DESIRED, BY_POOL, clock).commands;
  assert.ok(command);
  return command;
}

describe("executing a command", () => {
  test("taint and DisruptionReason first, then the replacement, then the candidate's NodeClaim goes", async () => {
    const { clock, cluster } = await world();
    const b = oversized();
    await install(cluster, b);
    const command = commandFor(b, clock);
    const order: string[] = [];
    cluster.onChange("nodes", (change) => {
      if (change.type === "updated" && tainted(cluster) && !order.includes("taint")) order.push("taint");
    });
    cluster.onChange("nodeclaims", (change: ClusterChange<NodeClaim>) => {
      const name = change.object.metadata.name ?? "";
      if (change.type === "added") order.push(`create ${name === "big-claim" ? name : "replacement"}`);
      if (change.type === "deleted") order.push(`delete ${name}`);
      if (change.type === "updated" && condition(change.object, "DisruptionReason") && !order.includes("reason"))
        order.push("reason");
    });
    const executor = new DisruptionExecutor({ cluster, clock, commit: "c9f00d" });
    const running = executor.execute(command, () => revalidate(command, b.snapshot(), DESIRED, BY_POOL, clock));
    await clock.untilPending();
    assert.deepEqual(clock.pending, [15_000], "re-validation 15 s after the decision");
    clock.step(15_000);
    await until(cluster, () => replacementOf(cluster) !== undefined);
    assert.ok(tainted(cluster));
    assert.equal(
      condition(cluster.get("nodeclaims", { name: "big-claim" }), "DisruptionReason")?.reason,
      "Underutilized",
    );
    const replacement = replacementOf(cluster);
    assert.ok(replacement);
    const annotations = replacement.metadata.annotations ?? {};
    assert.equal(annotations[ANNOTATION_NODE_POOL_HASH], nodePoolHash(POOL));
    assert.equal(annotations[ANNOTATION_SOURCE_COMMIT], "c9f00d");
    assert.equal(annotations[ANNOTATION_DISRUPTION_COMMAND], command.id);
    const types = replacement.spec.requirements.find((r) => r.key === "node.kubernetes.io/instance-type")?.values;
    assert.deepEqual(types, ["m5.large", "m5.xlarge"], "only types cheaper than the m5.2xlarge");
    // The lifecycle controller's part: the replacement launches and initializes.
    await setStatus(cluster, replacement.metadata.name ?? "", [
      { type: "Launched", status: "True" },
      { type: "Initialized", status: "True" },
    ]);
    const result = await running;
    assert.equal(result.outcome, "done");
    await until(cluster, () => cluster.get("nodeclaims", { name: "big-claim" }) === undefined);
    assert.deepEqual(order, ["taint", "reason", "create replacement", "delete big-claim"]);
    const events = cluster.list("events").map((e) => `${e.involvedObject.kind}/${e.involvedObject.name} ${e.reason}`);
    assert.ok(events.includes("Node/big DisruptionLaunching"), events.join("\n"));
    assert.ok(events.includes("NodePool/default DisruptionTerminating"), events.join("\n"));
  });

  test("pod churn before re-validation invalidates the command, and nothing is written", async () => {
    const { clock, cluster } = await world();
    const b = oversized();
    await install(cluster, b);
    const command = commandFor(b, clock);
    const later = new SnapshotBuilder(TYPES).node("big", {
      type: "m5.2xlarge",
      pods: [pod({ cpu: "500m" }), pod({ cpu: "200m" })],
    });
    const executor = new DisruptionExecutor({ cluster, clock });
    const running = executor.execute(command, () => revalidate(command, later.snapshot(), DESIRED, BY_POOL, clock));
    await clock.untilPending();
    clock.step(15_000);
    const result = await running;
    assert.equal(result.outcome, "invalidated");
    assert.equal(
      result.outcome === "invalidated" && result.why,
      "the candidates' pods changed since the decision (pod churn)",
    );
    assert.equal(tainted(cluster), false);
    assert.equal(cluster.list("nodeclaims").length, 1);
  });

  test("a replacement that fails to launch rolls back cleanly", async () => {
    const { clock, cluster } = await world();
    const b = oversized();
    await install(cluster, b);
    const command = commandFor(b, clock);
    const running = new DisruptionExecutor({ cluster, clock }).execute(command, () =>
      revalidate(command, b.snapshot(), DESIRED, BY_POOL, clock),
    );
    await clock.untilPending();
    clock.step(15_000);
    await until(cluster, () => replacementOf(cluster) !== undefined);
    const name = replacementOf(cluster)?.metadata.name ?? "";
    await setStatus(cluster, name, [{ type: "Launched", status: "False", message: "InsufficientCapacity" }]);
    const result = await running;
    assert.equal(result.outcome, "rolled-back");
    assert.equal(
      result.outcome === "rolled-back" && result.why,
      `replacement ${name} failed to launch: InsufficientCapacity`,
    );
    await until(cluster, () => cluster.list("nodeclaims").length === 1 && !tainted(cluster));
    const candidate = cluster.get("nodeclaims", { name: "big-claim" });
    assert.equal(condition(candidate, "DisruptionReason"), undefined);
    assert.equal(candidate?.metadata.annotations?.[ANNOTATION_DISRUPTION_COMMAND], undefined);
  });

  test("a replacement that never initializes rolls back after the timeout", async () => {
    const { clock, cluster } = await world();
    const b = oversized();
    await install(cluster, b);
    const command = commandFor(b, clock);
    const running = new DisruptionExecutor({ cluster, clock, initializationTimeoutMs: 5 * 60_000 }).execute(
      command,
      () => revalidate(command, b.snapshot(), DESIRED, BY_POOL, clock),
    );
    await clock.untilPending();
    clock.step(15_000);
    await until(cluster, () => replacementOf(cluster) !== undefined);
    await clock.untilPending();
    assert.deepEqual(clock.pending, [5 * 60_000]);
    clock.step(5 * 60_000);
    const result = await running;
    assert.equal(result.outcome === "rolled-back" && result.why, "replacements not initialized within 5 minutes");
    await until(cluster, () => cluster.list("nodeclaims").length === 1 && !tainted(cluster));
  });

  test("dry-run writes nothing; expiration deletes at once", async () => {
    const { clock, cluster } = await world();
    const expiring = new SnapshotBuilder(TYPES).node("big", {
      type: "m5.2xlarge",
      pods: [pod({ cpu: "500m" })],
      createdAt: "2025-12-01T00:00:00Z",
      claimSpec: { expireAfter: "720h" },
    });
    await install(cluster, expiring);
    const executor = new DisruptionExecutor({ cluster, clock });
    const [dry] = plan(expiring.snapshot(), DESIRED, BY_POOL, clock, { dryRun: true }).commands;
    assert.ok(dry);
    assert.equal((await executor.execute(dry, () => ({ valid: true, command: dry }))).outcome, "dry-run");
    assert.equal(cluster.list("nodeclaims").length, 1);
    const [expired] = plan(expiring.snapshot(), DESIRED, BY_POOL, clock).commands;
    assert.equal(expired?.reason, "Expired");
    assert.ok(expired);
    assert.equal((await executor.execute(expired, () => assert.fail("no re-validation"))).outcome, "done");
    await until(cluster, () => cluster.list("nodeclaims").length === 0);
  });
});

describe("nothing half-done across a restart", () => {
  test("a command whose replacement exists is finished by the next process", async () => {
    const { clock, cluster, connect } = await world();
    const b = oversized();
    await install(cluster, b);
    const command = commandFor(b, clock);
    const first = await connect();
    // The first process dies mid-command; what it does after that goes nowhere.
    const dying = new DisruptionExecutor({ cluster: first, clock }).execute(command, () =>
      revalidate(command, b.snapshot(), DESIRED, BY_POOL, clock),
    );
    dying.catch(() => {});
    await clock.untilPending();
    clock.step(15_000);
    await until(cluster, () => replacementOf(cluster) !== undefined);
    await first.stop(); // the process dies while it waits for the replacement
    const recovering = new DisruptionExecutor({ cluster, clock }).recover();
    await setStatus(cluster, replacementOf(cluster)?.metadata.name ?? "", [{ type: "Initialized", status: "True" }]);
    const results = await recovering;
    assert.deepEqual(
      results.map((r) => r.outcome),
      ["done"],
    );
    await until(cluster, () => cluster.get("nodeclaims", { name: "big-claim" }) === undefined);
  });

  test("a command that died before its replacement was created is rolled back", async () => {
    const { clock, cluster } = await world();
    await install(cluster, oversized());
    // What a process leaves when it dies after marking the candidate: taint, command id, DisruptionReason.
    await cluster.taint("big", { key: "karpenter.sh/disrupted", effect: "NoSchedule" });
    await cluster.patch(
      "nodeclaims",
      { name: "big-claim" },
      {
        type: "merge",
        patch: {
          metadata: {
            annotations: {
              [ANNOTATION_DISRUPTION_COMMAND]: "underutilized-x",
              [ANNOTATION_DISRUPTION_REPLACEMENTS]: "1",
            },
          },
        },
      },
    );
    await setStatus(cluster, "big-claim", [
      { type: "Initialized", status: "True" },
      { type: "DisruptionReason", status: "True", reason: "Underutilized" },
    ]);
    await until(
      cluster,
      () =>
        tainted(cluster) &&
        condition(cluster.get("nodeclaims", { name: "big-claim" }), "DisruptionReason") !== undefined,
    );
    const results = await new DisruptionExecutor({ cluster, clock }).recover();
    assert.deepEqual(
      results.map((r) => r.outcome),
      ["rolled-back"],
    );
    await until(cluster, () => !tainted(cluster));
    assert.equal(condition(cluster.get("nodeclaims", { name: "big-claim" }), "DisruptionReason"), undefined);
    assert.equal(cluster.list("nodeclaims").length, 1);
  });
});

describe("rollout progress on the NodePool's status", () => {
  test("RolledOut is False with n of m while drifted nodes remain, True when all are current, written on change", async () => {
    const { clock, cluster } = await world();
    await cluster.create("nodepools", POOL);
    const progress = (current: number): RolloutProgress => ({
      nodePool: "default",
      commit: "c2",
      current,
      total: 3,
      byCommit: {},
      done: current === 3,
      message: `${current} of 3 nodes on the current template at c2`,
    });
    const rolledOut = () =>
      (cluster.get("nodepools", { name: "default" })?.status?.conditions as Condition[] | undefined)?.find(
        (c) => c.type === "RolledOut",
      );
    assert.equal(await writeRolloutStatus(cluster, progress(1), clock.now()), true);
    await new Promise<void>((resolve) => {
      const off = cluster.onChange("nodepools", () => {
        if (rolledOut() !== undefined) {
          off();
          resolve();
        }
      });
      if (rolledOut() !== undefined) resolve();
    });
    assert.equal(rolledOut()?.status, "False");
    assert.equal(rolledOut()?.message, "1 of 3 nodes on the current template at c2");
    assert.equal(await writeRolloutStatus(cluster, progress(1), clock.now()), false, "unchanged: not written again");
    assert.equal(await writeRolloutStatus(cluster, progress(3), clock.now()), true);
    const stored = await cluster.read("nodepools", { name: "default" });
    const condition = (stored.status?.conditions as Condition[] | undefined)?.find((c) => c.type === "RolledOut");
    assert.equal(condition?.status, "True");
    assert.equal(condition?.reason, "TemplateCurrent");
  });
});
