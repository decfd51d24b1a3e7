// A problem with one field of one object, in the Kubernetes field.Error vocabulary, so a reader sees the same
// words kubectl would print — but before the manifest reaches the cluster.

/** Path of a field inside an object: property names and list indexes. */
export type FieldPath = readonly (string | number)[];

/** Kubernetes field.ErrorType names, plus the origin of the check. */
export type FieldErrorType =
  | "Required value"
  | "Invalid value"
  | "Unsupported value"
  | "Too long"
  | "Too many"
  | "Unknown field"
  | "Duplicate value"
  | "Forbidden";

export type FieldErrorOrigin = "schema" | "cel" | "metadata" | "document";

export interface SourcePosition {
  file: string;
  line: number;
  col: number;
}

export interface FieldError {
  path: FieldPath;
  type: FieldErrorType;
  origin: FieldErrorOrigin;
  /** One human sentence, without the path. */
  message: string;
  /** The CEL rule that failed, for origin `cel`. */
  rule?: string;
  source?: SourcePosition;
}

/** `spec.disruption.budgets[1].duration`, the path notation kubectl and the API server use. */
export function formatFieldPath(path: FieldPath): string {
  let out = "";
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(segment)) out += out === "" ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out === "" ? "<root>" : out;
}

/** RFC 6901 JSON pointer for the same path (`/spec/disruption/budgets/1/duration`). */
export function toJsonPointer(path: FieldPath): string {
  let out = "";
  for (const segment of path) {
    const s = String(segment);
    // Escaped only when it has to be, as fast-json-patch's escapePathComponent: a finding's pointer is built for
    // every finding, and its segments nearly never hold "~" or "/".
    out += s.includes("~") || s.includes("/") ? `/${s.replaceAll("~", "~0").replaceAll("/", "~1")}` : `/${s}`;
  }
  return out;
}

export function formatSource(source: SourcePosition | undefined): string {
  return source ? `${source.file}:${source.line}:${source.col}` : "";
}

/** `pools/prod.yaml:23:7 spec.disruption.budgets[1]: 'schedule' must be set with 'duration'` */
export function formatFieldError(error: FieldError): string {
  const where = formatSource(error.source);
  return `${where ? where + " " : ""}${formatFieldPath(error.path)}: ${error.message}`;
}
