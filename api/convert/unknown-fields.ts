// Legacy objects can carry fields v1 no longer has; the API server would silently prune them, so say so.
import type { ConversionNote } from "./types.ts";
import { has, removeKey, type JsonRecord } from "./record.ts";

export function dropUnknownFields(
  object: JsonRecord,
  allowed: readonly string[],
  path: string,
  schemaName: string,
  notes: ConversionNote[],
): void {
  for (const key of Object.keys(object)) {
    if (allowed.includes(key)) continue;
    removeKey(object, key);
    notes.push({
      path: `${path}.${key}`,
      kind: "dropped",
      message: `Removed "${key}" because the v1 ${schemaName} schema has no such field, so the API server would prune it.`,
    });
  }
}

/** A legacy object's status describes the old object; Karpenter recomputes it, so it is not carried over. */
export function dropStatus(object: JsonRecord, notes: ConversionNote[]): void {
  if (!has(object, "status")) return;
  delete object["status"];
  notes.push({
    path: "status",
    kind: "dropped",
    message: "Removed status because it is observed state that Karpenter recomputes for the v1 object.",
  });
}
