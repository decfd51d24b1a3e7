/**
 * The LP relaxation of covering resource requests with instance types: min Σ price·x subject to Σ allocatable·x ≥
 * requests, x ≥ 0. Solved through its dual — max requests·y subject to allocatable·y ≤ price, y ≥ 0, one variable per
 * resource — by the tableau simplex with Bland's rule. The dual's y are the run's prices per unit of each resource:
 * a type whose allocatable is worth its price at y is as cheap as packing gets (the scheduler keeps NodeClaims on
 * such types), and requests·y is a lower bound on any schedule's $/h (the scheduling benchmark's bound). Any dual-
 * feasible y is a valid bound, so feasibility is checked rather than trusted; the primal read off the final tableau
 * certifies optimality.
 */
export interface CoverType {
  readonly price: number;
  /** In the same units and order as the requests. */
  readonly allocatable: ArrayLike<number>;
}

export interface CoveringLp {
  /** requests·y: the LP optimum when `certified`. */
  readonly value: number;
  /** Price per unit of each resource. */
  readonly duals: readonly number[];
  /** The primal from the final tableau covers the requests at the same cost. */
  readonly certified: boolean;
  /** How many of each type (by position) the fractional optimum uses, for those it uses. */
  readonly cover: ReadonlyMap<number, number>;
}

const EPS = 1e-12;

/** Throws when some requested resource no type has (the dual is then unbounded). */
export function coveringLp(types: readonly CoverType[], requests: readonly number[]): CoveringLp {
  const { duals, primal } = simplex(types, requests);
  const m = requests.length;
  const value = duals.reduce((sum, y, j) => sum + y * (requests[j] as number), 0);
  for (const t of types) {
    let worth = 0;
    for (let j = 0; j < m; j++) worth += (t.allocatable[j] ?? 0) * (duals[j] as number);
    if (worth > t.price * (1 + 1e-9) + EPS) throw new Error("covering LP: the dual came out infeasible");
  }
  const cover = new Map<number, number>();
  let cost = 0;
  const covered = new Array<number>(m).fill(0);
  types.forEach((t, i) => {
    const x = primal[i] as number;
    if (x <= EPS) return;
    cover.set(i, x);
    cost += x * t.price;
    for (let j = 0; j < m; j++) covered[j] = (covered[j] as number) + x * (t.allocatable[j] ?? 0);
  });
  const certified =
    covered.every((c, j) => c >= (requests[j] as number) * (1 - 1e-9)) &&
    Math.abs(cost - value) <= 1e-9 * Math.max(1, value);
  return { value, duals, certified, cover };
}

/**
 * The simplex's final dual point, unchecked: for callers with columns of any sign (and prices of 0) whose rounding
 * the strict check above would refuse, and which make the point feasible themselves before relying on it.
 */
export function coveringLpDuals(
  types: readonly CoverType[],
  requests: readonly number[],
  pivotTolerance = EPS,
): readonly number[] {
  return simplex(types, requests, pivotTolerance).duals;
}

/** The simplex's final dual and primal points, unchecked, for callers that only need a good point, not a bound. */
export function coveringLpPoint(
  types: readonly CoverType[],
  requests: readonly number[],
  pivotTolerance = EPS,
): { readonly duals: readonly number[]; readonly primal: readonly number[] } {
  return simplex(types, requests, pivotTolerance);
}

function simplex(
  types: readonly CoverType[],
  requests: readonly number[],
  pivotTolerance = EPS,
): { readonly duals: readonly number[]; readonly primal: readonly number[] } {
  const n = types.length;
  const m = requests.length;
  const width = m + n + 1;
  // Resources scaled so every requested amount is 1: the tableau then mixes cores, bytes and pods safely.
  const scale = requests.map((r) => (r > 0 ? r : 1));
  const rows: Float64Array[] = types.map((t, i) => {
    const row = new Float64Array(width);
    for (let j = 0; j < m; j++) row[j] = (t.allocatable[j] ?? 0) / (scale[j] as number);
    row[m + i] = 1;
    row[width - 1] = t.price;
    return row;
  });
  const objective = new Float64Array(width);
  for (let j = 0; j < m; j++) objective[j] = -((requests[j] as number) / (scale[j] as number));
  const basis = types.map((_, i) => m + i);
  for (let iteration = 0; iteration < 100_000; iteration++) {
    let entering = -1;
    for (let j = 0; j < width - 1; j++) {
      if ((objective[j] as number) < -EPS) {
        entering = j;
        break;
      }
    }
    if (entering < 0) break;
    let leaving = -1;
    let best = Number.POSITIVE_INFINITY;
    for (let i = 0; i < n; i++) {
      const a = (rows[i] as Float64Array)[entering] as number;
      if (a <= pivotTolerance) continue;
      const ratio = ((rows[i] as Float64Array)[width - 1] as number) / a;
      if (ratio < best - EPS || (Math.abs(ratio - best) <= EPS && (basis[i] as number) < (basis[leaving] as number))) {
        best = ratio;
        leaving = i;
      }
    }
    if (leaving < 0) throw new Error("covering LP: a requested resource no instance type has");
    const pivotRow = rows[leaving] as Float64Array;
    const pivot = pivotRow[entering] as number;
    for (let j = 0; j < width; j++) pivotRow[j] = (pivotRow[j] as number) / pivot;
    for (const row of [...rows, objective]) {
      if (row === pivotRow) continue;
      const factor = row[entering] as number;
      if (factor === 0) continue;
      for (let j = 0; j < width; j++) row[j] = (row[j] as number) - factor * (pivotRow[j] as number);
    }
    basis[leaving] = entering;
  }
  const scaled = new Array<number>(m).fill(0);
  basis.forEach((variable, i) => {
    if (variable < m) scaled[variable] = (rows[i] as Float64Array)[width - 1] as number;
  });
  return {
    duals: scaled.map((y, j) => y / (scale[j] as number)),
    primal: types.map((_, i) => objective[m + i] as number),
  };
}
