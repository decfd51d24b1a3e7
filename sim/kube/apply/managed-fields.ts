// `metadata.managedFields` read into field sets by manager and written back (k8s.io/apiserver
// pkg/util/managedfields/internal/managedfields.go): each manager is identified by its entry without fields,
// fields type and time — and, for an applier, without apiVersion, so it stays one manager across versions
// (BuildManagerIdentifier); entries are written sorted by operation, time, manager, apiVersion and subresource
// (sortEncodedManagedFields), each with `fieldsType: FieldsV1`.
import { isRecord } from "../../../api/index.ts";
import { fromFieldsV1, toFieldsV1 } from "./fields-v1.ts";
import type { ManagedFieldSets } from "./updater.ts";

export interface ManagedFieldsEntry {
  manager?: string;
  operation?: "Apply" | "Update";
  apiVersion?: string;
  time?: string;
  fieldsType?: string;
  fieldsV1?: Record<string, unknown>;
  subresource?: string;
}

export interface Managed {
  fields: ManagedFieldSets;
  /** The time of each manager's last change, by identifier. */
  times: Map<string, string>;
}

export interface ManagerInfo {
  manager: string;
  operation: "Apply" | "Update";
  apiVersion?: string;
  subresource?: string;
}

/** The identifier of a manager: its entry's JSON without fields and time, in the Go type's field order. */
export function managerIdentifier(info: ManagerInfo): string {
  const entry: Record<string, string> = { manager: info.manager, operation: info.operation };
  if (info.operation !== "Apply" && info.apiVersion) entry.apiVersion = info.apiVersion;
  if (info.subresource) entry.subresource = info.subresource;
  return JSON.stringify(entry);
}

function parseIdentifier(identifier: string): ManagerInfo {
  return JSON.parse(identifier) as ManagerInfo;
}

/** DecodeManagedFields; throws an Error naming the bad entry. */
export function decodeManagedFields(entries: unknown): Managed {
  const managed: Managed = { fields: new Map(), times: new Map() };
  if (entries === undefined || entries === null) return managed;
  if (!Array.isArray(entries)) throw new Error("metadata.managedFields must be a list");
  entries.forEach((entry: unknown, i) => {
    const at = `metadata.managedFields[${i}]`;
    if (!isRecord(entry)) throw new Error(`${at} must be an object`);
    const e = entry as ManagedFieldsEntry;
    if (e.operation !== "Apply" && e.operation !== "Update")
      throw new Error(`${at}.operation: Unsupported value: "${String(e.operation)}"`);
    if (e.fieldsType !== "FieldsV1")
      throw new Error(`${at}.fieldsType: Unsupported value: "${String(e.fieldsType)}": supported values: "FieldsV1"`);
    let set;
    try {
      set = fromFieldsV1(e.fieldsV1 ?? {});
    } catch (error) {
      throw new Error(`${at}.fieldsV1: ${(error as Error).message}`, { cause: error });
    }
    const info: ManagerInfo = { manager: String(e.manager ?? ""), operation: e.operation };
    if (e.apiVersion) info.apiVersion = e.apiVersion;
    if (e.subresource) info.subresource = e.subresource;
    const id = managerIdentifier(info);
    managed.fields.set(id, { set, apiVersion: e.apiVersion ?? "", applied: e.operation === "Apply" });
    if (e.time) managed.times.set(id, e.time);
  });
  return managed;
}

/** EncodeObjectManagedFields: the entries, sorted; undefined when no manager owns anything. */
export function encodeManagedFields(managed: Managed): ManagedFieldsEntry[] | undefined {
  const entries: ManagedFieldsEntry[] = [];
  for (const [id, versioned] of managed.fields) {
    if (versioned.set.empty()) continue;
    const info = parseIdentifier(id);
    const entry: ManagedFieldsEntry = { manager: info.manager, operation: info.operation };
    if (versioned.apiVersion) entry.apiVersion = versioned.apiVersion;
    const time = managed.times.get(id);
    if (time) entry.time = time;
    entry.fieldsType = "FieldsV1";
    entry.fieldsV1 = toFieldsV1(versioned.set);
    if (info.subresource) entry.subresource = info.subresource;
    entries.push(entry);
  }
  const seconds = (t: string | undefined): number => (t ? Date.parse(t) / 1000 : 0);
  const by = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  entries.sort(
    (p, q) =>
      by(p.operation ?? "", q.operation ?? "") ||
      seconds(p.time) - seconds(q.time) ||
      by(p.manager ?? "", q.manager ?? "") ||
      by(p.apiVersion ?? "", q.apiVersion ?? "") ||
      by(p.subresource ?? "", q.subresource ?? ""),
  );
  return entries.length > 0 ? entries : undefined;
}

/** isResetManagedFields: `[]` or `[{}]` asks the server to forget every manager. */
export function isResetManagedFields(entries: unknown): boolean {
  if (!Array.isArray(entries)) return false;
  if (entries.length === 0) return true;
  return entries.length === 1 && isRecord(entries[0]) && Object.keys(entries[0]).length === 0;
}
