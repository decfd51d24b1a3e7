// Where each field of a YAML document starts, as plain data: numbers and arrays that survive structuredClone, so a
// file parsed in a worker thread keeps its source positions on the main thread (the yaml package's nodes do not
// cross threads). Built once per document from the parsed nodes; asked by path, as the loader asks the nodes.
import { isMap, isPair, isScalar, isSeq, type Node } from "yaml";
import type { FieldPath } from "../validation/field-error.ts";

/**
 * A node's source offset and, for collections, its children: a scalar or alias is its offset; a map is
 * `[offset, keys, keyOffsets, values]` (scalar keys only, as written); a list is `[offset, items]`.
 */
export type PositionTree = number | MapPositions | SeqPositions | null;
type MapPositions = [offset: number, keys: string[], keyOffsets: number[], values: PositionTree[]];
type SeqPositions = [offset: number, items: PositionTree[]];

/** The positions of `node` and everything under it. Nesting is bounded by the loader before this runs. */
export function positionTree(node: unknown): PositionTree {
  if (!node || typeof node !== "object") return null;
  const start = (node as Node).range?.[0];
  // A node without a range (a pair as a list item) positions nothing below it: its parent's position stands.
  if (start === undefined) return null;
  const offset = start;
  if (isMap(node)) {
    const keys: string[] = [];
    const keyOffsets: number[] = [];
    const values: PositionTree[] = [];
    for (const pair of node.items) {
      // Only scalar keys can be named by a field path.
      if (!isPair(pair) || !isScalar(pair.key)) continue;
      keys.push(String(pair.key.value));
      keyOffsets.push(pair.key.range?.[0] ?? offset);
      values.push(positionTree(pair.value));
    }
    return [offset, keys, keyOffsets, values];
  }
  if (isSeq(node)) return [offset, node.items.map((item) => positionTree(item))];
  return offset;
}

/** Offset of the key (map entries) or item at `path`, falling back to the deepest node that exists. */
export function offsetAt(root: PositionTree, path: FieldPath): number {
  let node = root;
  let offset = startOf(root) ?? 0;
  for (const segment of path) {
    if (!Array.isArray(node)) return offset;
    if (node.length === 4) {
      const i = node[1].indexOf(String(segment));
      if (i === -1) return offset;
      offset = node[2][i] ?? offset;
      node = node[3][i] ?? null;
    } else {
      if (!/^\d+$/.test(String(segment))) return offset;
      const item = node[1][Number(segment)];
      if (item === undefined || item === null) return offset;
      offset = startOf(item) ?? offset;
      node = item;
    }
  }
  return offset;
}

function startOf(node: PositionTree): number | undefined {
  if (node === null) return undefined;
  return typeof node === "number" ? node : node[0];
}
