// The shape of a JSON text — how deep it nests, how many values it holds — measured over its bytes before
// JSON.parse builds anything. JSON.parse itself has no limits: 3 MiB of `[[[[…` becomes 1.5 million arrays (80 MiB
// of heap), 3 MiB of `0,0,…` a 1.5-million-element array, and only then could a check on the parsed value refuse
// them; a few such bodies at once exhaust a small heap. This pass is one loop over the bytes with a fixed amount of
// state (a byte per nesting level, up to the limit) and stops at the first limit passed. It does not validate the
// JSON: a malformed text is left for JSON.parse to refuse, by then known to be small enough to parse.

export interface JsonShapeLimits {
  /** Deepest nesting of objects and arrays; the outermost is level 1. */
  maxDepth: number;
  /** Most values: every object, array, string, number, true, false and null (an object's keys not counted). */
  maxValues: number;
}

/** The first limit a text passes, and the byte offset where it did. */
export interface JsonShapeProblem {
  limit: "depth" | "values";
  offset: number;
}

const OPEN_OBJECT = 0x7b; // {
const CLOSE_OBJECT = 0x7d; // }
const OPEN_ARRAY = 0x5b; // [
const CLOSE_ARRAY = 0x5d; // ]
const COMMA = 0x2c;
const COLON = 0x3a;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

const OBJECT = 1;
const ARRAY = 2;

/** Whether a byte ends a number or literal: structure, a quote or whitespace. */
const ENDS_SCALAR = new Uint8Array(256);
for (const byte of [OPEN_OBJECT, CLOSE_OBJECT, OPEN_ARRAY, CLOSE_ARRAY, COMMA, COLON, QUOTE, 0x20, 0x09, 0x0a, 0x0d])
  ENDS_SCALAR[byte] = 1;

/** The first limit `text` passes, or undefined when it stays within both. */
export function jsonShapeProblem(text: Uint8Array, limits: JsonShapeLimits): JsonShapeProblem | undefined {
  const { maxDepth, maxValues } = limits;
  // What each open level is; index 0 is the top level, outside any container.
  const levels = new Uint8Array(maxDepth + 1);
  let depth = 0;
  let values = 0;
  // In an object, right after `{` or `,`: the next string is a key, not a value.
  let expectKey = false;
  const length = text.length;
  for (let i = 0; i < length; i++) {
    const byte = text[i] as number;
    switch (byte) {
      case OPEN_OBJECT:
      case OPEN_ARRAY:
        if (++values > maxValues) return { limit: "values", offset: i };
        if (++depth > maxDepth) return { limit: "depth", offset: i };
        levels[depth] = byte === OPEN_OBJECT ? OBJECT : ARRAY;
        expectKey = byte === OPEN_OBJECT;
        break;
      case CLOSE_OBJECT:
      case CLOSE_ARRAY:
        if (depth > 0) depth--;
        expectKey = false;
        break;
      case COMMA:
        expectKey = levels[depth] === OBJECT;
        break;
      case COLON:
        expectKey = false;
        break;
      case QUOTE:
        if (!expectKey && ++values > maxValues) return { limit: "values", offset: i };
        expectKey = false;
        // To the closing quote; an escape's next byte is never it. UTF-8 continuation bytes are all ≥ 0x80.
        for (i++; i < length; i++) {
          const inner = text[i];
          if (inner === BACKSLASH) i++;
          else if (inner === QUOTE) break;
        }
        break;
      case 0x20:
      case 0x09:
      case 0x0a:
      case 0x0d:
        break;
      default:
        // A number or a literal: one value, however long.
        if (++values > maxValues) return { limit: "values", offset: i };
        while (i + 1 < length && ENDS_SCALAR[text[i + 1] as number] === 0) i++;
    }
  }
  return undefined;
}
