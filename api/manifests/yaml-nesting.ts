// How deep a YAML text nests, measured over its characters before the parser builds anything. The yaml package
// composes nodes recursively: 3 MiB of `[[[[…` (or of `- - - -…`) runs for seconds and ends in "Maximum call stack
// size exceeded", so a check on the parsed value comes too late. This pass is one loop over the text with a stack
// bounded by the limit, and stops at the first level past it — as runtime/json-shape.ts does for JSON bodies.
//
// It follows YAML's structure as far as nesting needs (YAML 1.2 §7–8): flow collections (`[`, `{`) outside quoted
// scalars and comments; block collections from their indicators (`- `, `? `, `: `) and implicit keys (`key: `), by
// column, as the parser's indentation stack does (a sequence may sit at its parent key's column); quoted scalars
// across lines; block scalars (`|`, `>`) skipped by indentation. It does not validate: malformed text is left for
// the parser, which only sees text known to nest within the limit. On valid YAML it counts what the loaded value
// nests (a map or list is a level); a plain scalar continued on a line that starts with `- ` can count one more.

/** Where a text first nests deeper than the limit, as a character offset. */
export interface YamlNestingProblem {
  offset: number;
}

const SEQ = 1;
const MAP = 2;
const NONE = -2;

const SPACE = 0x20;
const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const HASH = 0x23;
const DASH = 0x2d;
const QUESTION = 0x3f;
const COLON = 0x3a;
const DQUOTE = 0x22;
const SQUOTE = 0x27;
const BACKSLASH = 0x5c;
const OPEN_SEQ = 0x5b; // [
const CLOSE_SEQ = 0x5d; // ]
const OPEN_MAP = 0x7b; // {
const CLOSE_MAP = 0x7d; // }
const COMMA = 0x2c;
const AMPERSAND = 0x26;
const BANG = 0x21;
const PIPE = 0x7c;
const GREATER = 0x3e;
const DOT = 0x2e;
const PERCENT = 0x25;

/** The first place `text` nests deeper than `maxDepth` collections, or undefined when it stays within. */
export function yamlNestingProblem(text: string, maxDepth: number): YamlNestingProblem | undefined {
  const n = text.length;
  const at = (k: number): number => (k < n ? text.charCodeAt(k) : LF);
  const isBlank = (c: number) => c === SPACE || c === TAB || c === CR || c === LF;
  // Open block collections, innermost last: the column of their indicator or key, and their kind.
  const cols = new Int32Array(maxDepth + 1);
  const kinds = new Uint8Array(maxDepth + 1);
  let depth = 0;
  let flow = 0;
  // Inside a block scalar: the column its content must be deeper than (-1: the document's top level), else NONE.
  let blockScalar = NONE;
  let problem: YamlNestingProblem | undefined;

  // A block collection starts at `col` (a line's indicator or key), as the parser's indentation stack sees it.
  const enter = (col: number, kind: number, offset: number): boolean => {
    while (depth > 0 && (cols[depth - 1] as number) > col) depth--;
    if (depth > 0 && cols[depth - 1] === col) {
      if (kinds[depth - 1] === kind) return true; // the next entry of the same collection
      // A sequence at its key's column ends where the map's next key starts.
      if (kinds[depth - 1] === SEQ && kind === MAP) {
        depth--;
        if (depth > 0 && cols[depth - 1] === col && kinds[depth - 1] === MAP) return true;
      }
    }
    if (depth + flow >= maxDepth) {
      problem = { offset };
      return false;
    }
    cols[depth] = col;
    kinds[depth] = kind;
    depth++;
    return true;
  };

  // Skips a quoted scalar, over lines, from just after its opening quote; returns where it ends (n: unterminated).
  const skipQuoted = (from: number, q: number): number => {
    for (let k = from; k < n; k++) {
      const c = text.charCodeAt(k);
      if (q === DQUOTE && c === BACKSLASH) k++;
      else if (c === q) {
        if (q === SQUOTE && at(k + 1) === SQUOTE) k++;
        else return k + 1;
      }
    }
    return n;
  };

  // Scans flow context, over lines, from its opening bracket until every flow collection is closed; returns where
  // it stopped (n: at the end, or at a problem).
  const scanFlow = (from: number): number => {
    let nodeStart = true;
    for (let k = from; k < n; k++) {
      const c = text.charCodeAt(k);
      if (c === OPEN_SEQ || c === OPEN_MAP) {
        if (depth + flow >= maxDepth) {
          problem = { offset: k };
          return n;
        }
        flow++;
        nodeStart = true;
      } else if (c === CLOSE_SEQ || c === CLOSE_MAP) {
        if (flow > 0) flow--;
        nodeStart = false;
        if (flow === 0) return k + 1;
      } else if (c === COMMA || c === COLON || c === QUESTION) {
        nodeStart = true;
      } else if ((c === DQUOTE || c === SQUOTE) && nodeStart) {
        k = skipQuoted(k + 1, c) - 1;
        nodeStart = false;
      } else if (c === HASH && (k === 0 || isBlank(at(k - 1)))) {
        while (k < n && text.charCodeAt(k) !== LF) k++;
      } else if (!isBlank(c)) {
        nodeStart = false;
      }
    }
    return n;
  };

  // Skips node properties (`&anchor`, `!tag`) and spaces from `k`.
  const skipProperties = (from: number): number => {
    let k = from;
    for (;;) {
      while (at(k) === SPACE || at(k) === TAB) k++;
      const c = at(k);
      if (c !== AMPERSAND && c !== BANG) return k;
      while (!isBlank(at(k))) k++;
    }
  };

  // A node's content on a block line, from `k`: `parentCol` is the column its block scalar must be deeper than.
  // Returns where the line's scan stopped; notes an implicit key found on the way.
  const scanNode = (from: number, lineStart: number, parentCol: number, keyAllowed: boolean): number => {
    let k = skipProperties(from);
    const c = at(k);
    if (c === PIPE || c === GREATER) {
      blockScalar = parentCol;
      return k;
    }
    const keyStart = k;
    if (c === OPEN_SEQ || c === OPEN_MAP) k = scanFlow(k);
    else if (c === DQUOTE || c === SQUOTE) k = skipQuoted(k + 1, c);
    // The rest of the line: an implicit key's `:` (followed by a blank), or a comment, ends the node.
    for (; k < n; k++) {
      const d = text.charCodeAt(k);
      if (d === LF) return k;
      if (d === HASH && isBlank(at(k - 1))) break;
      if (d === COLON && isBlank(at(k + 1)) && keyAllowed) {
        if (!enter(keyStart - lineStart, MAP, keyStart)) return n;
        // The key's value, on the same line: a flow collection, a quoted or block scalar, or plain text.
        return scanNode(k + 1, lineStart, keyStart - lineStart, false);
      }
    }
    while (k < n && text.charCodeAt(k) !== LF) k++;
    return k;
  };

  let i = 0;
  while (i < n && problem === undefined) {
    const lineStart = i;
    let j = i;
    while (j < n && text.charCodeAt(j) === SPACE) j++;
    const indent = j - lineStart;
    const c = at(j);
    const blankLine = c === LF || (c === CR && at(j + 1) === LF) || j >= n;
    const marker =
      indent === 0 && (c === DASH || c === DOT) && at(j + 1) === c && at(j + 2) === c && isBlank(at(j + 3));
    if (blockScalar !== NONE) {
      if (blankLine || (indent > blockScalar && !marker)) {
        i = nextLine(text, j);
        continue;
      }
      blockScalar = NONE;
    }
    if (blankLine || c === HASH || (indent === 0 && c === PERCENT)) {
      i = nextLine(text, j);
      continue;
    }
    let k = j;
    let parentCol = -1;
    if (marker) {
      depth = 0;
      if (c === DOT) {
        i = nextLine(text, j);
        continue;
      }
      k = j + 3;
    } else {
      // Block indicators opening a collection each: `- - x`, `? key`, `- key: value`.
      for (;;) {
        const d = at(k);
        if ((d === DASH || d === QUESTION || d === COLON) && isBlank(at(k + 1))) {
          if (!enter(k - lineStart, d === DASH ? SEQ : MAP, k)) break;
          parentCol = k - lineStart;
          k++;
          while (at(k) === SPACE || at(k) === TAB) k++;
        } else break;
      }
      if (problem) break;
    }
    i = nextLine(text, scanNode(k, lineStart, parentCol, true));
  }
  return problem;
}

function nextLine(text: string, from: number): number {
  const end = text.indexOf("\n", from);
  return end === -1 ? text.length : end + 1;
}
