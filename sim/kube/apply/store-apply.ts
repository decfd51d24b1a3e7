// Server-side apply against the store, for every caller: the HTTP handler (which puts admission between preparing
// and writing) and the Cluster port in process, so field ownership, conflicts and `force` are one code path. As the
// API server's applyPatcher with forceAllowCreate (k8s.io/apiserver pkg/endpoints/handlers/patch.go): the
// configuration is merged onto the stored object, or onto nothing when there is none (then the write creates it).
import { isRecord } from "../../../api/index.ts";
import type { ObjectStore } from "../store/object-store.ts";
import type { KubeObject, ResourceKind } from "../store/resource-kind.ts";
import { invalid, notFound } from "../store/status.ts";
import { applyConfiguration, type FieldManagerScope } from "./field-manager.ts";
import { validateFieldManager } from "./manager-name.ts";

export interface ApplyRequest {
  kind: ResourceKind;
  namespace: string | undefined;
  name: string;
  /** The applied configuration, already decoded (apiVersion and kind included). */
  config: KubeObject;
  /** A manager checked by applyManager. */
  manager: string;
  force: boolean;
  subresource?: "status";
}

export interface PreparedApply {
  /** What the apply leads to, managed fields included: what admission is shown. */
  object: KubeObject;
  /** The stored object; undefined when the apply creates (admission's CREATE, otherwise UPDATE). */
  current: KubeObject | undefined;
  /** Stores `object` (or admission's mutation of it): a create or an update, as the object existed. */
  write(object: KubeObject, dryRun: boolean): KubeObject;
}

/** ValidatePatchOptions for an apply patch: the field manager is required and must be valid. */
export function applyManager(fieldManager: string | null | undefined): string {
  const causes = fieldManager
    ? validateFieldManager(fieldManager)
    : [{ field: "fieldManager", type: "FieldValueRequired", body: "Required value: is required for apply patch" }];
  if (causes.length > 0) throw invalid("meta.k8s.io", "PatchOptions", "", causes);
  return fieldManager as string;
}

/** The field manager's view of a kind (and of its status subresource), at `now`. */
export function fieldManagerScope(kind: ResourceKind, subresource: "status" | undefined, now: Date): FieldManagerScope {
  return {
    schema: kind.schema,
    group: kind.group,
    version: kind.version,
    kind: kind.kind,
    custom: kind.custom,
    hasStatus: kind.subresources.includes("status"),
    ...(subresource ? { subresource } : {}),
    now,
  };
}

/** The apply computed against the stored object, not yet written. Throws the API server's errors (409, 400, 404). */
export function prepareApply(store: ObjectStore, request: ApplyRequest): PreparedApply {
  const { kind, namespace, name, subresource } = request;
  const current = store.find(kind, namespace, name);
  if (!current && subresource) throw notFound({ group: kind.group, resource: kind.plural }, name);
  const scope = fieldManagerScope(kind, subresource, store.now());
  const { object } = applyConfiguration(current, request.config, request.manager, request.force, scope);
  const meta = object.metadata as Record<string, unknown>;
  meta.name ??= name;
  if (namespace !== undefined) meta.namespace ??= namespace;
  dropNulls(object);
  const managedFields = meta.managedFields;
  const write = (next: KubeObject, dryRun: boolean): KubeObject => {
    if (!current) return store.create(kind, namespace, next, { dryRun });
    return store.update(kind, namespace, name, next, {
      dryRun,
      ...(subresource
        ? {
            subresource,
            // The status strategy keeps the stored metadata: the apply's managed fields are put back.
            fieldManager: (stored: KubeObject) => {
              const storedMeta = stored.metadata as Record<string, unknown>;
              if (managedFields === undefined) delete storedMeta.managedFields;
              else storedMeta.managedFields = managedFields;
              return stored;
            },
          }
        : {}),
    });
  };
  return { object, current, write };
}

/** Server-side apply written at once (no admission): the stored object. */
export function serverSideApply(store: ObjectStore, request: ApplyRequest, options: { dryRun?: boolean } = {}) {
  const prepared = prepareApply(store, request);
  return prepared.write(prepared.object, options.dryRun ?? false);
}

// The decoder drops nulls an applied configuration leaves in the merged object (typed fields omit them, and a
// CRD's structural pruning drops nulls of non-nullable fields).
function dropNulls(value: unknown): void {
  if (Array.isArray(value)) for (const item of value) dropNulls(item);
  else if (isRecord(value))
    for (const [key, child] of Object.entries(value)) {
      if (child === null) Reflect.deleteProperty(value, key);
      else dropNulls(child);
    }
}
