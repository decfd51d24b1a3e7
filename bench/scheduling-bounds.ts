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
import { coveringLp, coveringLpDuals } from "../controller/provisioning/index.ts";
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

/**
 * A tighter bound than the covering LP's, which lets one pod's CPU come from a `t4g.small` and its memory from an
 * `x2gd.2xlarge`: a pod's requests must sit on one node of a type it fits. Give each pod class k (pods of equal
 * requests) a value u_k ≥ 0 and each type t resource prices w_t ≥ 0 such that every class that fits t is worth at most
 * its requests at those prices (req_k·w_t ≥ u_k) and the type's allocatable at most its price (alloc_t·w_t ≤ p_t).
 * Then any node of type t holds pods worth Σ u_k ≤ Σ req_k·w_t ≤ alloc_t·w_t ≤ p_t, so summing over the nodes of any
 * schedule, Σ_pods u ≤ its $/h: Σ n_k·u_k is a lower bound. (It is the dual of the LP that splits each class among
 * the types that fit it, Gilmore–Gomory style, and at least the covering LP's bound: u_k = req_k·y, w_t = y.)
 *
 * u comes from that LP restricted to a few types (column generation: start from the covering LP's cover and each
 * class's cheapest type, add the types whose constraint u violates most); then for every type the least-cost w_t
 * covering u is found (a 3-variable covering LP, its primal checked and scaled up until it covers), and u is scaled
 * down by the worst p_t / (alloc_t·w_t) so that every type's constraint holds. The result is valid whatever the
 * restricted LP's rounding was; the best over the rounds is returned.
 */
export function assignmentLowerBound(
  types: readonly TypeVector[],
  pods: readonly (readonly [number, number, number])[],
  rounds = 12,
): number {
  const byKey = new Map<string, { readonly req: readonly [number, number, number]; count: number }>();
  for (const p of pods) {
    const key = p.join(",");
    const found = byKey.get(key);
    if (found === undefined) byKey.set(key, { req: p, count: 1 });
    else found.count += 1;
  }
  const classes = [...byKey.values()];
  const fits = classes.map((k) => types.map((t) => k.req.every((r, j) => r <= (t.allocatable[j] as number))));
  if (fits.some((row) => !row.includes(true))) throw new Error("a pod fits no instance type");
  const required: [number, number, number] = [0, 0, 0];
  for (const k of classes) k.req.forEach((r, j) => (required[j] = (required[j] as number) + r * k.count));
  const restricted = new Set<number>(coveringLp(types, required).cover.keys());
  for (const row of fits) {
    let cheapest = -1;
    row.forEach((fit, t) => {
      if (fit && (cheapest < 0 || (types[t] as TypeVector).price < (types[cheapest] as TypeVector).price)) cheapest = t;
    });
    restricted.add(cheapest);
  }
  let best = 0;
  for (let round = 0; round < rounds; round++) {
    const u = classValues(types, classes, fits, [...restricted]);
    const cost = types.map((t, ti) => leastCostPrices(t, classes, fits, u, ti));
    let scale = 1;
    cost.forEach((c, ti) => {
      if (c > 0) scale = Math.min(scale, (types[ti] as TypeVector).price / c);
    });
    best = Math.max(best, scale * classes.reduce((sum, k, ki) => sum + k.count * (u[ki] as number), 0));
    const violated = cost
      .map((c, ti) => ({ ti, ratio: c / (types[ti] as TypeVector).price }))
      .filter(({ ti, ratio }) => ratio > 1 + 1e-9 && !restricted.has(ti))
      .sort((a, b) => b.ratio - a.ratio || a.ti - b.ti);
    if (violated.length === 0) break;
    for (const { ti } of violated.slice(0, 10)) restricted.add(ti);
  }
  return best;
}

// The LP splitting each class among the restricted types, min Σ p_t·x_t subject to Σ_t y_kt ≥ n_k and
// Σ_k (req_k / alloc_t)·y_kt ≤ x_t per resource (rows divided by the type's allocatable, so cores, GiB and pods do
// not meet in one row): its dual's class values u, clamped at 0. The simplex pivots only on entries above 1e-7, as
// smaller pivots on these zero-priced columns blew u up at 5,000 pods; u need not be exact, only scaled to validity.
function classValues(
  types: readonly TypeVector[],
  classes: readonly { readonly req: readonly [number, number, number]; readonly count: number }[],
  fits: readonly (readonly boolean[])[],
  restricted: readonly number[],
): number[] {
  const rows = classes.length + 3 * restricted.length;
  const columns: { price: number; allocatable: Float64Array }[] = [];
  restricted.forEach((ti, a) => {
    const column = new Float64Array(rows);
    for (let r = 0; r < 3; r++) column[classes.length + 3 * a + r] = 1;
    columns.push({ price: (types[ti] as TypeVector).price, allocatable: column });
    classes.forEach((k, ki) => {
      if (!(fits[ki] as boolean[])[ti]) return;
      const split = new Float64Array(rows);
      split[ki] = 1;
      for (let r = 0; r < 3; r++) {
        split[classes.length + 3 * a + r] =
          -(k.req[r] as number) / ((types[ti] as TypeVector).allocatable[r] as number);
      }
      columns.push({ price: 0, allocatable: split });
    });
  });
  const requests = [...classes.map((k) => k.count), ...new Array<number>(3 * restricted.length).fill(0)];
  return coveringLpDuals(columns, requests, 1e-7)
    .slice(0, classes.length)
    .map((v) => Math.max(v, 0));
}

// alloc_t·w for the cheapest w ≥ 0 with req_k·w ≥ u_k for every class that fits t — or for a feasible w no dearer
// when the small LP's rounding leaves it short (it is then scaled up until it covers): an upper bound on the least
// cost, which keeps the scaling in assignmentLowerBound on the safe side.
export function leastCostPrices(
  t: TypeVector,
  classes: readonly { readonly req: readonly [number, number, number] }[],
  fits: readonly (readonly boolean[])[],
  u: readonly number[],
  ti: number,
): number {
  const fitting = classes.flatMap((k, ki) => ((fits[ki] as boolean[])[ti] && (u[ki] as number) > 0 ? [ki] : []));
  if (fitting.length === 0) return 0;
  let w: number[];
  try {
    const lp = coveringLp(
      [0, 1, 2].map((r) => ({
        price: t.allocatable[r] as number,
        allocatable: fitting.map((ki) => (classes[ki] as { req: readonly number[] }).req[r] as number),
      })),
      fitting.map((ki) => u[ki] as number),
    );
    w = [0, 1, 2].map((r) => lp.cover.get(r) ?? 0);
  } catch {
    w = [0, 0, 0]; // every class requests one pod: pricing pods alone always covers
    w[2] = Math.max(...fitting.map((ki) => u[ki] as number));
  }
  let short = 1;
  for (const ki of fitting) {
    const req = (classes[ki] as { req: readonly number[] }).req;
    const worth = req.reduce((sum, r, j) => sum + r * (w[j] as number), 0);
    short = Math.max(short, worth > 0 ? (u[ki] as number) / worth : Number.POSITIVE_INFINITY);
  }
  if (!Number.isFinite(short)) {
    w = [0, 0, Math.max(...fitting.map((ki) => u[ki] as number))];
    short = 1;
  }
  return short * w.reduce((sum, x, r) => sum + x * (t.allocatable[r] as number), 0);
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
