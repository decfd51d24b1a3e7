import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { defaultCatalog } from "../../../cloudprovider/catalog/catalog.ts";
import { applyFix, judge, nodePool, summary, upstreamDenials } from "./judge.ts";

const rules = ["instance-types.*"];
type Requirement = { key: string; operator: string; values?: string[]; minValues?: number };
const req = (key: string, operator: string, values?: string[], minValues?: number): Requirement => ({
  key: key.includes("/") ? key : `karpenter.k8s.aws/instance-${key}`,
  operator,
  ...(values ? { values } : {}),
  ...(minValues !== undefined ? { minValues } : {}),
});

function pool(requirements: Requirement[], labels?: Record<string, string>) {
  return nodePool("a", {
    limits: { cpu: 100 },
    template: { ...(labels ? { metadata: { labels } } : {}), spec: { requirements } },
  });
}

const cmr = req("category", "In", ["c", "m", "r"]);

test("a general-purpose pool passes in both presets", () => {
  assert.deepEqual(judge([pool([cmr, req("generation", "Gt", ["5"])])], { rules }), []);
  assert.deepEqual(judge([pool([cmr])], { rules, preset: "strict" }), []);
});

describe("instance-types.none-match", () => {
  test("P-series with arm64: denied, naming the requirement that emptied the list and what was left before it", () => {
    const findings = judge([pool([req("category", "In", ["p"]), req("kubernetes.io/arch", "In", ["arm64"])])], {
      rules,
    });
    assert.deepEqual(summary(findings), ["instance-types.none-match deny /spec/template/spec/requirements/1"]);
    assert.match(
      findings[0]?.message ?? "",
      /requirement kubernetes\.io\/arch In \[arm64\] leaves no instance type: the requirements before it allow 14 instance types \(p2\.16xlarge, .*\) and none of them satisfies it, so Karpenter can never launch a node/,
    );
  });

  test("a first requirement nothing satisfies, and a template label that contradicts the requirements", () => {
    const first = judge([pool([req("cpu", "Gt", ["4096"])])], { rules });
    assert.match(first[0]?.message ?? "", /no instance type in the catalog satisfies it/);
    const label = judge([pool([req("family", "In", ["m5"])], { "karpenter.k8s.aws/instance-size": "nano" })], {
      rules,
    });
    assert.deepEqual(summary(label), [
      "instance-types.none-match deny /spec/template/metadata/labels/karpenter.k8s.aws~1instance-size",
    ]);
    assert.match(
      label[0]?.message ?? "",
      /^template label karpenter\.k8s\.aws\/instance-size In \[nano\] leaves no instance type/,
    );
  });

  test("Windows runs on x86 only", () => {
    const findings = judge(
      [pool([req("kubernetes.io/os", "In", ["windows"]), req("kubernetes.io/arch", "In", ["arm64"])])],
      {
        rules,
      },
    );
    assert.deepEqual(summary(findings), ["instance-types.none-match deny /spec/template/spec/requirements/1"]);
  });

  test("a value the catalog does not know might be a newer type: no denial, instance-types.unknown-value warns", () => {
    const findings = judge([pool([req("family", "In", ["m99"])])], { rules });
    assert.deepEqual(summary(findings), [
      "instance-types.unknown-value warn /spec/template/spec/requirements/0/values/0",
    ]);
    assert.match(
      findings[0]?.message ?? "",
      /as nothing else satisfies the requirements, this NodePool cannot launch a node/,
    );
  });

  test("requirements the API server rejects are left to schema.*", () => {
    assert.deepEqual(judge([pool([req("family", "Foo", ["m5"])])], { rules }), []);
    assert.deepEqual(judge([pool([req("family", "In", [])])], { rules }), []);
  });
});

describe("instance-types.unknown-value", () => {
  test("a typo in a NotIn excludes nothing: warned in both presets, with the name probably meant", () => {
    const object = pool([
      req("family", "In", ["m5", "c5"]),
      req("node.kubernetes.io/instance-type", "NotIn", ["m5.lrage"]),
    ]);
    for (const preset of ["baseline", "strict"] as const) {
      const findings = judge([object], { rules, preset });
      assert.deepEqual(summary(findings), [
        "instance-types.unknown-value warn /spec/template/spec/requirements/1/values/0",
      ]);
      assert.match(
        findings[0]?.message ?? "",
        /"m5\.lrage" is not a known instance type \(a typo, or a type newer than poolkeeper's catalog\), so this NotIn excludes nothing/,
      );
      assert.equal(findings[0]?.hint, 'did you mean "m5.large"?');
    }
  });

  test("architectures are a closed set: x86_64 is certainly wrong, and the known values are listed", () => {
    const findings = judge([pool([req("kubernetes.io/arch", "In", ["x86_64", "amd64"])])], { rules });
    assert.deepEqual(summary(findings), [
      "instance-types.unknown-value warn /spec/template/spec/requirements/0/values/0",
    ]);
    assert.match(
      findings[0]?.message ?? "",
      /not a known architecture \(Karpenter uses amd64, arm64\), so it matches no instance type\.$/,
    );
  });

  test("numeric keys are not checked (a count no type has yet is no typo)", () => {
    assert.deepEqual(judge([pool([req("cpu", "In", ["2", "3", "4"])])], { rules }), []);
  });
});

describe("instance-types.allowed", () => {
  const settings = (params: Record<string, unknown>) => ({ "instance-types.allowed": { params } });

  test("off until a policy restricts something", () => {
    assert.deepEqual(judge([pool([])], { rules: ["instance-types.allowed"] }), []);
  });

  test("denied metal sizes: the values and example types named, and a NotIn patch that removes them", () => {
    const object = pool([cmr]);
    const policy = settings({ sizes: { deny: ["metal*"] } });
    const findings = judge([object], { rules, settings: policy });
    assert.deepEqual(summary(findings), ["instance-types.allowed deny /spec/template/spec/requirements"]);
    assert.match(
      findings[0]?.message ?? "",
      /allow instance sizes metal, metal-12xl, .* \(c5\.metal, .*\), which the policy does not permit/,
    );
    const fixed = applyFix(object, findings[0]);
    assert.deepEqual(judge([fixed], { rules, settings: policy }), []);
  });

  test("an allow list of capacity types: a pool without a capacity-type requirement allows spot and reserved", () => {
    const object = pool([cmr]);
    const policy = settings({ capacityTypes: { allow: ["on-demand"] } });
    const findings = judge([object], { rules, settings: policy });
    assert.match(findings[0]?.message ?? "", /allow capacity types spot, reserved/);
    const fixed = applyFix(object, findings[0]);
    assert.deepEqual(judge([fixed], { rules, settings: policy }), []);
    const onDemand = pool([cmr, req("karpenter.sh/capacity-type", "In", ["on-demand"])]);
    assert.deepEqual(judge([onDemand], { rules, settings: policy }), []);
  });

  test("allowed families: the finding points at the family requirement; the patch keeps only permitted ones", () => {
    const object = pool([req("family", "In", ["m5", "m6i", "m4"])]);
    const policy = settings({ families: { allow: ["m5", "m6*"] } });
    const findings = judge([object], { rules, settings: policy });
    assert.deepEqual(summary(findings), ["instance-types.allowed deny /spec/template/spec/requirements/0"]);
    assert.match(findings[0]?.message ?? "", /allow instance family m4 \(m4\.10xlarge, /);
    assert.deepEqual(findings[0]?.patch?.[0], {
      op: "add",
      path: "/spec/template/spec/requirements/-",
      value: { key: "karpenter.k8s.aws/instance-family", operator: "In", values: ["m5", "m6i"] },
    });
    assert.deepEqual(judge([applyFix(object, findings[0])], { rules, settings: policy }), []);
  });

  test("architectures and categories", () => {
    const policy = settings({ architectures: { allow: ["amd64"] }, categories: { deny: ["g", "p"] } });
    const findings = judge([pool([])], { rules, settings: policy });
    assert.deepEqual(
      findings.map((f) => /allow ([^(,]+)/.exec(f.message)?.[1]?.trim()),
      ["instance categories g", "architecture arm64"],
    );
  });
});

describe("instance-types.min-values", () => {
  test("minValues 3 on families when the categories leave two: warned in baseline, denied in strict", () => {
    const object = pool([req("family", "In", ["m5", "c5", "r5"], 3), req("category", "In", ["m", "c"])]);
    const findings = judge([object], { rules });
    assert.deepEqual(summary(findings), [
      "instance-types.min-values warn /spec/template/spec/requirements/0/minValues",
    ]);
    assert.match(
      findings[0]?.message ?? "",
      /offer only 2 \(c5, m5\), so with Karpenter's default minValuesPolicy \(Strict\) it can never launch a node/,
    );
    assert.deepEqual(summary(judge([object], { rules, preset: "strict" })), [
      "instance-types.min-values deny /spec/template/spec/requirements/0/minValues",
    ]);
  });

  test("met minValues, and keys the catalog has no values for (zones), pass", () => {
    assert.deepEqual(judge([pool([req("family", "In", ["m5", "c5", "r5"], 3)])], { rules }), []);
    assert.deepEqual(judge([pool([req("topology.kubernetes.io/zone", "Exists", undefined, 3)])], { rules }), []);
  });
});

test("the catalog the rules judge against is the bundled one unless the engine is given another", () => {
  assert.ok(defaultCatalog().types.length > 1000);
});

test("every upstream example passes baseline with no denial from the instance-types family", () => {
  assert.deepEqual(upstreamDenials(rules), []);
});
