// The scheduling benchmark's lower bounds (bench/scheduling-bounds.ts) against a brute-force oracle: on small
// instances every way of grouping the pods onto nodes is tried, each group on the cheapest type it fits, and the
// cheapest schedule found must never cost less than the bound (nor more than the whole-node patterns' packing). A hand-worked instance shows the assignment bound
// tighter than the covering LP's where the LP mixes one type's CPU with another's memory.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { assignmentLowerBound, lpLowerBound, type TypeVector } from "../../bench/scheduling-bounds.ts";
import { patternPacking } from "../../bench/scheduling-patterns.ts";
import { cheapestPacking } from "../support/cheapest-packing.ts";
import { seededRandom } from "../support/json-mutation.ts";

type Vector = readonly [number, number, number];

// The brute-force optimum over every grouping of the pods (test/support/cheapest-packing.ts).
function optimalCost(types: readonly TypeVector[], pods: readonly Vector[]): number {
  return cheapestPacking(
    types.map((t) => ({ price: t.price, capacity: t.allocatable })),
    pods,
  );
}

const sum = (pods: readonly Vector[]): [number, number, number] => {
  const total: [number, number, number] = [0, 0, 0];
  for (const p of pods) p.forEach((r, k) => (total[k] = (total[k] as number) + r));
  return total;
};

describe("assignmentLowerBound", () => {
  test("never exceeds the cheapest schedule on random small instances (brute force over every grouping)", () => {
    let tighter = 0;
    for (let seed = 1; seed <= 80; seed++) {
      const next = seededRandom(seed);
      const pick = (values: readonly number[]) => values[Math.floor(next() * values.length)] as number;
      const types: TypeVector[] = Array.from({ length: 3 + Math.floor(next() * 6) }, (_, i) => ({
        name: `type-${i}`,
        price: Math.round((0.1 + next() * 2) * 100) / 100,
        allocatable: [pick([1, 2, 4, 8]), pick([1, 2, 4, 8, 16]), pick([2, 4, 8])],
      }));
      const pods: Vector[] = Array.from({ length: 4 + Math.floor(next() * 4) }, () => [
        pick([0.25, 0.5, 1, 2, 3]),
        pick([0.25, 0.5, 1, 2, 4, 6]),
        1,
      ]);
      if (!pods.every((p) => types.some((t) => p.every((r, k) => r <= (t.allocatable[k] as number))))) continue;
      const optimum = optimalCost(types, pods);
      const bound = assignmentLowerBound(types, pods);
      assert.ok(bound <= optimum + 1e-9, `seed ${seed}: bound ${bound} above the optimum ${optimum}`);
      assert.ok(bound > 0, `seed ${seed}: a bound of ${bound}`);
      if (bound > lpLowerBound(types, sum(pods)).value * (1 + 1e-6)) tighter += 1;
    }
    // The instances where a pod's CPU and memory cannot come from different types make the bound tighter.
    assert.ok(tighter > 0, "the assignment bound was never tighter than the covering LP's");
  });

  test("a pod's CPU and memory come from one node: tighter than the covering LP, and here exact", () => {
    // A: 2 cpu, 1 GiB at $1 (cheap CPU); B: 1 cpu, 8 GiB at $1 (cheap memory); two pods of 1 cpu, 2 GiB fit only B,
    // one per node, so the cheapest schedule is two B at $2. The covering LP covers 2 cpu and 4 GiB with 0.8 A and
    // 0.4 B (2·0.8 + 0.4 = 2 cpu, 0.8 + 8·0.4 = 4 GiB) for $1.20.
    const types: TypeVector[] = [
      { name: "a", price: 1, allocatable: [2, 1, 10] },
      { name: "b", price: 1, allocatable: [1, 8, 10] },
    ];
    const pods: Vector[] = [
      [1, 2, 1],
      [1, 2, 1],
    ];
    assert.equal(optimalCost(types, pods), 2);
    assert.ok(Math.abs(lpLowerBound(types, sum(pods)).value - 1.2) < 1e-9);
    assert.ok(Math.abs(assignmentLowerBound(types, pods) - 2) < 1e-9);
  });

  test("a pod that fits no type is refused with the reason", () => {
    assert.throws(
      () => assignmentLowerBound([{ name: "a", price: 1, allocatable: [1, 1, 1] }], [[2, 1, 1]]),
      /a pod fits no instance type/,
    );
  });
});

describe("patternPacking", () => {
  test("its Farley bound never exceeds the cheapest schedule, nor the cheapest schedule its packing (brute force)", () => {
    let tighter = 0;
    let exact = 0;
    let tried = 0;
    for (let seed = 1; seed <= 60; seed++) {
      const next = seededRandom(seed);
      const pick = (values: readonly number[]) => values[Math.floor(next() * values.length)] as number;
      const types: TypeVector[] = Array.from({ length: 2 + Math.floor(next() * 5) }, (_, i) => ({
        name: `type-${i}`,
        price: Math.round((0.1 + next() * 2) * 100) / 100,
        allocatable: [pick([1, 2, 4, 8]), pick([1, 2, 4, 8, 16]), pick([2, 4, 8])],
      }));
      const pods: Vector[] = Array.from({ length: 4 + Math.floor(next() * 4) }, () => [
        pick([0.25, 0.5, 1, 2]),
        pick([0.25, 0.5, 1, 2, 4]),
        1,
      ]);
      if (!pods.every((p) => types.some((t) => p.every((r, k) => r <= (t.allocatable[k] as number))))) continue;
      tried += 1;
      const optimum = optimalCost(types, pods);
      const result = patternPacking(types, pods);
      assert.ok(result.bound <= optimum + 1e-9, `seed ${seed}: bound ${result.bound} above the optimum ${optimum}`);
      assert.ok(result.packingCost >= optimum - 1e-9, `seed ${seed}: packing ${result.packingCost} below ${optimum}`);
      if (result.bound > assignmentLowerBound(types, pods) * (1 + 1e-6)) tighter += 1;
      if (result.packingCost <= optimum + 1e-9) exact += 1;
    }
    assert.ok(tried >= 40, `${tried} instances`);
    // Exact pricing on instances this small: the bound is the pattern LP's, tighter than the assignment bound where
    // pods cannot split across nodes.
    assert.ok(tighter > 0, "the patterns' bound was never tighter than the assignment bound");
    assert.ok(exact >= tried / 2, `the packing was optimal on ${exact} of ${tried}`);
  });
});
