// The controller manager over the in-process Cluster port (the world's store) and adapters/kube's LeaderElector,
// on the fake clock: of two replicas one acts; when the leader dies without releasing (a crash), the standby acts
// within leaseDuration + retryPeriod of the leader's last renewal and never before the lease it saw has expired;
// a Karpenter controller holding its leader lease keeps every replica passive, with the reason in the status and
// the log, until the lease is released or expires; a failing runnable is restarted after a backoff.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { LeaderElector } from "../../../adapters/index.ts";
import {
  ControllerManager,
  ForeignLeaseGuard,
  KARPENTER_LEADER_LEASE,
  type Runnable,
} from "../../../controller/index.ts";
import { initialObjects, ObjectStore, servedKindRegistry, StoreCluster, type KubeObject } from "../../../sim/index.ts";
import { FakeClock } from "../../support/fake-clock.ts";
import { captureLog } from "../../support/log-capture.ts";
import { kindOf } from "../../support/sim-world.ts";

const START = new Date("2026-03-01T12:00:00Z");
// controller-runtime's defaults (leaderelection: LeaseDuration 15 s, RenewDeadline 10 s, RetryPeriod 2 s).
const LEASE_MS = 15_000;
const RETRY_MS = 2_000;
const LEASE = { namespace: "kube-system", name: "poolkeeper-leader-election" };

function world() {
  const clock = new FakeClock(START);
  const registry = servedKindRegistry();
  const store = new ObjectStore(registry, { clock });
  for (const { resource, object } of initialObjects()) {
    const kind = registry.resource(...resource);
    if (kind) store.create(kind, undefined, object);
  }
  const leases = kindOf(store, "coordination.k8s.io", "v1", "leases");
  return { clock, store, leases };
}

type World = ReturnType<typeof world>;

/** A runnable that records when it runs, by replica. */
function recorder(replica: string, acting: Set<string>, overlaps: string[]): Runnable {
  return {
    name: "test.recorder",
    async start({ signal }) {
      acting.add(replica);
      if (acting.size > 1) overlaps.push([...acting].join("+"));
      await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
      acting.delete(replica);
    },
  };
}

function replica(w: World, identity: string, runnables: Runnable[], guardKarpenter = true) {
  const cluster = new StoreCluster(w.store, { clock: w.clock });
  const log = captureLog();
  const manager = new ControllerManager({
    clock: w.clock,
    logger: log.logger,
    leaseName: `${LEASE.namespace}/${LEASE.name}`,
    elect: (callbacks) => new LeaderElector(cluster, { ...LEASE, identity, clock: w.clock, ...callbacks }),
    ...(guardKarpenter
      ? {
          guard: (onChange: () => void) =>
            new ForeignLeaseGuard({
              cluster,
              lease: KARPENTER_LEADER_LEASE,
              clock: w.clock,
              retryPeriodMs: RETRY_MS,
              owner: "Karpenter",
              onChange,
            }),
        }
      : {}),
  });
  for (const r of runnables) manager.add(r);
  return { manager, log };
}

function leaseSpec(w: World): NonNullable<KubeObject["spec"]> & { holderIdentity?: string; renewTime?: string } {
  return w.store.get(w.leases, LEASE.namespace, LEASE.name).spec as { holderIdentity?: string; renewTime?: string };
}

describe("controller manager", () => {
  test("two replicas: one acts; the leader crashes and the standby acts within lease duration + retry period", async () => {
    const w = world();
    const acting = new Set<string>();
    const overlaps: string[] = [];
    const a = replica(w, "a", [recorder("a", acting, overlaps)]);
    const b = replica(w, "b", [recorder("b", acting, overlaps)]);
    await a.manager.start();
    // Replicas do not start in step: b polls a second out of phase with a's renewals.
    await w.clock.runFor(1_000);
    const bStarted = w.clock.now().getTime();
    await b.manager.start();
    await w.clock.runFor(RETRY_MS * 3);
    assert.deepEqual([...acting], ["a"]);
    assert.equal(a.manager.status.phase, "leading");
    assert.equal(b.manager.status.phase, "standby");
    assert.match(
      b.manager.status.reason,
      /standing by: the leader lease kube-system\/poolkeeper-leader-election is another replica's/,
    );

    // a dies between two renewals: its loops end with it and nothing releases the lease.
    await w.clock.runFor(RETRY_MS / 2);
    await a.manager.stop({ release: false });
    const lastRenewal = Date.parse(String(leaseSpec(w).renewTime));
    let tookOverAt: number | undefined;
    for (let i = 0; i < 400 && tookOverAt === undefined; i++) {
      await w.clock.runFor(100);
      if (acting.has("b")) tookOverAt = w.clock.now().getTime();
    }
    assert.ok(tookOverAt !== undefined, "b acts");
    // client-go's guarantee, counted by the standby's own clock from when it saw the last renewal (its first poll
    // after it): never before the lease duration, at most a retry period later. From the renewal itself that is
    // at most lease duration + 2 retry periods.
    const sawRenewal = bStarted + Math.ceil((lastRenewal - bStarted) / RETRY_MS) * RETRY_MS;
    const after = tookOverAt - sawRenewal;
    assert.ok(after >= LEASE_MS, `not before the lease expired (${after} ms after b saw the last renewal)`);
    assert.ok(after <= LEASE_MS + RETRY_MS, `within lease duration + retry period (${after} ms)`);
    assert.ok(tookOverAt - lastRenewal <= LEASE_MS + 2 * RETRY_MS);
    assert.equal(leaseSpec(w).holderIdentity, "b");
    assert.deepEqual(overlaps, [], "never two replicas acting at once");
    await b.manager.stop();
    assert.equal(leaseSpec(w).holderIdentity, "", "a clean stop releases the lease");
    assert.deepEqual([...acting], []);
  });

  test("a held Karpenter lease keeps the replica passive, with the reason, until it is released", async () => {
    const w = world();
    const karpenter = {
      apiVersion: "coordination.k8s.io/v1",
      kind: "Lease",
      metadata: { ...KARPENTER_LEADER_LEASE },
      spec: {
        holderIdentity: "karpenter-7d9f8b6c5-x2x4q_0f1e",
        leaseDurationSeconds: 15,
        renewTime: START.toISOString(),
      },
    };
    w.store.create(w.leases, KARPENTER_LEADER_LEASE.namespace, karpenter);
    const acting = new Set<string>();
    const r = replica(w, "a", [recorder("a", acting, [])]);
    await r.manager.start();
    // Karpenter renews every 2 s for a minute: poolkeeper holds its own lease but never acts.
    for (let t = 0; t < 60_000; t += RETRY_MS) {
      const current = w.store.get(w.leases, KARPENTER_LEADER_LEASE.namespace, KARPENTER_LEADER_LEASE.name);
      w.store.update(w.leases, KARPENTER_LEADER_LEASE.namespace, KARPENTER_LEADER_LEASE.name, {
        ...current,
        spec: { ...(current.spec as object), renewTime: w.clock.now().toISOString() },
      });
      await w.clock.runFor(RETRY_MS);
      assert.equal(acting.size, 0, `passive at ${t} ms`);
    }
    assert.equal(leaseSpec(w).holderIdentity, "a", "it leads poolkeeper's own lease meanwhile");
    assert.equal(r.manager.status.phase, "passive");
    assert.match(
      r.manager.status.reason,
      /a Karpenter controller holds the leader lease kube-system\/karpenter-leader-election \(holder karpenter-7d9f8b6c5-x2x4q_0f1e/,
    );
    const warned = r.log.lines.find((l) => l.msg === "controller manager passive");
    assert.match(String(warned?.reason), /two provisioners would launch nodes for the same pods/);

    // Karpenter shuts down and releases its lease (ReleaseOnCancel: holder cleared): acting within a retry period.
    const current = w.store.get(w.leases, KARPENTER_LEADER_LEASE.namespace, KARPENTER_LEADER_LEASE.name);
    w.store.update(w.leases, KARPENTER_LEADER_LEASE.namespace, KARPENTER_LEADER_LEASE.name, {
      ...current,
      spec: { ...(current.spec as object), holderIdentity: "", leaseDurationSeconds: 1 },
    });
    await w.clock.runFor(RETRY_MS);
    assert.deepEqual([...acting], ["a"]);
    assert.equal(r.manager.status.phase, "leading");
    await r.manager.stop();
  });

  test("an abandoned Karpenter lease blocks only until its duration has passed unchanged", async () => {
    const w = world();
    w.store.create(w.leases, KARPENTER_LEADER_LEASE.namespace, {
      apiVersion: "coordination.k8s.io/v1",
      kind: "Lease",
      metadata: { ...KARPENTER_LEADER_LEASE },
      // Renewed long ago by the holder's clock: only this observer's own clock counts (client-go's rule).
      spec: { holderIdentity: "karpenter-old_1", leaseDurationSeconds: 15, renewTime: "2020-01-01T00:00:00.000000Z" },
    });
    const acting = new Set<string>();
    const r = replica(w, "a", [recorder("a", acting, [])]);
    await r.manager.start();
    await w.clock.runFor(14_000);
    assert.equal(acting.size, 0, "14 s after first seeing it, the lease may still be live");
    await w.clock.runFor(RETRY_MS);
    assert.deepEqual([...acting], ["a"], "16 s after, it has expired");
    await r.manager.stop();
  });

  test("a runnable that fails is logged and started again after a backoff", async () => {
    const w = world();
    let starts = 0;
    const flaky: Runnable = {
      name: "test.flaky",
      async start({ signal }) {
        starts++;
        if (starts < 3) throw new Error(`attempt ${starts} failed`);
        await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
      },
    };
    const r = replica(w, "a", [flaky], false);
    await r.manager.start();
    await w.clock.runFor(0);
    assert.equal(starts, 1);
    await w.clock.runFor(1_000);
    assert.equal(starts, 2, "again after 1 s");
    await w.clock.runFor(1_999);
    assert.equal(starts, 2, "the second failure waits 2 s");
    await w.clock.runFor(1);
    assert.equal(starts, 3);
    const failures = r.log.lines.filter((l) => l.msg === "controller failed");
    assert.deepEqual(
      failures.map((l) => [l.controller, l.err]),
      [
        ["test.flaky", "attempt 1 failed"],
        ["test.flaky", "attempt 2 failed"],
      ],
    );
    await r.manager.stop();
    assert.throws(() => r.manager.add(flaky), /already registered/);
  });
});
