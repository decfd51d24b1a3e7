// ajv and JSONPatch speak RFC 6901 pointers; field errors speak paths. List indexes become numbers where the
// value at that point is an array, so the path formats as `budgets[1]`, not `budgets["1"]`.
import { isRecord } from "../plain-object.ts";
import type { FieldPath } from "./field-error.ts";

export function pathFromPointer(pointer: string, root: unknown): (string | number)[] {
  if (pointer === "") return [];
  const out: (string | number)[] = [];
  let node = root;
  for (const raw of pointer.slice(1).split("/")) {
    const segment = raw.replaceAll("~1", "/").replaceAll("~0", "~");
    if (Array.isArray(node)) {
      out.push(Number(segment));
      node = node[Number(segment)];
    } else {
      out.push(segment);
      node = isRecord(node) ? node[segment] : undefined;
    }
  }
  return out;
}

/** The value at a path, or undefined where the path leaves the data. */
export function valueAtPath(root: unknown, path: FieldPath): unknown {
  let node = root;
  for (const segment of path) {
    if (Array.isArray(node) && typeof segment === "number") node = node[segment];
    else if (isRecord(node)) node = node[String(segment)];
    else return undefined;
  }
  return node;
}
