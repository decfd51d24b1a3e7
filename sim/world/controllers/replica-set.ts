// The ReplicaSet controller (pkg/controller/replicaset, syncReplicaSet/manageReplicas): the active pods it
// controls (ownerReferences) are brought to spec.replicas — missing ones created from the template, extra ones
// deleted in controller.ActivePods order — so a deleted or evicted pod is replaced; then its status counts them.
import type { KubeObject } from "../../kube/store/resource-kind.ts";
import { fromLabelSelectorObject, matchesLabels } from "../../kube/store/label-selector.ts";
import { namespaceOf, nameOf, writeStatus, type ControllerContext } from "./controller-context.ts";
import { isControlledBy, newControllerRef } from "./owner-references.ts";
import { podFromTemplate } from "./pod-from-template.ts";
import { isPodReady } from "../../kube/kinds/pod-ready.ts";
import { deletionOrder, isPodActive } from "./pod-state.ts";

export function reconcileReplicaSet(ctx: ControllerContext, rs: KubeObject): void {
  if (rs.metadata?.deletionTimestamp !== undefined) return;
  const namespace = namespaceOf(rs);
  const spec = (rs.spec ?? {}) as Record<string, unknown>;
  const selector = fromLabelSelectorObject(spec.selector) ?? [];
  const owned = ctx
    .podsIn(namespace)
    .filter((p) => isControlledBy(p, rs) && matchesLabels(selector, p.metadata?.labels as Record<string, string>));
  const active = owned.filter(isPodActive);
  const wanted = Number(spec.replicas ?? 1);
  if (active.length < wanted) {
    const owner = newControllerRef(rs, ctx.kinds.replicaSets);
    const template = (spec.template ?? {}) as Record<string, unknown>;
    for (let i = active.length; i < wanted; i++)
      ctx.store.create(ctx.kinds.pods, namespace, podFromTemplate(template, owner));
  } else if (active.length > wanted) {
    for (const pod of [...active].sort(deletionOrder).slice(0, active.length - wanted)) {
      ctx.store.delete(ctx.kinds.pods, namespace, nameOf(pod));
    }
  }
  const ready = active.filter(isPodReady).length;
  writeStatus(ctx, ctx.kinds.replicaSets, rs, {
    ...((rs.status ?? {}) as Record<string, unknown>),
    replicas: active.length,
    fullyLabeledReplicas: active.length,
    readyReplicas: ready,
    availableReplicas: ready,
    observedGeneration: rs.metadata?.generation,
  });
}
