// `schedule` as disruption simulations call it, against the path it replaced. `leaveOut`: a run over the whole node
// list that leaves some nodes out must decide exactly what a run over the list without them decides — placements,
// NodeClaims (pool, requirements, options, price, pods), and the explanations of the pods left pending. The expected
// runs get a fresh copy of the instance types each time, so no pool catalog or packing (kept per list of types) is
// shared with the runs judged. Seeded clusters with what reads the node list: topology spread and hostname
// anti-affinity over bound pods, nodeSelectors (the label index), pool limits (each pool's nodes), and a resource
// only some nodes name (the run's resource names). Several leave-out sets and demands run over one list of nodes and
// one of types, as a disruption pass's simulations do. `explain: false`: the same decisions, without explanations.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Pod } from "../../../api/index.ts";
import type { ExistingCapacity, ScheduleResult } from "../../../controller/provisioning/index.ts";
import { parseResourceList } from "../../../scheduling/index.ts";
import { seededRandom } from "../../support/json-mutation.ts";
import { catalogTypes, HOSTNAME, nodePool, pod, run, ZONE, ZONES } from "../../support/scheduling-fixtures.ts";

const TEAMS = ["red", "blue", "green"];
const APPS = ["web", "api", "batch"];
const POOLS = [
  nodePool("alpha", { limits: { cpu: "200" } }),
  nodePool("beta", { weight: 10, limits: { cpu: "120", memory: "600Gi" } }),
];
const TYPES = catalogTypes("m5.large", "m5.xlarge", "m5.2xlarge", "c5.xlarge", "r5.xlarge");

interface Cluster {
  readonly existing: ExistingCapacity[];
  readonly boundPods: { pod: Pod; node: string }[];
  readonly pending: Pod[];
}

function cluster(seed: number): Cluster {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const existing: ExistingCapacity[] = [];
  const boundPods: { pod: Pod; node: string }[] = [];
  const nodes = 20 + Math.floor(random() * 30);
  for (let i = 0; i < nodes; i++) {
    // Not in name order, so the run's name order is its own work.
    const name = `node-${((i * 7919) % 1000).toString().padStart(3, "0")}`;
    const cpu = pick([2, 4, 8]);
    const gpu = random() < 0.1;
    const usedCpu = Math.floor(random() * cpu * 1000);
    existing.push({
      name,
      nodePool: random() < 0.9 ? pick(POOLS).metadata?.name : undefined,
      labels: { [ZONE]: pick(ZONES), [HOSTNAME]: name, team: pick(TEAMS) },
      taints: [],
      capacity: parseResourceList({ cpu: String(cpu), memory: `${cpu * 4}Gi`, pods: "110" }),
      allocatable: parseResourceList({
        cpu: `${cpu * 1000 - 100}m`,
        memory: `${cpu * 4 - 1}Gi`,
        pods: "110",
        ...(gpu ? { "example.com/fpga": "1" } : {}),
      }),
      requested: parseResourceList({ cpu: `${usedCpu}m`, memory: `${Math.floor(usedCpu / 2)}Mi`, pods: "3" }),
    });
    for (let p = 0; p < 3; p++) {
      const app = pick(APPS);
      boundPods.push({ pod: pod({ labels: { app } }, antiAffinity(app, random)), node: name });
    }
  }
  const pending: Pod[] = [];
  const count = 5 + Math.floor(random() * 25);
  for (let i = 0; i < count; i++) {
    const app = pick(APPS);
    const requests = { cpu: pick(["250m", "500m", "1", "1500m", "3"]), memory: pick(["256Mi", "1Gi", "4Gi"]) };
    const spec: Record<string, unknown> = { ...antiAffinity(app, random) };
    if (random() < 0.4) spec["nodeSelector"] = { team: pick(TEAMS) };
    if (random() < 0.4) {
      spec["topologySpreadConstraints"] = [
        { maxSkew: 1, topologyKey: ZONE, whenUnsatisfiable: "DoNotSchedule", labelSelector: { matchLabels: { app } } },
      ];
    }
    pending.push(pod({ labels: { app }, requests }, spec));
  }
  return { existing, boundPods, pending };
}

function antiAffinity(app: string, random: () => number): Record<string, unknown> {
  if (random() >= 0.2) return {};
  return {
    affinity: {
      podAntiAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: [
          { topologyKey: HOSTNAME, labelSelector: { matchLabels: { app } } },
        ],
      },
    },
  };
}

// What a result decides, as plain data: deepStrictEqual compares it whole.
function decided(result: ScheduleResult) {
  return {
    placements: result.placementsOnExisting,
    claims: result.newNodeClaims.map((c) => ({
      pool: c.nodePool.name,
      requirements: c.requirements.toString(),
      capacityType: c.capacityType,
      instanceTypes: c.instanceTypes,
      price: c.price,
      pods: c.pods,
      requests: Object.fromEntries(Object.entries(c.requests).map(([k, q]) => [k, q.toString()])),
    })),
    unschedulable: result.unschedulable.map((u) => ({
      pod: u.pod,
      message: u.message,
      explanations: u.explanations.map((e) => e.message),
    })),
  };
}

describe("schedule as a disruption simulation calls it", () => {
  it("leaving nodes out decides as a run over the list without them; explain: false only drops explanations (seeded)", () => {
    let placed = 0;
    let opened = 0;
    let pending = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const { existing, boundPods, pending: pods } = cluster(seed);
      const random = seededRandom(seed * 1_000);
      for (let round = 0; round < 4; round++) {
        const share = [0, 0.05, 0.3, 0.7][round] as number;
        const out = new Set(existing.filter(() => random() < share).map((e) => e.name));
        const kept = existing.filter((e) => !out.has(e.name));
        for (const packing of ["Karpenter", "CostAware"] as const) {
          const expected = run(pods, POOLS, [...TYPES], { existing: kept, boundPods }, { packing });
          const actual = run(pods, POOLS, TYPES, { existing, boundPods }, { packing, leaveOut: out });
          const where = `seed ${seed}, round ${round}, ${packing}`;
          assert.deepStrictEqual(decided(actual), decided(expected), where);
          const quiet = run(pods, POOLS, TYPES, { existing, boundPods }, { packing, leaveOut: out, explain: false });
          const { unschedulable, ...rest } = decided(expected);
          assert.deepStrictEqual(
            decided(quiet),
            { ...rest, unschedulable: unschedulable.map((u) => ({ ...u, explanations: [] })) },
            `${where}, explain: false`,
          );
          placed += expected.placementsOnExisting.length;
          opened += expected.newNodeClaims.length;
          pending += expected.unschedulable.length;
        }
      }
    }
    // The clusters exercise every outcome, so the comparison covers each part of a result.
    assert.ok(placed > 100 && opened > 100 && pending > 0, `placed ${placed}, opened ${opened}, pending ${pending}`);
  });
});
