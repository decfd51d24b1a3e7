// Who owns which field of a live object, read from its `metadata.managedFields` (FieldsV1, as the API server's
// structured-merge-diff writes it: `f:<field>` for a map key, `k:`/`v:`/`i:` for list elements, `.` for the
// element itself). Poolkeeper reads it at map granularity: a list is one field (the Karpenter CRDs' spec lists
// are atomic), so a path stops at the first list. Pure.
import { isRecord } from "../api/index.ts";

/** A path of map keys from the object's root (`["spec", "limits", "cpu"]`). */
export type FieldKeys = readonly string[];

interface ManagedFieldsEntry {
  manager: string;
  operation: string;
  fields: Record<string, unknown>;
}

function entriesOf(object: { metadata?: { managedFields?: unknown[] } }): ManagedFieldsEntry[] {
  const entries: ManagedFieldsEntry[] = [];
  for (const entry of object.metadata?.managedFields ?? []) {
    if (!isRecord(entry) || typeof entry.manager !== "string") continue;
    // The status subresource's fields are not the object's spec: never poolkeeper's, never drift.
    if (typeof entry.subresource === "string" && entry.subresource !== "") continue;
    entries.push({
      manager: entry.manager,
      operation: typeof entry.operation === "string" ? entry.operation : "",
      fields: isRecord(entry.fieldsV1) ? entry.fieldsV1 : {},
    });
  }
  return entries;
}

/** Whether `manager` has applied to the object (an `Apply` entry in its managedFields). */
export function appliedBy(object: { metadata?: { managedFields?: unknown[] } }, manager: string): boolean {
  return entriesOf(object).some((e) => e.manager === manager && e.operation === "Apply");
}

/** Whether a FieldsV1 set holds `path` (or the list the path runs into). */
function holds(fields: Record<string, unknown>, path: FieldKeys): boolean {
  let node: unknown = fields;
  for (const key of path) {
    if (!isRecord(node)) return false;
    const next = node[`f:${key}`];
    if (next === undefined) return false;
    node = next;
  }
  return true;
}

/** The managers that own `path`, each once, in managedFields order. */
export function ownersOf(object: { metadata?: { managedFields?: unknown[] } }, path: FieldKeys): string[] {
  const owners: string[] = [];
  for (const entry of entriesOf(object)) {
    if (holds(entry.fields, path) && !owners.includes(entry.manager)) owners.push(entry.manager);
  }
  return owners;
}

/**
 * The leaf fields `manager`'s Apply entry owns, as paths of map keys; a path ends where the set goes into a list's
 * elements (`k:`, `v:`, `i:`) or has no children. `.` (the element itself) is not a field.
 */
export function appliedFields(object: { metadata?: { managedFields?: unknown[] } }, manager: string): FieldKeys[] {
  const paths: FieldKeys[] = [];
  const walk = (node: Record<string, unknown>, at: string[]): void => {
    const keys = Object.keys(node).filter((k) => k.startsWith("f:"));
    if (keys.length === 0 || Object.keys(node).some((k) => /^[kvi]:/.test(k))) {
      if (at.length > 0) paths.push(at);
      return;
    }
    for (const key of keys) {
      const child = node[key];
      walk(isRecord(child) ? child : {}, [...at, key.slice(2)]);
    }
  };
  for (const entry of entriesOf(object)) {
    if (entry.manager === manager && entry.operation === "Apply") walk(entry.fields, []);
  }
  return paths;
}
