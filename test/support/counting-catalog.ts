// An instance-type catalog that counts how often it is queried (matching) and how many type labels it is asked for
// (labelsOf, one per type read in a scan): work measured without a clock.
import type { InstanceTypeCatalog } from "../../cloudprovider/catalog/catalog.ts";

export interface CountingCatalog {
  catalog: InstanceTypeCatalog;
  counts: { matching: number; labelsOf: number };
}

export function countingCatalog(real: InstanceTypeCatalog): CountingCatalog {
  const counts = { matching: 0, labelsOf: 0 };
  const catalog = new Proxy(real, {
    get(target, property, receiver) {
      if (property === "matching" || property === "labelsOf") {
        return (...args: unknown[]) => {
          counts[property]++;
          return (target[property] as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { catalog, counts };
}
