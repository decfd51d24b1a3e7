// convertBundleToV1: kubelet settings move from NodePools to the EC2NodeClass they reference only when that class
// is in the bundle and every NodePool using it agrees; otherwise each NodePool gets an unconvertible note saying why.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { convertBundleToV1, type ConversionNote, type ConversionResult } from "../../api/convert/index.ts";

type Obj = Record<string, unknown>;

function pool(name: string, kubelet?: Obj, className = "shared"): Obj {
  return {
    apiVersion: "karpenter.sh/v1beta1",
    kind: "NodePool",
    metadata: { name },
    spec: {
      template: { spec: { nodeClassRef: { name: className }, requirements: [], ...(kubelet ? { kubelet } : {}) } },
    },
  };
}

function nodeClass(name = "shared", extra: Obj = {}): Obj {
  return {
    apiVersion: "karpenter.k8s.aws/v1",
    kind: "EC2NodeClass",
    metadata: { name },
    spec: {
      role: "r",
      amiSelectorTerms: [{ alias: "al2023@v20240625" }],
      subnetSelectorTerms: [{ id: "subnet-1" }],
      securityGroupSelectorTerms: [{ id: "sg-1" }],
      ...extra,
    },
  };
}

function kubeletNote(result: ConversionResult | undefined): ConversionNote | undefined {
  return result?.notes.find((n) => n.path === "spec.template.spec.kubelet");
}

function classKubelet(result: ConversionResult | undefined): unknown {
  return ((result?.object as Obj)["spec"] as Obj)["kubelet"];
}

function run(objects: Obj[]): ConversionResult[] {
  const pristine = structuredClone(objects);
  const results = convertBundleToV1(objects);
  assert.deepStrictEqual(objects, pristine, "inputs must not change");
  assert.equal(results.length, objects.length);
  return results;
}

describe("convertBundleToV1 kubelet placement", () => {
  it("keeps the per-object note when the referenced class is not in the bundle", () => {
    const [result] = run([pool("a", { maxPods: 10 }), nodeClass("other")]);
    assert.equal(kubeletNote(result)?.kind, "unconvertible");
    assert.match(kubeletNote(result)?.message ?? "", /EC2NodeClass "shared"/);
  });

  it("refuses when another NodePool uses the class without kubelet settings", () => {
    const results = run([pool("a", { maxPods: 10 }), pool("b"), nodeClass()]);
    assert.equal(kubeletNote(results[0])?.kind, "unconvertible");
    assert.match(kubeletNote(results[0])?.message ?? "", /NodePool "b" uses EC2NodeClass "shared" too/);
    assert.equal(classKubelet(results[2]), undefined);
    assert.deepStrictEqual(results[2]?.notes, []);
  });

  it("names both NodePools when their kubelet settings differ", () => {
    const results = run([pool("a", { maxPods: 10 }), pool("b", { maxPods: 20 }), nodeClass()]);
    for (const [i, other] of [
      [0, "b"],
      [1, "a"],
    ] as const) {
      const note = kubeletNote(results[i]);
      assert.equal(note?.kind, "unconvertible");
      assert.match(note?.message ?? "", new RegExp(`NodePools "${i === 0 ? "a" : "b"}" and "${other}"`));
    }
  });

  it("only removes the settings when the class already has the same kubelet block", () => {
    const results = run([pool("a", { maxPods: 10 }), nodeClass("shared", { kubelet: { maxPods: 10 } })]);
    assert.equal(kubeletNote(results[0])?.kind, "moved");
    assert.match(kubeletNote(results[0])?.message ?? "", /already has the same spec.kubelet/);
    assert.deepStrictEqual(results[1]?.notes, []);
  });

  it("refuses when the class already has a different kubelet block", () => {
    const results = run([pool("a", { maxPods: 10 }), nodeClass("shared", { kubelet: { maxPods: 99 } })]);
    assert.equal(kubeletNote(results[0])?.kind, "unconvertible");
    assert.match(kubeletNote(results[0])?.message ?? "", /already sets different ones \(\{"maxPods":99\}\)/);
    assert.deepStrictEqual(classKubelet(results[1]), { maxPods: 99 });
  });

  it("refuses when several classes in the bundle have the referenced name", () => {
    const results = run([pool("a", { maxPods: 10 }), nodeClass(), nodeClass()]);
    assert.equal(kubeletNote(results[0])?.kind, "unconvertible");
    assert.match(kubeletNote(results[0])?.message ?? "", /2 EC2NodeClasses named "shared"/);
  });

  it("moves settings from Karpenter v1.0's compatibility annotation into the class", () => {
    const annotation = "compatibility.karpenter.sh/v1beta1-kubelet-conversion";
    const v1Pool = {
      apiVersion: "karpenter.sh/v1",
      kind: "NodePool",
      metadata: {
        name: "a",
        annotations: { [annotation]: '{"maxPods":42,"containerRuntime":"containerd"}', keep: "me" },
      },
      spec: {
        template: {
          spec: {
            nodeClassRef: { group: "karpenter.k8s.aws", kind: "EC2NodeClass", name: "shared" },
            requirements: [],
          },
        },
      },
    };
    const results = run([v1Pool, nodeClass()]);
    assert.deepStrictEqual((results[0]?.object as Obj)["metadata"], { name: "a", annotations: { keep: "me" } });
    assert.deepStrictEqual(
      results[0]?.notes.map((n) => `${n.kind} ${n.path}`),
      [`dropped metadata.annotations.${annotation}.containerRuntime`, `moved metadata.annotations.${annotation}`],
    );
    assert.deepStrictEqual(classKubelet(results[1]), { maxPods: 42 });
    assert.deepStrictEqual(
      results[1]?.notes.map((n) => `${n.kind} ${n.path}`),
      ["moved spec.kubelet"],
    );
  });

  it("leaves objects without kubelet settings exactly as convertToV1 does", () => {
    const results = run([pool("a"), nodeClass()]);
    assert.equal(kubeletNote(results[0]), undefined);
    assert.deepStrictEqual(results[1]?.notes, []);
  });
});
