import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  addResources,
  fits,
  formatResourceList,
  insufficientResources,
  isZero,
  maxResources,
  parseResourceList,
  subtractResources,
  toRawResourceList,
} from "../../scheduling/resources.ts";
import type { ResourceList, ResourceListLike } from "../../scheduling/resources.ts";
import { Quantity, parseQuantity } from "../../api/quantity.ts";
import { ValueError } from "../../api/value-error.ts";

/** A list as canonical strings, for easy comparison. */
function raw(list: ResourceList): Record<string, string> {
  return toRawResourceList(list);
}

describe("parseResourceList", () => {
  test("strings and YAML numbers", () => {
    const list = parseResourceList({ cpu: "1000", memory: "1000Gi", "nvidia.com/gpu": 4, ephemeral: 0.5 });
    assert.deepEqual(Object.keys(list), ["cpu", "memory", "nvidia.com/gpu", "ephemeral"]);
    assert.ok(list.cpu instanceof Quantity);
    assert.equal(list.cpu?.value(), 1000n);
    assert.equal(list.memory?.value(), 1000n * 2n ** 30n);
    assert.equal(list["nvidia.com/gpu"]?.value(), 4n);
    assert.equal(list.ephemeral?.milliValue(), 500n);
  });

  test("the result is frozen and keeps odd names as entries", () => {
    const list = parseResourceList(JSON.parse('{"__proto__": "1", "constructor": "2"}'));
    assert.deepEqual(raw(list), { ["__proto__"]: "1", constructor: "2" });
    assert.equal(Object.getPrototypeOf(list), Object.prototype);
    assert.ok(Object.isFrozen(list));
  });

  test("an empty map is an empty list", () => {
    assert.deepEqual(parseResourceList({}), {});
  });

  // [input, prefix, expected message, expected path]
  const invalid: [unknown, string | undefined, string, string | undefined][] = [
    [
      { cpu: "1", memory: "10GB" },
      "limits",
      'limits.memory: invalid quantity "10GB": expected a number with an optional suffix (n u m k M G T P E, Ki Mi Gi Ti Pi Ei, or e<exp>); did you mean "10G" (10^9) or "10Gi" (2^30)?',
      "limits.memory",
    ],
    [
      { "nvidia.com/gpu": "one" },
      "spec.resources.requests",
      'spec.resources.requests[nvidia.com/gpu]: invalid quantity "one": expected a number',
      "spec.resources.requests[nvidia.com/gpu]",
    ],
    [{ memory: "1 Gi" }, undefined, 'memory: invalid quantity "1 Gi"', "memory"],
    [{ cpu: NaN }, "limits", "limits.cpu: invalid quantity NaN: expected a finite number", "limits.cpu"],
    [{ cpu: null }, "limits", "limits.cpu: invalid quantity null", "limits.cpu"],
    [{ cpu: true }, "limits", "limits.cpu: invalid quantity boolean true", "limits.cpu"],
    [{ "": "1" }, "limits", "limits[]: resource name must be non-empty", "limits[]"],
    ["4", "limits", 'limits: expected a map of resource names to quantities, got the string "4"', "limits"],
    [["cpu"], "limits", "limits: expected a map of resource names to quantities, got a list", "limits"],
    [null, undefined, "resource list: expected a map of resource names to quantities, got null", undefined],
    [
      parseQuantity("1"),
      undefined,
      "resource list: expected a map of resource names to quantities, got the single quantity 1",
      undefined,
    ],
  ];
  for (const [input, prefix, message, path] of invalid) {
    test(`invalid: ${message.slice(0, 60)}`, () => {
      assert.throws(
        () => parseResourceList(input, prefix),
        (error: unknown) => {
          assert.ok(error instanceof ValueError);
          assert.ok(error.message.startsWith(message), error.message);
          assert.equal(error.path, path);
          return true;
        },
      );
    });
  }

  test("the error keeps the offending value and the quantity error as its cause", () => {
    try {
      parseResourceList({ memory: "10GB" }, "limits");
      assert.fail("expected a throw");
    } catch (error) {
      assert.ok(error instanceof ValueError);
      assert.equal(error.value, "10GB");
      assert.ok(error.cause instanceof ValueError);
    }
  });
});

describe("addResources and subtractResources", () => {
  test("sums over the union of names", () => {
    const sum = addResources({ cpu: "500m", memory: "1Gi" }, { cpu: 1, "nvidia.com/gpu": 1 }, { memory: "512Mi" });
    assert.deepEqual(raw(sum), { cpu: "1500m", memory: "1536Mi", "nvidia.com/gpu": "1" });
  });

  test("no lists sum to an empty list", () => {
    assert.deepEqual(addResources(), {});
  });

  test("sums are exact", () => {
    const sum = addResources(...Array.from({ length: 10 }, () => ({ cpu: 0.1 })));
    assert.deepEqual(raw(sum), { cpu: "1" });
  });

  test("differences over the union of names, possibly negative", () => {
    const rest = subtractResources({ cpu: "4", memory: "16Gi", pods: 110 }, { cpu: "1500m", memory: "17Gi", gpu: 1 });
    assert.deepEqual(raw(rest), { cpu: "2500m", memory: "-1Gi", pods: "110", gpu: "-1" });
  });

  test("invalid input names the entry", () => {
    assert.throws(() => addResources({ cpu: "1" }, { cpu: "x" }), /^ValueError: cpu: invalid quantity "x"/);
    assert.throws(() => subtractResources({ cpu: "1" }, { memory: "1GB" }), /memory: invalid quantity "1GB"/);
  });
});

describe("fits and insufficientResources", () => {
  const capacity = { cpu: "4", memory: "16Gi", pods: "110" };
  const cases: [string, ResourceListLike, ResourceListLike, string[]][] = [
    ["everything within", { cpu: "3500m", memory: "8Gi" }, capacity, []],
    ["exactly equal", { cpu: 4, memory: "16384Mi", pods: 110 }, capacity, []],
    ["one too big", { cpu: "4001m", memory: "1Gi" }, capacity, ["cpu"]],
    ["two too big", { cpu: "5", memory: "17Gi" }, capacity, ["cpu", "memory"]],
    ["missing capacity for a non-zero request", { "nvidia.com/gpu": 1 }, capacity, ["nvidia.com/gpu"]],
    ["missing capacity for a zero request", { "nvidia.com/gpu": 0 }, capacity, []],
    ["empty request", {}, capacity, []],
    ["empty capacity", { cpu: "1m" }, {}, ["cpu"]],
    ["nano precision", { cpu: "4000000001n" }, capacity, ["cpu"]],
    ["negative capacity fits nothing (Karpenter)", { cpu: "1" }, { cpu: "2", memory: "-1" }, ["memory"]],
    ["negative request fits", { cpu: "-1" }, { cpu: "0" }, []],
    ["inherited names are not capacity", { constructor: "1" }, {}, ["constructor"]],
  ];
  for (const [name, requests, available, insufficient] of cases) {
    test(name, () => {
      assert.deepEqual(insufficientResources(requests, available), insufficient);
      assert.equal(fits(requests, available), insufficient.length === 0);
    });
  }

  test("errors say which list is bad", () => {
    assert.throws(() => fits({ cpu: "x" }, capacity), /^ValueError: requests.cpu: invalid quantity "x"/);
    assert.throws(() => fits({ cpu: "1" }, { memory: "1 Gi" }), /^ValueError: capacity.memory: invalid quantity/);
  });
});

describe("maxResources", () => {
  test("largest per name, across formats", () => {
    const max = maxResources({ cpu: "500m", memory: "1Gi" }, { cpu: 2, memory: "1G" }, { "nvidia.com/gpu": 1 });
    assert.deepEqual(raw(max), { cpu: "2", memory: "1Gi", "nvidia.com/gpu": "1" });
  });

  test("a name missing from a list is not treated as zero", () => {
    assert.deepEqual(raw(maxResources({ cpu: "-1" }, {})), { cpu: "-1" });
  });

  test("no lists give an empty list", () => {
    assert.deepEqual(maxResources(), {});
  });
});

describe("isZero", () => {
  const cases: [ResourceListLike, boolean][] = [
    [{}, true],
    [{ cpu: "0", memory: "0Gi" }, true],
    [{ cpu: 0 }, true],
    [{ cpu: "0", memory: "1n" }, false],
    [{ cpu: "-1m" }, false],
  ];
  for (const [list, expected] of cases) {
    test(JSON.stringify(list), () => assert.equal(isZero(list), expected));
  }
});

describe("formatResourceList and toRawResourceList", () => {
  test("sorted canonical entries", () => {
    assert.equal(
      formatResourceList({ memory: "2048Mi", "nvidia.com/gpu": 4, cpu: "1500m", "ephemeral-storage": "20G" }),
      "cpu=1500m, ephemeral-storage=20G, memory=2Gi, nvidia.com/gpu=4",
    );
  });

  test("empty list", () => {
    assert.equal(formatResourceList({}), "{}");
  });

  test("raw lists are canonical strings in the original order", () => {
    assert.deepEqual(toRawResourceList({ memory: "1024Mi", cpu: 0.25 }), { memory: "1Gi", cpu: "250m" });
  });
});
