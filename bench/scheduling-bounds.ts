// What the scheduling benchmark compares a solve's $/h against: a lower bound no schedule can beat, and a
// first-fit-decreasing baseline. Resources are cpu (cores), memory (GiB) and pods; each instance type counts at its
// cheapest available offering with its allocatable (capacity less kubelet overhead; the benchmark has no
// daemonsets).
//
// The lower bound is the larger of (a) the LP relaxation of covering the pods' total requests with instance types,
// min Σ price·x subject to Σ allocatable·x ≥ requests, x ≥ 0 — solved exactly through its dual (3 variables) by the
// simplex method (the scheduler's own covering-lp.ts, which also prices types for packing); any dual-feasible point
// is a valid bound and the solver refuses an infeasible one, and the primal read off the final tableau certifies it
// optimal — and (b) each hostname-anti-affinity pod alone on the cheapest node that fits it.
import type { InstanceType } from "../cloudprovider/index.ts";
import { coveringLp } from "../controller/provisioning/index.ts";
import type { BenchPod } from "./scheduling-pods.ts";

export interface TypeVector {
  readonly name: string;
  readonly price: number;
  /** cpu cores, memory GiB, pods. */
  readonly allocatable: readonly [number, number, number];
}

export function typeVectors(types: readonly InstanceType[]): TypeVector[] {
  return types.flatMap((it) => {
    const price = it.offerings.available().cheapest()?.price;
    const a = it.allocatable();
    const cpu = Number(a["cpu"]?.nanos ?? 0n) / 1e9;
    const memory = Number(a["memory"]?.nanos ?? 0n) / 1e9 / 2 ** 30;
    const pods = Number(a["pods"]?.nanos ?? 0n) / 1e9;
    if (price === undefined || price <= 0 || cpu <= 0 || memory <= 0 || pods <= 0) return [];
    return [{ name: it.name, price, allocatable: [cpu, memory, pods] as const }];
  });
}

export function podVector(p: BenchPod): [number, number, number] {
  return [p.cpuMilli / 1000, p.memoryMiB / 1024, 1];
}

export interface LpBound {
  readonly value: number;
  /** The primal read off the tableau is feasible and costs the same: the bound is the LP optimum. */
  readonly certified: boolean;
}

/** The covering LP (controller/provisioning/covering-lp.ts), whose dual feasibility it checks itself. */
export function lpLowerBound(types: readonly TypeVector[], required: readonly [number, number, number]): LpBound {
  const { value, certified } = coveringLp(types, required);
  return { value, certified };
}

/** Each hostname-anti-affinity pod alone on the cheapest type that fits it. */
export function antiAffinityBound(types: readonly TypeVector[], pods: readonly BenchPod[]): number {
  let total = 0;
  for (const p of pods) {
    if (p.kind !== "hostname-anti-affinity") continue;
    const need = podVector(p);
    let cheapest = Number.POSITIVE_INFINITY;
    for (const t of types) {
      if (t.allocatable.every((a, j) => a >= (need[j] as number)) && t.price < cheapest) cheapest = t.price;
    }
    total += cheapest;
  }
  return total;
}

/**
 * First fit decreasing onto one type: of the types that fit every pod, the one cheapest per unit of its binding
 * resource (price × the most nodes any one resource needs). Pods by CPU then memory, descending; each into the first node with room, honouring hostname
 * anti-affinity (one per node) and hostname spread (maxSkew 1: one per selector value per node). Zone constraints are
 * ignored: every zone has the same price here, so they cannot change the cost of a packing.
 */
export function firstFitDecreasing(
  types: readonly TypeVector[],
  pods: readonly BenchPod[],
  required: readonly [number, number, number],
): { readonly type: string; readonly nodes: number; readonly cost: number } {
  let chosen: TypeVector | undefined;
  let chosenCost = Number.POSITIVE_INFINITY;
  const largest = [0, 1].map((j) => Math.max(...pods.map((p) => podVector(p)[j] as number)));
  for (const t of types) {
    if (t.allocatable[0] < (largest[0] as number) || t.allocatable[1] < (largest[1] as number)) continue;
    const nodes = Math.max(...t.allocatable.map((a, j) => (required[j] as number) / a));
    if (t.price * nodes < chosenCost) {
      chosen = t;
      chosenCost = t.price * nodes;
    }
  }
  if (chosen === undefined) throw new Error("no instance type");
  const [cpu, memory, podsCap] = chosen.allocatable;
  const sorted = [...pods].sort((a, b) => b.cpuMilli - a.cpuMilli || b.memoryMiB - a.memoryMiB);
  const bins: { cpu: number; memory: number; pods: number; anti: boolean; groups: Set<string> }[] = [];
  let firstOpen = 0;
  for (const p of sorted) {
    const [c, m] = podVector(p);
    let placed = false;
    for (let i = firstOpen; i < bins.length; i++) {
      const bin = bins[i] as (typeof bins)[number];
      if (bin.cpu < c - 1e-9 || bin.memory < m - 1e-9 || bin.pods < 1) continue;
      if (p.kind === "hostname-anti-affinity" && bin.anti) continue;
      if (p.spreadGroup !== undefined && bin.groups.has(p.spreadGroup)) continue;
      bin.cpu -= c;
      bin.memory -= m;
      bin.pods -= 1;
      bin.anti ||= p.kind === "hostname-anti-affinity";
      if (p.spreadGroup !== undefined) bin.groups.add(p.spreadGroup);
      placed = true;
      break;
    }
    if (!placed) {
      if (c > cpu || m > memory || podsCap < 1) throw new Error(`a pod does not fit ${chosen.name}`);
      bins.push({
        cpu: cpu - c,
        memory: memory - m,
        pods: podsCap - 1,
        anti: p.kind === "hostname-anti-affinity",
        groups: new Set(p.spreadGroup === undefined ? [] : [p.spreadGroup]),
      });
    }
    // The smallest pod is 100m/100Mi: a node with less room is full for good.
    while (firstOpen < bins.length && full(bins[firstOpen])) firstOpen++;
  }
  return { type: chosen.name, nodes: bins.length, cost: bins.length * chosen.price };
}

function full(bin: { cpu: number; memory: number; pods: number } | undefined): boolean {
  return bin === undefined || bin.cpu < 0.1 - 1e-9 || bin.memory < 100 / 1024 - 1e-9 || bin.pods < 1;
}
