// The stored object of an UPDATE is judged only to tell which findings the change introduces. The same stored
// version comes back with every update of the object (Karpenter's and kubectl's alike), so its findings are kept,
// by everything they depend on: the object's content (its digest), the compiled policy, the catalog, the cluster
// view and the day (exemptions expire by day). Never by what the caller says the object is: keyed by (uid,
// resourceVersion), a forged review from any client that can reach the port could file the findings of content
// of its choosing under a real object's version, and the API server's next UPDATE of that object would be
// ratcheted against them. The digest costs tens of microseconds, judging a stored NodePool hundreds: kept. An
// object of the same digest is the same content, so the first one seen stands for the others.
import type { Finding } from "../../policies/index.ts";
import { digestOf } from "./content-digest.ts";
import { judge } from "./enforce.ts";
import type { AdmissionContext } from "./types.ts";

const LIMIT = 4096;
// The stored object itself is kept (and handed back for the caller to judge the change against, so the engine
// prepares it once: policies/prepare-target.ts keeps a previous version's defaulted form by identity) only when its
// JSON text is at most KEPT_OBJECT_LIMIT long, and while the kept objects' texts add up to at most KEPT_TOTAL_LIMIT:
// a fleet's stored pools of a few KiB each, never thousands of large ones (a few MiB of heap in all).
const KEPT_OBJECT_LIMIT = 64 * 1024;
const KEPT_TOTAL_LIMIT = 4 * 1024 * 1024;

interface Entry {
  catalog: AdmissionContext["catalog"];
  cluster: AdmissionContext["cluster"];
  day: string;
  findings: Finding[];
  object: Record<string, unknown> | undefined;
}

/** The stored object's findings, and the object to judge the change against: equal in content, kept once. */
export interface StoredVersion {
  object: Record<string, unknown>;
  findings: Finding[];
}

const byPolicy = new WeakMap<AdmissionContext["policy"], Map<string, Entry> & { keptChars?: number }>();

export function storedVersion(stored: Record<string, unknown>, context: AdmissionContext): StoredVersion {
  const digest = digestOf(stored);
  if (digest === undefined) return { object: stored, findings: judge([{ object: stored }], context) };
  let cache = byPolicy.get(context.policy);
  if (!cache) {
    cache = new Map();
    byPolicy.set(context.policy, cache);
  }
  const day = context.now.toISOString().slice(0, 10);
  const hit = cache.get(digest.hex);
  if (hit && hit.catalog === context.catalog && hit.cluster === context.cluster && hit.day === day) {
    return { object: hit.object ?? stored, findings: hit.findings };
  }
  // An entry of another day or view keeps its object (counted when it was kept), unless the cache starts again.
  let reused = hit?.object;
  if (cache.size >= LIMIT) {
    cache.clear();
    cache.keptChars = 0;
    reused = undefined;
  }
  const kept = cache.keptChars ?? 0;
  const keep = reused === undefined && digest.length <= KEPT_OBJECT_LIMIT && kept + digest.length <= KEPT_TOTAL_LIMIT;
  if (keep) cache.keptChars = kept + digest.length;
  const object = reused ?? (keep ? stored : undefined);
  const findings = judge([{ object: object ?? stored }], context);
  cache.set(digest.hex, { catalog: context.catalog, cluster: context.cluster, day, findings, object });
  return { object: object ?? stored, findings };
}
