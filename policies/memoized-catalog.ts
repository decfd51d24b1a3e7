// Several rules ask the catalog which instance types a pool allows (limits, GPU taints, references, instance
// types), and a fleet's pools share a handful of requirement sets: the answer for the same requirements is the
// same, so it is computed once per catalog and kept in a bounded cache.
import type { InstanceTypeCatalog, NodeSelectorRequirementLike } from "../cloudprovider/index.ts";

const CACHE_LIMIT = 1024;
// Requirement sets are kept only up to this many characters: a fleet's shared sets are a few hundred, and 1,024
// kept sets of thousands of values each (within the object bounds) would hold gigabytes.
const KEY_LIMIT = 64 * 1024;
const memoized = new WeakMap<InstanceTypeCatalog, InstanceTypeCatalog>();

export function memoizedCatalog(catalog: InstanceTypeCatalog): InstanceTypeCatalog {
  const existing = memoized.get(catalog);
  if (existing) return existing;
  const cache = new Map<string, ReturnType<InstanceTypeCatalog["matching"]>>();
  const matching = (all: readonly NodeSelectorRequirementLike[]) => {
    // Keys the catalog does not describe (a user's own labels, `team: x`) never filter instance types: leaving
    // them out gives the same answer and lets pools that differ only in such labels share it.
    const requirements = all.filter((r) => catalog.describes(r.key));
    const key = JSON.stringify(requirements);
    let types = cache.get(key);
    if (!types) {
      // Frozen, so a rule that sorted or spliced the shared answer in place would fail loudly, not silently.
      types = Object.freeze(catalog.matching(requirements)) as ReturnType<InstanceTypeCatalog["matching"]>;
      if (key.length > KEY_LIMIT) return types;
      if (cache.size >= CACHE_LIMIT) cache.clear();
      cache.set(key, types);
    }
    return types;
  };
  const wrapped = new Proxy(catalog, {
    get(target, property, receiver) {
      if (property === "matching") return matching;
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  memoized.set(catalog, wrapped);
  return wrapped;
}
