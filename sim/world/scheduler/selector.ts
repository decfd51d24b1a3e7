/**
 * Label selectors as k8s.io/apimachinery/pkg/labels evaluates them. A selector is a list of requirements that
 * must all hold, or `nothing` (`labels.Nothing()`, what a missing metav1.LabelSelector becomes).
 *
 * `empty` mirrors `Selector.Empty()`: true only for a selector with no requirements (`labels.Everything()`), never
 * for `nothing`. Several plugins branch on it (a spread constraint with an empty selector counts no pods).
 */
import type { LabelSelector } from "../objects.ts";
import { SchedulerInputError } from "./input-error.ts";
import { isQualifiedName, isValidLabelValue } from "./label-syntax.ts";

export type SelectorOperator = "In" | "NotIn" | "Exists" | "DoesNotExist" | "Gt" | "Lt";

export interface Requirement {
  readonly key: string;
  readonly operator: SelectorOperator;
  readonly values: readonly string[];
}

export interface Selector {
  /** undefined: `labels.Nothing()`, which matches no label set. */
  readonly requirements: readonly Requirement[] | undefined;
}

export type Labels = Readonly<Record<string, string>> | undefined;

export const NOTHING: Selector = Object.freeze({ requirements: undefined });
export const EVERYTHING: Selector = Object.freeze({ requirements: Object.freeze([]) });

export function isEmptySelector(selector: Selector): boolean {
  return selector.requirements !== undefined && selector.requirements.length === 0;
}

/** `labels.SelectorFromSet`: one equality requirement per label. */
export function selectorFromSet(set: Readonly<Record<string, string>>): Selector {
  const requirements = Object.keys(set)
    .sort()
    .map((key) => ({ key, operator: "In" as const, values: [set[key] ?? ""] }));
  return { requirements };
}

/** `Selector.Add`: the selector with more requirements; adding to `nothing` leaves it `nothing`. */
export function addRequirements(selector: Selector, more: readonly Requirement[]): Selector {
  if (selector.requirements === undefined) return selector;
  return { requirements: [...selector.requirements, ...more] };
}

/** `metav1.LabelSelectorAsSelector`: a missing selector selects nothing, `{}` everything. */
export function labelSelectorAsSelector(selector: LabelSelector | null | undefined, where: string): Selector {
  if (selector === undefined || selector === null) return NOTHING;
  const requirements: Requirement[] = [];
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    requirements.push(newRequirement(key, "In", [value], `${where}.matchLabels[${key}]`));
  }
  (selector.matchExpressions ?? []).forEach((expression, index) => {
    const operator = expression.operator as string;
    if (!["In", "NotIn", "Exists", "DoesNotExist"].includes(operator)) {
      throw new SchedulerInputError(
        `${where}.matchExpressions[${index}].operator: "${operator}" is not a valid label selector operator`,
      );
    }
    requirements.push(
      newRequirement(
        expression.key,
        operator as SelectorOperator,
        expression.values ?? [],
        `${where}.matchExpressions[${index}]`,
      ),
    );
  });
  return { requirements };
}

/** `labels.NewRequirement`'s checks of the values each operator takes. */
export function newRequirement(
  key: string,
  operator: SelectorOperator,
  values: readonly string[],
  where: string,
): Requirement {
  if (typeof key !== "string" || !isQualifiedName(key)) {
    throw new SchedulerInputError(`${where}.key: "${String(key)}" is not a valid label key`);
  }
  if ((operator === "In" || operator === "NotIn") && values.length === 0) {
    throw new SchedulerInputError(`${where}.values: must be specified for operator ${operator}`);
  }
  if ((operator === "Exists" || operator === "DoesNotExist") && values.length !== 0) {
    throw new SchedulerInputError(`${where}.values: must be empty for operator ${operator}`);
  }
  if (operator === "Gt" || operator === "Lt") {
    if (values.length !== 1 || parseInteger(values[0]) === undefined) {
      throw new SchedulerInputError(`${where}.values: operator ${operator} takes exactly one integer value`);
    }
  }
  values.forEach((value, index) => {
    if (!isValidLabelValue(value)) {
      throw new SchedulerInputError(`${where}.values[${index}]: "${value}" is not a valid label value`);
    }
  });
  return { key, operator, values: [...values] };
}

export function matchesSelector(selector: Selector, labels: Labels): boolean {
  if (selector.requirements === undefined) return false;
  return selector.requirements.every((requirement) => matchesRequirement(requirement, labels));
}

/** `Requirement.Matches`: NotIn and DoesNotExist hold for a missing label; Gt/Lt compare base-10 integers. */
export function matchesRequirement(requirement: Requirement, labels: Labels): boolean {
  const has = labels !== undefined && Object.hasOwn(labels, requirement.key);
  const value = has ? labels[requirement.key] : undefined;
  switch (requirement.operator) {
    case "In":
      return has && requirement.values.includes(value ?? "");
    case "NotIn":
      return !has || !requirement.values.includes(value ?? "");
    case "Exists":
      return has;
    case "DoesNotExist":
      return !has;
    case "Gt":
    case "Lt": {
      if (!has) return false;
      const actual = parseInteger(value);
      const bound = parseInteger(requirement.values[0]);
      if (actual === undefined || bound === undefined) return false;
      return requirement.operator === "Gt" ? actual > bound : actual < bound;
    }
  }
}

/** strconv.ParseInt(s, 10, 64). */
function parseInteger(text: string | undefined): bigint | undefined {
  if (text === undefined || !/^[+-]?\d+$/.test(text)) return undefined;
  const value = BigInt(text);
  return value >= -(2n ** 63n) && value < 2n ** 63n ? value : undefined;
}
