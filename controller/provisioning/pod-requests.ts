/**
 * A pod's resource requests as kube-scheduler counts them (k8s.io/component-helpers resource.PodRequests, which
 * Karpenter's `resources.RequestsForPods` calls): the app containers' sum; each restartable (sidecar) init container
 * runs beside them and adds to it; each other init container runs alone with the sidecars started before it, and
 * the pod needs the largest of those moments; then `spec.overhead`. Karpenter adds `pods: 1` per pod.
 */
import type { Pod } from "../../api/index.ts";
import { ValueError } from "../../api/index.ts";
import { addResources, maxResources, parseResourceList, type ResourceList } from "../../scheduling/index.ts";

interface ContainerShape {
  readonly name?: unknown;
  readonly restartPolicy?: unknown;
  readonly resources?: { readonly requests?: unknown };
}

export function podRequests(pod: Pod): ResourceList {
  const spec = pod.spec ?? {};
  const where = `pod ${pod.metadata.namespace ?? "default"}/${pod.metadata.name ?? "?"}`;
  let requests = addResources(
    ...containers(spec["containers"], `${where} spec.containers`).map(([c, path]) => containerRequests(c, path)),
  );
  let sidecars: ResourceList = {};
  let initPeak: ResourceList = {};
  for (const [container, path] of containers(spec["initContainers"], `${where} spec.initContainers`)) {
    const own = containerRequests(container, path);
    if (container.restartPolicy === "Always") {
      requests = addResources(requests, own);
      sidecars = addResources(sidecars, own);
      initPeak = maxResources(initPeak, sidecars);
    } else {
      initPeak = maxResources(initPeak, addResources(own, sidecars));
    }
  }
  requests = maxResources(requests, initPeak);
  if (spec["overhead"] !== undefined) {
    requests = addResources(requests, parseResourceList(spec["overhead"], `${where} spec.overhead`));
  }
  return addResources(requests, { pods: 1 });
}

function containers(value: unknown, path: string): [ContainerShape, string][] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new ValueError(`${path}: expected a list of containers`, value, { path });
  return value.map((container: unknown, index): [ContainerShape, string] => {
    if (typeof container !== "object" || container === null) {
      throw new ValueError(`${path}[${index}]: expected a container object`, container, { path: `${path}[${index}]` });
    }
    return [container as ContainerShape, `${path}[${index}]`];
  });
}

function containerRequests(container: ContainerShape, path: string): ResourceList {
  const requests = container.resources?.requests;
  return requests === undefined ? {} : parseResourceList(requests, `${path}.resources.requests`);
}
