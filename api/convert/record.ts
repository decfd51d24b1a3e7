// Small helpers for walking YAML-parsed objects without trusting their shape.

import { isRecord } from "../plain-object.ts";

export { isRecord };

export type JsonRecord = Record<string, unknown>;

/** The object under key, or undefined when absent or not an object. */
export function childRecord(parent: JsonRecord, key: string): JsonRecord | undefined {
  const value = parent[key];
  return isRecord(value) ? value : undefined;
}

/** The object under key, created empty when absent (a non-object value is replaced: callers check first). */
export function ensureRecord(parent: JsonRecord, key: string): JsonRecord {
  const existing = parent[key];
  if (isRecord(existing)) return existing;
  const created: JsonRecord = {};
  parent[key] = created;
  return created;
}

/** The object at a key path, creating missing levels; undefined when a level exists but is not an object. */
export function ensurePath(parent: JsonRecord, keys: readonly string[]): JsonRecord | undefined {
  let current = parent;
  for (const key of keys) {
    const next = current[key];
    if (next !== undefined && !isRecord(next)) return undefined;
    current = ensureRecord(current, key);
  }
  return current;
}

/** Deletes a key chosen at run time (YAML keys are data, not property names known in advance). */
export function removeKey(parent: JsonRecord, key: string): void {
  Reflect.deleteProperty(parent, key);
}

/** Replaces oldKey by newKey (with a new value) at the same place in the key order, so output reads like input. */
export function replaceKey(parent: JsonRecord, oldKey: string, newKey: string, value: unknown): void {
  const entries = Object.entries(parent);
  for (const [key] of entries) removeKey(parent, key);
  for (const [key, existing] of entries) {
    if (key === oldKey) parent[newKey] = value;
    else if (key !== newKey) parent[key] = existing;
  }
}

/** Sets key right after afterKey (or last when afterKey is absent), keeping the other keys in order. */
export function insertAfter(parent: JsonRecord, afterKey: string, key: string, value: unknown): void {
  if (!has(parent, afterKey)) {
    parent[key] = value;
    return;
  }
  const entries = Object.entries(parent);
  for (const [k] of entries) removeKey(parent, k);
  for (const [k, existing] of entries) {
    if (k === key) continue;
    parent[k] = existing;
    if (k === afterKey) parent[key] = value;
  }
}

export function has(parent: JsonRecord, key: string): boolean {
  return Object.hasOwn(parent, key);
}

/** Structural equality of JSON values (key order ignored), used to compare kubelet blocks and expiry values. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => jsonEqual(item, b[i]));
  }
  if (isRecord(a) && isRecord(b)) {
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    return keys.every((k) => has(b, k) && jsonEqual(a[k], b[k]));
  }
  return false;
}

/** Short JSON rendering of a value for note messages. */
export function show(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

/** The group of an apiVersion ("karpenter.k8s.aws/v1beta1" → "karpenter.k8s.aws"); core "v1" has none. */
export function groupOf(apiVersion: unknown): string | undefined {
  if (typeof apiVersion !== "string") return undefined;
  const slash = apiVersion.indexOf("/");
  return slash > 0 ? apiVersion.slice(0, slash) : undefined;
}

/** The name in metadata.name, for messages. */
export function nameOf(object: JsonRecord): string {
  const metadata = childRecord(object, "metadata");
  const name = metadata?.["name"];
  return typeof name === "string" ? name : "(unnamed)";
}
