// At most ten Update managers per object (k8s.io/apiserver pkg/util/managedfields/internal/capmanagers.go,
// DefaultMaxUpdateManagers): past that, the oldest are merged, per API version, into one `ancient-changes`
// manager, so an object written by many clients keeps a bounded managedFields. Appliers are never merged.
import { managerIdentifier, type Managed } from "./managed-fields.ts";

export const MAX_UPDATE_MANAGERS = 10;
export const OLD_UPDATES_MANAGER = "ancient-changes";

export function capUpdateManagers(managed: Managed, max = MAX_UPDATE_MANAGERS): void {
  const seconds = (id: string): number => {
    const time = managed.times.get(id);
    return time ? Math.floor(Date.parse(time) / 1000) : 0;
  };
  const updaters = [...managed.fields].filter(([, v]) => !v.applied).map(([id]) => id);
  if (updaters.length <= max) return;
  updaters.sort((a, b) => seconds(a) - seconds(b) || (a < b ? -1 : a > b ? 1 : 0));
  const firstOfVersion = new Map<string, string>();
  let length = updaters.length;
  for (let i = 0; i < updaters.length && length > max; i++) {
    const id = updaters[i] as string;
    const versioned = managed.fields.get(id);
    if (!versioned) continue;
    const version = versioned.apiVersion;
    const bucket = managerIdentifier({ manager: OLD_UPDATES_MANAGER, operation: "Update", apiVersion: version });
    const first = firstOfVersion.get(version);
    if (first === undefined) {
      firstOfVersion.set(version, id);
      continue;
    }
    // The first manager of this version becomes the bucket the next ones are merged into.
    if (!managed.fields.has(bucket)) {
      const moved = managed.fields.get(first);
      managed.fields.delete(first);
      if (moved) managed.fields.set(bucket, moved);
    }
    const into = managed.fields.get(bucket);
    managed.fields.set(bucket, { ...versioned, set: versioned.set.union(into?.set ?? versioned.set) });
    managed.fields.delete(id);
    length--;
    const time = managed.times.get(id);
    if (time) managed.times.set(bucket, time);
  }
}
