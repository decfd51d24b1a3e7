// The JSONPath subset CRD printer columns use (k8s.io/client-go/util/jsonpath as the CRD table convertor runs
// it): `.a.b`, escaped dots (`.metadata.labels.karpenter\.sh/nodepool`), `[n]`, `[*]` and filters
// `[?(@.type=="Ready")]`. Missing keys yield nothing rather than an error.
import { isRecord } from "../../../api/index.ts";

type Step =
  | { field: string }
  | { index: number }
  | { all: true }
  | { filter: { path: string[]; op: "==" | "!="; value: string } };

export function parseJsonPath(path: string): Step[] {
  const text = path.replace(/^\{|\}$/g, "");
  const steps: Step[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === ".") {
      i++;
      let name = "";
      while (i < text.length && text[i] !== "." && text[i] !== "[") {
        if (text[i] === "\\" && i + 1 < text.length) {
          name += text[i + 1];
          i += 2;
        } else {
          name += text[i];
          i++;
        }
      }
      if (name !== "") steps.push({ field: name });
    } else if (c === "[") {
      const end = text.indexOf("]", i);
      if (end < 0) throw new Error(`unclosed [ in ${path}`);
      const inner = text.slice(i + 1, end);
      i = end + 1;
      if (inner === "*") steps.push({ all: true });
      else if (/^-?\d+$/.test(inner)) steps.push({ index: Number(inner) });
      else {
        const m = /^\?\(@((?:\.[A-Za-z0-9_-]+)+)\s*(==|!=)\s*["']?([^"']*)["']?\)$/.exec(inner);
        if (!m) throw new Error(`unsupported JSONPath filter ${inner} in ${path}`);
        steps.push({
          filter: { path: (m[1] as string).slice(1).split("."), op: m[2] as "==" | "!=", value: m[3] as string },
        });
      }
    } else {
      throw new Error(`unexpected ${c} in JSONPath ${path}`);
    }
  }
  return steps;
}

/** The values the path selects, in order. */
export function evaluateJsonPath(steps: readonly Step[], root: unknown): unknown[] {
  let current: unknown[] = [root];
  for (const step of steps) {
    const next: unknown[] = [];
    for (const value of current) {
      if ("field" in step) {
        if (isRecord(value) && step.field in value) next.push(value[step.field]);
      } else if ("index" in step) {
        if (Array.isArray(value)) {
          const item = value.at(step.index);
          if (item !== undefined) next.push(item);
        }
      } else if ("all" in step) {
        if (Array.isArray(value)) next.push(...value);
        else if (isRecord(value)) next.push(...Object.values(value));
      } else if (Array.isArray(value)) {
        for (const item of value) {
          let probe: unknown = item;
          for (const key of step.filter.path) probe = isRecord(probe) ? probe[key] : undefined;
          const equal = probe !== undefined && String(probe) === step.filter.value;
          if (step.filter.op === "==" ? equal : probe !== undefined && !equal) next.push(item);
        }
      }
    }
    current = next;
  }
  return current;
}
