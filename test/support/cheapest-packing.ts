// The brute-force oracle for packing tests: every partition of the pods into nodes (restricted growth strings), each
// node on the cheapest type its pods fit; the cheapest schedule's cost. Exponential: for 4–8 pods.

export interface OracleType {
  readonly price: number;
  /** What a node of the type holds, in the pods' units and order. */
  readonly capacity: ArrayLike<number>;
}

export function cheapestPacking(types: readonly OracleType[], pods: readonly (readonly number[])[]): number {
  let best = Number.POSITIVE_INFINITY;
  const group = new Array<number>(pods.length).fill(0);
  const visit = (i: number, groups: number): void => {
    if (i === pods.length) {
      let cost = 0;
      for (let g = 0; g < groups && cost < best; g++) {
        const load: number[] = [];
        pods.forEach((p, j) => {
          if (group[j] === g) p.forEach((r, k) => (load[k] = (load[k] ?? 0) + r));
        });
        let cheapest = Number.POSITIVE_INFINITY;
        for (const t of types) {
          if (load.every((l, k) => l <= (t.capacity[k] as number) + 1e-12)) cheapest = Math.min(cheapest, t.price);
        }
        cost += cheapest;
      }
      best = Math.min(best, cost);
      return;
    }
    for (let g = 0; g <= groups; g++) {
      group[i] = g;
      visit(i + 1, Math.max(groups, g + 1));
    }
  };
  visit(0, 0);
  return best;
}
