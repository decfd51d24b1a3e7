// Applies findings' JSONPatch operations to YAML source with the yaml Document API, so comments, key order and
// formatting survive; documents without changes keep their exact original text.
import type { Operation } from "fast-json-patch";
import { isMap, isScalar, isSeq, parseAllDocuments, Parser, type Document } from "yaml";
import { pathFromPointer } from "../../api/index.ts";

export interface YamlEdit {
  /** 0-based index of the document in the file. */
  document: number;
  operations: readonly Operation[];
}

/** Returns the new text, or the same text when nothing applies. Throws when an operation cannot apply. */
export function applyToYaml(text: string, edits: readonly YamlEdit[]): string {
  if (edits.length === 0) return text;
  const documents = parseAllDocuments(text, { version: "1.1", keepSourceTokens: true }) as Document.Parsed[];
  const starts = documentStarts(text);
  const changed = new Set<number>();
  for (const edit of edits) {
    const doc = documents[edit.document];
    if (!doc) throw new Error(`document ${edit.document} does not exist`);
    for (const op of edit.operations) applyOperation(doc, op);
    changed.add(edit.document);
  }
  let out = "";
  documents.forEach((doc, i) => {
    const start = i === 0 ? 0 : (starts[i] ?? text.length);
    const end = starts[i + 1] ?? text.length;
    out += changed.has(i) ? doc.toString({ flowCollectionPadding: false }) : text.slice(start, end);
  });
  return out;
}

function documentStarts(text: string): number[] {
  const starts: number[] = [];
  for (const token of new Parser().parse(text)) if (token.type === "document") starts.push(token.offset);
  return starts;
}

function applyOperation(doc: Document.Parsed, op: Operation): void {
  const path = pathFromPointer(op.path, doc.toJS());
  switch (op.op) {
    case "add":
    case "replace": {
      const last = path[path.length - 1];
      const parentPath = path.slice(0, -1);
      if (op.op === "add" && last === "-") {
        doc.addIn(parentPath, doc.createNode(op.value));
        return;
      }
      const parent = parentPath.length === 0 ? doc.contents : doc.getIn(parentPath, true);
      if (isSeq(parent) && op.op === "add" && typeof last === "number") {
        parent.items.splice(last, 0, doc.createNode(op.value));
        return;
      }
      if (!isMap(parent) && !isSeq(parent)) return setDeep(doc, path, op.value);
      // A scalar replaced by a scalar keeps its node, and with it the comment beside it.
      const existing = doc.getIn(path, true);
      if (isScalar(existing) && (op.value === null || typeof op.value !== "object")) {
        existing.value = op.value;
        return;
      }
      doc.setIn(path, doc.createNode(op.value));
      return;
    }
    case "remove":
      doc.deleteIn(path);
      return;
    default:
      throw new Error(`unsupported patch operation "${op.op}"`);
  }
}

// Creates missing parent maps as plain objects (setIn's own creation yields !!omap under YAML 1.1).
function setDeep(doc: Document.Parsed, path: (string | number)[], value: unknown): void {
  let depth = path.length - 1;
  while (depth > 0 && !isMap(doc.getIn(path.slice(0, depth), true))) depth--;
  let nested: unknown = value;
  for (let i = path.length - 1; i > depth; i--) nested = { [String(path[i])]: nested };
  doc.setIn(path.slice(0, depth + 1), doc.createNode(nested));
}
