// A rule that declares the fields it reads (RuleDefinition.fields) answers the same for the same values of those
// fields, its params and the catalog: its answers are kept by those values, so a fleet's pools that share
// requirements, budgets, selector terms or user data are judged once per distinct value, not once per pool. The
// same idea as the CRDs' CEL rules in api/validation/cel-rules.ts (results by the fields a rule reads), and as
// there the cache only avoids recomputing a pure function: a miss runs the rule itself.
//
// A field's value is turned into its JSON text once per target (rules that read the same field share it) and then
// into a small number; the numbers of a rule's fields are numbered in turn, once per target and set of fields
// (rules that read the same set share it), so a rule finds its answer with one lookup whatever the fields' sizes. `test/policies/rule-reads.test.ts` runs every rule through a recording proxy and fails on a read outside
// the fields it declares.
import type { AnyRule, RuleContext, Violation } from "./rule.ts";
import type { PolicyTarget } from "./target.ts";

// Answers kept in all, over every rule: one bound for the whole memo rather than one per rule, so a rule keyed by
// what every pool has of its own (its limits: one answer per pool) can keep a fleet's worth while rules with a
// few distinct values use little. An answer is one Map entry and, when it has violations, their list (a rule
// with none shares one empty list): about 100 bytes, so 131,072 answers are about 13 MiB at most. Past the bound
// every rule's answers start again (as the CEL memo).
const ANSWER_LIMIT = 131_072;
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

/** Answers by (kind, catalog, params), then by the number of the values of the rule's fields. */
type AnswerTree = Map<number | string, AnswerTree | Violation[]>;

const NOT_NUMBERED = 0;
const NOT_MEMOIZABLE = -1;
let nextNumber = 1;
// An absent field, in every field's numbering: most objects leave most optional fields out.
const ABSENT = nextNumber++;
// Every field any rule declares, by its place: a target's field numbers are an array in the same order.
const fieldPlaces = new Map<string, number>();
const fieldPaths: FieldPath[] = [];
const fieldTables: FieldTable[] = [];
// For a field of the defaulted object, the place of the same field as written (-1 for any other field).
const writtenPlaces: number[] = [];
// Every set of fields some rule declares (47 memoized rules read 34 distinct sets): a target's values of a set get
// one number, shared by every rule that reads the same set, so a rule finds its answer with one lookup.
const setPlaces = new Map<string, number>();
const setFields: (readonly number[])[] = [];
const setTables: FieldTable[] = [];
/** A target's numbers: of each field's value, and of each field set's values. */
interface Numbered {
  fields: number[];
  sets: number[];
}
const numbered = new WeakMap<PolicyTarget, Numbered>();
const paramsTable: FieldTable = { numbers: new Map(), chars: 0 };
const identities = new WeakMap<object, number>();
let answersKept = 0;
// Bumped when the answers kept reach ANSWER_LIMIT: every rule then forgets its answers.
let generation = 0;
const NO_VIOLATIONS: Violation[] = Object.freeze([]) as unknown as Violation[];

/** The rule, with its answers kept by the values of the fields it declares; as it was when it declares none. */
export function memoizedByFields(rule: AnyRule): AnyRule {
  const fields = rule.fields;
  // A rule that reads the scope or the time answers differently for the same object: never kept by value.
  if (fields === undefined || (rule.reads !== undefined && rule.reads.length > 0)) return rule;
  // `validation` is always empty where answers are kept (below): it tells no two kept answers apart.
  const places = fields.filter((field) => field.length !== 1 || field[0] !== "validation").map(placeOf);
  const set = setOf(places);
  const setOfPrepared = setOf(withoutWrittenPairs(places));
  const inner = rule.check as (target: PolicyTarget, context: RuleContext<unknown>) => Violation[];
  let answers: AnswerTree = new Map();
  let kept = generation;
  // The last (kind, catalog, params) and its answers: consecutive calls nearly always repeat them.
  let last: { kind: string; catalog: object; params: unknown; node: AnswerTree } | undefined;
  const check = (target: PolicyTarget, context: RuleContext<unknown>): Violation[] => {
    // An invalid object may hold what JSON text cannot tell apart (YAML's .nan and -.inf, which the schema
    // refuses): judged as it is, every time. A valid one holds strings, booleans, finite numbers, lists and maps.
    if (target.validation.length > 0) return inner(target, context);
    if (kept !== generation) {
      answers = new Map();
      last = undefined;
      kept = generation;
    }
    let node: AnswerTree;
    if (last?.kind === target.kind && last.catalog === context.catalog && last.params === context.params) {
      node = last.node;
    } else {
      const params = paramsNumber(context.params);
      if (params === NOT_MEMOIZABLE) return inner(target, context);
      node = child(child(child(answers, target.kind), identity(context.catalog)), params);
      last = { kind: target.kind, catalog: context.catalog, params: context.params, node };
    }
    const n = setNumber(target, numbersOf(target), target.defaultsOfWritten === true ? setOfPrepared : set);
    if (n === NOT_MEMOIZABLE) return inner(target, context);
    const known = node.get(n) as Violation[] | undefined;
    if (known !== undefined) return known;
    const found = inner(target, context);
    const violations = found.length === 0 ? NO_VIOLATIONS : found;
    if (answersKept >= ANSWER_LIMIT) {
      answersKept = 0;
      generation++;
      return violations;
    }
    node.set(n, violations);
    answersKept++;
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
    writtenPlaces.push(-1);
    if (path[0] === "object" && path.length > 1) writtenPlaces[place] = placeOf(["written", ...path.slice(1)]);
  }
  return place;
}

// A set's places without each written field whose defaulted field is in the set too: for a target whose object is
// its written one defaulted, the defaulted field's number tells the written one's (the same number when it is
// written, ABSENT when not; see fieldNumber), so a rule that reads both for its patch is keyed as one that reads
// the defaulted field alone, and shares that set's number.
function withoutWrittenPairs(places: readonly number[]): number[] {
  return places.filter((place) => !places.some((other) => writtenPlaces[other] === place));
}

function setOf(places: readonly number[]): number {
  const name = places.join(",");
  let set = setPlaces.get(name);
  if (set === undefined) {
    set = setFields.length;
    setPlaces.set(name, set);
    setFields.push(places);
    setTables.push({ numbers: new Map(), chars: 0 });
  }
  return set;
}

// The engine runs every rule on one target before the next: the last target's numbers save a lookup per rule.
// Held only until the running evaluation yields (a microtask forgets it), so it never keeps a judged review alive;
// a WeakRef's deref on every rule call cost more than the lookup it saves.
let lastTarget: PolicyTarget | undefined;
let lastNumbers: Numbered | undefined;
let forgetting = false;
const forgetLast = () => {
  lastTarget = lastNumbers = undefined;
  forgetting = false;
};

function numbersOf(target: PolicyTarget): Numbered {
  if (lastTarget === target && lastNumbers !== undefined) return lastNumbers;
  let numbers = numbered.get(target);
  if (numbers === undefined) {
    numbers = { fields: [], sets: [] };
    numbered.set(target, numbers);
  }
  lastTarget = target;
  lastNumbers = numbers;
  if (!forgetting) {
    forgetting = true;
    queueMicrotask(forgetLast);
  }
  return numbers;
}

// The number of the target's values of a field set: its fields' numbers, numbered in turn.
function setNumber(target: PolicyTarget, numbers: Numbered, set: number): number {
  let n = numbers.sets[set] ?? NOT_NUMBERED;
  if (n === NOT_NUMBERED) {
    const places = setFields[set] as readonly number[];
    // One field: its number is the set's (numbers are never reused across fields or sets).
    if (places.length === 1) {
      n = fieldNumber(target, numbers, places[0] as number);
      numbers.sets[set] = n;
      return n;
    }
    let text = "";
    for (const place of places) {
      const field = fieldNumber(target, numbers, place);
      if (field === NOT_MEMOIZABLE) {
        text = "";
        break;
      }
      text += `${field},`;
    }
    n = text === "" && places.length > 0 ? NOT_MEMOIZABLE : textNumber(setTables[set] as FieldTable, text);
    numbers.sets[set] = n;
  }
  return n;
}

function fieldNumber(target: PolicyTarget, numbers: Numbered, place: number): number {
  let n = numbers.fields[place] ?? NOT_NUMBERED;
  if (n === NOT_NUMBERED) {
    // A field of the defaulted object whose written value is present takes that value's number: the defaults are
    // a function of it (and of the kind, which every answer's key holds), its text is shorter, and a rule that
    // reads both (the written one for its patch) pays for one text.
    const written = writtenPlaces[place] as number;
    if (written >= 0 && target.defaultsOfWritten === true) {
      n = fieldNumber(target, numbers, written);
      if (n !== ABSENT) {
        numbers.fields[place] = n;
        return n;
      }
    }
    const path = fieldPaths[place] as FieldPath;
    const value = valueAt(target, path);
    if (value === undefined) n = ABSENT;
    // The previous version is not validated: only plain JSON is told apart by its text.
    else if (path[0] !== "previous" || isPlainJson(value)) {
      n = textNumber(fieldTables[place] as FieldTable, JSON.stringify(value) ?? "undefined");
    } else n = NOT_MEMOIZABLE;
    numbers.fields[place] = n;
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
  let set = keyedSets.get(fields);
  if (set === undefined) {
    const places = fields.map(placeOf);
    set = setOf(places);
    keyedSets.set(fields, set);
    preparedSets.set(set, setOf(withoutWrittenPairs(places)));
  }
  const n = setNumber(
    target,
    numbersOf(target),
    target.defaultsOfWritten === true ? (preparedSets.get(set) as number) : set,
  );
  return n === NOT_MEMOIZABLE ? undefined : `${target.kind},${set},${n}`;
}

// The field set of each list of fields a caller keys by (it passes the same list every time).
const keyedSets = new WeakMap<readonly (readonly string[])[], number>();
// The same set without its written pairs, for a target whose object is its written one defaulted.
const preparedSets = new Map<number, number>();
