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
  return visit(value, schema, []).below;
}

// The set below one value, built level by level; `self` when the value is a path of its own (a scalar, an
// atomic container).
function visit(value: unknown, schema: KubeSchema | undefined, path: Path): { self: boolean; below: FieldSet } {
  const below = new FieldSet();
  const type = resolveType(schema, value);
  if (type.kind === "scalar") return { self: true, below };
  if (type.kind === "list") {
    if (type.relationship === "atomic") return { self: true, below };
    if (!Array.isArray(value)) return { self: false, below };
    const elements = value.map((item, i) => elementOf(type, item, path, i));
    const seen = new Set<string>();
    const duplicates = new Set<string>();
    for (const pe of elements) {
      const key = serializePathElement(pe);
      if (seen.has(key) && !duplicates.has(key)) {
        below.insertMember(pe);
        duplicates.add(key);
      }
      seen.add(key);
    }
    value.forEach((item, i) => {
      const pe = elements[i] as PathElement;
      if (duplicates.has(serializePathElement(pe))) return;
      below.setChild(pe, visit(item, type.items, [...path, pe]).below);
      below.insertMember(pe);
    });
    return { self: false, below };
  }
  if (type.atomic) return { self: true, below };
  if (!isRecord(value)) return { self: false, below };
  for (const [name, child] of Object.entries(value)) {
    const pe = { field: name };
    const sub = visit(child, type.childSchema(name), [...path, pe]);
    below.setChild(pe, sub.below);
    if (sub.self || child === null || (isRecord(child) && Object.keys(child).length === 0) || !type.declares(name))
      below.insertMember(pe);
  }
  return { self: false, below };
}
