// Counts work without a clock: while `action` runs, every call of an Array.prototype method that walks the array
// (searches, filters, maps, loops) adds the array's length. A search inside a loop over the same data, the usual
// shape of quadratic work, then shows as a count that grows with the square of the input.
const WALKING_METHODS = [
  "includes",
  "indexOf",
  "lastIndexOf",
  "find",
  "findIndex",
  "findLast",
  "findLastIndex",
  "some",
  "every",
  "filter",
  "map",
  "flatMap",
  "forEach",
  "reduce",
] as const;

export function countArrayScans<T>(action: () => T): { result: T; scanned: number } {
  let scanned = 0;
  const prototype = Array.prototype as unknown as Record<string, (...args: unknown[]) => unknown>;
  const originals = WALKING_METHODS.map((name) => [name, prototype[name]] as const);
  for (const [name, original] of originals) {
    if (original === undefined) continue;
    prototype[name] = function (this: unknown[], ...args: unknown[]) {
      scanned += this.length;
      return original.apply(this, args);
    };
  }
  try {
    return { result: action(), scanned };
  } finally {
    for (const [name, original] of originals) if (original !== undefined) prototype[name] = original;
  }
}
