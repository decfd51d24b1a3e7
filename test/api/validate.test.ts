import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { parseAllDocuments } from "yaml";
import { validateObject } from "../../api/validation/validate.ts";
import { formatFieldError } from "../../api/validation/field-error.ts";
import { upstreamExamples } from "../support/fixtures.ts";

function nodePool(spec: Record<string, unknown>): Record<string, unknown> {
  return { apiVersion: "karpenter.sh/v1", kind: "NodePool", metadata: { name: "default" }, spec };
}

const template = {
  spec: {
    nodeClassRef: { group: "karpenter.k8s.aws", kind: "EC2NodeClass", name: "default" },
    requirements: [{ key: "kubernetes.io/arch", operator: "In", values: ["amd64"] }],
  },
};

function messages(object: unknown, oldObject?: unknown): string[] {
  const result = validateObject(object, oldObject === undefined ? {} : { oldObject });
  assert.ok(result, "expected a Karpenter object");
  return result.errors.map(formatFieldError);
}

describe("upstream examples", () => {
  for (const example of upstreamExamples()) {
    test(`${example.name}: every document validates as v1 with no errors`, () => {
      const docs = parseAllDocuments(example.text);
      assert.ok(docs.length >= 2);
      for (const doc of docs) {
        const result = validateObject(doc.toJS());
        assert.ok(result, `${example.name}: not recognised as a Karpenter object`);
        assert.deepEqual(result.errors.map(formatFieldError), []);
      }
    });
  }
});

describe("defaults, as the API server applies them", () => {
  test("NodePool: disruption, budgets and expireAfter", () => {
    const result = validateObject(nodePool({ template }));
    assert.ok(result);
    assert.deepEqual(result.object.spec, {
      template: { spec: { ...template.spec, expireAfter: "720h" } },
      disruption: {
        consolidateAfter: "0s",
        consolidationPolicy: "WhenEmptyOrUnderutilized",
        budgets: [{ nodes: "10%" }],
      },
    });
  });

  test("a budget without nodes gets 10%, and explicit values are kept", () => {
    const result = validateObject(
      nodePool({ template, disruption: { consolidateAfter: "1m", budgets: [{ reasons: ["Empty"] }, { nodes: "0" }] } }),
    );
    assert.ok(result);
    assert.deepEqual((result.object.spec as { disruption: unknown }).disruption, {
      consolidateAfter: "1m",
      consolidationPolicy: "WhenEmptyOrUnderutilized",
      budgets: [{ reasons: ["Empty"], nodes: "10%" }, { nodes: "0" }],
    });
  });

  test("EC2NodeClass: metadataOptions default to IMDSv2 required with hop limit 1", () => {
    const result = validateObject({
      apiVersion: "karpenter.k8s.aws/v1",
      kind: "EC2NodeClass",
      metadata: { name: "default" },
      spec: {
        role: "KarpenterNodeRole",
        amiSelectorTerms: [{ alias: "al2023@v20240807" }],
        subnetSelectorTerms: [{ tags: { "karpenter.sh/discovery": "demo" } }],
        securityGroupSelectorTerms: [{ tags: { "karpenter.sh/discovery": "demo" } }],
        metadataOptions: { httpTokens: "optional" },
      },
    });
    assert.ok(result);
    assert.deepEqual(result.errors, []);
    assert.deepEqual((result.object.spec as { metadataOptions: unknown }).metadataOptions, {
      httpEndpoint: "enabled",
      httpProtocolIPv6: "disabled",
      httpPutResponseHopLimit: 1,
      httpTokens: "optional",
    });
  });

  test("the input object is not changed", () => {
    const input = nodePool({ template });
    const before = structuredClone(input);
    validateObject(input);
    assert.deepEqual(input, before);
  });
});

describe("errors", () => {
  test("an unknown field is reported with its path and the field probably meant", () => {
    assert.deepEqual(messages(nodePool({ template, disruption: { consolidateAfer: "5m", consolidateAfter: "5m" } })), [
      'spec.disruption.consolidateAfer: unknown field "consolidateAfer" (did you mean "consolidateAfter"?)',
    ]);
  });

  test("unknown metadata fields are reported too", () => {
    const object = nodePool({ template });
    object.metadata = { name: "default", label: { a: "b" } };
    assert.deepEqual(messages(object), ['metadata.label: unknown field "label" (did you mean "labels"?)']);
  });

  test("a missing name is required", () => {
    const object = nodePool({ template });
    object.metadata = {};
    assert.deepEqual(messages(object), ["metadata.name: Required value: name or generateName is required"]);
  });

  test("a schema error and a CEL error on the same object are both reported", () => {
    assert.deepEqual(
      messages(
        nodePool({
          template,
          weight: 0,
          disruption: { consolidateAfter: "0s", budgets: [{ nodes: "1", schedule: "@daily" }] },
        }),
      ),
      [
        "spec.weight: Invalid value: 0: must be greater than or equal to 1",
        "spec.disruption.budgets: Invalid value: 'schedule' must be set with 'duration'",
      ],
    );
  });

  test("after a blocking schema error no CEL rule runs, and a note says so (as the API server does)", () => {
    assert.deepEqual(
      messages(
        nodePool({
          template: { spec: { ...template.spec, requirements: "arch=amd64" } },
          disruption: { consolidateAfter: "0s", budgets: [{ nodes: "1", schedule: "@daily" }] },
        }),
      ),
      [
        'spec.template.spec.requirements: Invalid value: "arch=amd64": must be of type array',
        "<root>: Invalid value: some validation rules were not checked because the object was invalid; correct the existing errors to complete validation",
      ],
    );
  });

  test("non-blocking schema errors (pattern, bounds, unknown fields) leave the CEL rules running", () => {
    assert.deepEqual(
      messages(
        nodePool({
          template: { spec: { ...template.spec, expireAfter: "30d" } },
          disruption: { consolidateAfter: "0s", consolidatAfter: "1m", budgets: [{ nodes: "1", schedule: "@daily" }] },
        }),
      ),
      [
        'spec.disruption.consolidatAfter: unknown field "consolidatAfter" (did you mean "consolidateAfter"?)',
        "spec.template.spec.expireAfter: Invalid value: \"30d\": must match '^(([0-9]+(s|m|h))+|Never)$'",
        "spec.disruption.budgets: Invalid value: 'schedule' must be set with 'duration'",
      ],
    );
  });

  test("a repeated item of a set list is a duplicate value", () => {
    assert.deepEqual(
      messages(
        nodePool({
          template,
          disruption: { consolidateAfter: "0s", budgets: [{ nodes: "1", reasons: ["Empty", "Empty"] }] },
        }),
      ),
      ['spec.disruption.budgets[0].reasons[1]: Duplicate value: "Empty"'],
    );
  });

  test("kinds and versions that are not served CRD versions are not validated here", () => {
    assert.equal(validateObject({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x" } }), undefined);
    assert.equal(validateObject({ apiVersion: "karpenter.sh/v1beta1", kind: "NodePool" }), undefined);
    assert.equal(validateObject("not an object"), undefined);
  });
});

describe("transition rules (UPDATE)", () => {
  const old = nodePool({ template });

  test("nodeClassRef group and kind are immutable, name is not", () => {
    const renamed = nodePool({
      template: { spec: { ...template.spec, nodeClassRef: { ...template.spec.nodeClassRef, name: "other" } } },
    });
    assert.deepEqual(messages(renamed, old), []);
    const regrouped = nodePool({
      template: { spec: { ...template.spec, nodeClassRef: { group: "example.com", kind: "Other", name: "default" } } },
    });
    assert.deepEqual(messages(regrouped, old), [
      "spec.template.spec.nodeClassRef: Invalid value: nodeClassRef.group is immutable",
      "spec.template.spec.nodeClassRef: Invalid value: nodeClassRef.kind is immutable",
    ]);
    assert.deepEqual(messages(regrouped), [], "transition rules do not run on CREATE");
  });

  test("a NodePool cannot switch between static and dynamic", () => {
    assert.deepEqual(messages(nodePool({ template, replicas: 3 }), old), [
      "spec: Invalid value: Cannot transition NodePool between static (replicas set) and dynamic (replicas unset) provisioning modes",
    ]);
  });

  test("a NodeClaim's spec is immutable", () => {
    const claim = (name: string) => ({
      apiVersion: "karpenter.sh/v1",
      kind: "NodeClaim",
      metadata: { name: "default-abcde" },
      spec: {
        nodeClassRef: { group: "karpenter.k8s.aws", kind: "EC2NodeClass", name },
        requirements: template.spec.requirements,
      },
    });
    assert.deepEqual(messages(claim("a"), claim("a")), []);
    assert.deepEqual(messages(claim("b"), claim("a")), ["spec: Invalid value: spec is immutable"]);
  });
});
