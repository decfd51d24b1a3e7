/**
 * Which pools some pod of a scheduling run could open a NodeClaim on, known before any pool is prepared: the pod
 * tolerates the pool's taints and one of its required alternatives is compatible with the pool's requirements — the
 * first checks of `openClaim` and `addToClaim` (preferences only narrow an alternative, so a relaxed pod asks no
 * more). A pool no pod passes is never prepared: a disruption simulation moves a few pods and would otherwise
 * compile every pool's types. A pool's requirements pin `karpenter.sh/nodepool` to its name (nodepool-template.ts),
 * so a pod that pins that label too is asked only of the pools it names.
 */
import { untoleratedTaints } from "../../scheduling/index.ts";
import { LABEL_NODE_POOL, type NodePoolTemplate } from "./nodepool-template.ts";
import type { PodConstraints } from "./pod-constraints.ts";
import type { PoolList } from "./pool-list.ts";

/** Per pool position: 1 when some pod may open a NodeClaim of the pool. */
export function openablePools(list: PoolList, pods: readonly PodConstraints[]): Uint8Array {
  const open = new Uint8Array(list.pools.length);
  let all: number[] | undefined;
  for (const pod of pods) {
    for (const i of poolsNamed(pod, list) ?? (all ??= list.pools.map((_, i) => i))) {
      if (open[i] === 0 && mayOpen(list.pools[i]?.template as NodePoolTemplate, pod)) open[i] = 1;
    }
  }
  return open;
}

function mayOpen(template: NodePoolTemplate, pod: PodConstraints): boolean {
  if (untoleratedTaints(pod.tolerations, template.taints).length > 0) return false;
  return pod.required.some((alt) => template.requirements.intersects(alt));
}

// The pools a pod that pins karpenter.sh/nodepool in every alternative could go to (with those that do not pin it
// to their name); undefined when some alternative leaves the label open.
function poolsNamed(pod: PodConstraints, list: PoolList): number[] | undefined {
  const found = new Set(list.unnamed);
  for (const alt of pod.required) {
    const allowed = alt.valuesFor(LABEL_NODE_POOL);
    if (allowed.complement) return undefined;
    for (const name of allowed.values) {
      const i = list.named.get(name);
      if (i !== undefined) found.add(i);
    }
  }
  return [...found];
}
