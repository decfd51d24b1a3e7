/**
 * A pod's topology terms as Karpenter's topology reads them (core:pkg/controllers/provisioning/scheduling/
 * topology.go `newForTopologies`, `newForAffinities`): topology spread constraints (with `matchLabelKeys` folded into
 * the selector, as the API server and Karpenter do), pod affinity and anti-affinity terms, required and preferred.
 * Throws ValueError naming the pod and field for a malformed term.
 */
import { ValueError } from "../../api/index.ts";
import { labelSelector, type LabelSelector } from "../../scheduling/index.ts";

export type AffinityKind = "affinity" | "anti-affinity";

export interface PodAffinityTerm {
  readonly kind: AffinityKind;
  readonly topologyKey: string;
  readonly selector: LabelSelector;
  /** Listed namespaces; with neither these nor a namespace selector, the pod's own. */
  readonly namespaces: readonly string[];
  readonly namespaceSelector: LabelSelector | undefined;
  /** Preferred terms' weight; undefined for required terms. */
  readonly weight: number | undefined;
}

export type NodeInclusionPolicy = "Honor" | "Ignore";

export interface TopologySpread {
  readonly topologyKey: string;
  readonly maxSkew: number;
  readonly minDomains: number | undefined;
  /** `whenUnsatisfiable: DoNotSchedule`; ScheduleAnyway spreads are preferences, relaxed when they cannot be met. */
  readonly required: boolean;
  readonly selector: LabelSelector;
  readonly nodeAffinityPolicy: NodeInclusionPolicy;
  readonly nodeTaintsPolicy: NodeInclusionPolicy;
}

type Json = Record<string, unknown>;

export function topologySpreads(spec: Json, labels: Readonly<Record<string, string>>, where: string): TopologySpread[] {
  return list(spec["topologySpreadConstraints"], `${where} spec.topologySpreadConstraints`).map(([raw, path]) => {
    const topologyKey = requiredString(raw["topologyKey"], `${path}.topologyKey`);
    const maxSkew = positiveInteger(raw["maxSkew"], `${path}.maxSkew`);
    const minDomains =
      raw["minDomains"] === undefined ? undefined : positiveInteger(raw["minDomains"], `${path}.minDomains`);
    const when = raw["whenUnsatisfiable"];
    if (when !== "DoNotSchedule" && when !== "ScheduleAnyway") {
      throw new ValueError(`${path}.whenUnsatisfiable: expected DoNotSchedule or ScheduleAnyway`, when);
    }
    // matchLabelKeys: each key's value on this pod is AND-ed into the selector (Karpenter and kube-scheduler).
    const selectorInput = (raw["labelSelector"] ?? undefined) as Json | undefined;
    const extra = list(raw["matchLabelKeys"] ?? [], `${path}.matchLabelKeys`, true).flatMap(([key]) => {
      const value = labels[key as unknown as string];
      return value === undefined ? [] : [{ key: key as unknown as string, operator: "In", values: [value] }];
    });
    const merged =
      selectorInput === undefined || extra.length === 0
        ? selectorInput
        : {
            ...selectorInput,
            matchExpressions: [...((selectorInput["matchExpressions"] as unknown[]) ?? []), ...extra],
          };
    return {
      topologyKey,
      maxSkew,
      minDomains,
      required: when === "DoNotSchedule",
      selector: labelSelector(merged, `${path}.labelSelector`),
      nodeAffinityPolicy: policy(raw["nodeAffinityPolicy"], "Honor", `${path}.nodeAffinityPolicy`),
      nodeTaintsPolicy: policy(raw["nodeTaintsPolicy"], "Ignore", `${path}.nodeTaintsPolicy`),
    };
  });
}

/** Required terms first, then preferred ones heaviest first (a stable sort, as Karpenter's relaxation sorts them). */
export function podAffinityTerms(spec: Json, where: string): PodAffinityTerm[] {
  const affinity = (spec["affinity"] ?? {}) as Json;
  const terms: PodAffinityTerm[] = [];
  for (const [field, kind] of [
    ["podAffinity", "affinity"],
    ["podAntiAffinity", "anti-affinity"],
  ] as const) {
    const block = (affinity[field] ?? {}) as Json;
    const path = `${where} spec.affinity.${field}`;
    for (const [raw, at] of list(
      block["requiredDuringSchedulingIgnoredDuringExecution"],
      `${path}.requiredDuringSchedulingIgnoredDuringExecution`,
    )) {
      terms.push(affinityTerm(raw, kind, undefined, at));
    }
    const preferred = list(
      block["preferredDuringSchedulingIgnoredDuringExecution"],
      `${path}.preferredDuringSchedulingIgnoredDuringExecution`,
    ).map(([raw, at]) =>
      affinityTerm(
        (raw["podAffinityTerm"] ?? {}) as Json,
        kind,
        positiveInteger(raw["weight"], `${at}.weight`),
        `${at}.podAffinityTerm`,
      ),
    );
    terms.push(...preferred.sort((a, b) => (b.weight ?? 0) - (a.weight ?? 0)));
  }
  return terms;
}

function affinityTerm(raw: Json, kind: AffinityKind, weight: number | undefined, path: string): PodAffinityTerm {
  const namespaces = list(raw["namespaces"] ?? [], `${path}.namespaces`, true).map(([ns]) => ns as unknown as string);
  return {
    kind,
    topologyKey: requiredString(raw["topologyKey"], `${path}.topologyKey`),
    selector: labelSelector(raw["labelSelector"], `${path}.labelSelector`),
    namespaces,
    namespaceSelector:
      raw["namespaceSelector"] === undefined || raw["namespaceSelector"] === null
        ? undefined
        : labelSelector(raw["namespaceSelector"], `${path}.namespaceSelector`),
    weight,
  };
}

function list(value: unknown, path: string, strings = false): [Json, string][] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new ValueError(`${path}: expected a list`, value);
  return value.map((item: unknown, index): [Json, string] => {
    const at = `${path}[${index}]`;
    if (strings ? typeof item !== "string" : typeof item !== "object" || item === null || Array.isArray(item)) {
      throw new ValueError(`${at}: expected ${strings ? "a string" : "an object"}`, item);
    }
    return [item as Json, at];
  });
}

function requiredString(value: unknown, path: string): string {
  if (typeof value !== "string" || value === "") throw new ValueError(`${path}: expected a label key`, value);
  return value;
}

function positiveInteger(value: unknown, path: string): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 1) {
    throw new ValueError(`${path}: expected a positive integer`, value);
  }
  return value;
}

function policy(value: unknown, fallback: NodeInclusionPolicy, path: string): NodeInclusionPolicy {
  if (value === undefined || value === null) return fallback;
  if (value !== "Honor" && value !== "Ignore") throw new ValueError(`${path}: expected Honor or Ignore`, value);
  return value;
}
