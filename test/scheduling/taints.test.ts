import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  DISRUPTED_NO_SCHEDULE_TAINT,
  KNOWN_EPHEMERAL_TAINTS,
  SCHEDULING_EFFECTS,
  UNREGISTERED_NO_EXECUTE_TAINT,
  duplicateTaints,
  formatTaint,
  parseTaint,
  toleratesAll,
  toleratesTaint,
  untoleratedTaints,
  validateTaint,
  validateToleration,
} from "../../scheduling/taints.ts";
import type { Taint, TaintInput, Toleration, TolerationInput } from "../../scheduling/taints.ts";
import { ValueError } from "../../api/value-error.ts";

const GPU: Taint = { key: "nvidia.com/gpu", value: "true", effect: "NoSchedule" };
const GPU_NO_VALUE: Taint = { key: "nvidia.com/gpu", effect: "NoSchedule" };
const DEDICATED: Taint = { key: "dedicated", value: "batch", effect: "NoExecute" };
const SOFT: Taint = { key: "example.com/soft", value: "x", effect: "PreferNoSchedule" };

describe("toleratesTaint (Kubernetes ToleratesTaint)", () => {
  const cases: [string, Toleration, Taint, boolean][] = [
    ["empty key + Exists tolerates everything", { operator: "Exists" }, GPU, true],
    ["empty key + Exists tolerates NoExecute", { operator: "Exists" }, DEDICATED, true],
    ["empty key + Exists + effect limits the effect", { operator: "Exists", effect: "NoExecute" }, GPU, false],
    ["empty key + Exists + matching effect", { operator: "Exists", effect: "NoSchedule" }, GPU, true],
    ["Exists ignores the value", { key: "nvidia.com/gpu", operator: "Exists", value: "ignored" }, GPU, true],
    ["Exists on another key", { key: "other", operator: "Exists" }, GPU, false],
    ["Equal with same value", { key: "nvidia.com/gpu", operator: "Equal", value: "true" }, GPU, true],
    ["Equal with other value", { key: "nvidia.com/gpu", operator: "Equal", value: "false" }, GPU, false],
    ["operator defaults to Equal", { key: "nvidia.com/gpu", value: "true" }, GPU, true],
    ["default Equal, other value", { key: "nvidia.com/gpu", value: "yes" }, GPU, false],
    ["empty operator is Equal", { key: "nvidia.com/gpu", operator: "", value: "true" }, GPU, true],
    ["Equal with no value matches an empty value", { key: "nvidia.com/gpu", operator: "Equal" }, GPU_NO_VALUE, true],
    ["Equal with empty string matches a missing value", { key: "nvidia.com/gpu", value: "" }, GPU_NO_VALUE, true],
    ["Equal with no value vs a set value", { key: "nvidia.com/gpu" }, GPU, false],
    ["empty effect matches all effects", { key: "dedicated", value: "batch" }, DEDICATED, true],
    ["empty-string effect matches all effects", { key: "dedicated", value: "batch", effect: "" }, DEDICATED, true],
    ["effect must match when set", { key: "dedicated", value: "batch", effect: "NoSchedule" }, DEDICATED, false],
    ["key comparison is case-sensitive", { key: "Dedicated", operator: "Exists" }, DEDICATED, false],
    [
      "tolerationSeconds does not matter",
      { key: "dedicated", operator: "Exists", tolerationSeconds: 30 },
      DEDICATED,
      true,
    ],
    // What ToleratesTaint does for a toleration validation forbids: empty key with Equal compares values only.
    ["empty key + Equal compares only values", { value: "batch" }, DEDICATED, true],
    ["empty key + Equal, other value", { value: "other" }, DEDICATED, false],
  ];
  for (const [name, toleration, taint, expected] of cases) {
    test(name, () => assert.equal(toleratesTaint(toleration, taint), expected));
  }

  test("an unknown operator throws", () => {
    assert.throws(() => toleratesTaint({ key: "a", operator: "Gt" as "Equal", value: "1" }, GPU), {
      name: "ValueError",
      message: 'invalid toleration operator "Gt": expected Equal or Exists',
    });
  });
});

describe("toleratesAll and untoleratedTaints", () => {
  const taints = [GPU, DEDICATED, SOFT];

  test("by default PreferNoSchedule does not count", () => {
    const tolerations: Toleration[] = [
      { key: "nvidia.com/gpu", operator: "Exists" },
      { key: "dedicated", value: "batch", effect: "NoExecute" },
    ];
    assert.equal(toleratesAll(tolerations, taints), true);
    assert.deepEqual(untoleratedTaints(tolerations, taints), []);
    assert.deepEqual(SCHEDULING_EFFECTS, ["NoSchedule", "NoExecute"]);
  });

  test("the effects option chooses which taints count", () => {
    const tolerations: Toleration[] = [{ key: "nvidia.com/gpu", operator: "Exists" }];
    assert.deepEqual(untoleratedTaints(tolerations, taints), [DEDICATED]);
    assert.deepEqual(
      untoleratedTaints(tolerations, taints, { effects: ["NoSchedule", "PreferNoSchedule", "NoExecute"] }),
      [DEDICATED, SOFT],
    );
    assert.deepEqual(untoleratedTaints([], taints, { effects: ["NoExecute"] }), [DEDICATED]);
    assert.equal(toleratesAll(tolerations, taints, { effects: ["NoSchedule"] }), true);
    assert.equal(toleratesAll(tolerations, taints, { effects: ["NoExecute"] }), false);
  });

  test("untolerated taints keep their order", () => {
    assert.deepEqual(untoleratedTaints([], [DEDICATED, GPU]), [DEDICATED, GPU]);
  });

  test("no taints: anything goes; tolerate-everything tolerates all", () => {
    assert.equal(toleratesAll([], []), true);
    assert.equal(toleratesAll([{ operator: "Exists" }], [...taints, DISRUPTED_NO_SCHEDULE_TAINT]), true);
  });

  test("Karpenter's disrupted taint keeps ordinary pods off", () => {
    assert.equal(toleratesAll([], [DISRUPTED_NO_SCHEDULE_TAINT]), false);
    assert.equal(
      toleratesAll([{ key: "karpenter.sh/disrupted", operator: "Exists" }], [DISRUPTED_NO_SCHEDULE_TAINT]),
      true,
    );
  });
});

describe("Karpenter taints", () => {
  test("constants", () => {
    assert.equal(formatTaint(DISRUPTED_NO_SCHEDULE_TAINT), "karpenter.sh/disrupted:NoSchedule");
    assert.equal(formatTaint(UNREGISTERED_NO_EXECUTE_TAINT), "karpenter.sh/unregistered:NoExecute");
    assert.deepEqual(KNOWN_EPHEMERAL_TAINTS.map(formatTaint), [
      "node.kubernetes.io/not-ready:NoSchedule",
      "node.kubernetes.io/unreachable:NoSchedule",
      "node.cloudprovider.kubernetes.io/uninitialized=true:NoSchedule",
    ]);
    for (const taint of [DISRUPTED_NO_SCHEDULE_TAINT, UNREGISTERED_NO_EXECUTE_TAINT, ...KNOWN_EPHEMERAL_TAINTS]) {
      assert.deepEqual(validateTaint(taint), []);
    }
  });

  test("constants cannot be changed by accident", () => {
    assert.throws(() => {
      (DISRUPTED_NO_SCHEDULE_TAINT as Taint).key = "x";
    }, TypeError);
  });
});

describe("validateTaint", () => {
  const valid: TaintInput[] = [
    GPU,
    GPU_NO_VALUE,
    DEDICATED,
    SOFT,
    { key: "a", value: "", effect: "NoSchedule" },
    { key: "example.com/Name_1.x", value: "A-b_c.9", effect: "NoExecute", timeAdded: "2024-01-02T03:04:05Z" },
    { key: "k", effect: "NoExecute", timeAdded: "2024-01-02T03:04:05.123+02:00" },
  ];
  for (const taint of valid) {
    test(`valid: ${JSON.stringify(taint)}`, () => assert.deepEqual(validateTaint(taint), []));
  }

  const invalid: [TaintInput, string, string][] = [
    [{ effect: "NoSchedule" }, "key", "key is required"],
    [{ key: "", effect: "NoSchedule" }, "key", "key is required"],
    [{ key: "a/b/c", effect: "NoSchedule" }, "key", "invalid key"],
    [{ key: `${"a".repeat(254)}/b`, effect: "NoSchedule" }, "key", "no more than 253 characters"],
    [{ key: "b".repeat(64), effect: "NoSchedule" }, "key", "no more than 63 characters"],
    [{ key: "-bad", effect: "NoSchedule" }, "key", "name part"],
    [{ key: "UPPER.example.com/x", effect: "NoSchedule" }, "key", "DNS-1123"],
    [{ key: "a", value: "x".repeat(64), effect: "NoSchedule" }, "value", "no more than 63 characters"],
    [{ key: "a", value: "has/slash", effect: "NoSchedule" }, "value", "must be empty or consist of alphanumerics"],
    [{ key: "a", value: 5, effect: "NoSchedule" }, "value", "value must be a string"],
    [{ key: "a" }, "effect", "effect is required"],
    [{ key: "a", effect: "" }, "effect", "effect is required"],
    [
      { key: "a", effect: "NoExec" },
      "effect",
      'unknown effect "NoExec": expected one of NoSchedule, PreferNoSchedule, NoExecute',
    ],
    [{ key: "a", effect: "noschedule" }, "effect", '(did you mean "NoSchedule"?)'],
    [{ key: "a", effect: "NoSchedule", timeAdded: "yesterday" }, "timeAdded", "must be an RFC 3339 time"],
    [null as unknown as TaintInput, "", "a taint must be a map"],
    ["a:NoSchedule" as unknown as TaintInput, "", "a taint must be a map"],
  ];
  for (const [taint, path, fragment] of invalid) {
    test(`invalid: ${JSON.stringify(taint).slice(0, 80)}`, () => {
      const problems = validateTaint(taint);
      assert.ok(
        problems.some((p) => p.path === path && p.message.includes(fragment)),
        JSON.stringify(problems),
      );
    });
  }
});

describe("validateToleration", () => {
  const valid: TolerationInput[] = [
    { operator: "Exists" },
    { operator: "Exists", effect: "NoSchedule" },
    { key: "a", operator: "Exists" },
    { key: "a", operator: "Equal", value: "b" },
    { key: "a", value: "b" },
    { key: "a", operator: "", value: "" },
    { key: "a", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 },
    { key: "a", operator: "Exists", effect: "" },
  ];
  for (const toleration of valid) {
    test(`valid: ${JSON.stringify(toleration)}`, () => assert.deepEqual(validateToleration(toleration), []));
  }

  const invalid: [TolerationInput, string, string][] = [
    [{}, "operator", "operator must be Exists when key is empty"],
    [{ value: "x" }, "operator", "operator must be Exists when key is empty"],
    [{ key: "a", operator: "Exists", value: "x" }, "value", "value must be empty when operator is Exists"],
    [{ key: "a", operator: "Gt", value: "1" }, "operator", 'unknown operator "Gt": expected Equal or Exists'],
    [{ key: "a", value: "not valid" }, "value", "must be empty or consist of alphanumerics"],
    [{ key: "a b", operator: "Exists" }, "key", "invalid key"],
    [{ key: "a", operator: "Exists", effect: "Never" }, "effect", 'unknown effect "Never"'],
    [
      { key: "a", operator: "Exists", tolerationSeconds: 30 },
      "effect",
      "effect must be NoExecute when tolerationSeconds is set",
    ],
    [{ key: "a", operator: "Exists", effect: "NoSchedule", tolerationSeconds: 30 }, "effect", "must be NoExecute"],
    [
      { key: "a", operator: "Exists", effect: "NoExecute", tolerationSeconds: 1.5 },
      "tolerationSeconds",
      "must be an integer",
    ],
    [{ key: 5, operator: "Exists" }, "key", "key must be a string"],
    [null as unknown as TolerationInput, "", "a toleration must be a map"],
  ];
  for (const [toleration, path, fragment] of invalid) {
    test(`invalid: ${JSON.stringify(toleration)}`, () => {
      const problems = validateToleration(toleration);
      assert.ok(
        problems.some((p) => p.path === path && p.message.includes(fragment)),
        JSON.stringify(problems),
      );
    });
  }
});

describe("duplicateTaints", () => {
  test("same key and effect across taints and startupTaints", () => {
    const duplicates = duplicateTaints(
      [GPU, DEDICATED],
      [
        { key: "nvidia.com/gpu", value: "other", effect: "NoSchedule" },
        { key: "example.com/init", effect: "NoSchedule" },
      ],
    );
    assert.equal(duplicates.length, 1);
    assert.deepEqual(
      {
        key: duplicates[0]?.key,
        effect: duplicates[0]?.effect,
        list: duplicates[0]?.list,
        index: duplicates[0]?.index,
      },
      { key: "nvidia.com/gpu", effect: "NoSchedule", list: "startupTaints", index: 0 },
    );
    assert.deepEqual(duplicates[0]?.first, { list: "taints", index: 0 });
    assert.equal(
      duplicates[0]?.message,
      "duplicate taint Key/Effect pair nvidia.com/gpu=NoSchedule (startupTaints[0] repeats taints[0])",
    );
  });

  test("within one list, and one entry per repeat", () => {
    const duplicates = duplicateTaints([GPU, GPU_NO_VALUE, GPU]);
    assert.deepEqual(
      duplicates.map((d) => [d.list, d.index, d.first.index]),
      [
        ["taints", 1, 0],
        ["taints", 2, 0],
      ],
    );
  });

  test("the same key with different effects is fine", () => {
    assert.deepEqual(
      duplicateTaints([GPU, { ...GPU, effect: "NoExecute" }], [{ ...GPU, effect: "PreferNoSchedule" }]),
      [],
    );
  });

  test("keys that only look alike when joined are distinct", () => {
    assert.deepEqual(duplicateTaints([{ key: "a:b", effect: "c" }], [{ key: "a", effect: "b:c" }]), []);
  });

  test("no taints, no duplicates", () => {
    assert.deepEqual(duplicateTaints([], []), []);
  });
});

describe("formatTaint and parseTaint", () => {
  const cases: [string, Taint][] = [
    ["nvidia.com/gpu=true:NoSchedule", GPU],
    ["nvidia.com/gpu:NoSchedule", GPU_NO_VALUE],
    ["dedicated=batch:NoExecute", DEDICATED],
    ["example.com/soft=x:PreferNoSchedule", SOFT],
    ["karpenter.sh/disrupted:NoSchedule", { key: "karpenter.sh/disrupted", effect: "NoSchedule" }],
  ];
  for (const [text, taint] of cases) {
    test(text, () => {
      assert.equal(formatTaint(taint), text);
      assert.deepEqual(parseTaint(text), taint);
    });
  }

  test("an empty value is written without =", () => {
    assert.equal(formatTaint({ key: "a", value: "", effect: "NoSchedule" }), "a:NoSchedule");
    assert.deepEqual(parseTaint("a=:NoSchedule"), { key: "a", value: "", effect: "NoSchedule" });
  });

  const invalid: [string, RegExp][] = [
    ["", /^invalid taint "": expected "key=value:Effect"/],
    ["a", /expected "key=value:Effect" or "key:Effect"/],
    ["a=b", /expected "key=value:Effect"/],
    ["a=b=c:NoSchedule", /expected "key=value:Effect"/],
    ["a:b:NoSchedule", /expected "key=value:Effect"/],
    ["a=b:Sometimes", /unknown effect "Sometimes"/],
    ["a=b:", /effect is required/],
    [":NoSchedule", /key is required/],
    ["=b:NoSchedule", /key is required/],
    ["a b=c:NoSchedule", /invalid key/],
    ["a=b c:NoSchedule", /must be empty or consist of alphanumerics/],
  ];
  for (const [text, message] of invalid) {
    test(`invalid: ${JSON.stringify(text)}`, () => {
      assert.throws(
        () => parseTaint(text),
        (error: unknown) => {
          assert.ok(error instanceof ValueError);
          assert.match(error.message, message);
          assert.equal(error.value, text);
          return true;
        },
      );
    });
  }
});
