// Reads multi-document YAML the way kubectl does (YAML 1.1 scalars, as sigs.k8s.io/yaml resolves them;
// duplicate keys rejected), keeps every node's source position, and refuses what would exhaust memory or time:
// oversized input, binary data, deep nesting (measured over the text before parsing: yaml-nesting.ts) and alias
// bombs each get a clear error instead of a crash or a hang. `loadYamlData` gives the same as plain data, which
// crosses threads (a large file is parsed in a worker: gitops/manifest-worker.ts); `yamlFromData` reads it back.
import { LineCounter, parseAllDocuments, isScalar, type Document } from "yaml";
import type { FieldPath, SourcePosition } from "../validation/field-error.ts";
import { offsetAt, positionTree, type PositionTree } from "./position-tree.ts";
import { yamlNestingProblem } from "./yaml-nesting.ts";

export interface YamlLimits {
  /** Largest input accepted, in bytes (default 4 MiB: above the API server's 3 MiB request limit). */
  maxBytes: number;
  /** Most alias expansions per document (YAML "billion laughs" protection). */
  maxAliasCount: number;
  /** Deepest nesting of maps and lists accepted. */
  maxDepth: number;
  /**
   * Largest single document accepted, in bytes (default 256 KiB). Measured over the text before parsing, so an
   * oversized object is refused in a scan instead of a parse: the parser needs about half a second per MiB, and one
   * 1.3 MiB pool file held a Git sync for seconds. 256 KiB is Kubernetes' limit on an object's annotations, where
   * `kubectl apply` keeps the object's last applied configuration: a NodePool or EC2NodeClass larger than that
   * cannot be applied that way, and is far past the list bounds the policy engine judges (policies/object-bounds.ts).
   */
  maxDocumentBytes: number;
}

export const defaultYamlLimits: YamlLimits = {
  maxBytes: 4 * 1024 * 1024,
  maxAliasCount: 100,
  maxDepth: 100,
  maxDocumentBytes: 256 * 1024,
};

export interface YamlDocument {
  file: string;
  /** 0-based index of the document in its file. */
  index: number;
  /** Where the document starts. */
  start: SourcePosition;
  /** The document as plain data. */
  value: unknown;
  /** Source position of the field at `path` (its key, for map entries), or of its nearest existing ancestor. */
  position(path: FieldPath): SourcePosition;
}

/** A problem with the file itself: it is not readable YAML, or it exceeds a limit. */
export interface YamlError {
  file: string;
  /** 0-based document index, when the problem is inside one document. */
  index?: number;
  source: SourcePosition;
  message: string;
}

export interface YamlLoadResult {
  documents: YamlDocument[];
  errors: YamlError[];
}

/** A loaded document as plain data: its field positions as offsets into the file. */
export interface YamlDocumentData extends Omit<YamlDocument, "position"> {
  positions: PositionTree;
}

/** `loadYaml`'s result as plain data (structured-cloneable). */
export interface YamlData {
  documents: YamlDocumentData[];
  errors: YamlError[];
  /** Offset of each line's start (the parser's LineCounter), to turn offsets into lines and columns. */
  lineStarts: number[];
}

export function loadYaml(input: string | Uint8Array, file: string, limits: Partial<YamlLimits> = {}): YamlLoadResult {
  return yamlFromData(loadYamlData(input, file, limits));
}

/** Gives loaded documents back their `position`, from plain data (made here, or in another thread). */
export function yamlFromData(data: YamlData): YamlLoadResult {
  const lineCounter = new LineCounter();
  lineCounter.lineStarts = data.lineStarts;
  const documents = data.documents.map(({ positions, ...doc }): YamlDocument => {
    const { file } = doc;
    return {
      ...doc,
      position: (path) => {
        const { line, col } = lineCounter.linePos(offsetAt(positions, path));
        return { file, line, col };
      },
    };
  });
  return { documents, errors: data.errors };
}

/** `loadYaml` as plain data. */
export function loadYamlData(input: string | Uint8Array, file: string, limits: Partial<YamlLimits> = {}): YamlData {
  const { maxBytes, maxAliasCount, maxDepth, maxDocumentBytes } = { ...defaultYamlLimits, ...limits };
  const at = (line = 1, col = 1): SourcePosition => ({ file, line, col });
  const bytes = typeof input === "string" ? Buffer.byteLength(input) : input.byteLength;
  if (bytes > maxBytes) {
    return fail({ file, source: at(), message: `file is too large (${bytes} bytes; the limit is ${maxBytes} bytes)` });
  }
  const text = typeof input === "string" ? input : decodeText(input);
  if (text === undefined || text.includes("\u0000")) {
    return fail({ file, source: at(), message: "file is not text (binary data or invalid UTF-8): expected YAML" });
  }
  // The size scan first: it only looks for document markers (under 1 ms for MiBs) while the nesting scan reads
  // every character, and an object over the bound is refused whatever its shape.
  const oversized = oversizedDocument(text, maxDocumentBytes);
  if (oversized) {
    const { line, col } = linePosition(text, oversized.offset);
    return fail({
      file,
      index: oversized.index,
      source: at(line, col),
      message:
        `document ${oversized.index + 1} is too large (${oversized.bytes} bytes; one object may have at most ` +
        `${maxDocumentBytes} bytes, Kubernetes' limit on the annotations where kubectl apply keeps it)`,
    });
  }
  // The parser composes nodes recursively: text nesting past the limit is refused before it overflows the stack.
  const deep = yamlNestingProblem(text, maxDepth);
  if (deep) {
    const { line, col } = linePosition(text, deep.offset);
    return fail({ file, source: at(line, col), message: `nesting is deeper than ${maxDepth} levels` });
  }
  const lineCounter = new LineCounter();
  const positionAt = (offset: number): SourcePosition => {
    const { line, col } = lineCounter.linePos(offset);
    return at(line, col);
  };
  let parsed: Document.Parsed[];
  try {
    parsed = parseAllDocuments(text, {
      lineCounter,
      version: "1.1",
      uniqueKeys: true,
      prettyErrors: false,
    }) as Document.Parsed[];
  } catch (error) {
    return fail({ file, source: at(), message: `YAML could not be parsed: ${describe(error)}` });
  }
  const result: YamlData = { documents: [], errors: [], lineStarts: lineCounter.lineStarts };
  parsed.forEach((doc, index) => {
    if (doc.errors.length > 0) {
      for (const error of doc.errors) {
        result.errors.push({ file, index, source: positionAt(error.pos[0]), message: firstLine(error.message) });
      }
      return;
    }
    // An empty document (`---` alone, or only comments) is no object, as kubectl skips it.
    if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) return;
    const start = positionAt(doc.contents.range[0]);
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount });
    } catch (error) {
      const message = describe(error).includes("alias")
        ? `too many alias expansions (more than ${maxAliasCount}): refusing a possible alias bomb`
        : `YAML could not be read: ${describe(error)}`;
      result.errors.push({ file, index, source: start, message });
      return;
    }
    const depth = nestingDepth(value, maxDepth);
    if (depth > maxDepth) {
      result.errors.push({ file, index, source: start, message: `nesting is deeper than ${maxDepth} levels` });
      return;
    }
    result.documents.push({ file, index, start, value, positions: positionTree(doc.contents) });
  });
  return result;
}

// A document ends at a document marker (`---` or `...` at the start of a line, then a space or the line's end):
// YAML forbids such a line inside any scalar (c-forbidden), so the split is the parser's own.
const DOCUMENT_MARKER = /^(?:---|\.\.\.)(?=[ \t\r\n]|$)/gm;

/** The first document whose text is over `limit` bytes: its 0-based index (as the parser counts), offset, size. */
function oversizedDocument(text: string, limit: number): { index: number; offset: number; bytes: number } | undefined {
  // UTF-8 needs at most 3 bytes per UTF-16 unit: text that short cannot hold an oversized document.
  if (text.length * 3 <= limit) return undefined;
  let start = 0;
  let index = 0;
  // Whether the document numbered `index` has begun (by `---` or content); comments before it do not begin it.
  let begun = false;
  const measure = (end: number) => {
    const region = text.slice(start, end);
    const bytes = Buffer.byteLength(region);
    if (bytes > limit) return { index, offset: start, bytes };
    begun ||= CONTENT_LINE.test(region);
    return undefined;
  };
  for (const marker of text.matchAll(DOCUMENT_MARKER)) {
    const found = measure(marker.index);
    if (found) return found;
    // `---` ends a begun document and begins the next; `...` only ends one.
    if (begun) index++;
    begun = marker[0] === "---";
    start = marker.index + marker[0].length;
  }
  return measure(text.length);
}

const CONTENT_LINE = /^[ \t]*[^\s#]/m;

function fail(error: YamlError): YamlData {
  return { documents: [], errors: [error], lineStarts: [] };
}

function linePosition(text: string, offset: number): { line: number; col: number } {
  let line = 1;
  let lineStart = 0;
  for (let k = text.indexOf("\n"); k !== -1 && k < offset; k = text.indexOf("\n", k + 1)) {
    line++;
    lineStart = k + 1;
  }
  return { line, col: offset - lineStart + 1 };
}

function decodeText(bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch (error) {
    // The one way a fatal decoder fails: bytes that are not UTF-8.
    if ((error as { code?: unknown }).code === "ERR_ENCODING_INVALID_ENCODED_DATA") return undefined;
    throw error;
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? firstLine(error.message) : String(error);
}

function firstLine(message: string): string {
  return message.split("\n")[0]?.trim() ?? message;
}

// Iterative, so a hostile input cannot overflow the stack here; stops counting past the limit.
function nestingDepth(value: unknown, limit: number): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [unknown, number];
    if (typeof node !== "object" || node === null) continue;
    deepest = Math.max(deepest, depth + 1);
    if (deepest > limit) return deepest;
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  return deepest;
}
