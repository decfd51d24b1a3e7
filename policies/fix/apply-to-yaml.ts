// Applies findings' JSONPatch operations to YAML source by splicing new text in at the changed nodes only, found
// by their source ranges (yaml's `range`), so every other byte — comments, blank lines, list style, flow
// collections, CRLF line ends, other documents — stays as written and a pull request's diff shows only the fix.
// The file is re-parsed after each splice, so later operations see the ranges of the text as it now is.
import type { Operation } from "fast-json-patch";
import { isCollection, isMap, isPair, isScalar, isSeq, parseAllDocuments, type Node, type Pair } from "yaml";
import { isDeepStrictEqual } from "node:util";
import { isRecord, pathFromPointer } from "../../api/index.ts";
import { renderBlock, renderFlow, renderScalar } from "./render-yaml.ts";

/** A JSONPatch operation; a `remove` may leave a comment in the removed field's place, saying why. */
export type FixOperation = Operation & { comment?: string };

export interface YamlEdit {
  /** 0-based index of the document in the file. */
  document: number;
  operations: readonly FixOperation[];
}

type Path = (string | number)[];

/** Returns the new text, or the same text when nothing applies. Throws when an operation cannot apply. */
export function applyToYaml(text: string, edits: readonly YamlEdit[]): string {
  let out = text;
  for (const edit of edits) for (const op of edit.operations) out = applyRefined(out, edit.document, op);
  return out;
}

// A map set over a map becomes one operation per key that differs, so the keys that stay keep their text and
// comments (a rule that sets `/spec/limits` whole changes only the limit it adds).
function applyRefined(text: string, index: number, op: FixOperation): string {
  if ((op.op === "add" || op.op === "replace") && isRecord(op.value) && !op.path.endsWith("/-")) {
    const doc = parseAllDocuments(text, { version: "1.1" })[index];
    const current = doc && "contents" in doc ? valueAt(doc.toJS(), op.path) : undefined;
    if (isRecord(current)) {
      let out = text;
      const child = (key: string) => `${op.path}/${key.replaceAll("~", "~0").replaceAll("/", "~1")}`;
      for (const [key, value] of Object.entries(op.value)) {
        if (!isDeepStrictEqual(current[key], value))
          out = applyRefined(out, index, { op: "add", path: child(key), value });
      }
      for (const key of Object.keys(current)) {
        if (!(key in op.value)) out = applyOperation(out, index, { op: "remove", path: child(key) });
      }
      return out;
    }
  }
  return applyOperation(text, index, op);
}

function valueAt(root: unknown, pointer: string): unknown {
  let node = root;
  for (const segment of pathFromPointer(pointer, root)) {
    node = isRecord(node) || Array.isArray(node) ? (node as Record<string, unknown>)[segment] : undefined;
  }
  return node;
}

function applyOperation(text: string, index: number, op: FixOperation): string {
  if (op.op === "move") return moveEntry(text, index, op.from, op.path);
  const doc = parseAllDocuments(text, { version: "1.1", keepSourceTokens: true })[index];
  if (!doc || !("contents" in doc)) throw new Error(`document ${index} does not exist`);
  const source = new Source(text);
  const appends = op.path.endsWith("/-");
  const path = pathFromPointer(appends ? op.path.slice(0, -2) : op.path, doc.toJS());
  const at = (p: Path): unknown => (p.length === 0 ? doc.contents : doc.getIn(p, true));
  switch (op.op) {
    case "add":
    case "replace": {
      if (appends) {
        const seq = at(path);
        if (isSeq(seq)) return insertIntoSeq(source, seq, seq.items.length, op.value, keyColumn(source, at, path));
        return setValue(source, at, path, [op.value]);
      }
      const parent = at(path.slice(0, -1));
      const last = path[path.length - 1];
      if (op.op === "add" && isSeq(parent) && typeof last === "number") {
        return insertIntoSeq(source, parent, last, op.value, keyColumn(source, at, path.slice(0, -1)));
      }
      return setValue(source, at, path, op.value);
    }
    case "remove":
      return remove(source, at, path, op.comment);
    default:
      throw new Error(`unsupported patch operation "${op.op}"`);
  }
}

/**
 * Moves a block map's entry to another map, with its text: the value keeps its comments, list and flow styles and
 * quoting, shifted to the new column and renamed to the new key; maps missing on the way are created. An entry
 * that is not in a block map, or a destination that is not one, is moved as a value (removed, then added).
 */
function moveEntry(text: string, index: number, fromPointer: string, toPointer: string): string {
  const parsed = (t: string) => {
    const doc = parseAllDocuments(t, { version: "1.1", keepSourceTokens: true })[index];
    if (!doc || !("contents" in doc)) throw new Error(`document ${index} does not exist`);
    return doc;
  };
  const doc = parsed(text);
  const from = pathFromPointer(fromPointer, doc.toJS());
  const to = pathFromPointer(toPointer, undefined);
  const atIn = (d: typeof doc) => (p: Path) => (p.length === 0 ? d.contents : d.getIn(p, true));
  const parent = atIn(doc)(from.slice(0, -1));
  const pair = isMap(parent) && !parent.flow ? parent.items.find((p) => keyOf(p) === from[from.length - 1]) : undefined;
  const value: unknown = doc.getIn(from);
  const asValue = () =>
    applyRefined(applyOperation(text, index, { op: "remove", path: fromPointer }), index, {
      op: "add",
      path: toPointer,
      value,
    });
  if (!pair || !isScalar(pair.key)) return asValue();
  const source = new Source(text);
  const key = pair.key as Node;
  const keyColumn = source.column(nodeStart(key));
  // The comment lines right above the key, at its column, are about it: they move with it.
  const keyLine = source.lineStart(nodeStart(key));
  let start = keyLine;
  while (start > 0) {
    const previous = source.lineStart(start - 1);
    const line = source.text.slice(previous, start).trimEnd();
    if (!line.trimStart().startsWith("#") || source.indentOf(previous) !== keyColumn) break;
    start = previous;
  }
  const entry = source.text
    .slice(start, source.lineEnd(contentEnd(pair)))
    .split(/\r?\n/)
    .map((line) => line.slice(Math.min(keyColumn, line.length - line.trimStart().length)));
  const keyIndex = source.text.slice(start, keyLine).split("\n").length - 1;
  entry[keyIndex] =
    renderScalar(String(to[to.length - 1]), undefined, false) +
    (entry[keyIndex] ?? "").slice(nodeEnd(key) - nodeStart(key));
  const withoutComments = source.splice(start, keyLine, "");
  const removed = remove(new Source(withoutComments), atIn(parsed(withoutComments)), from);
  const after = parsed(removed);
  const at = atIn(after);
  if (at(to) !== undefined) return asValue();
  let depth = to.length - 1;
  while (depth > 0 && !isMap(at(to.slice(0, depth)))) depth--;
  const map = at(to.slice(0, depth));
  const last = isMap(map) && !map.flow ? map.items[map.items.length - 1] : undefined;
  if (!last) return asValue();
  const target = new Source(removed);
  const indent = target.column(nodeStart(last.key as Node));
  const lines: string[] = [];
  for (let i = depth; i < to.length - 1; i++)
    lines.push(`${" ".repeat(indent + 2 * (i - depth))}${renderScalar(String(to[i]), undefined, false)}:`);
  const pad = " ".repeat(indent + 2 * (to.length - 1 - depth));
  lines.push(...entry.map((line) => (line === "" ? line : pad + line)));
  const end = target.lineEnd(contentEnd(last));
  return target.splice(end, end, target.eol + lines.join(target.eol));
}

/** Sets the value at `path`, creating the missing maps on the way below the deepest one that exists. */
function setValue(source: Source, at: (p: Path) => unknown, path: Path, value: unknown): string {
  const existing = at(path);
  const parentPath = path.slice(0, -1);
  const parent = at(parentPath);
  if (existing !== undefined && (isMap(parent) || isSeq(parent))) {
    const node = existing as Node;
    const scalarValue = value === null || typeof value !== "object";
    if (isScalar(node) && scalarValue && node.value !== null) {
      // A scalar for a scalar: the node's text only, in its own quoting, so a comment beside it stays.
      return source.splice(nodeStart(node), nodeEnd(node), renderScalar(value, node.type, parent.flow === true));
    }
    if (parent.flow || (isCollection(node) && node.flow)) {
      return source.splice(nodeStart(node), nodeEnd(node), renderFlow(value));
    }
    return replaceEntry(source, parent, itemAt(path, path.length - 1), value);
  }
  // Missing: add the first missing key, with the rest of the path nested in its value, to the deepest map.
  let depth = path.length - 1;
  while (depth > 0 && !isMap(at(path.slice(0, depth)))) depth--;
  const map = at(path.slice(0, depth));
  if (!isMap(map)) throw new Error(`cannot add ${JSON.stringify(path)}: no map to add it to`);
  let nested: unknown = value;
  for (let i = path.length - 1; i > depth; i--) nested = { [String(path[i])]: nested };
  return addToMap(source, map, String(path[depth]), nested);
}

function addToMap(source: Source, map: Node & { items: Pair[]; flow?: boolean }, key: string, value: unknown): string {
  const last = map.items[map.items.length - 1];
  if (map.flow || !last) {
    const entry = `${renderScalar(key, undefined, true)}: ${renderFlow(value)}`;
    if (!last) return source.splice(nodeStart(map), nodeEnd(map), `{${entry}}`);
    const end = contentEnd(last);
    return source.splice(end, end, `, ${entry}`);
  }
  const indent = source.column(nodeStart(last.key as Node));
  const end = source.lineEnd(contentEnd(last));
  return source.splice(end, end, source.eol + renderBlock({ [key]: value }, indent, source.eol, true));
}

function insertIntoSeq(
  source: Source,
  seq: Node & { items: unknown[]; flow?: boolean },
  at: number,
  value: unknown,
  parentKeyColumn: number | undefined,
): string {
  const items = seq.items as Node[];
  if (seq.flow || items.length === 0) {
    if (items.length === 0) return source.splice(nodeStart(seq), nodeEnd(seq), `[${renderFlow(value)}]`);
    if (at >= items.length) {
      const end = contentEnd(itemAt(items, items.length - 1));
      return source.splice(end, end, `, ${renderFlow(value)}`);
    }
    const start = nodeStart(itemAt(items, at));
    return source.splice(start, start, `${renderFlow(value)}, `);
  }
  const first = source.lineStart(nodeStart(itemAt(items, 0)));
  const indent = source.indentOf(first);
  // kubectl writes `- ` at its parent key's column; nested lists follow the file's own style.
  const indentSeq = parentKeyColumn === undefined || indent > parentKeyColumn;
  const entry = renderBlock([value], indent, source.eol, indentSeq);
  if (at >= items.length) {
    const end = source.lineEnd(contentEnd(itemAt(items, items.length - 1)));
    return source.splice(end, end, source.eol + entry);
  }
  const start = source.lineStart(nodeStart(itemAt(items, at)));
  return source.splice(start, start, entry + source.eol);
}

/** The column of the key whose value is the node at `path`, when its parent is a map. */
function keyColumn(source: Source, at: (p: Path) => unknown, path: Path): number | undefined {
  const parent = at(path.slice(0, -1));
  if (!isMap(parent)) return undefined;
  const pair = parent.items.find((p) => keyOf(p) === path[path.length - 1]);
  return pair ? source.column(nodeStart(pair.key as Node)) : undefined;
}

/** Replaces a block entry whose value changes shape: the lines of the key and its old value. */
function replaceEntry(source: Source, parent: Node, key: string | number, value: unknown): string {
  if (isSeq(parent)) {
    const item = parent.items[key as number] as Node;
    const start = source.lineStart(nodeStart(item));
    const indent = source.indentOf(start);
    const end = source.lineEnd(contentEnd(item));
    return source.splice(start, end, renderBlock([value], indent, source.eol, true));
  }
  const pair = (parent as unknown as { items: Pair[] }).items.find((p) => keyOf(p) === key);
  if (!pair) throw new Error(`no field ${String(key)}`);
  const start = source.lineStart(nodeStart(pair.key as Node));
  const indent = source.column(nodeStart(pair.key as Node));
  return source.splice(
    start,
    source.lineEnd(contentEnd(pair)),
    renderBlock({ [key]: value }, indent, source.eol, true),
  );
}

function remove(source: Source, at: (p: Path) => unknown, path: Path, comment?: string): string {
  const parent = at(path.slice(0, -1));
  const key = itemAt(path, path.length - 1);
  if (!isMap(parent) && !isSeq(parent)) throw new Error(`cannot remove ${JSON.stringify(path)}: no such field`);
  const items = parent.items as (Node | Pair)[];
  const position = isSeq(parent) ? (key as number) : items.findIndex((p) => keyOf(p as Pair) === key);
  const item = items[position];
  if (item === undefined) throw new Error(`cannot remove ${JSON.stringify(path)}: no such field`);
  const line = source.lineStart(startOf(item));
  // The comment goes on a line of its own above the removed entry's line, at that line's indent.
  const note = comment === undefined ? "" : `${" ".repeat(source.indentOf(line))}# ${comment}${source.eol}`;
  if (items.length === 1) {
    // The last entry: an empty collection stays one (a bare `key:` would read as null).
    const emptied = source.splice(nodeStart(parent), contentEnd(parent), isSeq(parent) ? "[]" : "{}");
    return note === "" ? emptied : new Source(emptied).splice(line, line, note);
  }
  if (parent.flow) {
    const start = position === 0 ? startOf(item) : contentEnd(itemAt(items, position - 1));
    const end = position === 0 ? startOf(itemAt(items, 1)) : contentEnd(item);
    return new Source(source.splice(start, end, "")).splice(line, line, note);
  }
  const end = source.lineEnd(contentEnd(item));
  return source.splice(line, end + source.eolAt(end), note);
}

function keyOf(pair: Pair): unknown {
  return isScalar(pair.key) ? pair.key.value : pair.key;
}

function startOf(item: Node | Pair): number {
  return isPair(item) ? nodeStart(item.key as Node) : nodeStart(item);
}

/** Where the last character of an entry's own text is: its last leaf's end, before trailing comments and lines. */
function contentEnd(item: Node | Pair | null | undefined): number {
  if (isPair(item)) return item.value ? contentEnd(item.value as Node) : contentEnd(item.key as Node);
  if (!item?.range) throw new Error("an entry without a source range");
  if (isCollection(item) && !item.flow && item.items.length > 0) {
    return contentEnd(item.items[item.items.length - 1] as Node | Pair);
  }
  return item.range[1];
}

class Source {
  readonly eol: string;
  readonly text: string;
  constructor(text: string) {
    this.text = text;
    this.eol = text.includes("\r\n") ? "\r\n" : "\n";
  }
  splice(start: number, end: number, insert: string): string {
    return this.text.slice(0, start) + insert + this.text.slice(end);
  }
  lineStart(pos: number): number {
    return this.text.lastIndexOf("\n", pos - 1) + 1;
  }
  /** The position of the line terminator after `pos` (before a CR of CRLF), or the text's end. */
  lineEnd(pos: number): number {
    const nl = this.text.indexOf("\n", pos);
    if (nl === -1) return this.text.length;
    return this.text[nl - 1] === "\r" ? nl - 1 : nl;
  }
  eolAt(pos: number): number {
    if (this.text.startsWith("\r\n", pos)) return 2;
    return this.text[pos] === "\n" ? 1 : 0;
  }
  column(pos: number): number {
    return pos - this.lineStart(pos);
  }
  indentOf(lineStart: number): number {
    let i = lineStart;
    while (this.text[i] === " ") i++;
    return i - lineStart;
  }
}

function nodeStart(node: Node | null | undefined): number {
  if (!node?.range) throw new Error("a node without a source range");
  return node.range[0];
}

function nodeEnd(node: Node | null | undefined): number {
  if (!node?.range) throw new Error("a node without a source range");
  return node.range[1];
}

function itemAt<T>(items: readonly T[], index: number): T {
  const item = items[index];
  if (item === undefined) throw new Error(`no item ${index}`);
  return item;
}
