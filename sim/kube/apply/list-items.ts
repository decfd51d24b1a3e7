// The path element of an item of a non-atomic list (structured-merge-diff typed/helpers.go,
// listItemToPathElement): the item's key fields for an associative list (a missing key takes its schema
// default, and is otherwise left out), its value for a set.
import { isRecord } from "../../../api/index.ts";
import type { ListType } from "./type-node.ts";
import { sortKeyFields, type KeyField, type Path, type PathElement } from "./path-element.ts";
import { TypedValueError } from "./typed-error.ts";

export function listItemPathElement(list: ListType, item: unknown): PathElement {
  if (list.relationship === "map") {
    if (item === null) throw new Error("associative list with keys may not have a null element");
    if (!isRecord(item)) throw new Error("associative list with keys may not have non-map elements");
    const key: KeyField[] = [];
    for (const name of list.keys) {
      if (Object.hasOwn(item, name)) key.push({ name, value: item[name] });
      else {
        const fallback = list.items?.properties?.[name]?.default;
        if (fallback !== undefined) key.push({ name, value: fallback });
      }
    }
    if (list.keys.length > 0 && key.length === 0)
      throw new Error(
        `associative list with keys has an element that omits all key fields ${JSON.stringify(list.keys)} (and doesn't have default values for any key fields)`,
      );
    return { key: sortKeyFields(key) };
  }
  if (isRecord(item)) throw new Error("associative list without keys has an element that's a map type");
  if (Array.isArray(item)) throw new Error("not supported: associative list with lists as elements");
  if (item === null) throw new Error("associative list without keys has an element that's an explicit null");
  return { value: item };
}

/** The item's path element, or a TypedValueError naming the list and the item's index. */
export function elementOf(list: ListType, item: unknown, path: Path, index: number): PathElement {
  try {
    return listItemPathElement(list, item);
  } catch (error) {
    throw new TypedValueError(path, `element ${index}: ${(error as Error).message}`);
  }
}
