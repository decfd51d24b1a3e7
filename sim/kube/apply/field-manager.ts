// The API server's field manager for one kind and subresource (k8s.io/apiserver
// pkg/util/managedfields/internal, NewDefaultFieldManager's chain, minus version conversion): every write records what its manager changed as an `Update` entry of
// `metadata.managedFields`, and a server-side apply merges the configuration with ownership as an `Apply`
// entry. The metadata the server owns (name, uid, resourceVersion, …) is never owned by a manager (stripmeta),
// and a write does not own what its strategy resets (the main resource's status, a status write's everything
// else).
import { cloneJson, isRecord } from "../../../api/index.ts";
import { timestamp } from "../store/object-store.ts";
import type { KubeObject } from "../store/resource-kind.ts";
import type { KubeSchema } from "../store/schema.ts";
import { ApiError, badRequest } from "../store/status.ts";
import { capUpdateManagers } from "./cap-managers.ts";
import { conflictStatus } from "./conflict-status.ts";
import { FieldSet } from "./field-set.ts";
import { conflictsNotAllowed, KUBECTL_MANAGER, syncLastApplied } from "./last-applied.ts";
import {
  decodeManagedFields,
  encodeManagedFields,
  isResetManagedFields,
  managerIdentifier,
  type Managed,
} from "./managed-fields.ts";
import type { Path } from "./path-element.ts";
import { TypedValueError } from "./typed-error.ts";
import { ConflictsError, Updater, type ManagedFieldSets } from "./updater.ts";

export interface FieldManagerScope {
  /** The object's schema, metadata included (ObjectMeta's list and map semantics). */
  schema: KubeSchema;
  group: string;
  version: string;
  kind: string;
  /** Custom resources start from an empty object; built-in kinds from their Go type's zero value. */
  custom: boolean;
  /** The kind has a status subresource, so its main resource does not own status. */
  hasStatus: boolean;
  subresource?: "status";
  now: Date;
}

const f = (field: string): { field: string } => ({ field });
const STRIPPED: FieldSet = FieldSet.of(
  [f("apiVersion")],
  [f("kind")],
  [f("metadata")],
  ...[
    "name",
    "namespace",
    "creationTimestamp",
    "selfLink",
    "uid",
    "clusterName",
    "generation",
    "managedFields",
    "resourceVersion",
  ].map((name): Path => [f("metadata"), f(name)]),
);
const STATUS = f("status");
// managedFieldsUpdater's stand-in for the writer while its changes are computed.
const CURRENT_OPERATION = "current-operation";

function apiVersionOf(scope: FieldManagerScope): string {
  return scope.group === "" ? scope.version : `${scope.group}/${scope.version}`;
}

// The strategy's reset fields (GetResetFields): what a write through this endpoint cannot set.
function resetFilter(scope: FieldManagerScope): ((set: FieldSet) => FieldSet) | undefined {
  if (scope.subresource === "status") {
    return (set) => {
      const out = new FieldSet();
      if (set.hasMember(STATUS)) out.insertMember(STATUS);
      return out.setChild(STATUS, set.withPrefix(STATUS));
    };
  }
  if (scope.hasStatus) return (set) => set.recursiveDifference(FieldSet.of([STATUS]));
  return undefined;
}

/** The live object a create is compared with: `scope.Creater.New(kind)`. */
function zeroObject(scope: FieldManagerScope): KubeObject {
  const object: KubeObject = { apiVersion: apiVersionOf(scope), kind: scope.kind };
  if (scope.custom) return object;
  object.metadata = {};
  for (const field of ["spec", "status"])
    if (scope.schema.properties?.[field]?.properties !== undefined) object[field] = {};
  return object;
}

function withoutManagedFields(object: KubeObject): KubeObject {
  const copy = cloneJson(object);
  if (isRecord(copy.metadata)) Reflect.deleteProperty(copy.metadata, "managedFields");
  return copy;
}

function managedFieldsOf(object: KubeObject | undefined): unknown {
  return isRecord(object?.metadata) ? object.metadata.managedFields : undefined;
}

function decodeOrEmpty(entries: unknown): Managed {
  try {
    return decodeManagedFields(entries);
  } catch {
    return { fields: new Map(), times: new Map() };
  }
}

function strip(fields: ManagedFieldSets, manager: string): void {
  const versioned = fields.get(manager);
  if (!versioned) return;
  const set = versioned.set.difference(STRIPPED);
  if (set.empty()) fields.delete(manager);
  else fields.set(manager, { ...versioned, set });
}

function encodeInto(object: KubeObject, managed: Managed): KubeObject {
  const meta = (isRecord(object.metadata) ? object.metadata : {}) as Record<string, unknown>;
  const entries = encodeManagedFields(managed);
  if (entries) meta.managedFields = entries;
  else Reflect.deleteProperty(meta, "managedFields");
  object.metadata = meta;
  return object;
}

/**
 * FieldManager.UpdateNoErrors: `next` (what a create, update or non-apply patch will store) with the managed
 * fields that record `manager`'s changes over `live` (undefined for a create). A client may send managedFields
 * to replace them, `[]` or `[{}]` to clear them; what cannot be read is ignored in favour of the live ones.
 */
export function recordUpdate(
  live: KubeObject | undefined,
  next: KubeObject,
  manager: string,
  scope: FieldManagerScope,
): KubeObject {
  // decodeLiveOrNew
  let managed: Managed;
  const sent = managedFieldsOf(next);
  if (scope.subresource !== undefined) managed = decodeOrEmpty(managedFieldsOf(live));
  else if (isResetManagedFields(sent)) managed = { fields: new Map(), times: new Map() };
  else {
    try {
      managed = decodeManagedFields(sent);
      if (managed.fields.size === 0) managed = decodeOrEmpty(managedFieldsOf(live));
    } catch {
      managed = decodeOrEmpty(managedFieldsOf(live));
    }
  }
  const object = withoutManagedFields(next);
  try {
    const updater = new Updater({ schema: scope.schema, ...optionalIgnore(scope) });
    const apiVersion = apiVersionOf(scope);
    const fields = updater.update(
      live ? withoutManagedFields(live) : zeroObject(scope),
      object,
      apiVersion,
      managed.fields,
      CURRENT_OPERATION,
    );
    strip(fields, CURRENT_OPERATION);
    const id = managerIdentifier({
      manager,
      operation: "Update",
      apiVersion,
      ...(scope.subresource ? { subresource: scope.subresource } : {}),
    });
    const changed = fields.get(CURRENT_OPERATION);
    if (changed) {
      fields.delete(CURRENT_OPERATION);
      const previous = fields.get(id);
      fields.set(id, { set: previous ? changed.set.union(previous.set) : changed.set, apiVersion, applied: false });
      managed.times.set(id, timestamp(scope.now));
    }
    const result = { fields, times: managed.times };
    capUpdateManagers(result);
    return encodeInto(object, result);
  } catch (error) {
    // An object whose lists break their own semantics is stored without managed fields, as upstream does
    // rather than failing the write; validation reports what is wrong with it.
    if (error instanceof TypedValueError) return object;
    throw error;
  }
}

function optionalIgnore(scope: FieldManagerScope): { ignore?: (set: FieldSet) => FieldSet } {
  const ignore = resetFilter(scope);
  return ignore ? { ignore } : {};
}

export interface ApplyResult {
  /** The object to store, with its managed fields. */
  object: KubeObject;
  /** False when the object did not exist. */
  existed: boolean;
}

/**
 * FieldManager.Apply: `config` (a server-side apply patch) applied by `manager` to `live` (undefined when the
 * object does not exist yet). Throws the API server's errors: 409 with the conflicts unless `force`, 400 for a
 * configuration of another kind, with managedFields, or with list items that break the schema's semantics.
 */
export function applyConfiguration(
  live: KubeObject | undefined,
  config: KubeObject,
  manager: string,
  force: boolean,
  scope: FieldManagerScope,
): ApplyResult {
  const apiVersion = apiVersionOf(scope);
  if (config.apiVersion !== apiVersion || config.kind !== scope.kind) {
    const [group, version] =
      typeof config.apiVersion === "string" && config.apiVersion.includes("/")
        ? config.apiVersion.split("/")
        : ["", config.apiVersion ?? ""];
    throw badRequest(`invalid object type: ${group}/${String(version)}, Kind=${String(config.kind ?? "")}`);
  }
  if (managedFieldsOf(config) !== undefined) throw badRequest("metadata.managedFields must be nil");
  let managed: Managed;
  try {
    managed = decodeManagedFields(managedFieldsOf(live));
  } catch (error) {
    throw new ApiError(500, "InternalError", `failed to decode managed fields: ${(error as Error).message}`);
  }
  const liveObject = live ? withoutManagedFields(live) : zeroObject(scope);
  const updater = new Updater({ schema: scope.schema, ...optionalIgnore(scope) });
  const id = managerIdentifier({
    manager,
    operation: "Apply",
    ...(scope.subresource ? { subresource: scope.subresource } : {}),
  });
  let result: ReturnType<Updater["apply"]>;
  try {
    try {
      result = updater.apply(liveObject, config, apiVersion, managed.fields, id, force);
    } catch (error) {
      if (!(error instanceof ConflictsError) || manager !== KUBECTL_MANAGER) throw error;
      const remaining = conflictsNotAllowed(error.conflicts, liveObject, scope.schema);
      if (remaining.length > 0) throw new ConflictsError(remaining);
      result = updater.apply(liveObject, config, apiVersion, managed.fields, id, true);
    }
  } catch (error) {
    if (error instanceof ConflictsError) throw conflictStatus(error.conflicts);
    if (error instanceof TypedValueError)
      throw badRequest(`failed to create typed patch object (${describe(config, scope)}): ${error.message}`);
    throw error;
  }
  const fields = result.managers;
  strip(fields, id);
  let object: KubeObject;
  if (result.object !== undefined) {
    managed.times.set(id, timestamp(scope.now));
    object = result.object as KubeObject;
  } else object = liveObject;
  if (manager === KUBECTL_MANAGER) syncLastApplied(object, liveObject, config);
  return { object: encodeInto(object, { fields, times: managed.times }), existed: live !== undefined };
}

function describe(config: KubeObject, scope: FieldManagerScope): string {
  const meta = isRecord(config.metadata) ? config.metadata : {};
  const name = typeof meta.namespace === "string" ? `${meta.namespace}/${String(meta.name)}` : String(meta.name);
  const gv = scope.group === "" ? `/${scope.version}` : `${scope.group}/${scope.version}`;
  return `${name}; ${gv}, Kind=${scope.kind}`;
}
