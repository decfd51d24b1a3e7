/**
 * Taints and tolerations with Kubernetes' semantics: core/v1 `Toleration.ToleratesTaint` and component-helpers'
 * `FindMatchingUntoleratedTaint` / `TolerationsTolerateTaint`.
 */
import type { Taint, Toleration } from "../objects.ts";

export function toleratesTaint(toleration: Toleration, taint: Taint): boolean {
  if (toleration.effect && toleration.effect !== taint.effect) return false;
  if (toleration.key && toleration.key !== taint.key) return false;
  switch (toleration.operator ?? "") {
    case "":
    case "Equal":
      return (toleration.value ?? "") === (taint.value ?? "");
    case "Exists":
      return true;
    default:
      return false;
  }
}

export function tolerationsTolerateTaint(tolerations: readonly Toleration[] | undefined, taint: Taint): boolean {
  return (tolerations ?? []).some((toleration) => toleratesTaint(toleration, taint));
}

/** The first taint, in the node's order, that `filter` keeps and no toleration tolerates. */
export function findMatchingUntoleratedTaint(
  taints: readonly Taint[] | undefined,
  tolerations: readonly Toleration[] | undefined,
  filter: (taint: Taint) => boolean,
): Taint | undefined {
  return (taints ?? []).find((taint) => filter(taint) && !tolerationsTolerateTaint(tolerations, taint));
}

/** helper.DoNotScheduleTaintsFilterFunc: the effects that keep a pod off a node. */
export function doNotScheduleTaint(taint: Taint): boolean {
  return taint.effect === "NoSchedule" || taint.effect === "NoExecute";
}
