import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import {
  RequirementSet,
  matchesAll,
  normalizeRequirementKey,
  requirementMatches,
  validateLabelKey,
  validateLabelValue,
  validateRequirement,
} from "../../scheduling/requirements.ts";
import type { NodeSelectorRequirement, RequirementInput } from "../../scheduling/requirements.ts";
import { ValueError } from "../../api/value-error.ts";
import { seededRandom } from "../support/json-mutation.ts";

const CPU = "karpenter.k8s.aws/instance-cpu";
const CATEGORY = "karpenter.k8s.aws/instance-category";
const GENERATION = "karpenter.k8s.aws/instance-generation";
const FAMILY = "karpenter.k8s.aws/instance-family";
const ARCH = "kubernetes.io/arch";
const INSTANCE_TYPE = "node.kubernetes.io/instance-type";
const ZONE = "topology.kubernetes.io/zone";

function req(key: string, operator: NodeSelectorRequirement["operator"], ...values: string[]): NodeSelectorRequirement {
  return values.length > 0 ? { key, operator, values } : { key, operator };
}

describe("validateRequirement", () => {
  const valid: RequirementInput[] = [
    req(ARCH, "In", "amd64", "arm64"),
    req(CATEGORY, "NotIn", "t"),
    req("karpenter.sh/capacity-type", "Exists"),
    req("example.com/team", "DoesNotExist"),
    req(CPU, "Gt", "3"),
    req(CPU, "Lt", "0"),
    req(CPU, "Gte", "4"),
    req(CPU, "Lte", "64"),
    { key: FAMILY, operator: "In", values: ["c5", "m5", "r5"], minValues: 3 },
    { key: FAMILY, operator: "Exists", minValues: 50 },
    { key: ARCH, operator: "Exists", values: [] },
    { key: "MyLabel", operator: "In", values: [""] },
  ];
  for (const requirement of valid) {
    test(`valid: ${JSON.stringify(requirement)}`, () => {
      assert.deepEqual(validateRequirement(requirement), []);
    });
  }

  // [requirement, expected problems as "path: message" fragments]
  const invalid: [RequirementInput, string[]][] = [
    [
      { key: ARCH, operator: "Equals", values: ["amd64"] },
      ['operator: unknown operator "Equals": expected one of In, NotIn'],
    ],
    [{ key: ARCH }, ["operator: unknown operator undefined"]],
    [{ key: ARCH, operator: "In" }, ["values: operator In needs at least one value"]],
    [{ key: ARCH, operator: "In", values: [] }, ["values: operator In needs at least one value"]],
    [{ key: ARCH, operator: "NotIn", values: [] }, ["values: operator NotIn needs at least one value"]],
    [{ key: ARCH, operator: "Exists", values: ["amd64"] }, ["values: operator Exists takes no values (got 1)"]],
    [
      { key: ARCH, operator: "DoesNotExist", values: ["a", "b"] },
      ["values: operator DoesNotExist takes no values (got 2)"],
    ],
    [
      { key: CPU, operator: "Gt" },
      ["values: operator Gt needs exactly one value, a non-negative integer (got 0 values)"],
    ],
    [
      { key: CPU, operator: "Lt", values: ["1", "2"] },
      ["values: operator Lt needs exactly one value, a non-negative integer (got 2 values)"],
    ],
    [
      { key: CPU, operator: "Gte", values: ["-1"] },
      [
        'values[0]: value "-1" must be empty or consist of alphanumerics',
        'operator Gte needs exactly one value, a non-negative integer (got "-1")',
      ],
    ],
    [
      { key: CPU, operator: "Lte", values: ["four"] },
      ['operator Lte needs exactly one value, a non-negative integer (got "four")'],
    ],
    [{ key: CPU, operator: "Gt", values: ["1.5"] }, ['(got "1.5")']],
    [{ key: CPU, operator: "Gt", values: ["9223372036854775808"] }, ['(got "9223372036854775808")']],
    [
      { key: FAMILY, operator: "In", values: ["c5"], minValues: 2 },
      ["minValues: minValues is 2 but only 1 value is listed"],
    ],
    [
      { key: FAMILY, operator: "In", values: ["c5", "m5"], minValues: 3 },
      ["minValues is 3 but only 2 values are listed"],
    ],
    [
      { key: FAMILY, operator: "Exists", minValues: 0 },
      ["minValues: minValues must be an integer from 1 to 50 (got 0)"],
    ],
    [{ key: FAMILY, operator: "Exists", minValues: 51 }, ["(got 51)"]],
    [{ key: FAMILY, operator: "Exists", minValues: 1.5 }, ["(got 1.5)"]],
    [{ key: FAMILY, operator: "Exists", minValues: "2" }, ["(got 2)"]],
    [{ operator: "Exists" }, ["key: key is required"]],
    [{ key: "", operator: "Exists" }, ["key: key is required"]],
    [
      { key: "a/b/c", operator: "Exists" },
      ['key: invalid key: "a/b/c" must be a name with an optional DNS subdomain prefix'],
    ],
    [
      { key: "Example.com/x", operator: "Exists" },
      ['invalid key: prefix "Example.com" must be a lowercase DNS-1123 subdomain'],
    ],
    [{ key: "-x", operator: "Exists" }, ['invalid key: name part "-x" must consist of alphanumerics']],
    [{ key: ARCH, operator: "In", values: "amd64" }, ["values: values must be a list of strings"]],
    [{ key: ARCH, operator: "In", values: ["amd64", 64] }, ["values[1]: value 64 must be a string"]],
    [
      { key: ARCH, operator: "In", values: ["x".repeat(64)] },
      ["values[0]: value", "must be no more than 63 characters"],
    ],
  ];
  for (const [requirement, expected] of invalid) {
    test(`invalid: ${JSON.stringify(requirement)}`, () => {
      const problems = validateRequirement(requirement).map((p) => `${p.path}: ${p.message}`);
      assert.ok(problems.length > 0, "expected problems");
      for (const fragment of expected) {
        assert.ok(
          problems.some((p) => p.includes(fragment)),
          `no problem mentions ${JSON.stringify(fragment)}: ${JSON.stringify(problems)}`,
        );
      }
    });
  }
});

describe("label key and value syntax", () => {
  const goodKeys = [
    "a",
    "MyName",
    "my.name",
    "123-abc",
    "example.com/MyName",
    "kubernetes.io/arch",
    `${"a".repeat(253)}/${"b".repeat(63)}`,
  ];
  const badKeys: [string, string][] = [
    ["", "name part"],
    ["/", "prefix"],
    ["example.com/", "name part"],
    ["/name", "prefix"],
    ["a/b/c", "optional DNS subdomain prefix"],
    [`${"a".repeat(254)}/b`, "no more than 253"],
    ["b".repeat(64), "no more than 63"],
    ["name_", "name part"],
    ["ex_ample.com/name", "DNS-1123"],
    ["EXAMPLE.com/name", "DNS-1123"],
    ["-example.com/name", "DNS-1123"],
    ["has space", "name part"],
  ];
  for (const key of goodKeys) {
    test(`good key ${key.slice(0, 40)}`, () => assert.deepEqual(validateLabelKey(key), []));
  }
  for (const [key, fragment] of badKeys) {
    test(`bad key ${JSON.stringify(key.slice(0, 40))}`, () => {
      const problems = validateLabelKey(key);
      assert.ok(
        problems.some((p) => p.includes(fragment)),
        JSON.stringify(problems),
      );
    });
  }

  for (const value of ["", "a", "m5.large", "A-b_c.9", "x".repeat(63)]) {
    test(`good value ${JSON.stringify(value.slice(0, 20))}`, () => assert.deepEqual(validateLabelValue(value), []));
  }
  for (const value of ["-a", "a-", ".a", "a b", "a/b", "x".repeat(64), "é"]) {
    test(`bad value ${JSON.stringify(value.slice(0, 20))}`, () => assert.equal(validateLabelValue(value).length, 1));
  }
});

describe("normalizeRequirementKey", () => {
  const cases: [string, string][] = [
    ["failure-domain.beta.kubernetes.io/zone", "topology.kubernetes.io/zone"],
    ["failure-domain.beta.kubernetes.io/region", "topology.kubernetes.io/region"],
    ["beta.kubernetes.io/arch", "kubernetes.io/arch"],
    ["beta.kubernetes.io/os", "kubernetes.io/os"],
    ["beta.kubernetes.io/instance-type", "node.kubernetes.io/instance-type"],
    ["kubernetes.io/arch", "kubernetes.io/arch"],
    [CPU, CPU],
    ["constructor", "constructor"],
  ];
  for (const [key, normalized] of cases) {
    test(key, () => assert.equal(normalizeRequirementKey(key), normalized));
  }
});

describe("requirementMatches (Kubernetes semantics)", () => {
  const labels = { [ARCH]: "amd64", [CPU]: "4", [ZONE]: "us-east-1a", odd: "0x10", padded: "007" };
  const cases: [NodeSelectorRequirement, boolean][] = [
    [req(ARCH, "In", "amd64", "arm64"), true],
    [req(ARCH, "In", "arm64"), false],
    [req("missing", "In", "x"), false],
    [req(ARCH, "NotIn", "arm64"), true],
    [req(ARCH, "NotIn", "amd64"), false],
    [req("missing", "NotIn", "x"), true],
    [req(ARCH, "Exists"), true],
    [req("missing", "Exists"), false],
    [req(ARCH, "DoesNotExist"), false],
    [req("missing", "DoesNotExist"), true],
    [req(CPU, "Gt", "3"), true],
    [req(CPU, "Gt", "4"), false],
    [req(CPU, "Lt", "5"), true],
    [req(CPU, "Lt", "4"), false],
    [req(CPU, "Gte", "4"), true],
    [req(CPU, "Gte", "5"), false],
    [req(CPU, "Lte", "4"), true],
    [req(CPU, "Lte", "3"), false],
    [req("missing", "Gt", "0"), false],
    [req("missing", "Lt", "100"), false],
    [req(ARCH, "Gt", "0"), false],
    [req("odd", "Lt", "100"), false],
    [req("padded", "Gt", "6"), true],
    [req("padded", "Lt", "7"), false],
    // Integers are compared as integers, not strings.
    [req(CPU, "Lt", "10"), true],
    [req(CPU, "Gt", "-1"), true],
  ];
  for (const [requirement, expected] of cases) {
    test(`${requirement.key} ${requirement.operator} ${JSON.stringify(requirement.values ?? [])} -> ${expected}`, () => {
      assert.equal(requirementMatches(requirement, labels), expected);
    });
  }

  test("big integers are exact", () => {
    const big = { n: "9007199254740993" };
    assert.equal(requirementMatches(req("n", "Gt", "9007199254740992"), big), true);
    assert.equal(requirementMatches(req("n", "Lte", "9007199254740992"), big), false);
    assert.equal(requirementMatches(req("n", "Gt", "1"), { n: "99999999999999999999" }), false);
  });

  test("keys are not normalized (labels are matched as written)", () => {
    assert.equal(requirementMatches(req("beta.kubernetes.io/arch", "In", "amd64"), labels), false);
  });

  test("inherited properties are not labels", () => {
    assert.equal(requirementMatches(req("constructor", "Exists"), {}), false);
    assert.equal(requirementMatches(req("toString", "DoesNotExist"), {}), true);
  });

  test("meaningless requirements throw", () => {
    assert.throws(() => requirementMatches({ key: ARCH, operator: "Equals" as "In", values: ["x"] }, labels), {
      name: "ValueError",
      message: /unknown operator "Equals"/,
    });
    assert.throws(
      () => requirementMatches(req(CPU, "Gt", "four"), labels),
      /operator Gt needs exactly one integer value/,
    );
    assert.throws(() => requirementMatches(req(CPU, "Gt"), labels), ValueError);
    assert.throws(() => requirementMatches(req(CPU, "Lt", "1", "2"), labels), ValueError);
  });

  test("matchesAll is a conjunction", () => {
    assert.equal(matchesAll([], labels), true);
    assert.equal(matchesAll([req(ARCH, "In", "amd64"), req(CPU, "Gt", "3")], labels), true);
    assert.equal(matchesAll([req(ARCH, "In", "amd64"), req(CPU, "Gt", "4")], labels), false);
  });
});

describe("RequirementSet", () => {
  test("Gt on instance-cpu allows 4 and not 2", () => {
    const set = RequirementSet.fromRequirements([req(CPU, "Gt", "3")]);
    assert.equal(set.allows(CPU, "4"), true);
    assert.equal(set.allows(CPU, "2"), false);
    assert.equal(set.allows(CPU, "3"), false);
    assert.equal(set.allows(CPU, "four"), false);
    assert.equal(set.allows(ARCH, "anything"), true);
  });

  test("Gte/Lte are inclusive", () => {
    const set = RequirementSet.fromRequirements([req(CPU, "Gte", "4"), req(CPU, "Lte", "16")]);
    assert.deepEqual(
      ["2", "3", "4", "8", "16", "17"].map((v) => set.allows(CPU, v)),
      [false, false, true, true, true, false],
    );
    const allowed = set.valuesFor(CPU);
    assert.equal(allowed.greaterThan, 3n);
    assert.equal(allowed.lessThan, 17n);
  });

  test("the same key twice means both hold", () => {
    const set = RequirementSet.fromRequirements([req(ARCH, "In", "amd64", "arm64"), req(ARCH, "NotIn", "arm64")]);
    const allowed = set.valuesFor(ARCH);
    assert.equal(allowed.complement, false);
    assert.deepEqual(allowed.values, ["amd64"]);
    assert.equal(allowed.allowsAbsent, false);
    assert.equal(set.allows(ARCH, "arm64"), false);
    assert.equal(set.allows(ARCH, "amd64"), true);
  });

  test("a positive set is filtered by bounds and keeps no bounds", () => {
    const set = RequirementSet.fromRequirements([req(CPU, "In", "2", "4", "8", "x"), req(CPU, "Gt", "3")]);
    const allowed = set.valuesFor(CPU);
    assert.deepEqual(allowed.values, ["4", "8"]);
    assert.equal(allowed.complement, false);
    assert.equal(allowed.greaterThan, undefined);
  });

  test("keys are normalized", () => {
    const set = RequirementSet.fromRequirements([req("beta.kubernetes.io/arch", "In", "arm64")]);
    assert.equal(set.has(ARCH), true);
    assert.equal(set.has("beta.kubernetes.io/arch"), true);
    assert.deepEqual(set.keys(), [ARCH]);
    assert.equal(set.allows(ARCH, "amd64"), false);
    assert.equal(set.matches({ "beta.kubernetes.io/arch": "arm64" }), true);
  });

  test("valuesFor an unconstrained key allows anything", () => {
    const set = RequirementSet.fromRequirements([]);
    assert.deepEqual(set.valuesFor(ZONE), {
      key: ZONE,
      complement: true,
      values: [],
      greaterThan: undefined,
      lessThan: undefined,
      allowsAbsent: true,
      minValues: undefined,
    });
    assert.equal(set.has(ZONE), false);
  });

  test("minValues keeps the largest", () => {
    const set = RequirementSet.fromRequirements([
      { key: FAMILY, operator: "In", values: ["c5", "m5", "r5"], minValues: 2 },
      { key: FAMILY, operator: "NotIn", values: ["t3"], minValues: 3 },
    ]);
    assert.equal(set.valuesFor(FAMILY).minValues, 3);
  });

  test("matches follows absence rules per operator", () => {
    const set = RequirementSet.fromRequirements([
      req(ARCH, "In", "amd64"),
      req("example.com/team", "NotIn", "blue"),
      req("example.com/legacy", "DoesNotExist"),
    ]);
    assert.equal(set.matches({ [ARCH]: "amd64" }), true);
    assert.equal(set.matches({ [ARCH]: "amd64", "example.com/team": "red" }), true);
    assert.equal(set.matches({ [ARCH]: "amd64", "example.com/team": "blue" }), false);
    assert.equal(set.matches({ [ARCH]: "amd64", "example.com/legacy": "" }), false);
    assert.equal(set.matches({}), false);
  });

  test("NotIn combined with Exists requires the label", () => {
    const set = RequirementSet.fromRequirements([req(ZONE, "NotIn", "us-east-1a"), req(ZONE, "Exists")]);
    assert.equal(set.matches({}), false);
    assert.equal(set.matches({ [ZONE]: "us-east-1b" }), true);
    assert.equal(set.valuesFor(ZONE).allowsAbsent, false);
  });

  test("invalid requirements are refused with the index and the problem", () => {
    assert.throws(() => RequirementSet.fromRequirements([req(ARCH, "In", "amd64"), req(CPU, "Gt", "x")]), {
      name: "ValueError",
      message:
        /^invalid requirement \[1\] "karpenter.k8s.aws\/instance-cpu Gt \[x\]": values: operator Gt needs exactly one value/,
    });
    assert.throws(() => RequirementSet.fromRequirements([req(ARCH, "In")]), ValueError);
  });

  test("what is no requirement at all (from YAML: a null list item, a number) is refused the same way", () => {
    for (const item of [null, 1.5, "kubernetes.io/arch"]) {
      assert.throws(() => RequirementSet.fromRequirements([item as unknown as NodeSelectorRequirement]), {
        name: "ValueError",
        message: `invalid requirement [0] ${String(item)}: a requirement must be a map with key, operator and values`,
      });
    }
  });

  describe("intersects (Karpenter compatibility)", () => {
    const cases: [string, NodeSelectorRequirement[], NodeSelectorRequirement[], boolean][] = [
      ["overlapping In", [req(ARCH, "In", "amd64", "arm64")], [req(ARCH, "In", "arm64")], true],
      ["disjoint In", [req(ARCH, "In", "amd64")], [req(ARCH, "In", "arm64")], false],
      ["In vs NotIn of it", [req(ARCH, "In", "amd64")], [req(ARCH, "NotIn", "amd64")], false],
      ["In vs NotIn of other", [req(ARCH, "In", "amd64")], [req(ARCH, "NotIn", "arm64")], true],
      ["NotIn vs NotIn", [req(ARCH, "NotIn", "amd64")], [req(ARCH, "NotIn", "arm64")], true],
      ["Exists vs DoesNotExist", [req(ARCH, "Exists")], [req(ARCH, "DoesNotExist")], false],
      ["DoesNotExist vs DoesNotExist", [req(ARCH, "DoesNotExist")], [req(ARCH, "DoesNotExist")], true],
      ["NotIn vs DoesNotExist", [req(ARCH, "NotIn", "amd64")], [req(ARCH, "DoesNotExist")], true],
      ["In vs DoesNotExist", [req(ARCH, "In", "amd64")], [req(ARCH, "DoesNotExist")], false],
      ["Exists vs In", [req(ARCH, "Exists")], [req(ARCH, "In", "amd64")], true],
      ["disjoint keys", [req(ARCH, "In", "amd64")], [req(ZONE, "In", "us-east-1a")], true],
      ["Gt vs In above", [req(CPU, "Gt", "3")], [req(CPU, "In", "4")], true],
      ["Gt vs In below", [req(CPU, "Gt", "3")], [req(CPU, "In", "2")], false],
      ["Gt vs non-integer In", [req(CPU, "Gt", "3")], [req(CPU, "In", "many")], false],
      ["Gt vs Lt with room", [req(CPU, "Gt", "3")], [req(CPU, "Lt", "5")], true],
      ["Gt vs Lt with no integer between", [req(CPU, "Gt", "3")], [req(CPU, "Lt", "4")], false],
      ["Gte vs Lte equal", [req(CPU, "Gte", "4")], [req(CPU, "Lte", "4")], true],
      ["Gt vs Lt crossed", [req(CPU, "Gt", "8")], [req(CPU, "Lt", "2")], false],
      ["Gt/Lt vs NotIn the only integer", [req(CPU, "Gt", "3"), req(CPU, "Lt", "5")], [req(CPU, "NotIn", "4")], false],
      ["Gt/Lt vs NotIn one of two", [req(CPU, "Gt", "3"), req(CPU, "Lt", "6")], [req(CPU, "NotIn", "4")], true],
      ["Gt vs DoesNotExist", [req(CPU, "Gt", "3")], [req(CPU, "DoesNotExist")], false],
      ["normalized keys meet", [req("beta.kubernetes.io/arch", "In", "amd64")], [req(ARCH, "In", "arm64")], false],
    ];
    for (const [name, a, b, expected] of cases) {
      test(name, () => {
        const x = RequirementSet.fromRequirements(a);
        const y = RequirementSet.fromRequirements(b);
        assert.equal(x.intersects(y), expected);
        assert.equal(y.intersects(x), expected);
        assert.equal(x.conflicts(y).length === 0, expected);
      });
    }

    test("conflicts explain themselves", () => {
      const pool = RequirementSet.fromRequirements([req(ARCH, "In", "amd64"), req(CPU, "Gt", "3")]);
      const pod = RequirementSet.fromRequirements([req(ARCH, "In", "arm64"), req(CPU, "In", "8")]);
      const conflicts = pool.conflicts(pod);
      assert.deepEqual(
        conflicts.map((c) => c.message),
        ["key kubernetes.io/arch: kubernetes.io/arch In [arm64] not in kubernetes.io/arch In [amd64]"],
      );
      assert.equal(conflicts[0]?.key, ARCH);
    });
  });

  test("intersection combines both sets", () => {
    const pool = RequirementSet.fromRequirements([req(ARCH, "In", "amd64", "arm64"), req(CPU, "Gt", "3")]);
    const pod = RequirementSet.fromRequirements([req(ARCH, "In", "arm64"), req(ZONE, "In", "us-east-1a")]);
    const both = pool.intersection(pod);
    assert.deepEqual(both.keys(), [CPU, ARCH, ZONE].sort());
    assert.deepEqual(both.valuesFor(ARCH).values, ["arm64"]);
    assert.equal(both.allows(CPU, "2"), false);
    assert.equal(both.isSatisfiable(), true);
    // The operands are unchanged.
    assert.deepEqual(pool.valuesFor(ARCH).values, ["amd64", "arm64"]);
    assert.equal(pool.has(ZONE), false);
    assert.equal(pool.intersection(RequirementSet.fromRequirements([req(ARCH, "In", "s390x")])).isSatisfiable(), false);
  });

  test("toString describes each key", () => {
    const set = RequirementSet.fromRequirements([
      req(ARCH, "In", "arm64", "amd64"),
      req(CPU, "Gt", "3"),
      req(ZONE, "NotIn", "us-east-1a"),
      req("example.com/legacy", "DoesNotExist"),
    ]);
    assert.equal(
      set.toString(),
      "example.com/legacy DoesNotExist, karpenter.k8s.aws/instance-cpu Exists >3, kubernetes.io/arch In [amd64 arm64], topology.kubernetes.io/zone NotIn [us-east-1a]",
    );
  });

  test("fromLabels reads labels as single-value In requirements", () => {
    const node = RequirementSet.fromLabels({ [ARCH]: "arm64", [CPU]: "4" });
    assert.deepEqual(node.valuesFor(ARCH).values, ["arm64"]);
    assert.equal(node.valuesFor(ARCH).allowsAbsent, false);
    assert.equal(node.intersects(RequirementSet.fromRequirements([req(CPU, "Gt", "3")])), true);
    assert.equal(node.intersects(RequirementSet.fromRequirements([req(CPU, "Gt", "4")])), false);
  });
});

describe("filtering the instance-type catalog", () => {
  interface CatalogEntry {
    name: string;
    family: string;
    category: string;
    generation: number;
    vcpu: number;
    memoryMiB: number;
    arch: string;
  }
  const catalog = JSON.parse(
    readFileSync(new URL("../../data/ec2-instance-types.json", import.meta.url), "utf8"),
  ) as CatalogEntry[];
  const labelsOf = (t: CatalogEntry): Record<string, string> => ({
    [INSTANCE_TYPE]: t.name,
    [FAMILY]: t.family,
    [CATEGORY]: t.category,
    [GENERATION]: String(t.generation),
    [CPU]: String(t.vcpu),
    "karpenter.k8s.aws/instance-memory": String(t.memoryMiB),
    [ARCH]: t.arch,
  });

  function select(requirements: NodeSelectorRequirement[]): string[] {
    const set = RequirementSet.fromRequirements(requirements);
    const byMatch = catalog.filter((t) => set.matches(labelsOf(t))).map((t) => t.name);
    // For labels every instance type carries, compatibility and matching agree.
    const byIntersects = catalog
      .filter((t) => set.intersects(RequirementSet.fromLabels(labelsOf(t))))
      .map((t) => t.name);
    assert.deepEqual(byIntersects, byMatch);
    // Plain Kubernetes matching agrees too, except that it does not normalize deprecated keys.
    if (requirements.every((r) => normalizeRequirementKey(r.key) === r.key)) {
      assert.deepEqual(
        catalog.filter((t) => matchesAll(requirements, labelsOf(t))).map((t) => t.name),
        byMatch,
      );
    }
    return byMatch;
  }

  test("the catalog is there", () => {
    assert.ok(catalog.length > 1000);
  });

  test("instance-category In [c,m,r] and instance-generation Gt 2", () => {
    const names = select([req(CATEGORY, "In", "c", "m", "r"), req(GENERATION, "Gt", "2")]);
    const expected = catalog.filter((t) => ["c", "m", "r"].includes(t.category) && t.generation > 2).map((t) => t.name);
    assert.deepEqual(names, expected);
    assert.ok(names.includes("m5.large"));
    assert.ok(!names.includes("m1.large"));
    assert.ok(!names.includes("t3.micro"));
  });

  test("arm64 with 4 to 16 vCPUs and at least 16 GiB", () => {
    const names = select([
      req(ARCH, "In", "arm64"),
      req(CPU, "Gte", "4"),
      req(CPU, "Lte", "16"),
      req("karpenter.k8s.aws/instance-memory", "Gte", "16384"),
    ]);
    const expected = catalog
      .filter((t) => t.arch === "arm64" && t.vcpu >= 4 && t.vcpu <= 16 && t.memoryMiB >= 16384)
      .map((t) => t.name);
    assert.deepEqual(names, expected);
    assert.ok(names.length > 0);
  });

  test("deprecated keys select like stable ones", () => {
    const names = select([req("beta.kubernetes.io/instance-type", "In", "m5.large", "c5.xlarge")]);
    assert.deepEqual(names, ["c5.xlarge", "m5.large"]);
  });

  test("NotIn a family and Exists on a label every type has", () => {
    const names = select([req(FAMILY, "NotIn", "t3", "t3a"), req(ARCH, "Exists")]);
    assert.equal(names.length, catalog.filter((t) => t.family !== "t3" && t.family !== "t3a").length);
  });
});

describe("RequirementSet over many requirements on one key", () => {
  const KEYS = ["example.com/a", "example.com/b"];
  const VALUES = ["1", "2", "3", "4", "5", "x", "y", "z"];

  function requirement(next: () => number): NodeSelectorRequirement {
    const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T;
    const key = pick(KEYS);
    const operator = pick(["In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt", "Gte", "Lte"] as const);
    const some = () => VALUES.filter(() => next() < 0.4).concat(pick(VALUES));
    if (operator === "In" || operator === "NotIn") {
      const values = some();
      const minValues = 1 + Math.floor(next() * values.length);
      return { key, operator, values, ...(next() < 0.2 ? { minValues } : {}) };
    }
    if (operator === "Exists" || operator === "DoesNotExist") return { key, operator };
    return { key, operator, values: [String(Math.floor(next() * 7))] };
  }

  test("combining them at once equals intersecting them one by one, and allows what Kubernetes matches", () => {
    const next = seededRandom(20261125);
    for (let i = 0; i < 2000; i++) {
      const requirements = Array.from({ length: 1 + Math.floor(next() * 6) }, () => requirement(next));
      const all = RequirementSet.fromRequirements(requirements);
      // The oracle: one set per requirement, intersected pairwise (Karpenter's Requirements.Add).
      const folded = requirements.map((r) => RequirementSet.fromRequirements([r])).reduce((a, b) => a.intersection(b));
      const context = JSON.stringify(requirements);
      assert.deepEqual(all.keys(), folded.keys(), context);
      for (const key of KEYS) {
        assert.deepEqual(all.valuesFor(key), folded.valuesFor(key), `${key}: ${context}`);
        for (const value of [...VALUES, "0", "6", "07", "-1"]) {
          const onKey = requirements.filter((r) => r.key === key);
          assert.equal(all.allows(key, value), matchesAll(onKey, { [key]: value }), `${key}=${value}: ${context}`);
        }
      }
    }
  });
});
