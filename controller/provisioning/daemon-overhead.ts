/**
 * The daemonset pods every node of a pool will carry (Karpenter's `buildDaemonOverheadGroups` and
 * `getDaemonHostPortUsage`, core:pkg/controllers/provisioning/scheduling/scheduler.go): DaemonSets whose pod template
 * tolerates the pool's taints and whose node selector or required affinity admits its requirements — their requests
 * summed, and the host ports they take, which no pod on a new node of the pool can then take. Karpenter also checks
 * each instance type's requirements; this cut checks the pool's.
 */
import type { DaemonSet, Pod } from "../../api/index.ts";
import { addResources, type ResourceList, untoleratedTaints } from "../../scheduling/index.ts";
import type { HostPort } from "./host-ports.ts";
import type { NodePoolTemplate } from "./nodepool-template.ts";
import { podConstraints, type PodConstraints } from "./pod-constraints.ts";

export function daemonOverhead(template: NodePoolTemplate, daemonSets: readonly DaemonSet[]): ResourceList {
  return addResources(...daemonPods(template, daemonSets).map((p) => p.requests));
}

export function daemonHostPorts(template: NodePoolTemplate, daemonSets: readonly DaemonSet[]): HostPort[] {
  return daemonPods(template, daemonSets).flatMap((p) => p.hostPorts);
}

function daemonPods(template: NodePoolTemplate, daemonSets: readonly DaemonSet[]): PodConstraints[] {
  return daemonSets.flatMap((ds) => {
    const pod: Pod = {
      metadata: { name: ds.metadata.name ?? "?", namespace: ds.metadata.namespace ?? "default" },
      spec: ds.spec?.template?.spec ?? {},
    };
    const constraints = podConstraints(pod);
    if (untoleratedTaints(constraints.tolerations, template.taints).length > 0) return [];
    const admitted = constraints.alternatives.some((alt) => template.requirements.intersects(alt));
    return admitted ? [constraints] : [];
  });
}
