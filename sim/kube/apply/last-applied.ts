// Upgrading from client-side to server-side apply (k8s.io/apiserver pkg/util/managedfields/internal,
// lastappliedmanager.go and lastappliedupdater.go), for the manager kubectl uses, "kubectl", only: an apply whose
// conflicts are all fields the object's `kubectl.kubernetes.io/last-applied-configuration` still holds with the
// live value goes through as if forced; and an apply to an object that has the annotation rewrites it to the
// applied configuration, so a later client-side apply computes its diff from it.
import { cloneJson, isRecord } from "../../../api/index.ts";
import type { KubeSchema } from "../store/schema.ts";
import { compareValues } from "./compare.ts";
import type { FieldSet } from "./field-set.ts";
import { toFieldSet } from "./to-field-set.ts";
import type { Conflict } from "./updater.ts";

export const LAST_APPLIED_ANNOTATION = "kubectl.kubernetes.io/last-applied-configuration";
export const KUBECTL_MANAGER = "kubectl";

function lastApplied(object: unknown): string | undefined {
  const meta = isRecord(object) && isRecord(object.metadata) ? object.metadata : undefined;
  const annotations = meta && isRecord(meta.annotations) ? meta.annotations : undefined;
  const value = annotations?.[LAST_APPLIED_ANNOTATION];
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** allowedConflictsFromLastApplied: the last-applied fields whose value the live object still has. */
function allowedConflicts(live: unknown, schema: KubeSchema | undefined): FieldSet | undefined {
  const text = lastApplied(live);
  if (text === undefined) return undefined;
  let applied: unknown;
  try {
    applied = JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
  try {
    const comparison = compareValues(applied, live, schema);
    return toFieldSet(applied, schema)
      .difference(comparison.modified)
      .difference(comparison.added)
      .difference(comparison.removed);
  } catch {
    return undefined;
  }
}

/** The conflicts the annotation does not vouch for (conflictsDifference). */
export function conflictsNotAllowed(
  conflicts: readonly Conflict[],
  live: unknown,
  schema: KubeSchema | undefined,
): Conflict[] {
  const allowed = allowedConflicts(live, schema);
  return conflicts.filter((c) => !allowed?.has(c.path));
}

/** lastAppliedUpdater: the object with its annotation set to the applied configuration, when it had one. */
export function syncLastApplied(object: Record<string, unknown>, live: unknown, config: unknown): void {
  if (lastApplied(live) === undefined || !isRecord(config)) return;
  const applied = cloneJson(config);
  if (isRecord(applied.metadata) && isRecord(applied.metadata.annotations)) {
    Reflect.deleteProperty(applied.metadata.annotations, LAST_APPLIED_ANNOTATION);
    if (Object.keys(applied.metadata.annotations).length === 0) Reflect.deleteProperty(applied.metadata, "annotations");
  }
  const meta = (isRecord(object.metadata) ? object.metadata : {}) as Record<string, unknown>;
  const annotations = (isRecord(meta.annotations) ? meta.annotations : {}) as Record<string, unknown>;
  annotations[LAST_APPLIED_ANNOTATION] = `${JSON.stringify(applied)}\n`;
  meta.annotations = annotations;
  object.metadata = meta;
}
