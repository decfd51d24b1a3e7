// The rewrite of an object written in an older API version as a JSONPatch from the text's object to the converted
// v1 one (fast-json-patch's compare, RFC 6902), so `fix` edits only the fields the conversion changed: a field the
// conversion moved (a Provisioner's labels, requirements and taints into the node template, a v1beta1 expireAfter)
// is a `move`, which carries its text and comments along; the user's comments stay where their fields survive, and
// a field the conversion drops leaves a comment saying why.
import jsonpatch from "fast-json-patch";
import { cloneJson, isRecord, type ConversionNote } from "../../api/index.ts";
import type { FixOperation } from "./apply-to-yaml.ts";

const pointer = (dotted: string) =>
  "/" +
  dotted
    .split(".")
    .map((s) => s.replaceAll("~", "~0").replaceAll("/", "~1"))
    .join("/");

function childOf(root: unknown, path: readonly string[]): unknown {
  let node = root;
  for (const key of path) node = isRecord(node) ? node[key] : undefined;
  return node;
}

export function migrationPatch(
  written: Record<string, unknown>,
  converted: Record<string, unknown>,
  notes: readonly ConversionNote[],
): FixOperation[] {
  // Moves first, on a copy, so the comparison that follows sees the moved values in place.
  const moved = cloneJson(written);
  const moves: FixOperation[] = [];
  for (const note of notes) {
    if (note.kind !== "moved" || note.to === undefined) continue;
    const from = note.path.split(".");
    const to = note.to.split(".");
    const parent = childOf(moved, from.slice(0, -1));
    const key = from[from.length - 1] ?? "";
    if (
      !isRecord(parent) ||
      !(key in parent) ||
      childOf(moved, to) !== undefined ||
      childOf(converted, to) === undefined
    )
      continue;
    const value = parent[key];
    Reflect.deleteProperty(parent, key);
    let into: Record<string, unknown> = moved;
    for (const step of to.slice(0, -1)) {
      const next = into[step];
      if (!isRecord(next)) into[step] = {};
      into = into[step] as Record<string, unknown>;
    }
    into[to[to.length - 1] ?? ""] = value;
    moves.push({ op: "move", from: pointer(note.path), path: pointer(note.to) });
  }
  const rest = jsonpatch.compare(moved, converted).map((op): FixOperation => {
    if (op.op !== "remove") return op;
    const dotted = op.path
      .slice(1)
      .split("/")
      .map((s) => s.replaceAll("~1", "/").replaceAll("~0", "~"))
      .join(".");
    const note = notes.find((n) => n.path === dotted && (n.kind === "dropped" || n.kind === "unconvertible"));
    return note ? { ...op, comment: `poolkeeper fix: removed ${dotted}: ${note.message}` } : op;
  });
  return [...moves, ...addsBeforeRemoves(rest)];
}

// A map's removed keys after the keys added to it, so it never becomes empty on the way (an emptied block map is
// written `{}` and would take the new keys in flow style). Keys of one map are independent, so the order is free.
function addsBeforeRemoves(ops: FixOperation[]): FixOperation[] {
  const parentOf = (path: string) => path.slice(0, path.lastIndexOf("/"));
  const isKey = (path: string) => !/\/(\d+|-)$/.test(path);
  const addedTo = new Set(ops.filter((op) => op.op === "add" && isKey(op.path)).map((op) => parentOf(op.path)));
  const deferred = (op: FixOperation) => op.op === "remove" && isKey(op.path) && addedTo.has(parentOf(op.path));
  return [...ops.filter((op) => !deferred(op)), ...ops.filter(deferred)];
}
