// Whole-node patterns for the scheduling benchmark (Gilmore–Gomory column generation, as for cutting stock): a
// pattern is one node of one type with a count of pods of each class (pods of equal requests), and the LP covers the
// pods' counts with patterns at their type's price. It answers the question the assignment bound left open — is the
// gap between a solve's $/h and the bound the packing's or the bound's? — from both sides:
//
// - a lower bound (Farley's): for any class values u ≥ 0, a node of type t holds pods worth at most V_t, the most any
//   pattern of t is worth, so every schedule costs at least Σ n_k·u_k / max_t (V_t / p_t). V_t is the knapsack's
//   exact optimum when the search finishes and its relaxation's value when it is cut short, so the bound stays valid;
//   with the master LP's duals as u it is the pattern LP's optimum when the pricing finds nothing, and tighter than
//   the assignment bound, which bounds V_t by the knapsack's LP relaxation instead;
// - an integral packing (sequential rounding): repeatedly solve the master on the pods left, take the pattern with the
//   largest share (its whole part, or once), trim it to the pods left and put it on the cheapest type it fits.
//
// Offline only: the scheduler does not run this (it prices nodes through covering-lp.ts's dual and packs as pods come).
import { coveringLpPoint } from "../controller/provisioning/index.ts";
import { leastCostPrices, type TypeVector } from "./scheduling-bounds.ts";

type Vector = readonly [number, number, number];

interface PodClass {
  readonly req: Vector;
  readonly count: number;
}

interface Pattern {
  readonly type: number;
  /** Pods per class. */
  readonly counts: readonly number[];
}

export interface PatternResult {
  /** Farley's bound at the last duals: no schedule costs less. */
  readonly bound: number;
  /** The master LP's value at the end of column generation (not itself a bound unless no column prices out). */
  readonly lp: number;
  /** The sequential rounding's packing. */
  readonly packingCost: number;
  readonly packingNodes: number;
}

// Beyond this many search nodes per knapsack, V_t falls back to the relaxation's bound (valid, looser).
const SEARCH_LIMIT = 1_000;
const EPS = 1e-9;

export function classesOf(pods: readonly Vector[]): PodClass[] {
  const byKey = new Map<string, { req: Vector; count: number }>();
  for (const p of pods) {
    const key = p.join(",");
    const found = byKey.get(key);
    if (found === undefined) byKey.set(key, { req: p, count: 1 });
    else found.count += 1;
  }
  return [...byKey.values()];
}

const fits = (load: readonly number[], t: TypeVector) => load.every((l, j) => l <= (t.allocatable[j] as number) + EPS);

/**
 * The most pods of these classes, at values u, one node of type t holds: `exact` when the search finished (`value` is
 * then the optimum), else `value` is an upper bound and `counts` the best pattern found.
 */
export function bestPattern(
  t: TypeVector,
  classes: readonly PodClass[],
  u: readonly number[],
  caps: readonly number[],
): { readonly value: number; readonly counts: number[]; readonly exact: boolean } {
  const items = classes
    .map((k, i) => ({ i, req: k.req, value: u[i] as number, cap: Math.min(caps[i] as number, maxCopies(k.req, t)) }))
    .filter((item) => item.value > EPS && item.cap > 0)
    .sort((a, b) => density(b, t) - density(a, t) || a.i - b.i);
  const counts = new Array<number>(classes.length).fill(0);
  const best = { value: 0, counts: [...counts] };
  const room = [...t.allocatable];
  let visited = 0;
  const orders = [0, 1, 2].map((j) =>
    items
      .map((_, at) => at)
      .sort((a, b) => {
        const x = items[a] as (typeof items)[number];
        const y = items[b] as (typeof items)[number];
        return y.value / ((y.req[j] as number) || EPS) - x.value / ((x.req[j] as number) || EPS) || a - b;
      }),
  );
  const root = relaxation(items, orders, 0, room);
  const visit = (n: number, value: number): void => {
    visited += 1;
    if (value > best.value + EPS) {
      best.value = value;
      best.counts = [...counts];
    }
    if (n === items.length || visited > SEARCH_LIMIT) return;
    if (value + relaxation(items, orders, n, room) <= best.value + EPS) return;
    const item = items[n] as (typeof items)[number];
    let most = item.cap;
    for (let j = 0; j < 3; j++) {
      const r = item.req[j] as number;
      if (r > 0) most = Math.min(most, Math.floor(((room[j] as number) + EPS) / r));
    }
    for (let c = most; c >= 0; c--) {
      for (let j = 0; j < 3; j++) room[j] = (room[j] as number) - c * (item.req[j] as number);
      counts[item.i] = c;
      visit(n + 1, value + c * item.value);
      counts[item.i] = 0;
      for (let j = 0; j < 3; j++) room[j] = (room[j] as number) + c * (item.req[j] as number);
      if (visited > SEARCH_LIMIT) break;
    }
  };
  visit(0, 0);
  const exact = visited <= SEARCH_LIMIT;
  if (exact) return { value: best.value, counts: best.counts, exact };
  // Cut short: the knapsack's LP relaxation over all three resources bounds it (assignment bound's least-cost prices).
  const lp = leastCostPrices(
    t,
    classes,
    classes.map((k) => [fits(k.req, t)]),
    u,
    0,
  );
  return { value: Math.max(best.value, Math.min(root, lp)), counts: best.counts, exact };
}

function maxCopies(req: Vector, t: TypeVector): number {
  let most = Number.POSITIVE_INFINITY;
  for (let j = 0; j < 3; j++) {
    const r = req[j] as number;
    if (r > 0) most = Math.min(most, Math.floor(((t.allocatable[j] as number) + EPS) / r));
  }
  return Number.isFinite(most) ? most : 0;
}

// Value per unit of the item's share of the node, summed over the resources: the order the search tries items in.
function density(item: { readonly req: Vector; readonly value: number }, t: TypeVector): number {
  const size = item.req.reduce((sum, r, j) => sum + r / (t.allocatable[j] as number), 0);
  return item.value / Math.max(size, EPS);
}

// An upper bound on what items n.. add within `room`: for each resource alone, the fractional knapsack (items by
// value per unit of it, each up to its cap; `orders` lists the items so, per resource), and the least of the three,
// since every pattern obeys all three.
function relaxation(
  items: readonly { readonly req: Vector; readonly value: number; readonly cap: number }[],
  orders: readonly (readonly number[])[],
  n: number,
  room: readonly number[],
): number {
  let bound = Number.POSITIVE_INFINITY;
  for (let j = 0; j < 3; j++) {
    let left = room[j] as number;
    let value = 0;
    for (const at of orders[j] as readonly number[]) {
      if (at < n) continue;
      const item = items[at] as (typeof items)[number];
      const r = item.req[j] as number;
      if (r <= 0) {
        value += item.cap * item.value;
        continue;
      }
      const take = Math.min(item.cap, left / r);
      value += take * item.value;
      left -= take * r;
      if (left <= EPS) break;
    }
    if (value < bound) bound = value;
  }
  return bound;
}

/** Column generation from each class's cheapest single-class node, then Farley's bound and sequential rounding. */
export function patternPacking(catalog: readonly TypeVector[], pods: readonly Vector[], rounds = 40): PatternResult {
  const types = undominated(catalog);
  const classes = classesOf(pods);
  const counts = classes.map((k) => k.count);
  const patterns: Pattern[] = [];
  const seen = new Set<string>();
  const add = (p: Pattern): boolean => {
    const key = `${p.type}:${p.counts.join(",")}`;
    if (seen.has(key) || p.counts.every((c) => c === 0)) return false;
    seen.add(key);
    patterns.push(p);
    return true;
  };
  classes.forEach((k, i) => {
    let best = -1;
    let bestPerPod = Number.POSITIVE_INFINITY;
    types.forEach((t, ti) => {
      const n = Math.min(maxCopies(k.req, t), k.count);
      if (n > 0 && t.price / n < bestPerPod) {
        best = ti;
        bestPerPod = t.price / n;
      }
    });
    if (best < 0) throw new Error("a pod fits no instance type");
    const c = new Array<number>(classes.length).fill(0);
    c[i] = Math.min(maxCopies(k.req, types[best] as TypeVector), k.count);
    add({ type: best, counts: c });
  });
  let u: number[] = [];
  let lp = 0;
  let bound = 0;
  for (let round = 0; round < rounds; round++) {
    const master = solveMaster(types, patterns, counts);
    u = master.u;
    lp = master.value;
    const priced = types.map((t, ti) => ({ ti, ...bestPattern(t, classes, u, counts) }));
    const worst = Math.max(...priced.map((p) => p.value / (types[p.ti] as TypeVector).price));
    bound = Math.max(bound, counts.reduce((sum, n, i) => sum + n * (u[i] as number), 0) / Math.max(worst, 1));
    const entering = priced
      .filter((p) => p.value > (types[p.ti] as TypeVector).price * (1 + 1e-7))
      .sort((a, b) => b.value / (types[b.ti] as TypeVector).price - a.value / (types[a.ti] as TypeVector).price);
    let added = 0;
    for (const p of entering) {
      if (added >= 12) break;
      if (add({ type: p.ti, counts: p.counts })) added += 1;
    }
    if (added === 0) break;
  }
  const packed = sequentialRounding(types, classes, patterns);
  return { bound, lp, packingCost: packed.cost, packingNodes: packed.nodes };
}

// A type no cheaper and no larger on every resource than another is never needed: every pattern of it fits the other
// at no more cost (so it changes neither the bound's max_t V_t / p_t nor the cheapest packing).
export function undominated(types: readonly TypeVector[]): TypeVector[] {
  return types.filter(
    (b, bi) =>
      !types.some(
        (a, ai) =>
          ai !== bi &&
          a.price <= b.price &&
          a.allocatable.every((x, j) => x >= (b.allocatable[j] as number)) &&
          (a.price < b.price || a.allocatable.some((x, j) => x > (b.allocatable[j] as number)) || ai < bi),
      ),
  );
}

function solveMaster(
  types: readonly TypeVector[],
  patterns: readonly Pattern[],
  counts: readonly number[],
): { readonly u: number[]; readonly value: number; readonly x: ReadonlyMap<number, number> } {
  // Farley's bound holds for any u ≥ 0, and the rounding needs only a good x: the point is used unchecked.
  const { duals, primal } = coveringLpPoint(
    patterns.map((p) => ({ price: (types[p.type] as TypeVector).price, allocatable: p.counts })),
    counts,
    1e-7,
  );
  const x = new Map<number, number>();
  let value = 0;
  primal.forEach((v, i) => {
    if (v <= EPS) return;
    x.set(i, v);
    value += v * (types[(patterns[i] as Pattern).type] as TypeVector).price;
  });
  return { u: duals.map((y) => Math.max(y, 0)), value, x };
}

function sequentialRounding(
  types: readonly TypeVector[],
  classes: readonly PodClass[],
  patterns: readonly Pattern[],
): { readonly cost: number; readonly nodes: number } {
  const left = classes.map((k) => k.count);
  let cost = 0;
  let nodes = 0;
  while (left.some((n) => n > 0)) {
    const live = patterns.filter((p) => p.counts.some((c, i) => c > 0 && (left[i] as number) > 0));
    const { x } = solveMaster(types, live, left);
    let pick = -1;
    let share = 0;
    for (const [i, v] of x) {
      if (v > share + EPS) {
        pick = i;
        share = v;
      }
    }
    const pattern = live[pick] as Pattern;
    for (let copy = 0; copy < Math.max(1, Math.floor(share + EPS)); copy++) {
      const trimmed = pattern.counts.map((c, i) => Math.min(c, left[i] as number));
      if (trimmed.every((c) => c === 0)) break;
      const load = [0, 0, 0];
      trimmed.forEach((c, i) =>
        (classes[i] as PodClass).req.forEach((r, j) => (load[j] = (load[j] as number) + c * r)),
      );
      let cheapest = Number.POSITIVE_INFINITY;
      for (const t of types) if (t.price < cheapest && fits(load, t)) cheapest = t.price;
      cost += cheapest;
      nodes += 1;
      trimmed.forEach((c, i) => (left[i] = (left[i] as number) - c));
    }
  }
  return { cost, nodes };
}
