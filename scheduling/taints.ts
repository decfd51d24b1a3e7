/**
 * Taints and tolerations with the exact Kubernetes semantics (k8s.io/api/core/v1 `Toleration.ToleratesTaint`),
 * the validation the API server applies, and the taints Karpenter itself places on nodes.
 */
import { validateLabelKey, validateLabelValue } from "./requirements.ts";
import { ValueError } from "../api/index.ts";

export const TAINT_EFFECTS = ["NoSchedule", "PreferNoSchedule", "NoExecute"] as const;
export type TaintEffect = (typeof TAINT_EFFECTS)[number];

export interface Taint {
  key: string;
  value?: string;
  effect: TaintEffect;
  /** RFC 3339; set by the node lifecycle controller for NoExecute taints. */
  timeAdded?: string;
}

export const TOLERATION_OPERATORS = ["Equal", "Exists"] as const;
export type TolerationOperator = (typeof TOLERATION_OPERATORS)[number];

export interface Toleration {
  /** Empty or missing: every key (only meaningful with `Exists`). */
  key?: string;
  /** Missing or empty means `Equal`. */
  operator?: TolerationOperator | "";
  value?: string;
  /** Empty or missing: every effect. */
  effect?: TaintEffect | "";
  tolerationSeconds?: number;
}

/** A taint or toleration as read from YAML, before anything about it is known. */
export interface TaintInput {
  readonly key?: unknown;
  readonly value?: unknown;
  readonly effect?: unknown;
  readonly timeAdded?: unknown;
}
export interface TolerationInput {
  readonly key?: unknown;
  readonly operator?: unknown;
  readonly value?: unknown;
  readonly effect?: unknown;
  readonly tolerationSeconds?: unknown;
}

/** One thing wrong with a taint or toleration; `path` is relative to it ("key", "effect"). */
export interface TaintProblem {
  path: string;
  message: string;
}

/** Karpenter taints a node it is disrupting so nothing new schedules there (`v1.DisruptedNoScheduleTaint`). */
export const DISRUPTED_NO_SCHEDULE_TAINT: Readonly<Taint> = Object.freeze({
  key: "karpenter.sh/disrupted",
  effect: "NoSchedule",
});

/** Karpenter registers nodes with this taint until it has initialized them (`v1.UnregisteredNoExecuteTaint`). */
export const UNREGISTERED_NO_EXECUTE_TAINT: Readonly<Taint> = Object.freeze({
  key: "karpenter.sh/unregistered",
  effect: "NoExecute",
});

/** Taints a new node carries briefly and Karpenter ignores when scheduling (`scheduling.KnownEphemeralTaints`). */
export const KNOWN_EPHEMERAL_TAINTS: readonly Readonly<Taint>[] = Object.freeze([
  Object.freeze<Taint>({ key: "node.kubernetes.io/not-ready", effect: "NoSchedule" }),
  Object.freeze<Taint>({ key: "node.kubernetes.io/unreachable", effect: "NoSchedule" }),
  Object.freeze<Taint>({ key: "node.cloudprovider.kubernetes.io/uninitialized", value: "true", effect: "NoSchedule" }),
]);

/** The effects that keep a pod off a node; PreferNoSchedule is only a preference. */
export const SCHEDULING_EFFECTS: readonly TaintEffect[] = Object.freeze(["NoSchedule", "NoExecute"]);

const RFC3339_RE = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/**
 * Kubernetes `Toleration.ToleratesTaint`: a set effect must equal the taint's, a set key must equal the taint's,
 * then `Exists` tolerates any value and `Equal` (the default) needs equal values. So an empty key with `Exists`
 * tolerates every taint. Throws ValueError for an operator other than Equal/Exists, which Kubernetes rejects at
 * admission (and `ToleratesTaint` would treat as "does not tolerate").
 */
export function toleratesTaint(toleration: Toleration, taint: Taint): boolean {
  const operator = toleration.operator ?? "";
  if (operator !== "" && operator !== "Equal" && operator !== "Exists") {
    throw new ValueError(
      `invalid toleration operator "${String(operator)}": expected ${TOLERATION_OPERATORS.join(" or ")}`,
      toleration,
    );
  }
  if (toleration.effect && toleration.effect !== taint.effect) return false;
  if (toleration.key && toleration.key !== taint.key) return false;
  if (operator === "Exists") return true;
  return (toleration.value ?? "") === (taint.value ?? "");
}

export interface TolerationOptions {
  /** The taint effects that count; default `SCHEDULING_EFFECTS` (NoSchedule and NoExecute). */
  effects?: readonly TaintEffect[];
}

/** The taints (with a counted effect) that no toleration tolerates, in their original order. */
export function untoleratedTaints(
  tolerations: readonly Toleration[],
  taints: readonly Taint[],
  options: TolerationOptions = {},
): Taint[] {
  const effects = options.effects ?? SCHEDULING_EFFECTS;
  return taints.filter(
    (taint) => effects.includes(taint.effect) && !tolerations.some((toleration) => toleratesTaint(toleration, taint)),
  );
}

/** Whether the tolerations tolerate every taint with a counted effect (by default, whether a pod may schedule). */
export function toleratesAll(
  tolerations: readonly Toleration[],
  taints: readonly Taint[],
  options: TolerationOptions = {},
): boolean {
  return untoleratedTaints(tolerations, taints, options).length === 0;
}

/** Everything wrong with a taint, as Kubernetes validates node taints. Empty when valid. */
export function validateTaint(taint: TaintInput): TaintProblem[] {
  if (typeof taint !== "object" || taint === null || Array.isArray(taint)) {
    return [{ path: "", message: "a taint must be a map with key, value and effect" }];
  }
  const problems: TaintProblem[] = [];
  if (typeof taint.key !== "string" || taint.key === "") {
    problems.push({ path: "key", message: "key is required" });
  } else {
    for (const message of validateLabelKey(taint.key))
      problems.push({ path: "key", message: `invalid key: ${message}` });
  }
  if (taint.value !== undefined) {
    if (typeof taint.value !== "string") problems.push({ path: "value", message: "value must be a string" });
    else for (const message of validateLabelValue(taint.value)) problems.push({ path: "value", message });
  }
  if (taint.effect === undefined || taint.effect === "") {
    problems.push({ path: "effect", message: `effect is required: one of ${TAINT_EFFECTS.join(", ")}` });
  } else if (!isEffect(taint.effect)) {
    problems.push({ path: "effect", message: unknownEffect(taint.effect) });
  }
  if (taint.timeAdded !== undefined && (typeof taint.timeAdded !== "string" || !RFC3339_RE.test(taint.timeAdded))) {
    problems.push({
      path: "timeAdded",
      message: `timeAdded ${JSON.stringify(taint.timeAdded)} must be an RFC 3339 time`,
    });
  }
  return problems;
}

/** Everything wrong with a toleration, as Kubernetes validates pod tolerations. Empty when valid. */
export function validateToleration(toleration: TolerationInput): TaintProblem[] {
  if (typeof toleration !== "object" || toleration === null || Array.isArray(toleration)) {
    return [{ path: "", message: "a toleration must be a map with key, operator, value and effect" }];
  }
  const problems: TaintProblem[] = [];
  const { key, operator, value, effect, tolerationSeconds } = toleration;
  if (key !== undefined && typeof key !== "string") problems.push({ path: "key", message: "key must be a string" });
  if (typeof key === "string" && key !== "") {
    for (const message of validateLabelKey(key)) problems.push({ path: "key", message: `invalid key: ${message}` });
  }
  if (value !== undefined && typeof value !== "string")
    problems.push({ path: "value", message: "value must be a string" });
  const hasKey = typeof key === "string" && key !== "";
  const textValue = typeof value === "string" ? value : "";
  if (operator === undefined || operator === "" || operator === "Equal") {
    if (!hasKey) {
      problems.push({
        path: "operator",
        message: 'operator must be Exists when key is empty (which means "every taint")',
      });
    }
    for (const message of validateLabelValue(textValue)) problems.push({ path: "value", message });
  } else if (operator === "Exists") {
    if (textValue !== "") problems.push({ path: "value", message: "value must be empty when operator is Exists" });
  } else {
    problems.push({
      path: "operator",
      message: `unknown operator ${JSON.stringify(operator)}: expected ${TOLERATION_OPERATORS.join(" or ")}`,
    });
  }
  if (effect !== undefined && effect !== "" && !isEffect(effect)) {
    problems.push({ path: "effect", message: unknownEffect(effect) });
  }
  if (tolerationSeconds !== undefined && tolerationSeconds !== null) {
    if (typeof tolerationSeconds !== "number" || !Number.isInteger(tolerationSeconds)) {
      problems.push({ path: "tolerationSeconds", message: "tolerationSeconds must be an integer" });
    }
    if (effect !== "NoExecute") {
      problems.push({ path: "effect", message: "effect must be NoExecute when tolerationSeconds is set" });
    }
  }
  return problems;
}

/** A taint whose key and effect were already used, which Karpenter's NodePool validation rejects. */
export interface DuplicateTaint {
  readonly key: string;
  readonly effect: string;
  readonly list: "taints" | "startupTaints";
  readonly index: number;
  /** Where the key/effect pair first appeared. */
  readonly first: { readonly list: "taints" | "startupTaints"; readonly index: number };
  readonly message: string;
}

/**
 * Taints that repeat a key/effect pair, within or across `taints` and `startupTaints` (values do not matter), as
 * Karpenter rejects them: `duplicate taint Key/Effect pair key=Effect`. One entry per repeat.
 */
export function duplicateTaints(
  taints: readonly TaintInput[],
  startupTaints: readonly TaintInput[] = [],
): DuplicateTaint[] {
  const seen = new Map<string, { list: "taints" | "startupTaints"; index: number }>();
  const duplicates: DuplicateTaint[] = [];
  const scan = (list: "taints" | "startupTaints", entries: readonly TaintInput[]): void => {
    entries.forEach((taint, index) => {
      const key = String(taint.key ?? "");
      const effect = String(taint.effect ?? "");
      const pair = JSON.stringify([key, effect]);
      const first = seen.get(pair);
      if (first === undefined) {
        seen.set(pair, { list, index });
        return;
      }
      duplicates.push({
        key,
        effect,
        list,
        index,
        first,
        message: `duplicate taint Key/Effect pair ${key}=${effect} (${list}[${index}] repeats ${first.list}[${first.index}])`,
      });
    });
  };
  scan("taints", taints);
  scan("startupTaints", startupTaints);
  return duplicates;
}

/** kubectl's taint syntax: `key=value:Effect`, or `key:Effect` when the value is empty. */
export function formatTaint(taint: Taint): string {
  return `${taint.key}${taint.value ? `=${taint.value}` : ""}:${taint.effect}`;
}

/** Reads `key=value:Effect` or `key:Effect` (kubectl's syntax; the effect is required). Throws ValueError. */
export function parseTaint(text: string): Taint {
  const expected =
    'expected "key=value:Effect" or "key:Effect" with Effect one of NoSchedule, PreferNoSchedule, NoExecute';
  if (typeof text !== "string") throw new ValueError(`invalid taint ${String(text)}: ${expected}`, text);
  const parts = text.split(":");
  const [keyValue = "", effect] = parts;
  const keyAndValue = keyValue.split("=");
  const [key = "", value] = keyAndValue;
  if (parts.length !== 2 || keyAndValue.length > 2 || effect === undefined) {
    throw new ValueError(`invalid taint "${text}": ${expected}`, text);
  }
  const taint = { key, effect, ...(value === undefined ? {} : { value }) };
  const problems = validateTaint(taint);
  if (problems.length > 0) {
    throw new ValueError(`invalid taint "${text}": ${problems.map((p) => p.message).join("; ")}`, text);
  }
  return taint as Taint;
}

function isEffect(effect: unknown): effect is TaintEffect {
  return typeof effect === "string" && (TAINT_EFFECTS as readonly string[]).includes(effect);
}

function unknownEffect(effect: unknown): string {
  const text = JSON.stringify(effect);
  const close =
    typeof effect === "string" ? TAINT_EFFECTS.find((e) => e.toLowerCase() === effect.toLowerCase()) : undefined;
  return `unknown effect ${text}: expected one of ${TAINT_EFFECTS.join(", ")}${close ? ` (did you mean "${close}"?)` : ""}`;
}
