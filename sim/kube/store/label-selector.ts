// Label selectors as the API server parses and matches them (k8s.io/apimachinery/pkg/labels: Parse and
// LabelSelectorAsSelector): equality (`a=b`, `a==b`, `a!=b`), sets (`a in (x,y)`, `a notin (x)`), existence
// (`a`, `!a`) and the numeric `a>1`, `a<1`. Requirements are ANDed; an empty selector matches everything.
import { badRequest } from "./status.ts";

export type LabelOperator = "=" | "!=" | "in" | "notin" | "exists" | "!" | "gt" | "lt";

export interface LabelRequirement {
  key: string;
  operator: LabelOperator;
  values: string[];
}

export type LabelSelector = readonly LabelRequirement[];

const keyPattern =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const valuePattern = /^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/;

/** Parses a `labelSelector` query value; throws a 400 ApiError with the parser's words on bad input. */
export function parseLabelSelector(text: string): LabelSelector {
  const tokens = tokenize(text);
  const requirements: LabelRequirement[] = [];
  let i = 0;
  const peek = (): string | undefined => tokens[i];
  const next = (): string | undefined => tokens[i++];
  const fail = (why: string): never => {
    throw badRequest(`unable to parse requirement: ${why}`);
  };
  while (i < tokens.length) {
    let operator: LabelOperator | undefined;
    let key = next();
    if (key === "!") {
      operator = "!";
      key = next();
    }
    if (key === undefined || isOperatorToken(key)) fail(`found '${key ?? ""}', expected: identifier`);
    const k = key as string;
    validateKey(k);
    if (operator === "!") {
      requirements.push({ key: k, operator: "!", values: [] });
    } else {
      const op = peek();
      if (op === undefined || op === ",") {
        requirements.push({ key: k, operator: "exists", values: [] });
      } else if (op === "=" || op === "==" || op === "!=") {
        next();
        const value = peek() === undefined || peek() === "," ? "" : (next() as string);
        if (isOperatorToken(value)) fail(`found '${value}', expected: identifier`);
        validateValue(value);
        requirements.push({ key: k, operator: op === "!=" ? "!=" : "=", values: [value] });
      } else if (op === "in" || op === "notin") {
        next();
        if (next() !== "(") fail(`found '${tokens[i - 1] ?? ""}', expected: '('`);
        // The values between the parentheses, split at commas; an empty segment is the empty value.
        const values: string[] = [""];
        for (;;) {
          const t = next();
          if (t === ")") break;
          if (t === undefined) fail("found '', expected: ')'");
          if (t === ",") values.push("");
          else if (values[values.length - 1] === "") values[values.length - 1] = t as string;
          else fail(`found '${t as string}', expected: ',' or ')'`);
        }
        values.forEach(validateValue);
        requirements.push({ key: k, operator: op, values });
      } else if (op === ">" || op === "<") {
        next();
        const value = next() ?? "";
        if (!/^-?\d+$/.test(value)) fail(`for 'Gt', 'Lt' operators, the value must be an integer`);
        requirements.push({ key: k, operator: op === ">" ? "gt" : "lt", values: [value] });
      } else {
        fail(`found '${op}', expected: in, notin, =, ==, !=, gt, lt`);
      }
    }
    const sep = next();
    if (sep !== undefined && sep !== ",") fail(`found '${sep}', expected: ',' or 'end of string'`);
  }
  return requirements;
}

function isOperatorToken(t: string): boolean {
  return ["=", "==", "!=", "(", ")", ",", "!", ">", "<"].includes(t);
}

function validateKey(key: string): void {
  if (!keyPattern.test(key) || key.length > 316) {
    throw badRequest(
      `unable to parse requirement: invalid label key "${key}": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`,
    );
  }
}

function validateValue(value: string): void {
  if (!valuePattern.test(value)) {
    throw badRequest(
      `unable to parse requirement: invalid label value: "${value}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`,
    );
  }
}

function tokenize(text: string): string[] {
  const tokens: string[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (c === " " || c === "\t") {
      i++;
    } else if (c === "(" || c === ")" || c === ",") {
      tokens.push(c);
      i++;
    } else if (c === "=" || c === "!" || c === ">" || c === "<") {
      const two = text.slice(i, i + 2);
      if (two === "==" || two === "!=") {
        tokens.push(two);
        i += 2;
      } else {
        tokens.push(c);
        i++;
      }
    } else {
      let j = i;
      while (j < text.length && !" \t(),=!<>".includes(text[j] as string)) j++;
      tokens.push(text.slice(i, j));
      i = j;
    }
  }
  return tokens;
}

/** Whether `labels` satisfy every requirement (Requirement.Matches). */
export function matchesLabels(selector: LabelSelector, labels: Record<string, string> | undefined): boolean {
  const set = labels ?? {};
  return selector.every((r) => {
    const has = Object.hasOwn(set, r.key);
    const value = set[r.key];
    switch (r.operator) {
      case "=":
        return has && value === r.values[0];
      case "!=":
        return !has || value !== r.values[0];
      case "in":
        return has && r.values.includes(value as string);
      case "notin":
        return !has || !r.values.includes(value as string);
      case "exists":
        return has;
      case "!":
        return !has;
      case "gt":
      case "lt": {
        if (!has || !/^-?\d+$/.test(value as string)) return false;
        const n = BigInt(value as string);
        const bound = BigInt(r.values[0] as string);
        return r.operator === "gt" ? n > bound : n < bound;
      }
    }
  });
}

/** A metav1.LabelSelector (matchLabels + matchExpressions) as requirements; null/undefined selects nothing. */
export function fromLabelSelectorObject(selector: unknown): LabelSelector | undefined {
  if (selector === null || selector === undefined || typeof selector !== "object") return undefined;
  const s = selector as {
    matchLabels?: Record<string, string>;
    matchExpressions?: { key: string; operator: string; values?: string[] }[];
  };
  const out: LabelRequirement[] = [];
  for (const [key, value] of Object.entries(s.matchLabels ?? {})) out.push({ key, operator: "=", values: [value] });
  for (const e of s.matchExpressions ?? []) {
    const operator = (
      { In: "in", NotIn: "notin", Exists: "exists", DoesNotExist: "!" } as Record<string, LabelOperator>
    )[e.operator];
    if (!operator) throw badRequest(`"${e.operator}" is not a valid label selector operator`);
    out.push({ key: e.key, operator, values: e.values ?? [] });
  }
  return out;
}
