/**
 * A metav1.LabelSelector against a pod's labels, as a PodDisruptionBudget selects its pods
 * (k8s.io/apimachinery labels.SelectorFromSet and LabelSelectorAsSelector): matchLabels and matchExpressions
 * ANDed; an empty selector matches every pod, an absent one none (policy/v1). A selector that cannot be read
 * matches nothing, and `selectorProblem` says why, so the planner reports it instead of guessing.
 */
import { isRecord } from "../../api/index.ts";

interface Expression {
  key: string;
  operator: string;
  values?: string[];
}

export function selectorProblem(selector: unknown): string | undefined {
  if (selector === undefined || selector === null) return undefined;
  if (!isRecord(selector)) return "selector is not an object";
  const { matchLabels, matchExpressions } = selector;
  if (matchLabels !== undefined && (!isRecord(matchLabels) || Object.values(matchLabels).some(notString)))
    return "selector.matchLabels is not a map of strings";
  if (matchExpressions === undefined) return undefined;
  if (!Array.isArray(matchExpressions)) return "selector.matchExpressions is not a list";
  for (const [index, e] of matchExpressions.entries()) {
    const where = `selector.matchExpressions[${index}]`;
    if (!isRecord(e) || typeof e["key"] !== "string") return `${where}.key is missing`;
    const values = e["values"] ?? [];
    if (!Array.isArray(values) || values.some(notString)) return `${where}.values is not a list of strings`;
    if (!["In", "NotIn", "Exists", "DoesNotExist"].includes(String(e["operator"])))
      return `${where}.operator ${JSON.stringify(e["operator"])} is not In, NotIn, Exists or DoesNotExist`;
  }
  return undefined;
}

const notString = (value: unknown) => typeof value !== "string";

export function selectorMatches(selector: unknown, labels: Readonly<Record<string, string>>): boolean {
  if (selector === undefined || selector === null || selectorProblem(selector) !== undefined) return false;
  const { matchLabels, matchExpressions } = selector as {
    matchLabels?: Record<string, string>;
    matchExpressions?: Expression[];
  };
  for (const [key, value] of Object.entries(matchLabels ?? {})) if (labels[key] !== value) return false;
  return (matchExpressions ?? []).every((e) => expressionMatches(e, labels));
}

function expressionMatches(e: Expression, labels: Readonly<Record<string, string>>): boolean {
  const value = Object.hasOwn(labels, e.key) ? labels[e.key] : undefined;
  const values = e.values ?? [];
  switch (e.operator) {
    case "In":
      return value !== undefined && values.includes(value);
    case "NotIn":
      return value === undefined || !values.includes(value);
    case "Exists":
      return value !== undefined;
    default:
      return value === undefined;
  }
}
