// The part of TOML v1.0 Bottlerocket user data is written in, as Karpenter generates it (aws
// pkg/providers/amifamily/bootstrap/bottlerocket.go marshals its settings with BurntSushi/toml): `[a.b]` tables
// with bare or quoted keys, dotted keys, basic and literal strings, integers, floats, booleans, arrays (nested
// too) and inline tables. No dates, no multi-line strings, no arrays of tables — a document that uses them is
// refused with the line, rather than half-read.

export type TomlValue = string | number | boolean | TomlValue[] | TomlTable;
export interface TomlTable {
  [key: string]: TomlValue;
}

export class TomlError extends Error {
  constructor(line: number, message: string) {
    super(`line ${line}: ${message}`);
  }
}

class Reader {
  pos = 0;
  readonly text: string;
  readonly line: number;
  constructor(text: string, line: number) {
    this.text = text;
    this.line = line;
  }

  fail(message: string): never {
    throw new TomlError(this.line, message);
  }
  peek(): string {
    return this.text.charAt(this.pos);
  }
  spaces(): void {
    while (this.peek() === " " || this.peek() === "\t") this.pos += 1;
  }
  expect(c: string): void {
    this.spaces();
    if (this.peek() !== c) this.fail(`expected "${c}" at column ${this.pos + 1}`);
    this.pos += 1;
  }
  atEnd(): boolean {
    this.spaces();
    return this.pos >= this.text.length || this.peek() === "#";
  }

  key(): string[] {
    const parts: string[] = [];
    for (;;) {
      this.spaces();
      const c = this.peek();
      if (c === '"' || c === "'") parts.push(this.string());
      else {
        const match = /^[A-Za-z0-9_-]+/.exec(this.text.slice(this.pos));
        if (!match) this.fail(`expected a key at column ${this.pos + 1}`);
        parts.push(match[0]);
        this.pos += match[0].length;
      }
      this.spaces();
      if (this.peek() !== ".") return parts;
      this.pos += 1;
    }
  }

  string(): string {
    const quote = this.peek();
    this.pos += 1;
    let out = "";
    while (this.pos < this.text.length && this.peek() !== quote) {
      const c = this.peek();
      if (quote === '"' && c === "\\") {
        const next = this.text.charAt(this.pos + 1);
        const escapes: Record<string, string> = { n: "\n", t: "\t", r: "\r", '"': '"', "\\": "\\", b: "\b", f: "\f" };
        if (next === "u" || next === "U") {
          const length = next === "u" ? 4 : 8;
          const hex = this.text.slice(this.pos + 2, this.pos + 2 + length);
          if (!/^[0-9A-Fa-f]+$/.test(hex) || hex.length !== length) this.fail("bad unicode escape");
          out += String.fromCodePoint(parseInt(hex, 16));
          this.pos += 2 + length;
          continue;
        }
        const escaped = escapes[next];
        if (escaped === undefined) this.fail(`bad escape \\${next}`);
        out += escaped;
        this.pos += 2;
        continue;
      }
      out += c;
      this.pos += 1;
    }
    if (this.peek() !== quote) this.fail("unterminated string");
    this.pos += 1;
    return out;
  }

  value(): TomlValue {
    this.spaces();
    const c = this.peek();
    if (c === '"' || c === "'") {
      if (this.text.startsWith(c.repeat(3), this.pos)) this.fail("multi-line strings are not read");
      return this.string();
    }
    if (c === "[") {
      this.pos += 1;
      const items: TomlValue[] = [];
      for (;;) {
        this.spaces();
        if (this.peek() === "]") break;
        items.push(this.value());
        this.spaces();
        if (this.peek() === ",") this.pos += 1;
        else if (this.peek() !== "]") this.fail(`expected "," or "]" at column ${this.pos + 1}`);
      }
      this.pos += 1;
      return items;
    }
    if (c === "{") {
      this.pos += 1;
      const table: TomlTable = {};
      this.spaces();
      if (this.peek() === "}") {
        this.pos += 1;
        return table;
      }
      for (;;) {
        const key = this.key();
        this.expect("=");
        assign(table, key, this.value(), this);
        this.spaces();
        if (this.peek() === "}") break;
        this.expect(",");
      }
      this.pos += 1;
      return table;
    }
    const match = /^[^\s,\]}#]+/.exec(this.text.slice(this.pos));
    if (!match) this.fail(`expected a value at column ${this.pos + 1}`);
    this.pos += match[0].length;
    const word = match[0];
    if (word === "true") return true;
    if (word === "false") return false;
    const plain = word.replaceAll("_", "");
    if (/^[+-]?(?:0|[1-9][0-9]*)$/.test(plain)) return Number(plain);
    if (/^[+-]?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$/.test(plain)) return Number(plain);
    if (/^0x[0-9A-Fa-f]+$/.test(plain)) return parseInt(plain.slice(2), 16);
    return this.fail(`"${word}" is not a value this reader knows (dates and special floats are not read)`);
  }
}

function isTable(value: TomlValue | undefined): value is TomlTable {
  return typeof value === "object" && !Array.isArray(value);
}

function assign(table: TomlTable, key: string[], value: TomlValue, reader: Reader): void {
  let node = table;
  for (const part of key.slice(0, -1)) {
    const next = node[part] ?? (node[part] = {});
    if (!isTable(next)) reader.fail(`"${key.join(".")}": "${part}" is not a table`);
    node = next;
  }
  const last = key.at(-1) ?? "";
  if (last in node) reader.fail(`"${key.join(".")}" is defined twice`);
  node[last] = value;
}

/** Parses the document; throws TomlError naming the line of the first thing it cannot read. */
export function parseToml(text: string): TomlTable {
  const root: TomlTable = {};
  let current = root;
  const lines = text.split(/\r?\n/);
  for (let index = 0; index < lines.length; index++) {
    // A value may continue over lines while its brackets are open (arrays written one item per line).
    let source = lines[index] ?? "";
    const number = index + 1;
    while (unbalanced(source) && index + 1 < lines.length) source += ` ${lines[++index] ?? ""}`;
    const reader: Reader = new Reader(source, number);
    if (reader.atEnd()) continue;
    if (reader.peek() === "[") {
      if (source.trimStart().startsWith("[[")) reader.fail("arrays of tables are not read");
      reader.pos += 1;
      const key = reader.key();
      reader.expect("]");
      if (!reader.atEnd()) reader.fail("unexpected text after the table header");
      current = root;
      for (const part of key) {
        const next = current[part] ?? (current[part] = {});
        if (!isTable(next)) reader.fail(`[${key.join(".")}]: "${part}" is not a table`);
        current = next;
      }
      continue;
    }
    const key = reader.key();
    reader.expect("=");
    assign(current, key, reader.value(), reader);
    if (!reader.atEnd()) reader.fail("unexpected text after the value");
  }
  return root;
}

/** More `[`/`{` than `]`/`}` outside strings and comments: the value goes on on the next line. */
function unbalanced(line: string): boolean {
  let depth = 0;
  let quote = "";
  for (let i = 0; i < line.length; i++) {
    const c = line.charAt(i);
    if (quote) {
      if (c === "\\" && quote === '"') i += 1;
      else if (c === quote) quote = "";
    } else if (c === '"' || c === "'") quote = c;
    else if (c === "#") break;
    else if (c === "[" || c === "{") depth += 1;
    else if (c === "]" || c === "}") depth -= 1;
  }
  return depth > 0;
}
