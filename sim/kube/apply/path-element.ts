// One step of a field path, as sigs.k8s.io/structured-merge-diff's fieldpath.PathElement: a field of a map or
// struct, the key fields of an item of an associative list, the value of an item of a set, or the index of an
// item of an atomic list. Its fieldsV1 spelling (`f:name`, `k:{"name":"web"}`, `v:"x"`, `i:0`) is
// fieldpath/serialize-pe.go's; its order and its `String()` (`.spec`, `[name="web"]`, `[=x]`, `[0]`) are
// fieldpath/element.go's.

/** A key field of an associative list item: its name and (scalar) value. */
export interface KeyField {
  name: string;
  value: unknown;
}

export type PathElement = { field: string } | { key: readonly KeyField[] } | { value: unknown } | { index: number };

export type Path = readonly PathElement[];

function rank(pe: PathElement): number {
  if ("field" in pe) return 0;
  if ("key" in pe) return 1;
  if ("value" in pe) return 2;
  return 3;
}

function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  // Go compares strings byte-wise (UTF-8). UTF-16 code units order the same way below the surrogates; past them,
  // compare the UTF-8 bytes.
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 || y >= 0xd800) return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
    return x - y;
  }
  return a.length - b.length;
}

function compareNumbers(a: number, b: number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** value.Compare: numbers, then strings, booleans, lists, maps, null. */
export function compareValues(a: unknown, b: unknown): number {
  const kind = (v: unknown): number => {
    if (typeof v === "number") return 0;
    if (typeof v === "string") return 1;
    if (typeof v === "boolean") return 2;
    if (Array.isArray(v)) return 3;
    if (v !== null && typeof v === "object") return 4;
    return 5;
  };
  const ka = kind(a);
  const kb = kind(b);
  if (ka !== kb) return ka - kb;
  switch (ka) {
    case 0:
      return compareNumbers(a as number, b as number);
    case 1:
      return compareStrings(a as string, b as string);
    case 2:
      return compareNumbers(Number(a), Number(b));
    case 3: {
      const la = a as unknown[];
      const lb = b as unknown[];
      for (let i = 0; i < Math.min(la.length, lb.length); i++) {
        const c = compareValues(la[i], lb[i]);
        if (c !== 0) return c;
      }
      return la.length - lb.length;
    }
    case 4: {
      const ea = Object.entries(a as Record<string, unknown>).sort(([x], [y]) => compareStrings(x, y));
      const eb = Object.entries(b as Record<string, unknown>).sort(([x], [y]) => compareStrings(x, y));
      for (let i = 0; i < Math.min(ea.length, eb.length); i++) {
        const [na, va] = ea[i] as [string, unknown];
        const [nb, vb] = eb[i] as [string, unknown];
        const c = compareStrings(na, nb) || compareValues(va, vb);
        if (c !== 0) return c;
      }
      return ea.length - eb.length;
    }
    default:
      return 0;
  }
}

/** PathElement.Compare: fields, then keys, values, indexes; within a kind by name, key fields, value, index. */
export function comparePathElements(a: PathElement, b: PathElement): number {
  const r = rank(a) - rank(b);
  if (r !== 0) return r;
  if ("field" in a) return compareStrings(a.field, (b as { field: string }).field);
  if ("key" in a) {
    const kb = (b as { key: readonly KeyField[] }).key;
    for (let i = 0; i < Math.min(a.key.length, kb.length); i++) {
      const x = a.key[i] as KeyField;
      const y = kb[i] as KeyField;
      const c = compareStrings(x.name, y.name) || compareValues(x.value, y.value);
      if (c !== 0) return c;
    }
    return a.key.length - kb.length;
  }
  if ("value" in a) return compareValues(a.value, (b as { value: unknown }).value);
  return compareNumbers(a.index, (b as { index: number }).index);
}

const HTML_SENSITIVE = /[<>&\u2028\u2029]/;

/** JSON as Go's encoding/json writes it (HTML-sensitive characters escaped), which fieldsV1 keys carry. */
export function goJson(value: unknown): string {
  const json = JSON.stringify(value);
  if (!HTML_SENSITIVE.test(json)) return json;
  return json
    .replace(/</g, "\\u003c")
    .replace(/>/g, "\\u003e")
    .replace(/&/g, "\\u0026")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

// Path elements are compared and stored by their key over and over while sets are built: each is written once.
const serialized = new WeakMap<PathElement, string>();

/** The fieldsV1 key of a path element (SerializePathElement). Key fields are written sorted by name. */
export function serializePathElement(pe: PathElement): string {
  if ("field" in pe) return `f:${pe.field}`;
  let text = serialized.get(pe);
  if (text === undefined) {
    text = serializeUncached(pe);
    serialized.set(pe, text);
  }
  return text;
}

function serializeUncached(pe: PathElement): string {
  if ("field" in pe) return `f:${pe.field}`;
  if ("key" in pe) {
    const object: Record<string, unknown> = {};
    for (const k of sortKeyFields(pe.key)) object[k.name] = k.value;
    return `k:${goJson(object)}`;
  }
  if ("value" in pe) return `v:${goJson(pe.value)}`;
  return `i:${pe.index}`;
}

/** DeserializePathElement; throws on a malformed key. */
export function parsePathElement(text: string): PathElement {
  if (text.length < 2 || text[1] !== ":") throw new Error(`invalid path element "${text}": missing colon`);
  const body = text.slice(2);
  switch (text[0]) {
    case "f":
      return { field: body };
    case "v":
      return { value: parseJson(body, text) };
    case "i": {
      if (!/^-?\d+$/.test(body.trim())) throw new Error(`invalid path element "${text}": not an index`);
      return { index: Number(body) };
    }
    case "k": {
      const object = parseJson(body, text);
      if (object === null || typeof object !== "object" || Array.isArray(object))
        throw new Error(`invalid path element "${text}": the key is not a JSON object`);
      return {
        key: sortKeyFields(Object.entries(object as Record<string, unknown>).map(([name, value]) => ({ name, value }))),
      };
    }
    default:
      throw new Error(`invalid path element "${text}": unknown type "${text[0]}"`);
  }
}

function parseJson(body: string, text: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    throw new Error(`invalid path element "${text}": not JSON`);
  }
}

export function sortKeyFields(fields: readonly KeyField[]): KeyField[] {
  return [...fields].sort((a, b) => compareStrings(a.name, b.name));
}

/** A scalar as value.ToString writes it in a path: strings quoted, others as JSON. */
function valueString(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  return JSON.stringify(value) ?? "null";
}

/** PathElement.String(). */
export function pathElementString(pe: PathElement): string {
  if ("field" in pe) return `.${pe.field}`;
  if ("key" in pe) return `[${pe.key.map((k) => `${k.name}=${valueString(k.value)}`).join(",")}]`;
  if ("value" in pe) return `[=${valueString(pe.value)}]`;
  return `[${pe.index}]`;
}

/** Path.String(): `.spec.template.spec.containers[name="web"].image`. */
export function pathString(path: Path): string {
  return path.map(pathElementString).join("");
}
