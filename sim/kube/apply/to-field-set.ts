// The set of fields a value sets (structured-merge-diff typed/tofieldset.go): every scalar, every atomic list
// or map as a whole, every item of an associative list or set (and its fields), and every entry of a map; a
// declared struct field is a path only through what it contains, unless it is null or empty. An item repeated
// in a list is one path for the whole group.
import { isRecord } from "../../../api/index.ts";
import type { KubeSchema } from "../store/schema.ts";
import { FieldSet } from "./field-set.ts";
import { elementOf } from "./list-items.ts";
import { serializePathElement, type Path, type PathElement } from "./path-element.ts";
import { resolveType } from "./type-node.ts";

export function toFieldSet(value: unknown, schema: KubeSchema | undefined): FieldSet {
  const set = new FieldSet();
  visit(value, schema, [], set);
  return set;
}

function visit(value: unknown, schema: KubeSchema | undefined, path: Path, set: FieldSet): void {
  const type = resolveType(schema, value);
  if (type.kind === "scalar") {
    set.insert(path);
    return;
  }
  if (type.kind === "list") {
    if (type.relationship === "atomic") {
      set.insert(path);
      return;
    }
    if (!Array.isArray(value)) return;
    const elements = value.map((item, i) => elementOf(type, item, path, i));
    const seen = new Set<string>();
    const duplicates = new Set<string>();
    for (const pe of elements) {
      const key = serializePathElement(pe);
      if (seen.has(key) && !duplicates.has(key)) {
        set.insert([...path, pe]);
        duplicates.add(key);
      }
      seen.add(key);
    }
    value.forEach((item, i) => {
      const pe = elements[i] as PathElement;
      if (duplicates.has(serializePathElement(pe))) return;
      visit(item, type.items, [...path, pe], set);
      set.insert([...path, pe]);
    });
    return;
  }
  if (type.atomic) {
    set.insert(path);
    return;
  }
  if (!isRecord(value)) return;
  for (const [name, child] of Object.entries(value)) {
    const childPath = [...path, { field: name }];
    visit(child, type.childSchema(name), childPath, set);
    if (child === null || (isRecord(child) && Object.keys(child).length === 0) || !type.declares(name))
      set.insert(childPath);
  }
}
