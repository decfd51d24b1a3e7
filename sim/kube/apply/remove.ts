// A value without the paths of a set (structured-merge-diff typed/remove.go, TypedValue.RemoveItems): a
// field, entry or list item named by the set goes with everything below it; one with paths below it in the set
// is entered. A map or list left with nothing is dropped from its parent.
import { isRecord } from "../../../api/index.ts";
import type { KubeSchema } from "../store/schema.ts";
import type { FieldSet } from "./field-set.ts";
import { elementOf } from "./list-items.ts";
import { resolveType } from "./type-node.ts";

export function removeItems(value: unknown, set: FieldSet, schema: KubeSchema | undefined): unknown {
  return remove(value, set, schema) ?? (isRecord(value) ? {} : undefined);
}

function remove(value: unknown, set: FieldSet, schema: KubeSchema | undefined): unknown {
  const type = resolveType(schema, value);
  if (type.kind === "scalar") return value;
  if (type.kind === "list") {
    if (type.relationship === "atomic" || !Array.isArray(value) || value.length === 0) return value;
    const out: unknown[] = [];
    value.forEach((item, i) => {
      const pe = elementOf(type, item, [], i);
      if (set.hasMember(pe)) return;
      const below = set.withPrefix(pe);
      const kept = below.empty() ? item : remove(item, below, type.items);
      if (kept !== undefined) out.push(kept);
    });
    return out.length > 0 ? out : undefined;
  }
  if (type.atomic || !isRecord(value) || Object.keys(value).length === 0) return value;
  const out: Record<string, unknown> = {};
  for (const [name, child] of Object.entries(value)) {
    const pe = { field: name };
    if (set.hasMember(pe)) continue;
    const below = set.withPrefix(pe);
    const kept = below.empty() ? child : remove(child, below, type.childSchema(name));
    if (kept !== undefined) out[name] = kept;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}
