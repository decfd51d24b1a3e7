// The DaemonSet controller (pkg/controller/daemon, manage/podsShouldBeOnNode): one pod on every node its template
// fits (daemon-node-fit.ts), with the controller's tolerations and a required node affinity on metadata.name as
// the real controller writes them. Upstream leaves the binding to the default scheduler, which that affinity
// pins to the node; here the pod is created bound (spec.nodeName), so daemon pods never wait for a scheduler.
// Pods on nodes that no longer fit (or no longer exist), and duplicates, are deleted. Then its status counts them.
import { cloneJson } from "../../../api/index.ts";
import type { KubeObject } from "../../kube/store/resource-kind.ts";
import { fromLabelSelectorObject, matchesLabels } from "../../kube/store/label-selector.ts";
import { namespaceOf, nameOf, writeStatus, type ControllerContext } from "./controller-context.ts";
import { DAEMON_POD_TOLERATIONS, daemonNodeFit } from "./daemon-node-fit.ts";
import { isControlledBy, newControllerRef } from "./owner-references.ts";
import { podFromTemplate } from "./pod-from-template.ts";
import { isPodReady } from "../../kube/kinds/pod-ready.ts";
import { isPodActive } from "./pod-state.ts";

function daemonPodSpec(template: Record<string, unknown>, nodeName: string): Record<string, unknown> {
  const spec = cloneJson((template.spec ?? {}) as Record<string, unknown>);
  const tolerations = ((spec.tolerations as Record<string, unknown>[] | undefined) ?? []).slice();
  for (const t of DAEMON_POD_TOLERATIONS) {
    if (!tolerations.some((have) => have.key === t.key && have.effect === t.effect)) tolerations.push({ ...t });
  }
  spec.tolerations = tolerations;
  // util.ReplaceDaemonSetPodNodeNameNodeAffinity.
  const affinity = (spec.affinity ??= {}) as Record<string, unknown>;
  affinity.nodeAffinity = {
    ...(affinity.nodeAffinity as Record<string, unknown> | undefined),
    requiredDuringSchedulingIgnoredDuringExecution: {
      nodeSelectorTerms: [{ matchFields: [{ key: "metadata.name", operator: "In", values: [nodeName] }] }],
    },
  };
  spec.nodeName = nodeName;
  return spec;
}

export function reconcileDaemonSet(ctx: ControllerContext, ds: KubeObject, nodes: KubeObject[]): void {
  if (ds.metadata?.deletionTimestamp !== undefined) return;
  const namespace = namespaceOf(ds);
  const spec = (ds.spec ?? {}) as Record<string, unknown>;
  const template = (spec.template ?? {}) as Record<string, unknown>;
  const templateSpec = (template.spec ?? {}) as Record<string, unknown>;
  const selector = fromLabelSelectorObject(spec.selector) ?? [];
  const owned = ctx
    .podsIn(namespace)
    .filter((p) => isControlledBy(p, ds) && matchesLabels(selector, p.metadata?.labels as Record<string, string>))
    .filter(isPodActive);
  const byNode = new Map<string, KubeObject[]>();
  for (const pod of owned) {
    const node = String((pod.spec as { nodeName?: string } | undefined)?.nodeName ?? "");
    const here = byNode.get(node);
    if (here) here.push(pod);
    else byNode.set(node, [pod]);
  }
  const owner = newControllerRef(ds, ctx.kinds.daemonSets);
  let desired = 0;
  let scheduled = 0;
  let misscheduled = 0;
  let ready = 0;
  const known = new Set<string>();
  for (const node of [...nodes].sort((a, b) => nameOf(a).localeCompare(nameOf(b)))) {
    const nodeName = nameOf(node);
    known.add(nodeName);
    const fit = daemonNodeFit(templateSpec, node);
    const here = (byNode.get(nodeName) ?? []).sort((a, b) =>
      String(a.metadata?.creationTimestamp).localeCompare(String(b.metadata?.creationTimestamp)),
    );
    if (fit.shouldRun) desired++;
    if (fit.shouldRun && here.length === 0) {
      const pod = podFromTemplate(template, owner);
      pod.spec = daemonPodSpec(template, nodeName);
      ctx.store.create(ctx.kinds.pods, namespace, pod);
    } else if (!fit.shouldContinueRunning) {
      for (const pod of here) ctx.store.delete(ctx.kinds.pods, namespace, nameOf(pod));
      if (here.length > 0) misscheduled++;
    } else {
      // One pod per node: the oldest stays.
      for (const pod of here.slice(1)) ctx.store.delete(ctx.kinds.pods, namespace, nameOf(pod));
      if (here.length > 0) {
        if (fit.shouldRun) scheduled++;
        else misscheduled++;
        if (isPodReady(here[0] as KubeObject)) ready++;
      }
    }
  }
  for (const [nodeName, pods] of byNode) {
    if (known.has(nodeName)) continue;
    for (const pod of pods) ctx.store.delete(ctx.kinds.pods, namespace, nameOf(pod));
  }
  writeStatus(ctx, ctx.kinds.daemonSets, ds, {
    ...((ds.status ?? {}) as Record<string, unknown>),
    currentNumberScheduled: scheduled,
    desiredNumberScheduled: desired,
    numberMisscheduled: misscheduled,
    numberReady: ready,
    numberAvailable: ready,
    numberUnavailable: desired - ready,
    updatedNumberScheduled: scheduled,
    observedGeneration: ds.metadata?.generation,
  });
}
