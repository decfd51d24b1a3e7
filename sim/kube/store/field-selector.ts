// Field selectors (k8s.io/apimachinery/pkg/fields: ParseSelector): `key=value`, `key==value`, `key!=value`, ANDed
// with commas, with `\,` `\=` `\\` escapes. Which fields a kind supports is the kind's business (its
// GetAttrs/SelectableFields); asking for another one is a 400, as on a real server.
import { badRequest } from "./status.ts";

export interface FieldRequirement {
  field: string;
  operator: "=" | "!=";
  value: string;
}

export type FieldSelector = readonly FieldRequirement[];

export function parseFieldSelector(text: string): FieldSelector {
  const out: FieldRequirement[] = [];
  for (const part of splitUnescaped(text, ",")) {
    if (part.trim() === "") continue;
    const match = findOperator(part);
    if (!match) throw badRequest(`invalid selector: '${text}'; can't understand '${part}'`);
    const [index, op] = match;
    out.push({
      field: unescape(part.slice(0, index)).trim(),
      operator: op === "!=" ? "!=" : "=",
      value: unescape(part.slice(index + op.length)),
    });
  }
  return out;
}

function splitUnescaped(text: string, sep: string): string[] {
  const parts: string[] = [];
  let current = "";
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === "\\" && i + 1 < text.length) {
      current += c + (text[i + 1] as string);
      i++;
    } else if (c === sep) {
      parts.push(current);
      current = "";
    } else {
      current += c;
    }
  }
  parts.push(current);
  return parts;
}

function findOperator(part: string): [number, string] | undefined {
  for (let i = 0; i < part.length; i++) {
    const c = part[i];
    if (c === "\\") {
      i++;
      continue;
    }
    if (part.startsWith("!=", i)) return [i, "!="];
    if (part.startsWith("==", i)) return [i, "=="];
    if (c === "=") return [i, "="];
  }
  return undefined;
}

function unescape(text: string): string {
  return text.replace(/\\(.)/g, "$1");
}

/** The selectable fields' values of one object (a kind's GetAttrs), compared as strings. */
export type FieldSet = Readonly<Record<string, string>>;

export function matchesFields(selector: FieldSelector, fields: FieldSet): boolean {
  return selector.every((r) => {
    const value = fields[r.field] ?? "";
    return r.operator === "=" ? value === r.value : value !== r.value;
  });
}
