/**
 * Validation of a user-supplied instance-type catalog (the CLI's `--catalog FILE`), in the format of
 * `data/ec2-instance-types.json`. Every problem is collected and reported at once, each naming the file, the entry
 * (index and name) and the field; nothing in the input can make it throw anything but a `CatalogError`.
 */
import type { CatalogInstanceType } from "./catalog.ts";
import { validateLabelValue } from "../../scheduling/index.ts";
import { ValueError } from "../../api/index.ts";

/** One thing wrong with a catalog file. */
export interface CatalogProblem {
  /** The entry's position in the array; undefined for a problem with the file as a whole. */
  readonly index: number | undefined;
  /** The entry's name, when it has a usable one. */
  readonly name: string | undefined;
  /** The field, e.g. `vcpu`; undefined for a problem with the whole entry or file. */
  readonly field: string | undefined;
  readonly message: string;
}

/** A catalog file that cannot be used; `message` lists the first problems, `problems` has them all. */
export class CatalogError extends ValueError {
  readonly file: string;
  readonly problems: readonly CatalogProblem[];

  constructor(file: string, problems: readonly CatalogProblem[], value: unknown) {
    super(formatMessage(file, problems), value, { path: file });
    this.file = file;
    this.problems = problems;
  }
}

/** `m5.large` style: `file: [12] "m5.large": vcpu: must be a positive integer (got -2)`. */
export function formatCatalogProblem(file: string, problem: CatalogProblem): string {
  const entry =
    problem.index === undefined ? "" : ` [${problem.index}]${problem.name === undefined ? "" : ` "${problem.name}"`}`;
  const field = problem.field === undefined ? "" : ` ${problem.field}:`;
  return `${file}:${entry}${field} ${problem.message}`;
}

const MAX_LISTED = 20;

function formatMessage(file: string, problems: readonly CatalogProblem[]): string {
  const count = problems.length;
  const lines = problems.slice(0, MAX_LISTED).map((p) => `  ${formatCatalogProblem(file, p)}`);
  if (count > MAX_LISTED) lines.push(`  ... and ${count - MAX_LISTED} more`);
  return `${file}: invalid instance-type catalog (${count} problem${count === 1 ? "" : "s"}):\n${lines.join("\n")}`;
}

type FieldKind = "label" | "text" | "positiveInt" | "nonNegativeInt" | "price" | "boolean" | "arch";

interface FieldSpec {
  readonly field: keyof CatalogInstanceType;
  readonly kind: FieldKind;
  readonly required: boolean;
}

// In the data file's order, which is also the order of the parsed objects' keys.
const FIELDS: readonly FieldSpec[] = [
  { field: "name", kind: "label", required: true },
  { field: "family", kind: "label", required: true },
  { field: "category", kind: "label", required: true },
  { field: "generation", kind: "nonNegativeInt", required: true },
  { field: "size", kind: "label", required: true },
  { field: "vcpu", kind: "positiveInt", required: true },
  { field: "memoryMiB", kind: "positiveInt", required: true },
  { field: "arch", kind: "arch", required: true },
  { field: "cpuManufacturer", kind: "label", required: true },
  { field: "gpus", kind: "nonNegativeInt", required: true },
  { field: "gpuType", kind: "label", required: false },
  { field: "gpuManufacturer", kind: "label", required: false },
  { field: "gpuMemoryMiB", kind: "positiveInt", required: false },
  { field: "accelerators", kind: "nonNegativeInt", required: false },
  { field: "acceleratorType", kind: "label", required: false },
  { field: "localNvmeGiB", kind: "positiveInt", required: false },
  { field: "enis", kind: "positiveInt", required: true },
  { field: "ipv4PerEni", kind: "positiveInt", required: true },
  { field: "maxPods", kind: "positiveInt", required: true },
  { field: "networkMbps", kind: "positiveInt", required: false },
  { field: "bareMetal", kind: "boolean", required: true },
  { field: "burstable", kind: "boolean", required: true },
  { field: "allocCpuMilli", kind: "nonNegativeInt", required: true },
  { field: "allocMemoryMiB", kind: "nonNegativeInt", required: true },
  { field: "onDemandUsd", kind: "price", required: true },
  { field: "src", kind: "text", required: false },
];

const KNOWN_FIELDS: ReadonlyMap<string, FieldSpec> = new Map(FIELDS.map((spec) => [spec.field, spec]));
const BY_LOWER_CASE: ReadonlyMap<string, string> = new Map(
  FIELDS.map((spec) => [spec.field.toLowerCase(), spec.field]),
);

/**
 * The instance types in `json` (a parsed JSON document), each a new frozen object with only the known fields.
 * Throws `CatalogError` listing every problem: not an array, an empty array, an entry that is not an object, a
 * missing, mistyped or out-of-range field, an unknown field, inconsistent fields, a duplicate name.
 */
export function validateCatalogJson(json: unknown, file: string): CatalogInstanceType[] {
  if (!Array.isArray(json)) {
    throw new CatalogError(
      file,
      [problem(undefined, undefined, undefined, `expected a JSON array of instance types, got ${describe(json)}`)],
      json,
    );
  }
  if (json.length === 0) {
    throw new CatalogError(file, [problem(undefined, undefined, undefined, "the catalog has no instance types")], json);
  }
  const problems: CatalogProblem[] = [];
  const types: CatalogInstanceType[] = [];
  const firstIndexOf = new Map<string, number>();
  json.forEach((entry: unknown, index) => {
    const before = problems.length;
    const type = validateEntry(entry, index, problems);
    if (type === undefined || problems.length > before) return;
    const seen = firstIndexOf.get(type.name);
    if (seen !== undefined) {
      problems.push(problem(index, type.name, "name", `duplicate name, first used by entry [${seen}]`));
      return;
    }
    firstIndexOf.set(type.name, index);
    types.push(type);
  });
  if (problems.length > 0) throw new CatalogError(file, problems, json);
  return types;
}

function validateEntry(entry: unknown, index: number, problems: CatalogProblem[]): CatalogInstanceType | undefined {
  if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
    problems.push(problem(index, undefined, undefined, `expected an object, got ${describe(entry)}`));
    return undefined;
  }
  const record = entry as Record<string, unknown>;
  const rawName = Object.hasOwn(record, "name") ? record["name"] : undefined;
  // Named in messages only when short enough to read (a valid name is a label value, at most 63 characters).
  const name = typeof rawName === "string" && rawName !== "" && rawName.length <= 63 ? rawName : undefined;
  const add = (field: string | undefined, message: string): void => {
    problems.push(problem(index, name, field, message));
  };

  for (const key of Object.keys(record)) {
    if (KNOWN_FIELDS.has(key)) continue;
    const suggestion = BY_LOWER_CASE.get(key.toLowerCase());
    add(key, `unknown field${suggestion === undefined ? "" : ` (did you mean "${suggestion}"?)`}`);
  }

  const result: Record<string, unknown> = {};
  for (const spec of FIELDS) {
    const value = Object.hasOwn(record, spec.field) ? record[spec.field] : undefined;
    // null is how many JSON writers spell "no value", so an optional field may be null.
    if (value === undefined || (value === null && !spec.required)) {
      if (spec.required) add(spec.field, "is required");
      continue;
    }
    const message = checkKind(spec.kind, value) ?? labelProblem(spec.kind, value);
    if (message !== undefined) add(spec.field, message);
    else result[spec.field] = value;
  }
  const type = result as unknown as CatalogInstanceType;
  checkConsistency(type, add);
  return Object.freeze(type);
}

function checkKind(kind: FieldKind, value: unknown): string | undefined {
  const expected = expectation(kind, value);
  return expected === undefined ? undefined : `${expected} (got ${describe(value)})`;
}

// What the field must be, or undefined when `value` is fine.
function expectation(kind: FieldKind, value: unknown): string | undefined {
  switch (kind) {
    case "label":
      return typeof value === "string" && value !== "" ? undefined : "must be a non-empty string";
    case "text":
      return typeof value === "string" ? undefined : "must be a string";
    case "positiveInt":
      return Number.isSafeInteger(value) && (value as number) > 0 ? undefined : "must be a positive integer";
    case "nonNegativeInt":
      return Number.isSafeInteger(value) && (value as number) >= 0 ? undefined : "must be a non-negative integer";
    case "price":
      return typeof value === "number" && Number.isFinite(value) && value >= 0
        ? undefined
        : "must be a non-negative number of USD per hour";
    case "boolean":
      return typeof value === "boolean" ? undefined : "must be true or false";
    case "arch":
      return value === "amd64" || value === "arm64" ? undefined : 'must be "amd64" or "arm64"';
  }
}

// These fields become label values (instance-family, instance-gpu-name, ...).
function labelProblem(kind: FieldKind, value: unknown): string | undefined {
  if (kind !== "label" || typeof value !== "string") return undefined;
  const [problem] = validateLabelValue(value);
  return problem === undefined ? undefined : `must be usable as a label value: ${problem}`;
}

// Checks between fields, each only when the fields it reads are valid (a bad field was reported already).
function checkConsistency(type: CatalogInstanceType, add: (field: string | undefined, message: string) => void): void {
  const valid = (field: keyof CatalogInstanceType): boolean => Object.hasOwn(type, field);
  if (valid("name") && valid("family") && valid("size")) {
    const dot = type.name.indexOf(".");
    // Karpenter reads family and size off the name (types.go), so the labels must agree with it.
    if (dot > 0 && type.name.slice(0, dot) !== type.family) {
      add("family", `"${type.family}" does not match the name "${type.name}"`);
    }
    if (dot > 0 && type.name.slice(dot + 1) !== type.size) {
      add("size", `"${type.size}" does not match the name "${type.name}"`);
    }
  }
  if (valid("gpus") && type.gpus === 0) {
    for (const field of ["gpuType", "gpuManufacturer", "gpuMemoryMiB"] as const) {
      if (valid(field)) add(field, "is set but gpus is 0");
    }
  }
  if (valid("acceleratorType") && !(valid("accelerators") && (type.accelerators ?? 0) > 0)) {
    add("acceleratorType", "is set but accelerators is missing or 0");
  }
  if (valid("allocCpuMilli") && valid("vcpu") && type.allocCpuMilli > type.vcpu * 1000) {
    add("allocCpuMilli", `${type.allocCpuMilli} exceeds the capacity of ${type.vcpu} vCPU (${type.vcpu * 1000})`);
  }
  if (valid("allocMemoryMiB") && valid("memoryMiB") && type.allocMemoryMiB > type.memoryMiB) {
    add("allocMemoryMiB", `${type.allocMemoryMiB} exceeds memoryMiB ${type.memoryMiB}`);
  }
}

function problem(
  index: number | undefined,
  name: string | undefined,
  field: string | undefined,
  message: string,
): CatalogProblem {
  return { index, name, field, message };
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  if (typeof value === "string") {
    const text = value.length > 40 ? `${value.slice(0, 40)}...` : value;
    return JSON.stringify(text);
  }
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return typeof value;
}
