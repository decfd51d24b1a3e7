// The stored object of an UPDATE is judged only to tell which findings the change introduces. The same stored
// version comes back with every update of the object (Karpenter's and kubectl's alike), so its findings are kept
// by (uid, resourceVersion): a stored version never changes. The key also holds everything else the findings
// depend on — the compiled policy, the catalog, the cluster view and the day (exemptions expire by day).
import { isRecord } from "../../api/index.ts";
import type { Finding } from "../../policies/finding.ts";
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
  const metadata = isRecord(stored.metadata) ? stored.metadata : {};
  const { uid, resourceVersion } = metadata;
  if (typeof uid !== "string" || typeof resourceVersion !== "string" || uid === "" || resourceVersion === "") {
    return judge([{ object: stored }], context);
  }
  let cache = byPolicy.get(context.policy);
  if (!cache) {
    cache = new Map();
    byPolicy.set(context.policy, cache);
  }
  const key = `${uid}/${resourceVersion}`;
  const day = context.now.toISOString().slice(0, 10);
  const hit = cache.get(key);
  if (hit && hit.catalog === context.catalog && hit.cluster === context.cluster && hit.day === day) return hit.findings;
  const findings = judge([{ object: stored }], context);
  if (cache.size >= LIMIT) cache.clear();
  cache.set(key, { catalog: context.catalog, cluster: context.cluster, day, findings });
  return findings;
}
