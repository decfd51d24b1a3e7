// Conversion edge cases, one object at a time: the less common legacy shapes and the cases where the converter
// must refuse to guess (unconvertible notes) rather than invent a value.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { convertToV1, type ConversionNote } from "../../api/convert/index.ts";
import { secondsToDuration } from "../../api/convert/durations.ts";

type Obj = Record<string, unknown>;

function noteKeys(notes: readonly ConversionNote[]): string[] {
  return notes.map((n) => `${n.kind} ${n.path}`).sort();
}

function convert(input: Obj): { object: Obj; notes: ConversionNote[] } {
  const pristine = structuredClone(input);
  const { object, notes } = convertToV1(input);
  assert.deepStrictEqual(input, pristine, "input must not change");
  return { object: object as Obj, notes };
}

function nodePool(apiVersion: string, spec: Obj, metadata: Obj = { name: "np" }): Obj {
  return { apiVersion, kind: "NodePool", metadata, spec };
}

const REF = { group: "karpenter.k8s.aws", kind: "EC2NodeClass", name: "default" };
const SELECTORS = {
  role: "KarpenterNodeRole-c",
  subnetSelectorTerms: [{ tags: { "karpenter.sh/discovery": "c" } }],
  securityGroupSelectorTerms: [{ tags: { "karpenter.sh/discovery": "c" } }],
};
const OLD_IMDS = {
  httpEndpoint: "enabled",
  httpProtocolIPv6: "disabled",
  httpPutResponseHopLimit: 2,
  httpTokens: "required",
};

function nodeClass(apiVersion: string, spec: Obj): Obj {
  return { apiVersion, kind: "EC2NodeClass", metadata: { name: "default" }, spec };
}

describe("NodePool disruption", () => {
  it("drops a disruption block left empty by moving expireAfter (v1 defaults it the way v1beta1 did)", () => {
    const { object, notes } = convert(
      nodePool("karpenter.sh/v1beta1", {
        disruption: { expireAfter: "Never" },
        template: { spec: { nodeClassRef: REF, requirements: [] } },
      }),
    );
    assert.deepStrictEqual(object["spec"], {
      template: { spec: { nodeClassRef: REF, requirements: [], expireAfter: "Never" } },
    });
    assert.deepStrictEqual(noteKeys(notes), ["converted apiVersion", "moved spec.disruption.expireAfter"]);
  });

  it("defaults consolidateAfter to 0s when v1beta1 left the policy at its WhenUnderutilized default", () => {
    const { object, notes } = convert(
      nodePool("karpenter.sh/v1beta1", {
        disruption: { budgets: [{ nodes: "20%" }] },
        template: { spec: { nodeClassRef: REF, requirements: [] } },
      }),
    );
    assert.deepStrictEqual((object["spec"] as Obj)["disruption"], {
      budgets: [{ nodes: "20%" }],
      consolidateAfter: "0s",
    });
    const note = notes.find((n) => n.path === "spec.disruption.consolidateAfter");
    assert.equal(note?.kind, "defaulted");
    assert.match(note?.message ?? "", /default WhenUnderutilized policy/);
  });

  it("refuses to invent consolidateAfter for WhenEmpty", () => {
    const { object, notes } = convert(
      nodePool("karpenter.sh/v1beta1", {
        disruption: { consolidationPolicy: "WhenEmpty" },
        template: { spec: { nodeClassRef: REF, requirements: [] } },
      }),
    );
    assert.deepStrictEqual((object["spec"] as Obj)["disruption"], { consolidationPolicy: "WhenEmpty" });
    assert.deepStrictEqual(noteKeys(notes), ["converted apiVersion", "unconvertible spec.disruption.consolidateAfter"]);
  });

  it("keeps the template's expireAfter when both places set one, and says so", () => {
    for (const [legacy, template, message] of [
      ["720h", "720h", /same value/],
      ["720h", "168h", /"168h"/],
    ] as const) {
      const { object, notes } = convert(
        nodePool("karpenter.sh/v1", {
          disruption: { consolidationPolicy: "WhenEmpty", consolidateAfter: "1m", expireAfter: legacy },
          template: { spec: { nodeClassRef: REF, requirements: [], expireAfter: template } },
        }),
      );
      const spec = object["spec"] as { template: { spec: Obj }; disruption: Obj };
      assert.equal(spec.template.spec["expireAfter"], template);
      assert.deepStrictEqual(spec.disruption, { consolidationPolicy: "WhenEmpty", consolidateAfter: "1m" });
      assert.deepStrictEqual(noteKeys(notes), ["dropped spec.disruption.expireAfter"]);
      assert.match(notes[0]?.message ?? "", message);
    }
  });

  it("leaves a v1 disruption block alone even when it lacks consolidateAfter (the validator reports that)", () => {
    const input = nodePool("karpenter.sh/v1", {
      disruption: { consolidationPolicy: "WhenEmpty" },
      template: { spec: { nodeClassRef: REF, requirements: [] } },
    });
    assert.deepStrictEqual(convert(input), { object: input, notes: [] });
  });
});

describe("NodePool template", () => {
  it("defaults requirements and reports a missing nodeClassRef on a v1beta1 NodePool", () => {
    const { object, notes } = convert(nodePool("karpenter.sh/v1beta1", { template: { spec: {} } }));
    assert.deepStrictEqual(object["spec"], { template: { spec: { requirements: [] } } });
    assert.deepStrictEqual(noteKeys(notes), [
      "converted apiVersion",
      "defaulted spec.template.spec.requirements",
      "unconvertible spec.template.spec.nodeClassRef",
    ]);
  });

  it("drops nodeClassRef.apiVersion when group is already set", () => {
    const { object, notes } = convert(
      nodePool("karpenter.sh/v1", {
        template: { spec: { nodeClassRef: { ...REF, apiVersion: "karpenter.k8s.aws/v1beta1" }, requirements: [] } },
      }),
    );
    assert.deepStrictEqual((object["spec"] as { template: { spec: Obj } }).template.spec["nodeClassRef"], REF);
    assert.deepStrictEqual(noteKeys(notes), ["dropped spec.template.spec.nodeClassRef.apiVersion"]);
  });

  it("takes kubelet settings out of Karpenter v1.0's compatibility annotation", () => {
    const annotation = "compatibility.karpenter.sh/v1beta1-kubelet-conversion";
    const { object, notes } = convert(
      nodePool(
        "karpenter.sh/v1",
        { template: { spec: { nodeClassRef: REF, requirements: [] } } },
        { name: "np", annotations: { [annotation]: '{"maxPods":42}' } },
      ),
    );
    assert.deepStrictEqual(object["metadata"], { name: "np" });
    assert.deepStrictEqual(noteKeys(notes), [`unconvertible metadata.annotations.${annotation}`]);
    assert.match(notes[0]?.message ?? "", /\{"maxPods":42\}.*EC2NodeClass "default"/);
  });

  it("removes a compatibility annotation that is not JSON, and says its settings are lost", () => {
    const annotation = "compatibility.karpenter.sh/v1beta1-kubelet-conversion";
    const { object, notes } = convert(
      nodePool(
        "karpenter.sh/v1",
        { template: { spec: { nodeClassRef: REF, requirements: [] } } },
        { name: "np", annotations: { [annotation]: "{maxPods: 42" } },
      ),
    );
    assert.deepStrictEqual(object["metadata"], { name: "np" });
    assert.deepStrictEqual(noteKeys(notes), [`unconvertible metadata.annotations.${annotation}`]);
    assert.match(notes[0]?.message ?? "", /its value is not a JSON object/);
  });

  it("drops kubelet fields the EC2NodeClass does not have", () => {
    const { notes } = convert(
      nodePool("karpenter.sh/v1beta1", {
        template: { spec: { nodeClassRef: REF, requirements: [], kubelet: { maxPods: 10, registryPullQPS: 5 } } },
      }),
    );
    assert.deepStrictEqual(noteKeys(notes), [
      "converted apiVersion",
      "dropped spec.template.spec.kubelet.registryPullQPS",
      "unconvertible spec.template.spec.kubelet",
    ]);
  });
});

describe("EC2NodeClass AMI selection", () => {
  it("turns a Windows family into its only allowed alias, windows2022@latest", () => {
    const { object, notes } = convert(
      nodeClass("karpenter.k8s.aws/v1beta1", { amiFamily: "Windows2022", ...SELECTORS }),
    );
    assert.deepStrictEqual(object["spec"], {
      amiSelectorTerms: [{ alias: "windows2022@latest" }],
      ...SELECTORS,
      metadataOptions: OLD_IMDS,
    });
    assert.match(notes.find((n) => n.path === "spec.amiFamily")?.message ?? "", /Windows aliases only accept @latest/);
  });

  it("repairs a v1 EC2NodeClass that still relies on amiFamily alone", () => {
    const { object, notes } = convert(nodeClass("karpenter.k8s.aws/v1", { amiFamily: "AL2023", ...SELECTORS }));
    assert.deepStrictEqual(object["spec"], { amiSelectorTerms: [{ alias: "al2023@latest" }], ...SELECTORS });
    assert.deepStrictEqual(noteKeys(notes), ["converted spec.amiFamily"]);
    assert.match(notes[0]?.message ?? "", /unpinned/);
  });

  it("repairs Windows2025 alone the same way: it is an alias family of the v1 CRD", () => {
    const { object, notes } = convert(nodeClass("karpenter.k8s.aws/v1", { amiFamily: "Windows2025", ...SELECTORS }));
    assert.deepStrictEqual(object["spec"], { amiSelectorTerms: [{ alias: "windows2025@latest" }], ...SELECTORS });
    assert.deepStrictEqual(noteKeys(notes), ["converted spec.amiFamily"]);
    assert.match(notes[0]?.message ?? "", /Windows aliases only accept @latest/);
  });

  it("reports a class with neither amiFamily nor terms as unconvertible", () => {
    const { notes } = convert(nodeClass("karpenter.k8s.aws/v1", { ...SELECTORS }));
    assert.deepStrictEqual(noteKeys(notes), ["unconvertible spec.amiSelectorTerms"]);
  });

  it("does not guess the family of v1beta1 terms without amiFamily", () => {
    const { object, notes } = convert(
      nodeClass("karpenter.k8s.aws/v1beta1", {
        amiSelectorTerms: [{ id: "ami-123" }],
        ...SELECTORS,
        metadataOptions: OLD_IMDS,
      }),
    );
    assert.equal((object["spec"] as Obj)["amiFamily"], undefined);
    assert.deepStrictEqual(noteKeys(notes), ["converted apiVersion", "unconvertible spec.amiFamily"]);
  });

  it("switches Ubuntu without terms to AL2 but cannot pick its AMIs", () => {
    const { object, notes } = convert(
      nodeClass("karpenter.k8s.aws/v1beta1", { amiFamily: "Ubuntu", ...SELECTORS, metadataOptions: OLD_IMDS }),
    );
    assert.equal((object["spec"] as Obj)["amiFamily"], "AL2");
    assert.deepStrictEqual(noteKeys(notes), [
      "converted apiVersion",
      "converted spec.amiFamily",
      "defaulted spec.blockDeviceMappings",
      "unconvertible spec.amiSelectorTerms",
    ]);
  });

  it("accepts Custom UserData that already registers the unregistered taint", () => {
    const { notes } = convert(
      nodeClass("karpenter.k8s.aws/v1beta1", {
        amiFamily: "Custom",
        amiSelectorTerms: [{ id: "ami-123" }],
        ...SELECTORS,
        metadataOptions: OLD_IMDS,
        userData: "--register-with-taints=karpenter.sh/unregistered:NoExecute",
      }),
    );
    assert.deepStrictEqual(noteKeys(notes), ["converted apiVersion"]);
  });
});

describe("legacy tag-map selectors", () => {
  const base = { amiFamily: "AL2", amiSelectorTerms: [{ id: "ami-1" }], role: "r" };

  it("keeps only the id terms when IDs were combined with tag filters", () => {
    const { object, notes } = convert(
      nodeClass("karpenter.k8s.aws/v1", {
        ...base,
        subnetSelector: { "aws::ids": "subnet-1,subnet-2", Name: "private" },
        securityGroupSelectorTerms: [{ id: "sg-1" }],
      }),
    );
    assert.deepStrictEqual((object["spec"] as Obj)["subnetSelectorTerms"], [{ id: "subnet-1" }, { id: "subnet-2" }]);
    assert.deepStrictEqual(noteKeys(notes), ["converted spec.subnetSelector", "dropped spec.subnetSelector"]);
    assert.match(notes[1]?.message ?? "", /"Name"/);
  });

  it("ignores a legacy selector when the terms are set too", () => {
    const { object, notes } = convert(
      nodeClass("karpenter.k8s.aws/v1", {
        ...base,
        subnetSelector: { Name: "x" },
        subnetSelectorTerms: [{ id: "subnet-1" }],
        securityGroupSelectorTerms: [{ id: "sg-1" }],
      }),
    );
    assert.deepStrictEqual((object["spec"] as Obj)["subnetSelectorTerms"], [{ id: "subnet-1" }]);
    assert.equal((object["spec"] as Obj)["subnetSelector"], undefined);
    assert.deepStrictEqual(noteKeys(notes), ["dropped spec.subnetSelector"]);
  });

  it("reports selectors it cannot express", () => {
    const many = Object.fromEntries(["a", "b", "c", "d"].map((k) => [k, "1,2,3"]));
    const { object, notes } = convert(
      nodeClass("karpenter.k8s.aws/v1", {
        amiFamily: "AL2",
        role: "r",
        subnetSelector: {},
        securityGroupSelector: many,
        amiSelector: { "aws::owners": "amazon" },
      }),
    );
    const spec = object["spec"] as Obj;
    assert.deepStrictEqual(Object.keys(spec).sort(), ["amiFamily", "role"]);
    assert.deepStrictEqual(noteKeys(notes), [
      "unconvertible spec.amiSelector",
      "unconvertible spec.securityGroupSelector",
      "unconvertible spec.subnetSelector",
    ]);
    assert.match(notes.find((n) => n.path === "spec.securityGroupSelector")?.message ?? "", /81 terms/);
  });

  it("keeps AMI tag values whole (the old AMI selector did not split them) and maps aws-ids to ids", () => {
    const { object } = convert(
      nodeClass("karpenter.k8s.aws/v1", {
        amiFamily: "AL2",
        role: "r",
        amiSelector: { "aws-ids": "ami-1, ami-2" },
        subnetSelector: { "karpenter.sh/discovery": "*" },
        securityGroupSelector: { team: "a,b" },
      }),
    );
    const spec = object["spec"] as Obj;
    assert.deepStrictEqual(spec["amiSelectorTerms"], [{ id: "ami-1" }, { id: "ami-2" }]);
    assert.deepStrictEqual(spec["subnetSelectorTerms"], [{ tags: { "karpenter.sh/discovery": "*" } }]);
    assert.deepStrictEqual(spec["securityGroupSelectorTerms"], [{ tags: { team: "a" } }, { tags: { team: "b" } }]);

    const ami = convert(
      nodeClass("karpenter.k8s.aws/v1", { amiFamily: "AL2", role: "r", amiSelector: { team: "a,b" } }),
    );
    assert.deepStrictEqual((ami.object["spec"] as Obj)["amiSelectorTerms"], [{ tags: { team: "a,b" } }]);
  });
});

describe("AWSNodeTemplate", () => {
  it("reports launchTemplateName and a missing instance profile, keeps a custom AMI with its family", () => {
    const { object, notes } = convert({
      apiVersion: "karpenter.k8s.aws/v1alpha1",
      kind: "AWSNodeTemplate",
      metadata: { name: "lt" },
      spec: {
        amiFamily: "Bottlerocket",
        amiSelector: { "aws-ids": "ami-0abc" },
        launchTemplateName: "my-template",
        subnetSelector: { "aws-ids": "subnet-1" },
        securityGroupSelector: { "aws-ids": "sg-1" },
        metadataOptions: { httpPutResponseHopLimit: 3 },
      },
      status: { subnets: [] },
    });
    assert.deepStrictEqual(object, {
      apiVersion: "karpenter.k8s.aws/v1",
      kind: "EC2NodeClass",
      metadata: { name: "lt" },
      spec: {
        amiFamily: "Bottlerocket",
        amiSelectorTerms: [{ id: "ami-0abc" }],
        subnetSelectorTerms: [{ id: "subnet-1" }],
        securityGroupSelectorTerms: [{ id: "sg-1" }],
        metadataOptions: { httpPutResponseHopLimit: 3 },
      },
    });
    assert.deepStrictEqual(noteKeys(notes), [
      "converted apiVersion",
      "converted spec.amiSelector",
      "converted spec.securityGroupSelector",
      "converted spec.subnetSelector",
      "dropped status",
      "renamed kind",
      "unconvertible spec.instanceProfile",
      "unconvertible spec.launchTemplateName",
    ]);
  });
});

describe("Provisioner", () => {
  function provisioner(spec: Obj): Obj {
    return { apiVersion: "karpenter.sh/v1alpha5", kind: "Provisioner", metadata: { name: "p" }, spec, status: {} };
  }
  const minimal = { providerRef: { name: "default" }, ttlSecondsUntilExpired: 90 };

  it("keeps consolidation off when the Provisioner had neither consolidation nor ttlSecondsAfterEmpty", () => {
    const { object, notes } = convert(
      provisioner({
        ...minimal,
        labels: { "kubernetes.io/arch": "arm64" },
        requirements: [{ key: "node.kubernetes.io/instance-type", operator: "In", values: ["m6g.large"] }],
        weight: 5,
        unknownField: true,
      }),
    );
    assert.deepStrictEqual(object, {
      apiVersion: "karpenter.sh/v1",
      kind: "NodePool",
      metadata: { name: "p" },
      spec: {
        template: {
          metadata: { labels: { "kubernetes.io/arch": "arm64" } },
          spec: {
            requirements: [
              { key: "node.kubernetes.io/instance-type", operator: "In", values: ["m6g.large"] },
              { key: "kubernetes.io/os", operator: "In", values: ["linux"] },
              { key: "karpenter.sh/capacity-type", operator: "In", values: ["on-demand"] },
            ],
            nodeClassRef: REF,
            expireAfter: "1m30s",
          },
        },
        disruption: { consolidationPolicy: "WhenEmpty", consolidateAfter: "Never" },
        weight: 5,
      },
    });
    assert.deepStrictEqual(noteKeys(notes), [
      "converted apiVersion",
      "converted spec.providerRef",
      "converted spec.ttlSecondsUntilExpired",
      "defaulted spec.consolidation",
      "defaulted spec.requirements",
      "dropped spec.unknownField",
      "dropped status",
      "moved spec.labels",
      "moved spec.requirements",
      "renamed kind",
    ]);
  });

  it("lets consolidation win over ttlSecondsAfterEmpty, as Karpenter's own conversion did", () => {
    const { object, notes } = convert(
      provisioner({ ...minimal, consolidation: { enabled: true }, ttlSecondsAfterEmpty: 30 }),
    );
    assert.deepStrictEqual((object["spec"] as Obj)["disruption"], {
      consolidationPolicy: "WhenEmptyOrUnderutilized",
      consolidateAfter: "0s",
    });
    assert.ok(noteKeys(notes).includes("dropped spec.ttlSecondsAfterEmpty"));
  });

  it("drops a disabled consolidation block and converts ttlSecondsAfterEmpty", () => {
    const { object, notes } = convert(
      provisioner({ ...minimal, consolidation: { enabled: false }, ttlSecondsAfterEmpty: 3600 }),
    );
    assert.deepStrictEqual((object["spec"] as Obj)["disruption"], {
      consolidationPolicy: "WhenEmpty",
      consolidateAfter: "1h",
    });
    assert.ok(noteKeys(notes).includes("dropped spec.consolidation"));
    assert.ok(noteKeys(notes).includes("converted spec.ttlSecondsAfterEmpty"));
  });

  it("reports a Provisioner without providerRef or provider", () => {
    const { notes } = convert(provisioner({ ttlSecondsUntilExpired: 60 }));
    assert.ok(noteKeys(notes).includes("unconvertible spec.providerRef"));
  });

  it("keeps a providerRef to another node class kind as it is", () => {
    const { object } = convert(
      provisioner({ ...minimal, providerRef: { apiVersion: "example.com/v1", kind: "MyNodeClass", name: "x" } }),
    );
    const ref = ((object["spec"] as Obj)["template"] as { spec: Obj }).spec["nodeClassRef"];
    assert.deepStrictEqual(ref, { group: "example.com", kind: "MyNodeClass", name: "x" });
  });

  it("reads kubelet settings from the `kubelet` key some guides use", () => {
    const { notes } = convert(provisioner({ ...minimal, kubelet: { maxPods: 20 } }));
    assert.ok(noteKeys(notes).includes("unconvertible spec.kubelet"));
  });
});

describe("secondsToDuration", () => {
  for (const [input, expected] of [
    [0, "0s"],
    [30, "30s"],
    [90, "1m30s"],
    [3600, "1h"],
    [2592000, "720h"],
    [3661, "1h1m1s"],
    ["120", "2m"],
    [-1, undefined],
    [1.5, undefined],
    ["10m", undefined],
    [null, undefined],
  ] as const) {
    it(`${JSON.stringify(input)} → ${String(expected)}`, () => {
      assert.equal(secondsToDuration(input), expected);
    });
  }
});
