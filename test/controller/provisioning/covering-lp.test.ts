// The covering LP (covering-lp.ts) on examples worked by hand, and the packing it drives in the scheduler.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { coveringLp } from "../../../controller/provisioning/index.ts";
import { catalogTypes, nodePool, pod, pods, run } from "../../support/scheduling-fixtures.ts";

describe("coveringLp", () => {
  // Types A (2 cpu, 4 GiB, $1), B (4, 4, $1.50), C (8, 8, $10); requests 8 cpu, 12 GiB.
  // Primal vertices: 2 A + 1 B covers (8, 12) for $3.50; 3 B is (12, 12) for $4.50; 4 A is (8, 16) for $4.
  // Dual: max 8·y1 + 12·y2 with 2·y1 + 4·y2 ≤ 1 (A) and 4·y1 + 4·y2 ≤ 1.5 (B), both tight at y = (0.25, 0.125):
  // 2 + 1.5 = 3.5. C is worth 8 × 0.25 + 8 × 0.125 = 3 at those prices, far below its $10.
  const types = [
    { price: 1, allocatable: [2, 4] },
    { price: 1.5, allocatable: [4, 4] },
    { price: 10, allocatable: [8, 8] },
  ];
  test("finds the optimum, its resource prices and the cover, and certifies it", () => {
    const lp = coveringLp(types, [8, 12]);
    assert.ok(Math.abs(lp.value - 3.5) < 1e-9);
    assert.deepEqual(
      lp.duals.map((y) => Math.round(y * 1e9) / 1e9),
      [0.25, 0.125],
    );
    assert.equal(lp.certified, true);
    assert.deepEqual(
      [...lp.cover].map(([i, x]) => [i, Math.round(x * 1e9) / 1e9]),
      [
        [0, 2],
        [1, 1],
      ],
    );
  });
  test("a resource no type has is an error, not an unbounded loop", () => {
    assert.throws(() => coveringLp([{ price: 1, allocatable: [1, 0] }], [1, 1]), /no instance type has/);
  });
});

describe("packing onto efficient types", () => {
  // 100 pods of 100m: m5.large ($0.096) has 1930m allocatable, so 19 pods each and 6 nodes ($0.576).
  // u-6tb1.56xlarge ($46.40, 737 pods) would take all 100 alone — what Karpenter launches, since a NodeClaim takes
  // pods while its largest option fits them and then launches the cheapest option left.
  test("100 small pods go on six m5.large, not one u-6tb1.56xlarge", () => {
    const result = run(
      pods(100, () => pod({ requests: { cpu: "100m", memory: "100Mi" } })),
      [nodePool("default")],
      catalogTypes("m5.large", "u-6tb1.56xlarge"),
    );
    assert.deepEqual(
      result.newNodeClaims.map((c) => [c.instanceTypes[0], c.pods.length]),
      [
        ["m5.large", 19],
        ["m5.large", 19],
        ["m5.large", 19],
        ["m5.large", 19],
        ["m5.large", 19],
        ["m5.large", 5],
      ],
    );
  });
  test("a pod no efficient type fits still gets the type that fits it", () => {
    const result = run(
      [pod({ requests: { memory: "1Ti" } })],
      [nodePool("default")],
      catalogTypes("m5.large", "u-6tb1.56xlarge"),
    );
    assert.deepEqual(result.newNodeClaims[0]?.instanceTypes, ["u-6tb1.56xlarge"]);
  });
});
