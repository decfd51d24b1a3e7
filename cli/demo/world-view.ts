// What the demo reads back from the simulated world to assert and to chart: the store's objects (read-only, as the
// API server would list them) and the cloud's instances with the price each was launched at.
import type { KubeObject, World } from "../../sim/index.ts";

type Resource = [group: string, version: string, plural: string];
const RESOURCES = {
  pods: ["", "v1", "pods"],
  nodes: ["", "v1", "nodes"],
  events: ["", "v1", "events"],
  nodeclaims: ["karpenter.sh", "v1", "nodeclaims"],
  deployments: ["apps", "v1", "deployments"],
  nodepools: ["karpenter.sh", "v1", "nodepools"],
  ec2nodeclasses: ["karpenter.k8s.aws", "v1", "ec2nodeclasses"],
} satisfies Record<string, Resource>;

export type WorldResource = keyof typeof RESOURCES;

export function listObjects(world: World, resource: WorldResource, namespace?: string): readonly KubeObject[] {
  const kind = world.store.registry.get(...RESOURCES[resource]);
  return world.store.list(kind, { readOnly: true, ...(namespace === undefined ? {} : { namespace }) }).items;
}

/** Instances pending or running now, and their hourly cost at the prices they were launched at. */
export function runningCapacity(world: World): { instances: number; usdPerHour: number } {
  let instances = 0;
  let usdPerHour = 0;
  for (const instance of world.cloud.instances()) {
    const state = world.cloud.stateOf(instance);
    if (state !== "pending" && state !== "running") continue;
    instances++;
    usdPerHour += instance.priceUsd;
  }
  return { instances, usdPerHour };
}

export function nodePoolOf(object: KubeObject): string | undefined {
  return (object.metadata as { labels?: Record<string, string> }).labels?.["karpenter.sh/nodepool"];
}

export function isBound(pod: KubeObject): boolean {
  return typeof (pod.spec as { nodeName?: unknown } | undefined)?.nodeName === "string";
}

export function isRunningOrDone(pod: KubeObject): boolean {
  const phase = (pod.status as { phase?: string } | undefined)?.phase;
  return phase === "Running" || phase === "Succeeded";
}

export function hasObject(world: World, resource: WorldResource, name: string): boolean {
  return findObject(world, resource, name) !== undefined;
}

export function findObject(world: World, resource: WorldResource, name: string): KubeObject | undefined {
  return listObjects(world, resource).find((object) => object.metadata?.name === name);
}
