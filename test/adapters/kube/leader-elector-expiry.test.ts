// A standby takes a dead leader's lease at the moment the lease it saw expires — by client-go's rule, once it has
// seen the record unchanged for the lease duration (leaderelection.go tryAcquireOrRenew: observedTime +
// LeaseDuration), never before — rather than at its next retry-period tick after that, which could be a retry
// period later (and later still when each request is slow). Over the in-process Cluster port on a fake clock.
import assert from "node:assert/strict";
import { test } from "node:test";
import { LeaderElector } from "../../../adapters/index.ts";
import { initialObjects, ObjectStore, servedKindRegistry, StoreCluster } from "../../../sim/index.ts";
import { FakeClock } from "../../support/fake-clock.ts";

test("the standby takes over exactly when the lease it saw expires, not at a later tick", async () => {
  const clock = new FakeClock(new Date("2026-03-01T12:00:00Z"));
  const registry = servedKindRegistry();
  const store = new ObjectStore(registry, { clock });
  for (const { resource, object } of initialObjects()) {
    const kind = registry.resource(...resource);
    if (kind) store.create(kind, undefined, object);
  }
  const base = { namespace: "kube-system", name: "run", clock, leaseDurationMs: 15_000, retryPeriodMs: 2_000 };
  const t0 = clock.now().getTime();
  let ledAt: number | undefined;
  const a = new LeaderElector(new StoreCluster(store, { clock }), { ...base, identity: "a" });
  const b = new LeaderElector(new StoreCluster(store, { clock }), {
    ...base,
    identity: "b",
    onStartedLeading: () => (ledAt = clock.now().getTime()),
  });
  a.start();
  await clock.untilPending(1);
  clock.step(500);
  b.start(); // b's attempts fall at 0.5 s, 2.5 s, …; a's renewals at 0 s, 2 s, …
  await clock.untilPending(2);
  clock.step(1_500); // a renews at 2 s
  await clock.untilPending(2);
  await a.stop({ release: false }); // and dies
  clock.step(500); // b sees that renewal at 2.5 s
  await clock.untilPending(1);
  for (let elapsed = 0; elapsed < 20_000 && ledAt === undefined; elapsed += 100) {
    clock.step(100);
    await clock.untilPending(1);
  }
  await b.stop();
  assert.equal(ledAt !== undefined ? ledAt - t0 : undefined, 2_500 + 15_000);
});
