// The stored object of an UPDATE is judged only to tell which findings the change introduces. The same stored
// version comes back with every update of the object (Karpenter's and kubectl's alike), so its findings are kept,
// by everything they depend on: the object's content (its digest), the compiled policy, the catalog, the cluster
// view and the day (exemptions expire by day). Never by what the caller says the object is: keyed by (uid,
// resourceVersion), a forged review from any client that can reach the port could file the findings of content
// of its choosing under a real object's version, and the API server's next UPDATE of that object would be
// ratcheted against them. The digest costs tens of microseconds, judging a stored NodePool hundreds: kept.
import type { Finding } from "../../policies/index.ts";
import { contentDigest } from "./content-digest.ts";
import { judge } from "./enforce.ts";
import type { AdmissionContext } from "./types.ts";

const LIMIT = 4096;

interface Entry {
  catalog: AdmissionContext["catalog"];
  cluster: AdmissionContext["cluster"];
  day: string;
  findings: Finding[];
}

const byPolicy = new WeakMap<AdmissionContext["policy"], Map<string, Entry>>();

export function storedFindings(stored: Record<string, unknown>, context: AdmissionContext): Finding[] {
  const key = contentDigest(stored);
  if (key === undefined) return judge([{ object: stored }], context);
  let cache = byPolicy.get(context.policy);
  if (!cache) {
    cache = new Map();
    byPolicy.set(context.policy, cache);
  }
  const day = context.now.toISOString().slice(0, 10);
  const hit = cache.get(key);
  if (hit && hit.catalog === context.catalog && hit.cluster === context.cluster && hit.day === day) return hit.findings;
  const findings = judge([{ object: stored }], context);
  if (cache.size >= LIMIT) cache.clear();
  cache.set(key, { catalog: context.catalog, cluster: context.cluster, day, findings });
  return findings;
}
