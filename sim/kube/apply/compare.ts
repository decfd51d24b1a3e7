// What changed between two values of a kind (structured-merge-diff typed/compare.go, TypedValue.Compare): the
// paths added, modified and removed. Scalars and atomic lists and maps are compared whole; separable maps and
// associative lists field by field and item by item, and a map or item that appears or disappears is itself
// added or removed. Two empty (or null, or absent) containers compare as leaves, keeping `{}` apart from null.
import { isDeepStrictEqual } from "node:util";
import { isRecord } from "../../../api/index.ts";
import type { KubeSchema } from "../store/schema.ts";
import { FieldSet } from "./field-set.ts";
import { serializePathElement, type Path, type PathElement } from "./path-element.ts";
import { elementOf } from "./list-items.ts";
import { walkedType, type ListType } from "./type-node.ts";

export interface Comparison {
  added: FieldSet;
  modified: FieldSet;
  removed: FieldSet;
}

export function compareValues(lhs: unknown, rhs: unknown, schema: KubeSchema | undefined): Comparison {
  const comparison = { added: new FieldSet(), modified: new FieldSet(), removed: new FieldSet() };
  walk(lhs, rhs, schema, [], comparison);
  return comparison;
}

export function isSame(c: Comparison): boolean {
  return c.added.empty() && c.modified.empty() && c.removed.empty();
}

function walk(lhs: unknown, rhs: unknown, schema: KubeSchema | undefined, path: Path, c: Comparison): void {
  const walked = walkedType(schema, lhs, rhs);
  if (!walked) return;
  const { type, leaf } = walked;
  if (leaf) {
    if (lhs === undefined) c.added.insert(path);
    else if (rhs === undefined) c.removed.insert(path);
    else if (!isDeepStrictEqual(lhs, rhs)) c.modified.insert(path);
    return;
  }
  if (type.kind === "list") walkList(lhs, rhs, type, path, c);
  else if (type.kind === "map") {
    const l = isRecord(lhs) ? lhs : {};
    const r = isRecord(rhs) ? rhs : {};
    for (const name of new Set([...Object.keys(l), ...Object.keys(r)]))
      walk(l[name], r[name], type.childSchema(name), [...path, { field: name }], c);
  }
  if (lhs === undefined) c.added.insert(path);
  else if (rhs === undefined) c.removed.insert(path);
}

function walkList(lhs: unknown, rhs: unknown, type: ListType, path: Path, c: Comparison): void {
  const order: { key: string; pe: PathElement }[] = [];
  const seen = new Set<string>();
  const index = (list: unknown): Map<string, unknown[]> => {
    const out = new Map<string, unknown[]>();
    (Array.isArray(list) ? list : []).forEach((item, i) => {
      const pe = elementOf(type, item, path, i);
      const key = serializePathElement(pe);
      if (!seen.has(key)) order.push({ key, pe });
      seen.add(key);
      out.set(key, [...(out.get(key) ?? []), item]);
    });
    return out;
  };
  const left = index(lhs);
  const right = index(rhs);
  for (const { key, pe } of order) {
    const l = left.get(key) ?? [];
    const r = right.get(key) ?? [];
    const itemPath = [...path, pe];
    if (l.length <= 1 && r.length <= 1) walk(l[0], r[0], type.items, itemPath, c);
    else if (l.length >= 2 && r.length >= 2) {
      if (!isDeepStrictEqual(l, r)) c.modified.insert(itemPath);
    } else if (l.length >= 2) {
      if (r.length > 0) walk(undefined, r[0], type.items, itemPath, c);
      c.removed.insert(itemPath);
    } else {
      if (l.length > 0) walk(l[0], undefined, type.items, itemPath, c);
      c.added.insert(itemPath);
    }
  }
}
