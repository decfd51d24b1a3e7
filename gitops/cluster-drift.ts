// Drift between what Git says and what the cluster holds, as Flux's and Argo CD's drift detection sees it: only the
// fields Git sets count (Karpenter's annotations, finalizers and status, and every default the API server filled
// in, are not Git's), and a difference is drift only when poolkeeper no longer owns the field — someone took it
// (`kubectl edit` is an Update that moves ownership to `kubectl-edit`) or removed it. A field poolkeeper still
// owns but with another value is simply Git's newer commit, not yet applied. Pure.
import { isRecord } from "../api/index.ts";
import { appliedBy, ownersOf, type FieldKeys } from "./field-ownership.ts";

export interface FieldDifference {
  path: FieldKeys;
  /** Git's value. */
  want: unknown;
  /** The cluster's value; undefined when the field is not there. */
  found: unknown;
}

export interface FieldDrift extends FieldDifference {
  /** Who owns the field now (managedFields managers); empty when it was removed. */
  owners: string[];
}

/** The parts of an object Git can set: metadata's labels and annotations, and everything but metadata and status. */
function gitFields(object: Record<string, unknown>): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(object)) {
    if (key === "apiVersion" || key === "kind" || key === "status") continue;
    if (key === "metadata") {
      const meta = isRecord(value) ? value : {};
      const kept: Record<string, unknown> = {};
      if (isRecord(meta.labels)) kept.labels = meta.labels;
      if (isRecord(meta.annotations)) kept.annotations = meta.annotations;
      if (Object.keys(kept).length > 0) fields.metadata = kept;
      continue;
    }
    fields[key] = value;
  }
  return fields;
}

/**
 * Whether `live` holds `want`: scalars equal, maps holding each of `want`'s keys, lists of the same length whose
 * elements hold `want`'s (the API server defaults fields inside list elements too).
 */
export function holdsValue(want: unknown, live: unknown): boolean {
  if (Array.isArray(want)) {
    return Array.isArray(live) && live.length === want.length && want.every((w, i) => holdsValue(w, live[i]));
  }
  if (isRecord(want)) {
    return isRecord(live) && Object.entries(want).every(([k, v]) => holdsValue(v, live[k]));
  }
  return want === live;
}

/** The fields Git sets whose value in the cluster differs, at map granularity (a list is one field). */
export function differingFields(desired: Record<string, unknown>, live: Record<string, unknown>): FieldDifference[] {
  const differences: FieldDifference[] = [];
  const walk = (want: Record<string, unknown>, found: unknown, at: string[]): void => {
    for (const [key, value] of Object.entries(want)) {
      const there = isRecord(found) ? found[key] : undefined;
      const path = [...at, key];
      if (isRecord(value) && isRecord(there)) walk(value, there, path);
      else if (!holdsValue(value, there)) differences.push({ path, want: value, found: there });
    }
  };
  walk(gitFields(desired), gitFields(live), []);
  return differences;
}

/**
 * The fields that drifted: those Git sets that differ in the cluster and that `manager` no longer owns. Nothing for
 * an object `manager` never applied (it is adopted by the first apply, not reverted).
 */
export function driftedFields(
  desired: Record<string, unknown>,
  live: Record<string, unknown> & { metadata?: { managedFields?: unknown[] } },
  manager: string,
): FieldDrift[] {
  if (!appliedBy(live, manager)) return [];
  return differingFields(desired, live)
    .map((d) => ({ ...d, owners: ownersOf(live, d.path) }))
    .filter((d) => !d.owners.includes(manager));
}

/** Values longer than this, lists and maps are not quoted in reports (they go to Git, Events and logs). */
const QUOTED_VALUE_MAX = 40;

/** Fields whose values are never quoted: an EC2NodeClass's userData may hold credentials. */
const UNQUOTED_FIELDS = new Set(["userData"]);

function quoted(path: FieldKeys, value: unknown): string | undefined {
  if (path.some((k) => UNQUOTED_FIELDS.has(k))) return undefined;
  if (value !== null && typeof value === "object") return undefined;
  const text = JSON.stringify(value);
  return text.length <= QUOTED_VALUE_MAX ? text : undefined;
}

/** `spec.limits.cpu set to "3000" by kubectl-edit, Git says "2000"`: one drifted field in words. */
export function describeDrift(drift: FieldDrift): string {
  const path = drift.path.map((k) => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(k) ? k : JSON.stringify(k))).join(".");
  const by = drift.owners.length > 0 ? ` by ${drift.owners.join(", ")}` : "";
  if (drift.found === undefined) return `${path} removed${by}`;
  const found = quoted(drift.path, drift.found);
  const want = quoted(drift.path, drift.want);
  const change = found === undefined ? "changed" : `set to ${found}`;
  return `${path} ${change}${by}${want === undefined ? "" : `, Git says ${want}`}`;
}
