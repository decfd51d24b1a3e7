// A rule that declares the fields it reads (RuleDefinition.fields) answers the same for the same values of those
// fields, its params and the catalog: its answers are kept by those values, so a fleet's pools that share
// requirements, budgets, selector terms or user data are judged once per distinct value, not once per pool. The
// same idea as the CRDs' CEL rules in api/validation/cel-rules.ts (results by the fields a rule reads), and as
// there the cache only avoids recomputing a pure function: a miss runs the rule itself.
//
// A field's value is turned into its JSON text once per target (rules that read the same field share it) and then
// into a small number, so a rule's key is a few numbers joined, cheap to build and to hash whatever the fields'
// sizes. `test/policies/rule-reads.test.ts` runs every rule through a recording proxy and fails on a read outside
// the fields it declares.
import type { AnyRule, RuleContext, Violation } from "./rule.ts";
import type { PolicyTarget } from "./target.ts";

// Answers kept per rule. A fleet has a few hundred distinct values of what one rule reads; 4,096 answers of a few
// violations each are a few MiB over all the rules, and past the bound the cache starts again (as the CEL memo).
const ANSWER_LIMIT = 4096;
// A field's JSON text is kept for numbering only up to this length: one requirement of 2,000 values (the object
// bounds' most) is about 40 KiB. A longer value is not memoized: comparing it would cost what judging it costs.
const VALUE_LIMIT = 64 * 1024;
// The texts numbered for one field are kept up to this many characters in all (then numbering starts again,
// with new numbers, so an old key can never match a new value): 4 MiB per field bounds the tables at tens of MiB.
const FIELD_TEXT_LIMIT = 4 * 1024 * 1024;

/** A field as rules declare it: a path from the target (`["object", "spec", "userData"]`). */
type FieldPath = readonly string[];

interface FieldTable {
  numbers: Map<string, number>;
  chars: number;
}

/** Answers by the numbers of a key, one level per number. */
type AnswerTree = Map<number | string, AnswerTree | Violation[]>;

const NOT_NUMBERED = 0;
const NOT_MEMOIZABLE = -1;
let nextNumber = 1;
// Every field any rule declares, by its place: a target's field numbers are an array in the same order.
const fieldPlaces = new Map<string, number>();
const fieldPaths: FieldPath[] = [];
const fieldTables: FieldTable[] = [];
// The number of each field's value, per target: every rule that reads the field shares it.
const numbered = new WeakMap<PolicyTarget, number[]>();
const paramsTable: FieldTable = { numbers: new Map(), chars: 0 };
const identities = new WeakMap<object, number>();

/** The rule, with its answers kept by the values of the fields it declares; as it was when it declares none. */
export function memoizedByFields(rule: AnyRule): AnyRule {
  const fields = rule.fields;
  // A rule that reads the scope or the time answers differently for the same object: never kept by value.
  if (fields === undefined || (rule.reads !== undefined && rule.reads.length > 0)) return rule;
  const places = fields.map(placeOf);
  const inner = rule.check as (target: PolicyTarget, context: RuleContext<unknown>) => Violation[];
  let answers: AnswerTree = new Map();
  let size = 0;
  // The last (kind, catalog, params) and its subtree: consecutive calls nearly always repeat them.
  let last: { kind: string; catalog: object; params: unknown; node: AnswerTree } | undefined;
  const check = (target: PolicyTarget, context: RuleContext<unknown>): Violation[] => {
    // An invalid object may hold what JSON text cannot tell apart (YAML's .nan and -.inf, which the schema
    // refuses): judged as it is, every time. A valid one holds strings, booleans, finite numbers, lists and maps.
    if (target.validation.length > 0) return inner(target, context);
    let node: AnswerTree;
    if (last?.kind === target.kind && last.catalog === context.catalog && last.params === context.params) {
      node = last.node;
    } else {
      const params = paramsNumber(context.params);
      if (params === NOT_MEMOIZABLE) return inner(target, context);
      node = child(child(child(answers, target.kind), identity(context.catalog)), params);
      last = { kind: target.kind, catalog: context.catalog, params: context.params, node };
    }
    const numbers = numbersOf(target);
    const end = places.length - 1;
    for (let i = 0; i < end; i++) {
      const n = fieldNumber(target, numbers, places[i] as number);
      if (n === NOT_MEMOIZABLE) return inner(target, context);
      node = child(node, n);
    }
    const n = end < 0 ? 0 : fieldNumber(target, numbers, places[end] as number);
    if (n === NOT_MEMOIZABLE) return inner(target, context);
    const known = node.get(n) as Violation[] | undefined;
    if (known !== undefined) return known;
    const violations = inner(target, context);
    if (size >= ANSWER_LIMIT) {
      answers = new Map();
      last = undefined;
      size = 0;
      return violations;
    }
    node.set(n, violations);
    size++;
    return violations;
  };
  return { ...rule, check } as AnyRule;
}

function child(node: AnswerTree, key: number | string): AnswerTree {
  let next = node.get(key) as AnswerTree | undefined;
  if (next === undefined) {
    next = new Map();
    node.set(key, next);
  }
  return next;
}

function placeOf(path: FieldPath): number {
  const name = path.join("\u0000");
  let place = fieldPlaces.get(name);
  if (place === undefined) {
    place = fieldPaths.length;
    fieldPlaces.set(name, place);
    fieldPaths.push(path);
    fieldTables.push({ numbers: new Map(), chars: 0 });
  }
  return place;
}

// The engine runs every rule on one target before the next: the last target's numbers save a lookup per rule
// (held weakly: they must not keep a judged review alive).
let lastNumbered: { target: WeakRef<PolicyTarget>; numbers: number[] } | undefined;

function numbersOf(target: PolicyTarget): number[] {
  if (lastNumbered?.target.deref() === target) return lastNumbered.numbers;
  let numbers = numbered.get(target);
  if (numbers === undefined) {
    numbers = new Array<number>(fieldPaths.length).fill(NOT_NUMBERED);
    numbered.set(target, numbers);
  }
  lastNumbered = { target: new WeakRef(target), numbers };
  return numbers;
}

function fieldNumber(target: PolicyTarget, numbers: number[], place: number): number {
  let n = numbers[place] ?? NOT_NUMBERED;
  if (n === NOT_NUMBERED) {
    const path = fieldPaths[place] as FieldPath;
    const value = valueAt(target, path);
    // The previous version is not validated: only plain JSON is told apart by its text.
    const plain = path[0] !== "previous" || value === undefined || isPlainJson(value);
    n = plain ? textNumber(fieldTables[place] as FieldTable, JSON.stringify(value) ?? "undefined") : NOT_MEMOIZABLE;
    numbers[place] = n;
  }
  return n;
}

function valueAt(target: PolicyTarget, path: FieldPath): unknown {
  let value: unknown = target;
  for (const segment of path) {
    if (typeof value !== "object" || value === null) return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}

function textNumber(table: FieldTable, text: string): number {
  if (text.length > VALUE_LIMIT) return NOT_MEMOIZABLE;
  let n = table.numbers.get(text);
  if (n === undefined) {
    if (table.chars + text.length > FIELD_TEXT_LIMIT) {
      table.numbers.clear();
      table.chars = 0;
    }
    n = nextNumber++;
    table.numbers.set(text, n);
    table.chars += text.length;
  }
  return n;
}

// Params are resolved once per policy and reused (compiled-policy.ts): numbered by identity, then by JSON text.
function paramsNumber(value: unknown): number {
  if (typeof value !== "object" || value === null) return textNumber(paramsTable, JSON.stringify(value) ?? "");
  let n = identities.get(value);
  if (n === undefined) {
    n = textNumber(paramsTable, JSON.stringify(value));
    identities.set(value, n);
  }
  return n;
}

function identity(object: object): number {
  let n = identities.get(object);
  if (n === undefined) {
    n = nextNumber++;
    identities.set(object, n);
  }
  return n;
}

/** Whether a value is JSON data its JSON text describes exactly (no -0, NaN, undefined, Date, holes). */
export function isPlainJson(value: unknown): boolean {
  switch (typeof value) {
    case "string":
    case "boolean":
      return true;
    case "number":
      return Number.isFinite(value) && !Object.is(value, -0);
    case "object": {
      if (value === null) return true;
      if (Array.isArray(value)) {
        // Indexes, not every(): a hole is not JSON either.
        for (let i = 0; i < value.length; i++) if (!isPlainJson(value[i])) return false;
        return true;
      }
      const prototype = Object.getPrototypeOf(value);
      if (prototype !== Object.prototype && prototype !== null) return false;
      return Object.values(value).every(isPlainJson);
    }
    default:
      return false;
  }
}

/**
 * A key for the values of `fields` of a valid target (numbers, shared with the rules that read the same fields),
 * for a cache of something derived from them alone; undefined when they cannot be keyed (an invalid object, a
 * value too long).
 */
export function fieldsKey(target: PolicyTarget, fields: readonly (readonly string[])[]): string | undefined {
  if (target.validation.length > 0) return undefined;
  let key = target.kind;
  const numbers = numbersOf(target);
  for (const field of fields) {
    const n = fieldNumber(target, numbers, placeOf(field));
    if (n === NOT_MEMOIZABLE) return undefined;
    key += `,${n}`;
  }
  return key;
}
