/**
 * The finishing pass's packing (scheduler.ts `repackFreeClaims`): pods that nothing but room and price place — no
 * topology, host ports or node requirements, selected by no topology group — packed again, all at once, onto whole
 * nodes. Pods are scheduled one at a time in Karpenter's order (largest CPU first), so the first pods of a batch open
 * NodeClaims sized for themselves and the small pods that come last fill what is left; packing the same pods knowing
 * all of them is cheaper by a tenth on the scheduling benchmark's mix (docs/performance.md).
 *
 * Greedy over node patterns, as the set-cover greedy: pods of equal requests form a class; for each type (those no
 * other type beats on price and every resource) and each of three fill orders (by worth at the run's resource
 * prices, by CPU, by memory), a node is filled with as many pods of each class, in order, as fit; the pattern whose
 * pods are worth most per dollar of its type is taken as many times as the pods left allow; repeat. Each node is then
 * priced as the cheapest type its pods fit, which is what its NodeClaim launches as. Pure and deterministic.
 */
import { worth } from "./packing.ts";
import type { ResourceVector } from "./resource-vector.ts";

export interface RepackType {
  /** What a node of this type leaves for pods (allocatable less the pool's daemonset overhead). */
  readonly room: ResourceVector;
  readonly price: number;
}

export interface RepackedNode<P> {
  /** Position in the types given: the cheapest one the pods fit. */
  readonly type: number;
  readonly pods: readonly P[];
}

/** Beyond this many distinct request vectors the greedy's cost (patterns × classes) is not worth the pass. */
export const MAX_CLASSES = 256;

/**
 * The pods packed onto nodes of the given types, or undefined when the greedy cannot place them all (no resource
 * prices to rank patterns by, or more than MAX_CLASSES classes). Every pod must fit some type on its own.
 */
export function repack<P>(
  pods: readonly P[],
  requestsOf: (pod: P) => ResourceVector,
  types: readonly RepackType[],
  duals: readonly number[],
): RepackedNode<P>[] | undefined {
  const classes = classesOf(pods, requestsOf);
  if (classes.length > MAX_CLASSES) return undefined;
  const candidates = undominated(types);
  const values = classes.map((k) => worth({ duals }, k.requests));
  const byIndex = (a: number, b: number) => a - b;
  const positions = classes.map((_, i) => i);
  const orders = [
    [...positions].sort((a, b) => (values[b] as number) - (values[a] as number) || byIndex(a, b)),
    [...positions].sort((a, b) => larger(classes, b, a, [0, 1]) || byIndex(a, b)),
    [...positions].sort((a, b) => larger(classes, b, a, [1, 0]) || byIndex(a, b)),
  ];
  const left = classes.map((k) => k.pods.length);
  const taken = classes.map(() => 0);
  const nodes: RepackedNode<P>[] = [];
  let remaining = pods.length;
  // Each (type, order)'s pattern, kept until the pods left of a class it takes fall below its count there (until then
  // the same fill comes out).
  const patterns = candidates.flatMap((t) =>
    orders.map((order) => ({ t, order, counts: [] as number[], score: 0, stale: true })),
  );
  const refill = (p: (typeof patterns)[number]) => {
    const type = types[p.t] as RepackType;
    p.counts = fill(classes, p.order, left, type.room);
    let value = 0;
    p.counts.forEach((n, k) => (value += n * (values[k] as number)));
    p.score = value <= 0 ? 0 : type.price > 0 ? value / type.price : Number.POSITIVE_INFINITY;
    p.stale = false;
  };
  const cheapest = new Map<string, number>();
  while (remaining > 0) {
    let best: (typeof patterns)[number] | undefined;
    for (const p of patterns) {
      if (p.stale) refill(p);
      if (p.score > 0 && (best === undefined || p.score > best.score)) best = p;
    }
    if (best === undefined) return undefined;
    let copies = Number.POSITIVE_INFINITY;
    best.counts.forEach((n, k) => {
      if (n > 0) copies = Math.min(copies, Math.floor((left[k] as number) / n));
    });
    for (let copy = 0; copy < copies; copy++) {
      const placed: P[] = [];
      const total = new Float64Array((classes[0] as PodClass<P>).requests.length);
      best.counts.forEach((n, k) => {
        if (n === 0) return;
        const klass = classes[k] as PodClass<P>;
        const from = taken[k] as number;
        placed.push(...klass.pods.slice(from, from + n));
        taken[k] = from + n;
        left[k] = (left[k] as number) - n;
        for (let i = 0; i < total.length; i++) total[i] = (total[i] as number) + n * (klass.requests[i] as number);
      });
      remaining -= placed.length;
      const key = total.join(",");
      let type = cheapest.get(key);
      if (type === undefined) cheapest.set(key, (type = cheapestFitting(types, total)));
      nodes.push({ type, pods: placed });
    }
    best.counts.forEach((n, k) => {
      if (n === 0) return;
      for (const p of patterns) if ((p.counts[k] as number) > (left[k] as number)) p.stale = true;
    });
  }
  return nodes;
}

interface PodClass<P> {
  readonly requests: ResourceVector;
  readonly pods: P[];
}

// Pods of equal requests, in the order their first pod comes.
function classesOf<P>(pods: readonly P[], requestsOf: (pod: P) => ResourceVector): PodClass<P>[] {
  const byKey = new Map<string, PodClass<P>>();
  for (const pod of pods) {
    const requests = requestsOf(pod);
    const key = requests.join(",");
    const found = byKey.get(key);
    if (found === undefined) byKey.set(key, { requests, pods: [pod] });
    else found.pods.push(pod);
  }
  return [...byKey.values()];
}

// Compares classes a and b by the resources in order (cpu and memory are the first two of every ResourceIndex).
function larger<P>(classes: readonly PodClass<P>[], a: number, b: number, resources: readonly number[]): number {
  for (const i of resources) {
    const d = ((classes[a] as PodClass<P>).requests[i] as number) - ((classes[b] as PodClass<P>).requests[i] as number);
    if (d !== 0) return d;
  }
  return 0;
}

// As many pods of each class, in order, as still fit the room.
function fill<P>(
  classes: readonly PodClass<P>[],
  order: readonly number[],
  left: readonly number[],
  room: ResourceVector,
): number[] {
  const free = Float64Array.from(room);
  const counts = classes.map(() => 0);
  for (const k of order) {
    let n = left[k] as number;
    if (n === 0) continue;
    const requests = (classes[k] as PodClass<P>).requests;
    for (let i = 0; i < free.length && n > 0; i++) {
      const r = requests[i] as number;
      if (r > 0) n = Math.min(n, Math.floor((free[i] as number) / r));
    }
    if (n <= 0) continue;
    counts[k] = n;
    for (let i = 0; i < free.length; i++) free[i] = (free[i] as number) - n * (requests[i] as number);
  }
  return counts;
}

// The types no other type matches on price while having at least as much of every resource (ties: the first).
function undominated(types: readonly RepackType[]): number[] {
  const out: number[] = [];
  types.forEach((b, bi) => {
    const dominated = types.some((a, ai) => {
      if (ai === bi || a.price > b.price) return false;
      let more = false;
      for (let i = 0; i < b.room.length; i++) {
        const x = a.room[i] as number;
        const y = b.room[i] as number;
        if (x < y) return false;
        if (x > y) more = true;
      }
      return a.price < b.price || more || ai < bi;
    });
    if (!dominated) out.push(bi);
  });
  return out;
}

function cheapestFitting(types: readonly RepackType[], total: ResourceVector): number {
  let best = -1;
  types.forEach((t, ti) => {
    for (let i = 0; i < total.length; i++) if ((total[i] as number) > (t.room[i] as number)) return;
    if (best < 0 || t.price < (types[best] as RepackType).price) best = ti;
  });
  return best;
}
