// An applied configuration merged onto the live object (structured-merge-diff typed/merge.go,
// TypedValue.Merge): the configuration's value wins at every leaf (scalars, atomic lists and maps); separable
// maps merge field by field; associative lists and sets merge item by item, the live items the configuration
// does not name keeping their place and the shared ones following the configuration's order.
import { cloneJson, isRecord } from "../../../api/index.ts";
import type { KubeSchema } from "../store/schema.ts";
import { pathElementString, serializePathElement, type Path, type PathElement } from "./path-element.ts";
import { elementOf } from "./list-items.ts";
import { walkedType, type ListType } from "./type-node.ts";
import { TypedValueError } from "./typed-error.ts";

export function mergeValues(lhs: unknown, rhs: unknown, schema: KubeSchema | undefined): unknown {
  return merge(lhs, rhs, schema, []);
}

// Undefined: no value (both sides absent, or a container left empty).
function merge(lhs: unknown, rhs: unknown, schema: KubeSchema | undefined, path: Path): unknown {
  const walked = walkedType(schema, lhs, rhs);
  if (!walked) return undefined;
  const { type, leaf } = walked;
  if (leaf) return cloneJson(rhs !== undefined ? rhs : lhs);
  if (type.kind === "list") return mergeList(lhs, rhs, type, path);
  if (type.kind !== "map") return undefined;
  const l = isRecord(lhs) ? lhs : {};
  const r = isRecord(rhs) ? rhs : {};
  const out: Record<string, unknown> = {};
  for (const name of new Set([...Object.keys(l), ...Object.keys(r)])) {
    const merged = merge(l[name], r[name], type.childSchema(name), [...path, { field: name }]);
    if (merged !== undefined) out[name] = merged;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

interface Indexed {
  keys: string[];
  /** The item of each key; undefined for a key repeated in the live list. */
  items: Map<string, unknown>;
  pes: Map<string, PathElement>;
}

function index(list: unknown, type: ListType, path: Path, allowDuplicates: boolean): Indexed {
  const out: Indexed = { keys: [], items: new Map(), pes: new Map() };
  (Array.isArray(list) ? list : []).forEach((item, i) => {
    const pe = elementOf(type, item, path, i);
    const key = serializePathElement(pe);
    if (out.items.has(key)) {
      if (!allowDuplicates) throw new TypedValueError(path, `duplicate entries for key ${pathElementString(pe)}`);
      out.items.set(key, undefined);
    } else out.items.set(key, item);
    out.pes.set(key, pe);
    out.keys.push(key);
  });
  return out;
}

// visitListItems: walk both lists together; a live item the configuration does not name is kept where it is, a
// shared item is emitted in the configuration's order, a new one where the configuration has it.
function mergeList(lhs: unknown, rhs: unknown, type: ListType, path: Path): unknown {
  const right = index(rhs, type, path, false);
  const left = index(lhs, type, path, true);
  const shared = right.keys.filter((k) => left.items.has(k));
  let nextShared = shared.shift();
  const merged = new Set<string>();
  const out: unknown[] = [];
  const mergeItem = (key: string, l: unknown, r: unknown): void => {
    const pe = (right.pes.get(key) ?? left.pes.get(key)) as PathElement;
    const value = merge(l, r, type.items, [...path, pe]);
    if (value !== undefined) out.push(value);
  };
  let li = 0;
  let ri = 0;
  const lhsList = Array.isArray(lhs) ? lhs : [];
  while (li < left.keys.length || ri < right.keys.length) {
    if (li < left.keys.length && ri < right.keys.length) {
      const key = left.keys[li] as string;
      if (key === right.keys[ri]) {
        merged.add(key);
        mergeItem(key, left.items.get(key), right.items.get(key));
        li++;
        ri++;
        nextShared = shared.shift();
        continue;
      }
      if (right.items.has(key) && nextShared !== undefined && nextShared !== key) {
        li++;
        continue;
      }
    }
    if (li < left.keys.length) {
      const key = left.keys[li] as string;
      if (!right.items.has(key)) {
        mergeItem(key, lhsList[li], undefined);
        li++;
        continue;
      } else if (merged.has(key)) {
        li++;
      }
    }
    if (ri < right.keys.length) {
      const key = right.keys[ri] as string;
      merged.add(key);
      mergeItem(key, left.items.get(key), right.items.get(key));
      ri++;
      if (nextShared === key) nextShared = shared.shift();
    }
  }
  return out.length > 0 ? out : undefined;
}
