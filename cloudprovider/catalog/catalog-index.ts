/**
 * The catalog's index for `matching`: per key, the distinct value sets the types have, each with the types that
 * have it as a bitset. A requirement is then evaluated once per distinct value (for `instance-type In [...]`, once
 * per listed value) and combined with the others word by word, instead of once per type and key.
 */
import {
  INSTANCE_TYPE_LABEL_KEYS,
  LABEL_CAPACITY_TYPE,
  LABEL_INSTANCE_TENANCY,
  LABEL_OS,
  keyModel,
  modeledValues,
} from "./catalog-labels.ts";
import type { CatalogInstanceType } from "./catalog.ts";
import type { AllowedValues, RequirementSet } from "../../scheduling/index.ts";

// Sets with at most this many types keep only their members: setting a few bits beats OR-ing whole bitsets, and
// the per-type keys (instance-type) then cost no bitset memory.
const SPARSE_MAX = 8;

interface ValueSet {
  readonly values: readonly string[];
  /** `values` as integers (undefined for a non-integer), for Gt/Lt without reparsing. */
  readonly ints: readonly (bigint | undefined)[];
  /** Indexes of the types with this value set, ascending. */
  readonly members: Uint32Array;
  /** The same as a bitset, for sets larger than SPARSE_MAX. */
  readonly bits: Uint32Array | undefined;
}

interface Column {
  readonly sets: readonly ValueSet[];
  /** For keys with at most one value per type: the set of each value, and the set of types without the label. */
  readonly single:
    { readonly byValue: ReadonlyMap<string, ValueSet>; readonly absent: ValueSet | undefined } | undefined;
}

const MULTI_VALUED_KEYS: readonly string[] = [LABEL_OS, LABEL_CAPACITY_TYPE, LABEL_INSTANCE_TENANCY];

export class TypeIndex {
  readonly #types: readonly CatalogInstanceType[];
  readonly #columns: ReadonlyMap<string, Column>;
  // Scratch bitsets, reused between calls (select is synchronous).
  readonly #alive: Uint32Array;
  readonly #mask: Uint32Array;

  /** `types` should be an unfrozen array: V8 indexes frozen arrays on slower paths. */
  constructor(types: readonly CatalogInstanceType[]) {
    this.#types = types;
    const words = Math.ceil(types.length / 32);
    this.#alive = new Uint32Array(words);
    this.#mask = new Uint32Array(words);
    const columns = new Map<string, Column>();
    for (const key of new Set([...INSTANCE_TYPE_LABEL_KEYS, ...MULTI_VALUED_KEYS])) {
      columns.set(key, buildColumn(key, types, words));
    }
    this.#columns = columns;
  }

  /** The types compatible with the set, in index order (see `InstanceTypeCatalog.matching`). */
  select(set: RequirementSet): CatalogInstanceType[] {
    const types = this.#types;
    const n = types.length;
    const alive = this.#alive;
    const mask = this.#mask;
    let filtered = false;
    for (const key of set.keys()) {
      const model = keyModel(key);
      if (model === "unmodeled") continue;
      const allowed = set.valuesFor(key);
      if (model === "present") {
        if (!admitsSomeName(allowed)) return [];
        continue;
      }
      const column = this.#columns.get(key);
      if (column === undefined) continue;
      const admitted = columnMask(column, allowed, mask, n);
      if (admitted === 0) return [];
      if (admitted === n) continue;
      if (filtered) {
        let left = 0;
        for (let w = 0; w < alive.length; w++) {
          const word = (alive[w] as number) & (mask[w] as number);
          alive[w] = word;
          left |= word;
        }
        if (left === 0) return [];
      } else {
        alive.set(mask);
        filtered = true;
      }
    }
    if (!filtered) return types.slice();
    // Sized up front: growing the array by push costs more than the filtering itself.
    const result = new Array<CatalogInstanceType>(countBits(alive));
    let j = 0;
    for (let w = 0; w < alive.length; w++) {
      let word = alive[w] as number;
      while (word !== 0) {
        const low = word & -word;
        result[j++] = types[(w << 5) + 31 - Math.clz32(low)] as CatalogInstanceType;
        word ^= low;
      }
    }
    return result;
  }
}

function buildColumn(key: string, types: readonly CatalogInstanceType[], words: number): Column {
  const valuesOf: (readonly string[])[] = [];
  const members: number[][] = [];
  const indexOf = new Map<string, number>();
  types.forEach((type, i) => {
    const values = modeledValues(type, key) ?? [];
    // NUL cannot occur in a label value, so joined values identify the set.
    const id = values.join("\0");
    let index = indexOf.get(id);
    if (index === undefined) {
      index = valuesOf.length;
      valuesOf.push(values);
      members.push([]);
      indexOf.set(id, index);
    }
    members[index]?.push(i);
  });
  const sets = valuesOf.map((values, index): ValueSet => {
    const indexes = Uint32Array.from(members[index] ?? []);
    let bits: Uint32Array | undefined;
    if (indexes.length > SPARSE_MAX) {
      bits = new Uint32Array(words);
      setBits(bits, indexes);
    }
    return { values, ints: values.map(parseInteger), members: indexes, bits };
  });
  let single: Column["single"];
  if (sets.every((set) => set.values.length <= 1)) {
    const byValue = new Map<string, ValueSet>();
    for (const set of sets) if (set.values[0] !== undefined) byValue.set(set.values[0], set);
    single = { byValue, absent: sets.find((set) => set.values.length === 0) };
  }
  return { sets, single };
}

/**
 * Writes into `mask` the types whose value set is compatible with `allowed` (Karpenter's Intersects: some value both
 * allow, or the label's absence when neither needs it) and returns how many there are.
 */
function columnMask(column: Column, allowed: AllowedValues, mask: Uint32Array, n: number): number {
  const bounded = allowed.greaterThan !== undefined || allowed.lessThan !== undefined;
  const { single } = column;
  if (single !== undefined && !bounded) {
    // Only the listed values differ from the rest, so `instance-type In [a, b]` costs two lookups, not a scan.
    if (allowed.complement) {
      fillOnes(mask, n);
      for (const value of allowed.values) {
        const set = single.byValue.get(value);
        if (set !== undefined) andNot(mask, set);
      }
      if (single.absent !== undefined && !allowed.allowsAbsent) andNot(mask, single.absent);
    } else {
      mask.fill(0);
      for (const value of allowed.values) {
        const set = single.byValue.get(value);
        if (set !== undefined) or(mask, set);
      }
      if (single.absent !== undefined && allowed.allowsAbsent) or(mask, single.absent);
    }
    return countBits(mask);
  }
  const listed = new Set(allowed.values);
  const ok = column.sets.map((set) =>
    set.values.length === 0
      ? allowed.allowsAbsent
      : set.values.some(
          (value, i) => listed.has(value) !== allowed.complement && withinBounds(set.ints[i], allowed, bounded),
        ),
  );
  let admitted = 0;
  column.sets.forEach((set, index) => {
    if (ok[index] === true) admitted += set.members.length;
  });
  // Touch whichever side has fewer types.
  if (admitted <= n - admitted) {
    mask.fill(0);
    column.sets.forEach((set, index) => {
      if (ok[index] === true) or(mask, set);
    });
  } else {
    fillOnes(mask, n);
    column.sets.forEach((set, index) => {
      if (ok[index] !== true) andNot(mask, set);
    });
  }
  return admitted;
}

// As requirements.ts: with a bound set, only integers within it are allowed (Karpenter withinIntPtrs).
function withinBounds(n: bigint | undefined, allowed: AllowedValues, bounded: boolean): boolean {
  if (!bounded) return true;
  if (n === undefined) return false;
  return (
    (allowed.greaterThan === undefined || n > allowed.greaterThan) &&
    (allowed.lessThan === undefined || n < allowed.lessThan)
  );
}

// Zone and region names are never integers, so integer bounds leave none; otherwise a finite exclusion list does.
function admitsSomeName(allowed: AllowedValues): boolean {
  if (!allowed.complement) return allowed.values.length > 0;
  return allowed.greaterThan === undefined && allowed.lessThan === undefined;
}

function or(mask: Uint32Array, set: ValueSet): void {
  const { bits } = set;
  if (bits === undefined) setBits(mask, set.members);
  else for (let w = 0; w < mask.length; w++) mask[w] = (mask[w] as number) | (bits[w] as number);
}

function andNot(mask: Uint32Array, set: ValueSet): void {
  const { bits } = set;
  if (bits === undefined) {
    const { members } = set;
    for (let k = 0; k < members.length; k++) {
      const i = members[k] as number;
      mask[i >>> 5] = (mask[i >>> 5] as number) & ~(1 << (i & 31));
    }
  } else {
    for (let w = 0; w < mask.length; w++) mask[w] = (mask[w] as number) & ~(bits[w] as number);
  }
}

function setBits(bits: Uint32Array, indexes: Uint32Array): void {
  for (let k = 0; k < indexes.length; k++) {
    const i = indexes[k] as number;
    bits[i >>> 5] = (bits[i >>> 5] as number) | (1 << (i & 31));
  }
}

// All n bits set and none past n, so the last word cannot admit types that do not exist.
function fillOnes(bits: Uint32Array, n: number): void {
  bits.fill(0xffffffff);
  if (n % 32 !== 0) bits[bits.length - 1] = 2 ** (n % 32) - 1;
}

function countBits(bits: Uint32Array): number {
  let count = 0;
  for (let w = 0; w < bits.length; w++) {
    let v = bits[w] as number;
    v = v - ((v >>> 1) & 0x55555555);
    v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
    count += Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
  }
  return count;
}

const INT_RE = /^[+-]?[0-9]+$/;
const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);

// Go's strconv.ParseInt range, as requirements.ts reads integer label values.
function parseInteger(value: string): bigint | undefined {
  if (!INT_RE.test(value)) return undefined;
  const n = BigInt(value);
  return n > INT64_MAX || n < INT64_MIN ? undefined : n;
}
