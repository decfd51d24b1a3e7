// The Cluster port in process over the world's store: the contract suite every implementation passes.
import { initialObjects, ObjectStore, servedKindRegistry, StoreCluster } from "../../../sim/index.ts";
import { clusterContract } from "../../support/cluster-contract.ts";
import { FakeClock } from "../../support/fake-clock.ts";

clusterContract("in process (sim/world/cluster-port.ts)", async () => {
  const clock = new FakeClock(new Date("2026-03-01T12:00:00Z"));
  const registry = servedKindRegistry();
  const store = new ObjectStore(registry, { clock });
  for (const { resource, object } of initialObjects()) {
    const kind = registry.resource(...resource);
    if (kind) store.create(kind, undefined, object);
  }
  return {
    store,
    clock,
    connect: (options = {}) => new StoreCluster(store, { clock, ...options }),
    stop: async () => {},
  };
});
