/**
 * Node-selector requirements as Karpenter NodePools and pods write them, with Kubernetes matching semantics and a
 * Karpenter-style `RequirementSet` (sigs.k8s.io/karpenter `scheduling.Requirements`) for compatibility checks.
 *
 * Integer operators: `Gt`/`Lt` are Kubernetes'; `Gte`/`Lte` are Karpenter additions with the obvious meaning.
 * Integers are compared exactly (bigint), so no label value is misread through a float.
 */
import { ValueError } from "../api/index.ts";

export const REQUIREMENT_OPERATORS = ["In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt", "Gte", "Lte"] as const;
export type RequirementOperator = (typeof REQUIREMENT_OPERATORS)[number];

export interface NodeSelectorRequirement {
  key: string;
  operator: RequirementOperator;
  values?: readonly string[];
  /** Karpenter: at least this many distinct values must stay possible (1..50). */
  minValues?: number;
}

/** A requirement as read from YAML, before anything about it is known. */
export interface RequirementInput {
  readonly key?: unknown;
  readonly operator?: unknown;
  readonly values?: unknown;
  readonly minValues?: unknown;
}

/** One thing wrong with a requirement; `path` is relative to it ("operator", "values[1]", "minValues"). */
export interface RequirementProblem {
  path: string;
  message: string;
}

// Karpenter's v1.NormalizedLabels: deprecated keys read as their stable equivalents.
const NORMALIZED_KEYS: ReadonlyMap<string, string> = new Map([
  ["failure-domain.beta.kubernetes.io/zone", "topology.kubernetes.io/zone"],
  ["failure-domain.beta.kubernetes.io/region", "topology.kubernetes.io/region"],
  ["beta.kubernetes.io/arch", "kubernetes.io/arch"],
  ["beta.kubernetes.io/os", "kubernetes.io/os"],
  ["beta.kubernetes.io/instance-type", "node.kubernetes.io/instance-type"],
]);

const NAME_RE = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS1123_SUBDOMAIN_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE_RE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const NON_NEGATIVE_INT_RE = /^[0-9]+$/;
// What Go's strconv.ParseInt/Atoi accept, which is how Kubernetes and Karpenter read integer label values.
const INT_RE = /^[+-]?[0-9]+$/;
const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);
const INTEGER_OPERATORS: ReadonlySet<string> = new Set(["Gt", "Lt", "Gte", "Lte"]);

// The stable keys some deprecated key reads as.
const RENAMED_KEYS: ReadonlySet<string> = new Set(NORMALIZED_KEYS.values());

/** Karpenter's key normalization, e.g. `beta.kubernetes.io/arch` → `kubernetes.io/arch`; other keys unchanged. */
export function normalizeRequirementKey(key: string): string {
  return NORMALIZED_KEYS.get(key) ?? key;
}

/**
 * The value labels give a normalized key, as a requirement reads them: a deprecated key's value counts as its stable
 * key's, and of two labels that normalize alike the later one holds.
 */
export function normalizedLabelValue(labels: Readonly<Record<string, string>>, key: string): string | undefined {
  if (!RENAMED_KEYS.has(key)) return Object.hasOwn(labels, key) ? labels[key] : undefined;
  let value: string | undefined;
  for (const [label, v] of Object.entries(labels)) if (normalizeRequirementKey(label) === key) value = v;
  return value;
}

/** Problems with a label (or taint) key: Kubernetes `IsQualifiedName`. Empty when valid. */
export function validateLabelKey(key: string): string[] {
  const parts = key.split("/");
  if (parts.length > 2) {
    return [`"${key}" must be a name with an optional DNS subdomain prefix and "/" (e.g. "example.com/MyName")`];
  }
  const problems: string[] = [];
  const [prefix, name] = parts.length === 2 ? parts : [undefined, parts[0] ?? ""];
  if (prefix !== undefined) {
    if (prefix === "") problems.push(`prefix of "${key}" must be non-empty`);
    else if (prefix.length > 253) problems.push(`prefix of "${key}" must be no more than 253 characters`);
    else if (!DNS1123_SUBDOMAIN_RE.test(prefix)) {
      problems.push(
        `prefix "${prefix}" must be a lowercase DNS-1123 subdomain: lowercase alphanumerics, '-' and '.', starting and ending with an alphanumeric`,
      );
    }
  }
  if (name === undefined || name === "") problems.push(`name part of "${key}" must be non-empty`);
  else if (name.length > 63) problems.push(`name part of "${key}" must be no more than 63 characters`);
  else if (!NAME_RE.test(name)) {
    problems.push(
      `name part "${name}" must consist of alphanumerics, '-', '_' or '.', and start and end with an alphanumeric`,
    );
  }
  return problems;
}

/** Problems with a label (or taint) value: Kubernetes `IsValidLabelValue`. Empty when valid. */
export function validateLabelValue(value: string): string[] {
  if (value.length > 63) return [`value "${value}" must be no more than 63 characters`];
  if (!LABEL_VALUE_RE.test(value)) {
    return [
      `value "${value}" must be empty or consist of alphanumerics, '-', '_' or '.', and start and end with an alphanumeric`,
    ];
  }
  return [];
}

/**
 * Everything wrong with one requirement, as Karpenter's CRD rules and admission validation see it, plus the CRD's
 * documented rules that it does not enforce (NotIn needs values; Exists/DoesNotExist take none).
 */
export function validateRequirement(requirement: RequirementInput): RequirementProblem[] {
  if (typeof requirement !== "object" || requirement === null || Array.isArray(requirement)) {
    return [{ path: "", message: "a requirement must be a map with key, operator and values" }];
  }
  const problems: RequirementProblem[] = [];
  const { key, operator, values, minValues } = requirement;

  if (typeof key !== "string" || key === "") {
    problems.push({ path: "key", message: "key is required" });
  } else {
    for (const message of validateLabelKey(key)) problems.push({ path: "key", message: `invalid key: ${message}` });
  }

  let valueList: unknown[] = [];
  if (values !== undefined && values !== null) {
    if (!Array.isArray(values)) {
      problems.push({ path: "values", message: "values must be a list of strings" });
    } else {
      valueList = values;
      values.forEach((value: unknown, index) => {
        const path = `values[${index}]`;
        if (typeof value !== "string") problems.push({ path, message: `value ${String(value)} must be a string` });
        else for (const message of validateLabelValue(value)) problems.push({ path, message });
      });
    }
  }

  if (typeof operator !== "string" || !isOperator(operator)) {
    problems.push({
      path: "operator",
      message: `unknown operator ${typeof operator === "string" ? `"${operator}"` : String(operator)}: expected one of ${REQUIREMENT_OPERATORS.join(", ")}`,
    });
  } else if ((operator === "In" || operator === "NotIn") && valueList.length === 0) {
    problems.push({ path: "values", message: `operator ${operator} needs at least one value` });
  } else if ((operator === "Exists" || operator === "DoesNotExist") && valueList.length > 0) {
    problems.push({ path: "values", message: `operator ${operator} takes no values (got ${valueList.length})` });
  } else if (INTEGER_OPERATORS.has(operator)) {
    const [only] = valueList;
    if (
      valueList.length !== 1 ||
      typeof only !== "string" ||
      !NON_NEGATIVE_INT_RE.test(only) ||
      BigInt(only) > INT64_MAX
    ) {
      const got = valueList.length === 1 ? `got ${JSON.stringify(only)}` : `got ${valueList.length} values`;
      problems.push({
        path: "values",
        message: `operator ${operator} needs exactly one value, a non-negative integer (${got})`,
      });
    }
  }

  if (minValues !== undefined && minValues !== null) {
    if (typeof minValues !== "number" || !Number.isInteger(minValues) || minValues < 1 || minValues > 50) {
      problems.push({
        path: "minValues",
        message: `minValues must be an integer from 1 to 50 (got ${String(minValues)})`,
      });
    } else if (operator === "In" && valueList.length < minValues) {
      problems.push({
        path: "minValues",
        message: `minValues is ${minValues} but only ${valueList.length} value${valueList.length === 1 ? " is" : "s are"} listed`,
      });
    }
  }
  return problems;
}

/**
 * Whether a node with `labels` satisfies the requirement, with Kubernetes semantics: NotIn and DoesNotExist match
 * an absent label; Gt/Lt/Gte/Lte need the label present and an integer. Keys are compared as written (not
 * normalized). Throws ValueError for an unknown operator or a malformed integer operand, which have no meaning.
 */
export function requirementMatches(
  requirement: NodeSelectorRequirement,
  labels: Readonly<Record<string, string>>,
): boolean {
  const present = Object.hasOwn(labels, requirement.key);
  const value = present ? labels[requirement.key] : undefined;
  const values = requirement.values ?? [];
  switch (requirement.operator) {
    case "In":
      return value !== undefined && values.includes(value);
    case "NotIn":
      return value === undefined || !values.includes(value);
    case "Exists":
      return present;
    case "DoesNotExist":
      return !present;
    case "Gt":
    case "Lt":
    case "Gte":
    case "Lte": {
      const bound = integerOperand(requirement);
      const actual = value === undefined ? undefined : parseInteger(value);
      if (actual === undefined) return false;
      if (requirement.operator === "Gt") return actual > bound;
      if (requirement.operator === "Lt") return actual < bound;
      if (requirement.operator === "Gte") return actual >= bound;
      return actual <= bound;
    }
    default:
      throw unknownOperator(requirement);
  }
}

/** Whether `labels` satisfy every requirement (a node-selector term: AND). An empty list matches everything. */
export function matchesAll(
  requirements: readonly NodeSelectorRequirement[],
  labels: Readonly<Record<string, string>>,
): boolean {
  return requirements.every((requirement) => requirementMatches(requirement, labels));
}

/** What a `RequirementSet` allows for one key. */
export interface AllowedValues {
  readonly key: string;
  /** false: only `values` are allowed; true: every value except `values`. */
  readonly complement: boolean;
  /** Sorted. */
  readonly values: readonly string[];
  /** Exclusive integer bounds; when either is set, only integer values are allowed. */
  readonly greaterThan: bigint | undefined;
  readonly lessThan: bigint | undefined;
  /** Whether a node without this label satisfies the requirements (NotIn, DoesNotExist, or no requirement). */
  readonly allowsAbsent: boolean;
  /** The largest minValues among the requirements on this key. */
  readonly minValues: number | undefined;
}

/** A key on which two requirement sets cannot both hold. */
export interface RequirementConflict {
  readonly key: string;
  readonly ours: AllowedValues;
  readonly theirs: AllowedValues;
  readonly message: string;
}

/**
 * Requirements combined per key, as Karpenter's `scheduling.Requirements`: each key has an allowed set of values
 * (a positive set or a complement), optional integer bounds, and whether an absent label is acceptable. Keys are
 * normalized. Immutable.
 *
 * Two deliberate refinements over Karpenter: whether an absent label is acceptable is tracked exactly rather than
 * inferred from the operator, and integer bounds with no integer between them ("Gt 3" with "Lt 4") count as empty.
 */
export class RequirementSet {
  readonly #byKey: ReadonlyMap<string, AllowedValues>;

  private constructor(byKey: ReadonlyMap<string, AllowedValues>) {
    this.#byKey = byKey;
  }

  /** Combines requirements (the same key twice means both hold). Throws ValueError if any is invalid. */
  static fromRequirements(requirements: readonly NodeSelectorRequirement[]): RequirementSet {
    const byKey = new Map<string, AllowedValues[]>();
    requirements.forEach((requirement, index) => {
      const problems = validateRequirement(requirement);
      if (problems.length > 0) {
        const detail = problems.map((p) => (p.path === "" ? p.message : `${p.path}: ${p.message}`)).join("; ");
        throw new ValueError(
          `invalid requirement [${index}] ${describeRequirement(requirement)}: ${detail}`,
          requirement,
        );
      }
      const allowed = fromRequirement(requirement);
      const same = byKey.get(allowed.key);
      if (same) same.push(allowed);
      else byKey.set(allowed.key, [allowed]);
    });
    return new RequirementSet(new Map([...byKey].map(([key, list]) => [key, intersectAll(list)])));
  }

  /** `key In [value]` for each label, as Karpenter reads an instance type's or node's labels. */
  static fromLabels(labels: Readonly<Record<string, string>>): RequirementSet {
    return RequirementSet.fromRequirements(
      Object.entries(labels).map(([key, value]) => ({ key, operator: "In" as const, values: [value] })),
    );
  }

  /** Whether the set constrains this key (after normalization). */
  has(key: string): boolean {
    return this.#byKey.has(normalizeRequirementKey(key));
  }

  /** The constrained keys, sorted. */
  keys(): string[] {
    return [...this.#byKey.keys()].sort();
  }

  /** Whether a label `key=value` is allowed; an unconstrained key allows every value. */
  allows(key: string, value: string): boolean {
    const allowed = this.#byKey.get(normalizeRequirementKey(key));
    return allowed === undefined || allowsValue(allowed, value);
  }

  /** What the set allows for `key`; an unconstrained key allows anything, including absence. */
  valuesFor(key: string): AllowedValues {
    const normalized = normalizeRequirementKey(key);
    return this.#byKey.get(normalized) ?? unconstrained(normalized);
  }

  /** Whether a node with exactly these labels satisfies every requirement (absent labels included). */
  matches(labels: Readonly<Record<string, string>>): boolean {
    for (const allowed of this.#byKey.values()) {
      const value = normalizedLabelValue(labels, allowed.key);
      if (value === undefined ? !allowed.allowsAbsent : !allowsValue(allowed, value)) return false;
    }
    return true;
  }

  /** Both sets at once (Karpenter `Requirements.Add`). */
  intersection(other: RequirementSet): RequirementSet {
    const byKey = new Map(this.#byKey);
    for (const [key, theirs] of other.#byKey) {
      const ours = byKey.get(key);
      byKey.set(key, ours === undefined ? theirs : intersect(ours, theirs));
    }
    return new RequirementSet(byKey);
  }

  /**
   * Compatible in Karpenter's sense (`Requirements.Intersects`): for every key both sets constrain, some label value
   * (or the label's absence) satisfies both. Keys only one side constrains do not matter.
   */
  intersects(other: RequirementSet): boolean {
    // conflicts(other).length === 0, without sorting keys or describing conflicts: schedulers ask it per pool and
    // type, most often of sets that share one key or none.
    const [fewer, more] = this.#byKey.size <= other.#byKey.size ? [this, other] : [other, this];
    for (const [key, ours] of fewer.#byKey) {
      const theirs = more.#byKey.get(key);
      if (theirs !== undefined && !satisfiable(intersect(ours, theirs))) return false;
    }
    return true;
  }

  /** The shared keys on which the two sets cannot both hold, sorted by key. */
  conflicts(other: RequirementSet): RequirementConflict[] {
    const conflicts: RequirementConflict[] = [];
    for (const key of this.keys()) {
      const ours = this.#byKey.get(key);
      const theirs = other.#byKey.get(key);
      if (ours === undefined || theirs === undefined || satisfiable(intersect(ours, theirs))) continue;
      conflicts.push({
        key,
        ours,
        theirs,
        message: `key ${key}: ${describeAllowed(theirs)} not in ${describeAllowed(ours)}`,
      });
    }
    return conflicts;
  }

  /** Whether some node could satisfy every key. */
  isSatisfiable(): boolean {
    return [...this.#byKey.values()].every(satisfiable);
  }

  /** e.g. `kubernetes.io/arch In [amd64 arm64], karpenter.k8s.aws/instance-cpu Exists >3`. */
  toString(): string {
    return this.keys()
      .map((key) => describeAllowed(this.valuesFor(key)))
      .join(", ");
  }
}

/** The `AllowedValues` one valid requirement stands for. */
function fromRequirement(requirement: NodeSelectorRequirement): AllowedValues {
  const key = normalizeRequirementKey(requirement.key);
  const values = [...new Set(requirement.values ?? [])].sort();
  const base = {
    key,
    values: [] as string[],
    greaterThan: undefined,
    lessThan: undefined,
    minValues: requirement.minValues,
  };
  switch (requirement.operator) {
    case "In":
      return { ...base, complement: false, values, allowsAbsent: false };
    case "NotIn":
      return { ...base, complement: true, values, allowsAbsent: true };
    case "Exists":
      return { ...base, complement: true, allowsAbsent: false };
    case "DoesNotExist":
      return { ...base, complement: false, allowsAbsent: true };
    case "Gt":
      return { ...base, complement: true, allowsAbsent: false, greaterThan: integerOperand(requirement) };
    case "Gte":
      return { ...base, complement: true, allowsAbsent: false, greaterThan: integerOperand(requirement) - 1n };
    case "Lt":
      return { ...base, complement: true, allowsAbsent: false, lessThan: integerOperand(requirement) };
    case "Lte":
      return { ...base, complement: true, allowsAbsent: false, lessThan: integerOperand(requirement) + 1n };
    default:
      throw unknownOperator(requirement);
  }
}

function unconstrained(key: string): AllowedValues {
  return {
    key,
    complement: true,
    values: [],
    greaterThan: undefined,
    lessThan: undefined,
    allowsAbsent: true,
    minValues: undefined,
  };
}

// Karpenter's Requirement.Intersection, plus exact tracking of absence.
function intersect(a: AllowedValues, b: AllowedValues): AllowedValues {
  const greaterThan = maxBound(a.greaterThan, b.greaterThan);
  const lessThan = minBound(a.lessThan, b.lessThan);
  const complement = a.complement && b.complement;
  const aValues = new Set(a.values);
  const bValues = new Set(b.values);
  let values: string[];
  if (a.complement && b.complement) values = [...new Set([...a.values, ...b.values])];
  else if (a.complement) values = b.values.filter((v) => !aValues.has(v));
  else if (b.complement) values = a.values.filter((v) => !bValues.has(v));
  else values = a.values.filter((v) => bValues.has(v));
  // Values outside the bounds are either not allowed anyway (positive set) or excluded anyway (complement).
  values = values.filter((v) => withinBounds(v, greaterThan, lessThan)).sort();
  const minValues =
    a.minValues === undefined
      ? b.minValues
      : b.minValues === undefined
        ? a.minValues
        : Math.max(a.minValues, b.minValues);
  return {
    key: a.key,
    complement,
    values,
    // A positive set has already been filtered by the bounds.
    greaterThan: complement ? greaterThan : undefined,
    lessThan: complement ? lessThan : undefined,
    allowsAbsent: a.allowsAbsent && b.allowsAbsent,
    minValues,
  };
}

/**
 * `intersect` of all of them at once: what folding it pairwise gives, in time linear in the values (folding copies
 * the growing exclusion list of repeated NotIn requirements once per requirement).
 */
function intersectAll(list: readonly AllowedValues[]): AllowedValues {
  const [first, ...rest] = list;
  if (first === undefined) throw new Error("intersectAll of no requirements");
  if (rest.length === 0) return first;
  const greaterThan = list.reduce<bigint | undefined>((bound, a) => maxBound(bound, a.greaterThan), undefined);
  const lessThan = list.reduce<bigint | undefined>((bound, a) => minBound(bound, a.lessThan), undefined);
  const excluded = new Set(list.filter((a) => a.complement).flatMap((a) => a.values));
  const positives = list.filter((a) => !a.complement);
  const complement = positives.length === 0;
  let values: string[];
  if (complement) values = [...excluded];
  else {
    // In every positive set and in no exclusion list.
    values = (positives[0]?.values ?? []).filter((v) => !excluded.has(v));
    for (const positive of positives.slice(1)) {
      const allowed = new Set(positive.values);
      values = values.filter((v) => allowed.has(v));
    }
  }
  const minValues = list.reduce<number | undefined>(
    (most, a) => (a.minValues === undefined ? most : most === undefined ? a.minValues : Math.max(most, a.minValues)),
    undefined,
  );
  return {
    key: first.key,
    complement,
    values: values.filter((v) => withinBounds(v, greaterThan, lessThan)).sort(),
    greaterThan: complement ? greaterThan : undefined,
    lessThan: complement ? lessThan : undefined,
    allowsAbsent: list.every((a) => a.allowsAbsent),
    minValues,
  };
}

function allowsValue(allowed: AllowedValues, value: string): boolean {
  const listed = includesSorted(allowed.values, value);
  return (allowed.complement ? !listed : listed) && withinBounds(value, allowed.greaterThan, allowed.lessThan);
}

/** Whether sorted `values` (default sort order) hold `value`: a binary search, as sets are asked once per type. */
function includesSorted(values: readonly string[], value: string): boolean {
  let low = 0;
  let high = values.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((values[mid] as string) < value) low = mid + 1;
    else high = mid;
  }
  return values[low] === value;
}

function satisfiable(allowed: AllowedValues): boolean {
  return allowed.allowsAbsent || admitsSomeValue(allowed);
}

function admitsSomeValue(allowed: AllowedValues): boolean {
  if (!allowed.complement) return allowed.values.length > 0;
  const { greaterThan, lessThan } = allowed;
  // Unbounded on a side: infinitely many integers (or strings), so a finite exclusion list cannot exhaust them.
  if (greaterThan === undefined || lessThan === undefined) return true;
  const count = lessThan - greaterThan - 1n;
  if (count <= 0n) return false;
  if (count > BigInt(allowed.values.length)) return true;
  // Few candidates: see whether the exclusions (as canonical decimal strings) cover every one.
  const excluded = new Set(allowed.values);
  for (let n = greaterThan + 1n; n < lessThan; n++) if (!excluded.has(n.toString())) return true;
  return false;
}

function withinBounds(value: string, greaterThan: bigint | undefined, lessThan: bigint | undefined): boolean {
  if (greaterThan === undefined && lessThan === undefined) return true;
  // With bounds set, a value that is not an integer is not allowed (Karpenter withinIntPtrs).
  const n = parseInteger(value);
  if (n === undefined) return false;
  return (greaterThan === undefined || n > greaterThan) && (lessThan === undefined || n < lessThan);
}

function maxBound(a: bigint | undefined, b: bigint | undefined): bigint | undefined {
  return a === undefined ? b : b === undefined ? a : a > b ? a : b;
}

function minBound(a: bigint | undefined, b: bigint | undefined): bigint | undefined {
  return a === undefined ? b : b === undefined ? a : a < b ? a : b;
}

function parseInteger(value: string): bigint | undefined {
  if (!INT_RE.test(value)) return undefined;
  const n = BigInt(value);
  return n > INT64_MAX || n < INT64_MIN ? undefined : n;
}

function integerOperand(requirement: NodeSelectorRequirement): bigint {
  const values = requirement.values ?? [];
  const [only] = values;
  const n = values.length === 1 && only !== undefined ? parseInteger(only) : undefined;
  if (n === undefined) {
    throw new ValueError(
      `invalid requirement ${describeRequirement(requirement)}: operator ${requirement.operator} needs exactly one integer value`,
      requirement,
    );
  }
  return n;
}

function isOperator(operator: string): operator is RequirementOperator {
  return (REQUIREMENT_OPERATORS as readonly string[]).includes(operator);
}

function unknownOperator(requirement: NodeSelectorRequirement): ValueError {
  return new ValueError(
    `invalid requirement ${describeRequirement(requirement)}: unknown operator "${String(requirement.operator)}", expected one of ${REQUIREMENT_OPERATORS.join(", ")}`,
    requirement,
  );
}

// For messages about any input, a requirement or not (validateRequirement says what is wrong with it).
function describeRequirement(requirement: RequirementInput): string {
  if (typeof requirement !== "object" || requirement === null) return String(requirement);
  const values = Array.isArray(requirement.values) ? ` [${requirement.values.map(String).join(" ")}]` : "";
  return `"${String(requirement.key)} ${String(requirement.operator)}${values}"`;
}

function describeAllowed(allowed: AllowedValues): string {
  const list = `[${allowed.values.join(" ")}]`;
  const bounds = `${allowed.greaterThan === undefined ? "" : ` >${allowed.greaterThan}`}${
    allowed.lessThan === undefined ? "" : ` <${allowed.lessThan}`
  }`;
  const hasValues = allowed.values.length > 0;
  let text: string;
  // Spelled as the operator that means exactly this, with the absence rule added where no operator carries it.
  if (allowed.complement && !hasValues) text = allowed.allowsAbsent ? "Exists or absent" : "Exists";
  else if (allowed.complement) text = allowed.allowsAbsent ? `NotIn ${list}` : `NotIn ${list} and Exists`;
  else if (hasValues) text = allowed.allowsAbsent ? `In ${list} or absent` : `In ${list}`;
  else text = allowed.allowsAbsent ? "DoesNotExist" : "In []";
  return `${allowed.key} ${text}${bounds}`;
}
