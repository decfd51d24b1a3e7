/**
 * A pod label selector (metav1.LabelSelector) as topology spread, pod (anti-)affinity and a PodDisruptionBudget read
 * it (`metav1.LabelSelectorAsSelector`): matchLabels and matchExpressions all hold; a missing selector selects
 * nothing, `{}` everything. Compiled once per term; `canonical` identifies equal selectors so pods share topology
 * groups. One implementation for provisioning and disruption.
 */
import { ValueError } from "../api/index.ts";
import { matchesAll, type NodeSelectorRequirement } from "./requirements.ts";

export interface LabelSelector {
  /** Sorted by key, then operator, then values: equal selectors have equal canonical forms. */
  readonly canonical: string;
  matches(labels: Readonly<Record<string, string>>): boolean;
}

const SELECTOR_OPERATORS: ReadonlySet<string> = new Set(["In", "NotIn", "Exists", "DoesNotExist"]);

export const SELECTS_NOTHING: LabelSelector = { canonical: "<nothing>", matches: () => false };

interface LabelSelectorShape {
  readonly matchLabels?: unknown;
  readonly matchExpressions?: unknown;
}

/** Throws ValueError naming `where` and the field when the selector is malformed. */
export function labelSelector(input: unknown, where: string): LabelSelector {
  if (input === undefined || input === null) return SELECTS_NOTHING;
  if (typeof input !== "object" || Array.isArray(input)) throw new ValueError(`${where}: expected an object`, input);
  const shape = input as LabelSelectorShape;
  const requirements: NodeSelectorRequirement[] = [];
  const matchLabels = shape.matchLabels ?? {};
  if (typeof matchLabels !== "object" || matchLabels === null || Array.isArray(matchLabels)) {
    throw new ValueError(`${where}.matchLabels: expected a map of label values`, matchLabels);
  }
  for (const [key, value] of Object.entries(matchLabels)) {
    if (typeof value !== "string") throw new ValueError(`${where}.matchLabels.${key}: expected a string`, value);
    requirements.push({ key, operator: "In", values: [value] });
  }
  const expressions = shape.matchExpressions ?? [];
  if (!Array.isArray(expressions)) throw new ValueError(`${where}.matchExpressions: expected a list`, expressions);
  expressions.forEach((expression: { key?: unknown; operator?: unknown; values?: unknown }, index) => {
    const path = `${where}.matchExpressions[${index}]`;
    const { key, operator, values = [] } = expression ?? {};
    if (typeof key !== "string" || key === "") throw new ValueError(`${path}.key: expected a label key`, key);
    if (typeof operator !== "string" || !SELECTOR_OPERATORS.has(operator)) {
      throw new ValueError(
        `${path}.operator: "${String(operator)}" is not In, NotIn, Exists or DoesNotExist`,
        operator,
      );
    }
    if (!Array.isArray(values) || values.some((v) => typeof v !== "string")) {
      throw new ValueError(`${path}.values: expected a list of strings`, values);
    }
    requirements.push({ key, operator: operator as NodeSelectorRequirement["operator"], values: values as string[] });
  });
  const canonical = requirements
    .map((r) => `${r.key} ${r.operator} ${[...(r.values ?? [])].sort().join(",")}`)
    .sort()
    .join(";");
  return { canonical, matches: (labels) => matchesAll(requirements, labels) };
}
