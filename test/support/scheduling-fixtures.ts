// Fixtures for the scheduler's constraint tests: catalog instance types in three zones, NodePools and pods built
// as Karpenter's test package builds them (core:pkg/test), a run of `schedule`, the pods per domain a result puts
// there (Karpenter's ExpectSkew), and a result turned into existing capacity for the next round, as Karpenter's
// tests provision in rounds against the same cluster.
import assert from "node:assert/strict";
import type { NodePool, Pod } from "../../api/index.ts";
import { fixedClock } from "../../api/ports.ts";
import { catalogInstanceTypes } from "../../cloudprovider/catalog-instance-types.ts";
import { defaultCatalog, type InstanceType } from "../../cloudprovider/index.ts";
import {
  type ClusterSnapshot,
  type ExistingCapacity,
  nodePoolTemplate,
  schedule,
  type ScheduleOptions,
  type ScheduleResult,
} from "../../controller/provisioning/index.ts";

export const ZONES = ["us-east-1a", "us-east-1b", "us-east-1c"];
export const ZONE = "topology.kubernetes.io/zone";
export const HOSTNAME = "kubernetes.io/hostname";
export const CAPACITY_TYPE = "karpenter.sh/capacity-type";
export const NOW = new Date("2026-01-01T12:00:00Z");

const catalog = defaultCatalog();
const all = catalogInstanceTypes(catalog, { zones: ZONES, region: "us-east-1" });

export function catalogTypes(...names: string[]): InstanceType[] {
  return names.map((n) => all.find((t) => t.name === n) ?? assert.fail(`no ${n} in the catalog`));
}

export function nodePool(
  name: string,
  options: {
    requirements?: unknown[];
    taints?: unknown[];
    limits?: Record<string, string>;
    annotations?: Record<string, string>;
    weight?: number;
  } = {},
): NodePool {
  return {
    apiVersion: "karpenter.sh/v1",
    kind: "NodePool",
    metadata: { name, ...(options.annotations ? { annotations: options.annotations } : {}) },
    spec: {
      ...(options.limits ? { limits: options.limits } : {}),
      ...(options.weight === undefined ? {} : { weight: options.weight }),
      template: {
        spec: {
          nodeClassRef: { group: "karpenter.k8s.aws", kind: "EC2NodeClass", name: "default" },
          requirements: options.requirements ?? [],
          ...(options.taints ? { taints: options.taints } : {}),
        },
      },
    },
  } as NodePool;
}

let serial = 0;
export function pod(
  options: { labels?: Record<string, string>; requests?: Record<string, string>; name?: string } = {},
  spec: Record<string, unknown> = {},
): Pod {
  serial += 1;
  return {
    metadata: { name: options.name ?? `p${serial}`, namespace: "default", labels: options.labels ?? {} },
    spec: {
      containers: [{ name: "c", resources: { requests: options.requests ?? { cpu: "100m" } } }],
      ...spec,
    },
  };
}

export function pods(count: number, make: () => Pod): Pod[] {
  return Array.from({ length: count }, make);
}

export function run(
  pending: Pod[],
  pools: NodePool[],
  instanceTypes: readonly InstanceType[],
  extra: Partial<ClusterSnapshot> = {},
  options: ScheduleOptions = {},
): ScheduleResult {
  const snapshot: ClusterSnapshot = { pendingPods: pending, existing: [], daemonSets: [], ...extra };
  const map = new Map(pools.map((p) => [p.metadata?.name ?? "", instanceTypes]));
  return schedule(snapshot, pools.map(nodePoolTemplate), map, fixedClock(NOW), options);
}

/** The one value a NodeClaim's requirements allow for `key`; fails when it allows several. */
export function claimDomain(claim: ScheduleResult["newNodeClaims"][number], key: string): string {
  const allowed = claim.requirements.valuesFor(key);
  assert.ok(!allowed.complement && allowed.values.length === 1, `claim not pinned on ${key}: ${allowed.values}`);
  return allowed.values[0] as string;
}

/** Pods per zone over the new NodeClaims (and placements on `existing`), counts sorted ascending: ExpectSkew. */
export function zoneSkew(result: ScheduleResult, existing: readonly ExistingCapacity[] = [], key = ZONE): number[] {
  const counts = new Map<string, number>();
  for (const claim of result.newNodeClaims) {
    const zone = claimDomain(claim, key);
    counts.set(zone, (counts.get(zone) ?? 0) + claim.pods.length);
  }
  for (const placement of result.placementsOnExisting) {
    const zone = existing.find((e) => e.name === placement.node)?.labels[key] ?? assert.fail(placement.node);
    counts.set(zone, (counts.get(zone) ?? 0) + 1);
  }
  return [...counts.values()].sort((a, b) => a - b);
}

/** The result's NodeClaims as nodes (named n0, n1, … after `offset`), with their pods bound to them. */
export function materialize(
  result: ScheduleResult,
  pending: readonly Pod[],
  offset = 0,
): { existing: ExistingCapacity[]; boundPods: { pod: Pod; node: string }[] } {
  const byKey = new Map(pending.map((p) => [`${p.metadata.namespace}/${p.metadata.name}`, p]));
  const existing: ExistingCapacity[] = [];
  const boundPods: { pod: Pod; node: string }[] = [];
  result.newNodeClaims.forEach((claim, index) => {
    const name = `n${offset + index}`;
    existing.push({
      name,
      nodePool: claim.nodePool.name,
      labels: { [ZONE]: claimDomain(claim, ZONE), [HOSTNAME]: name, [CAPACITY_TYPE]: claim.capacityType },
      taints: claim.taints,
      capacity: {},
      // Full: later rounds must open new NodeClaims, as Karpenter's rounds do with 1.1-CPU pods.
      allocatable: { pods: claim.requests["pods"] ?? assert.fail("no pods request") },
      requested: claim.requests,
    });
    for (const key of claim.pods) boundPods.push({ pod: byKey.get(key) ?? assert.fail(key), node: name });
  });
  for (const placement of result.placementsOnExisting) {
    boundPods.push({ pod: byKey.get(placement.pod) ?? assert.fail(placement.pod), node: placement.node });
  }
  return { existing, boundPods };
}

export const messages = (result: ScheduleResult): string[][] =>
  result.unschedulable.map((u) => u.explanations.map((e) => e.message));
