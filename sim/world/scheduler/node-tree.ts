/**
 * The order the scheduler walks nodes in, and how many it looks at.
 *
 * `nodeTreeOrder` mirrors pkg/scheduler/backend/cache/node_tree.go `list()`: nodes are grouped by zone key (region
 * and zone labels), zones in the order their first node arrived, and listed round-robin across zones so that a
 * search that stops early still spreads over zones.
 *
 * `numFeasibleNodesToFind` mirrors schedule_one.go: below 100 nodes every node is filtered; above, an adaptive
 * percentage (50% - nodes/125, at least 5%, at least 100 nodes).
 */
import type { Node } from "../objects.ts";

/** utilnode.GetZoneKey. */
export function zoneKey(node: Node): string {
  const labels = node.metadata.labels ?? {};
  const zone = labels["topology.kubernetes.io/zone"] ?? labels["failure-domain.beta.kubernetes.io/zone"] ?? "";
  const region = labels["topology.kubernetes.io/region"] ?? labels["failure-domain.beta.kubernetes.io/region"] ?? "";
  if (region === "" && zone === "") return "";
  return `${region}:\x00:${zone}`;
}

export function nodeTreeOrder(nodes: readonly Node[]): Node[] {
  const zones = new Map<string, Node[]>();
  for (const node of nodes) {
    const key = zoneKey(node);
    const list = zones.get(key) ?? [];
    list.push(node);
    zones.set(key, list);
  }
  const ordered: Node[] = [];
  const lists = [...zones.values()];
  for (let i = 0; ordered.length < nodes.length; i++) {
    for (const list of lists) {
      const node = list[i];
      if (node !== undefined) ordered.push(node);
    }
  }
  return ordered;
}

const MIN_FEASIBLE_NODES_TO_FIND = 100;
const MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND = 5;

/** `percentageOfNodesToScore` 0 (the default) means adaptive. */
export function numFeasibleNodesToFind(numAllNodes: number, percentageOfNodesToScore = 0): number {
  if (numAllNodes < MIN_FEASIBLE_NODES_TO_FIND) return numAllNodes;
  let percentage = percentageOfNodesToScore;
  if (percentage === 0) {
    percentage = Math.max(50 - Math.trunc(numAllNodes / 125), MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND);
  }
  const numNodes = Math.trunc((numAllNodes * percentage) / 100);
  return Math.max(numNodes, MIN_FEASIBLE_NODES_TO_FIND);
}
