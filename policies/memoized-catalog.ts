// Several rules ask the catalog which instance types a pool allows (limits, GPU taints, references, instance
// types), and a fleet's pools share a handful of requirement sets: the answer for the same requirements is the
// same, so it is computed once per catalog and kept in a bounded cache.
import type { InstanceTypeCatalog, NodeSelectorRequirementLike } from "../api/catalog.ts";

const CACHE_LIMIT = 1024;
const memoized = new WeakMap<InstanceTypeCatalog, InstanceTypeCatalog>();

export function memoizedCatalog(catalog: InstanceTypeCatalog): InstanceTypeCatalog {
  const existing = memoized.get(catalog);
  if (existing) return existing;
  const cache = new Map<string, ReturnType<InstanceTypeCatalog["matching"]>>();
  const matching = (requirements: readonly NodeSelectorRequirementLike[]) => {
    const key = JSON.stringify(requirements);
    let types = cache.get(key);
    if (!types) {
      types = catalog.matching(requirements);
      if (cache.size >= CACHE_LIMIT) cache.clear();
      cache.set(key, types);
    }
    // A copy, so a rule that sorts or filters in place cannot change another rule's answer.
    return [...types];
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
