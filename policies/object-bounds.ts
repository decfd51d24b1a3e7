// How large an object poolkeeper judges. The rules' work grows with the lists they read (requirement values,
// taints, budgets, selector terms, block devices, limits, tags); past these bounds no object is a working Karpenter
// object, and judging it would let one admission review or one file of a pull request occupy the engine. The
// `schema.object-bounds` rule denies such an object, naming the field and the bound; the other rules (all but the
// schema family) do not run on an object past the default bounds at all. And whatever the object, a rule lists at
// most MAX_VIOLATIONS findings for it: a report of 200,000 findings helps nobody (and overflowed the engine's stack).
import { isRecord, type FieldPath } from "../api/index.ts";
import type { AnyRule, RuleContext, Violation } from "./rule.ts";
import type { PolicyTarget } from "./target.ts";

export interface ObjectBounds {
  /** NodePool `spec.template.spec.requirements` (the CRD's maxItems). */
  requirements: number;
  /** `values` of one requirement. */
  requirementValues: number;
  /** NodePool `taints`, and `startupTaints`, each. */
  taints: number;
  /** NodePool `spec.disruption.budgets` (the CRD's maxItems). */
  budgets: number;
  /** Resources in NodePool `spec.limits`. */
  limits: number;
  /** Each of an EC2NodeClass's subnet, security group, AMI and capacity reservation selector term lists (the CRD's maxItems). */
  selectorTerms: number;
  /** EC2NodeClass `blockDeviceMappings` (the CRD's maxItems). */
  blockDeviceMappings: number;
  /** Keys of EC2NodeClass `spec.tags`. */
  tags: number;
}

/** The most poolkeeper judges; a policy may set lower bounds, not higher ones. */
export const DEFAULT_OBJECT_BOUNDS: Readonly<ObjectBounds> = Object.freeze({
  requirements: 100,
  requirementValues: 2000,
  taints: 1000,
  budgets: 50,
  limits: 100,
  selectorTerms: 30,
  blockDeviceMappings: 50,
  tags: 50,
});

/** One list or map of an object, and how many entries it has. */
interface Measured {
  readonly path: FieldPath;
  readonly size: number;
}

interface BoundedField {
  readonly param: keyof ObjectBounds;
  readonly kind: "NodePool" | "EC2NodeClass";
  /** What is counted, plural (`values`, `taints`). */
  readonly noun: string;
  /** Whose bound it is, for the message (`a requirement`). */
  readonly holder: string;
  readonly hint: string;
  measure(object: Record<string, unknown>): Measured[];
}

function at(object: unknown, path: readonly string[]): unknown {
  let value = object;
  for (const segment of path) value = isRecord(value) ? value[segment] : undefined;
  return value;
}

function listSize(object: Record<string, unknown>, path: readonly string[]): Measured[] {
  const value = at(object, path);
  return Array.isArray(value) ? [{ path: [...path], size: value.length }] : [];
}

function mapSize(object: Record<string, unknown>, path: readonly string[]): Measured[] {
  const value = at(object, path);
  return isRecord(value) ? [{ path: [...path], size: Object.keys(value).length }] : [];
}

const REQUIREMENTS = ["spec", "template", "spec", "requirements"];

export const BOUNDED_FIELDS: readonly BoundedField[] = [
  {
    param: "requirements",
    kind: "NodePool",
    noun: "requirements",
    holder: "a NodePool",
    hint: "merge the requirements on the same key",
    measure: (object) => listSize(object, REQUIREMENTS),
  },
  {
    param: "requirementValues",
    kind: "NodePool",
    noun: "values",
    holder: "a requirement",
    hint: "list fewer values: select instance types by family, category or size rather than one by one",
    measure(object) {
      const list = at(object, REQUIREMENTS);
      if (!Array.isArray(list)) return [];
      return list.flatMap((requirement: unknown, index): Measured[] =>
        isRecord(requirement) && Array.isArray(requirement.values)
          ? [{ path: [...REQUIREMENTS, index, "values"], size: requirement.values.length }]
          : [],
      );
    },
  },
  {
    param: "taints",
    kind: "NodePool",
    noun: "taints",
    holder: "a taint list",
    hint: "keep a few taints: Karpenter passes them to the kubelet in the node's user data, which EC2 limits to 16 KB",
    measure: (object) => [
      ...listSize(object, ["spec", "template", "spec", "taints"]),
      ...listSize(object, ["spec", "template", "spec", "startupTaints"]),
    ],
  },
  {
    param: "budgets",
    kind: "NodePool",
    noun: "budgets",
    holder: "a NodePool",
    hint: "merge budgets that share a schedule",
    measure: (object) => listSize(object, ["spec", "disruption", "budgets"]),
  },
  {
    param: "limits",
    kind: "NodePool",
    noun: "resources",
    holder: "spec.limits",
    hint: "limit the resources the pool is meant to be bounded by: cpu, memory, nodes, an accelerator",
    measure: (object) => mapSize(object, ["spec", "limits"]),
  },
  {
    param: "selectorTerms",
    kind: "EC2NodeClass",
    noun: "terms",
    holder: "a selector term list",
    hint: "select by a shared tag rather than one term per resource",
    measure: (object) =>
      [
        "subnetSelectorTerms",
        "securityGroupSelectorTerms",
        "amiSelectorTerms",
        "capacityReservationSelectorTerms",
      ].flatMap((field) => listSize(object, ["spec", field])),
  },
  {
    param: "blockDeviceMappings",
    kind: "EC2NodeClass",
    noun: "block device mappings",
    holder: "an EC2NodeClass",
    hint: "map only the volumes the nodes need",
    measure: (object) => listSize(object, ["spec", "blockDeviceMappings"]),
  },
  {
    param: "tags",
    kind: "EC2NodeClass",
    noun: "tags",
    holder: "spec.tags",
    hint: "EC2 accepts at most 50 tags on a resource, Karpenter's own included: keep the tags cost and ownership need",
    measure: (object) => mapSize(object, ["spec", "tags"]),
  },
];

export interface Excess {
  readonly field: BoundedField;
  readonly path: FieldPath;
  readonly size: number;
  readonly bound: number;
}

/** The lists and maps of the object larger than `bounds` allows; linear in the number of lists, not their sizes. */
export function excesses(target: PolicyTarget, bounds: Readonly<ObjectBounds>): Excess[] {
  const out: Excess[] = [];
  for (const field of BOUNDED_FIELDS) {
    if (field.kind !== target.kind) continue;
    const bound = bounds[field.param];
    for (const { path, size } of field.measure(target.object)) {
      if (size > bound) out.push({ field, path, size, bound });
    }
  }
  return out;
}

const within = new WeakMap<PolicyTarget, boolean>();
// The engine runs every rule on one target before the next: the last answer saves a lookup per rule. Held only
// until the running evaluation yields (a microtask forgets it), so it never keeps a judged review alive; a
// WeakRef's deref on every rule call cost more than the lookup it saves.
let lastTarget: PolicyTarget | undefined;
let lastAnswer = false;
let forgetting = false;
const forgetLast = () => {
  lastTarget = undefined;
  forgetting = false;
};

/** Whether the object is within the default bounds, the most any policy lets poolkeeper judge. */
export function withinObjectBounds(target: PolicyTarget): boolean {
  if (lastTarget === target) return lastAnswer;
  let answer = within.get(target);
  if (answer === undefined) {
    answer = excesses(target, DEFAULT_OBJECT_BOUNDS).length === 0;
    within.set(target, answer);
  }
  lastTarget = target;
  lastAnswer = answer;
  if (!forgetting) {
    forgetting = true;
    queueMicrotask(forgetLast);
  }
  return answer;
}

/** The most findings one rule lists for one object; one more finding says how many were left out. */
export const MAX_VIOLATIONS = 1000;

/**
 * The rule as the engine runs it: not on an object past the default bounds (unless it is of the schema family,
 * which says why nothing else is reported), and listing at most MAX_VIOLATIONS findings per object.
 */
export function judgedWithinBounds(rule: AnyRule): AnyRule {
  // The wrapper hands its target on untouched, so it reads whichever view the rule it wraps declares.
  const inner = rule.check as (target: PolicyTarget, context: RuleContext<unknown>) => Violation[];
  const check = (target: PolicyTarget, context: RuleContext<unknown>): Violation[] => {
    if (rule.family !== "schema" && !withinObjectBounds(target)) return [];
    return atMostListed(rule.id, inner(target, context));
  };
  return { ...rule, check } as AnyRule;
}

function atMostListed(id: string, violations: Violation[]): Violation[] {
  if (violations.length <= MAX_VIOLATIONS) return violations;
  const first = violations[MAX_VIOLATIONS] as Violation;
  const more = (violations.length - MAX_VIOLATIONS).toLocaleString("en-US");
  return [
    ...violations.slice(0, MAX_VIOLATIONS),
    {
      path: first.path,
      message: `${more} more ${id} findings on this object, from here on, are not listed one by one (the first ${MAX_VIOLATIONS.toLocaleString("en-US")} are).`,
      hint: "fix the findings listed: the rest are most likely the same mistake repeated",
    },
  ];
}
