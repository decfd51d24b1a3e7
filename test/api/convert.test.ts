// Conversion of older Karpenter manifest shapes to v1: every fixture in test/fixtures/legacy converts to the
// manifest in test/fixtures/legacy/expected with exactly the listed notes, inputs are never changed, and v1
// objects (the upstream examples and our own outputs) come back unchanged with no notes.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { parseAllDocuments } from "yaml";
import {
  convertBundleToV1,
  convertToV1,
  needsConversion,
  NOTE_KINDS,
  type ConversionNote,
  type ConversionResult,
} from "../../api/convert/index.ts";

const legacyDir = new URL("../fixtures/legacy/", import.meta.url);
const expectedDir = new URL("../fixtures/legacy/expected/", import.meta.url);
const upstreamDir = new URL("../fixtures/upstream/", import.meta.url);

function loadDocuments(url: URL): unknown[] {
  return parseAllDocuments(readFileSync(url, "utf8"))
    .map((doc) => doc.toJS() as unknown)
    .filter((doc) => doc !== null && doc !== undefined);
}

/** "kind path" per note, sorted: the exact multiset of notes, whatever their order. */
function noteKeys(notes: readonly ConversionNote[]): string[] {
  return notes.map((n) => `${n.kind} ${n.path}`).sort();
}

interface FixtureCase {
  file: string;
  /** Bundle cases go through convertBundleToV1, the others through convertToV1 one document at a time. */
  bundle: boolean;
  /** Per document, the expected notes as "kind path". */
  notes: string[][];
}

const NODE_CLASS_REF_DEFAULTS = [
  "defaulted spec.template.spec.nodeClassRef.group",
  "defaulted spec.template.spec.nodeClassRef.kind",
];

const cases: FixtureCase[] = [
  {
    file: "v1beta1-nodepool.yaml",
    bundle: false,
    notes: [
      [
        "converted apiVersion",
        "moved spec.disruption.expireAfter",
        "renamed spec.disruption.consolidationPolicy",
        "defaulted spec.disruption.consolidateAfter",
        "converted spec.template.spec.nodeClassRef.apiVersion",
        "unconvertible spec.template.spec.kubelet",
      ],
    ],
  },
  {
    file: "v1beta1-nodepool-when-empty.yaml",
    bundle: false,
    notes: [
      [
        "converted apiVersion",
        "moved spec.disruption.expireAfter",
        ...NODE_CLASS_REF_DEFAULTS,
        "dropped spec.template.spec.resources",
        "dropped status",
      ],
    ],
  },
  {
    file: "v1beta1-ec2nodeclass.yaml",
    bundle: false,
    notes: [["converted apiVersion", "converted spec.amiFamily", "defaulted spec.metadataOptions"]],
  },
  {
    file: "v1beta1-ec2nodeclass-ubuntu.yaml",
    bundle: false,
    notes: [
      [
        "converted apiVersion",
        "converted spec.amiFamily",
        "defaulted spec.blockDeviceMappings",
        "defaulted spec.metadataOptions.httpPutResponseHopLimit",
      ],
    ],
  },
  {
    file: "v1beta1-ec2nodeclass-custom.yaml",
    bundle: false,
    notes: [
      [
        "converted apiVersion",
        "unconvertible spec.amiSelectorTerms",
        "dropped spec.tags.eks:eks-cluster-name",
        "unconvertible spec.userData",
      ],
    ],
  },
  {
    file: "legacy-selectors.yaml",
    bundle: false,
    notes: [["converted spec.subnetSelector", "converted spec.securityGroupSelector", "converted spec.amiSelector"]],
  },
  {
    file: "v1-nodepool-name-only-ref.yaml",
    bundle: false,
    notes: [NODE_CLASS_REF_DEFAULTS],
  },
  {
    file: "v1-nodepool-mixed.yaml",
    bundle: false,
    notes: [
      [
        "moved spec.disruption.expireAfter",
        "renamed spec.disruption.consolidationPolicy",
        "defaulted spec.disruption.consolidateAfter",
        "unconvertible spec.template.spec.kubelet",
      ],
    ],
  },
  {
    file: "v1alpha5-provisioner.yaml",
    bundle: true,
    notes: [
      [
        "converted apiVersion",
        "renamed kind",
        "moved spec.labels",
        "moved spec.requirements",
        "defaulted spec.requirements",
        "converted spec.providerRef",
        "converted spec.ttlSecondsUntilExpired",
        "moved spec.taints",
        "dropped spec.kubeletConfiguration.containerRuntime",
        "moved spec.kubeletConfiguration",
        "converted spec.ttlSecondsAfterEmpty",
        "moved spec.limits.resources",
      ],
      [
        "converted apiVersion",
        "renamed kind",
        "defaulted spec.amiFamily",
        "converted spec.subnetSelector",
        "converted spec.securityGroupSelector",
        "converted spec.amiFamily",
        "defaulted spec.metadataOptions",
        "moved spec.kubelet",
      ],
    ],
  },
  {
    file: "v1alpha5-provisioner-commented.yaml",
    bundle: false,
    notes: [
      [
        "converted apiVersion",
        "renamed kind",
        "moved spec.labels",
        "moved spec.requirements",
        "defaulted spec.requirements",
        "converted spec.providerRef",
        "converted spec.ttlSecondsUntilExpired",
        "moved spec.taints",
        "dropped spec.kubeletConfiguration.containerRuntime",
        "unconvertible spec.kubeletConfiguration",
        "converted spec.ttlSecondsAfterEmpty",
        "moved spec.limits.resources",
      ],
    ],
  },
  {
    file: "v1alpha5-provisioner-inline-provider.yaml",
    bundle: false,
    notes: [
      [
        "converted apiVersion",
        "renamed kind",
        "defaulted spec.requirements",
        "unconvertible spec.provider",
        "defaulted spec.ttlSecondsUntilExpired",
        "converted spec.consolidation",
      ],
    ],
  },
  {
    file: "v1beta1-bundle-shared-kubelet.yaml",
    bundle: true,
    notes: [
      ["converted apiVersion", ...NODE_CLASS_REF_DEFAULTS, "moved spec.template.spec.kubelet"],
      ["converted apiVersion", ...NODE_CLASS_REF_DEFAULTS, "moved spec.template.spec.kubelet"],
      ["converted apiVersion", "converted spec.amiFamily", "moved spec.kubelet"],
    ],
  },
  {
    file: "v1beta1-bundle-kubelet-conflict.yaml",
    bundle: true,
    notes: [
      ["converted apiVersion", ...NODE_CLASS_REF_DEFAULTS, "unconvertible spec.template.spec.kubelet"],
      ["converted apiVersion", ...NODE_CLASS_REF_DEFAULTS, "unconvertible spec.template.spec.kubelet"],
      [],
    ],
  },
];

function convert(documents: unknown[], bundle: boolean): ConversionResult[] {
  return bundle ? convertBundleToV1(documents) : documents.map((d) => convertToV1(d));
}

describe("legacy fixtures", () => {
  it("has a case for every fixture file", () => {
    const files = readdirSync(legacyDir).filter((f) => f.endsWith(".yaml"));
    assert.deepEqual(files.sort(), cases.map((c) => c.file).sort());
  });

  for (const c of cases) {
    describe(c.file, () => {
      const input = loadDocuments(new URL(c.file, legacyDir));
      const pristine = structuredClone(input);
      const results = convert(input, c.bundle);

      it("converts to the expected v1 manifest", () => {
        assert.deepStrictEqual(
          results.map((r) => r.object),
          loadDocuments(new URL(c.file, expectedDir)),
        );
      });

      it("reports exactly the expected notes", () => {
        assert.deepStrictEqual(
          results.map((r) => noteKeys(r.notes)),
          c.notes.map((n) => [...n].sort()),
        );
      });

      it("does not change its input", () => {
        assert.deepStrictEqual(input, pristine);
      });

      it("gives every note a known kind and a one-sentence message", () => {
        for (const note of results.flatMap((r) => r.notes)) {
          assert.ok(NOTE_KINDS.includes(note.kind), note.kind);
          assert.match(note.message, /^[A-Zv].*[.]$/s, note.message);
          assert.ok(note.path.length > 0);
        }
      });

      it("needs conversion exactly when it has notes", () => {
        for (const [i, doc] of input.entries()) {
          assert.equal(needsConversion(doc), (results[i]?.notes.length ?? 0) > 0);
        }
      });

      it("is stable: a converted object without unconvertible notes converts to itself with no notes", () => {
        for (const result of results) {
          if (result.notes.some((n) => n.kind === "unconvertible")) continue;
          const again = convertToV1(result.object);
          assert.deepStrictEqual(again.notes, []);
          assert.deepStrictEqual(again.object, result.object);
        }
      });
    });
  }
});

describe("upstream v1 examples", () => {
  const files = readdirSync(upstreamDir).filter((f) => f.endsWith(".yaml"));

  it("are all loaded", () => {
    assert.ok(files.length >= 11, files.join(", "));
  });

  for (const file of files) {
    it(`${file} converts to itself with no notes, alone and as a bundle`, () => {
      const documents = loadDocuments(new URL(file, upstreamDir));
      for (const results of [documents.map((d) => convertToV1(d)), convertBundleToV1(documents)]) {
        assert.deepStrictEqual(
          results.map((r) => r.object),
          documents,
        );
        assert.deepStrictEqual(
          results.flatMap((r) => r.notes),
          [],
        );
        // Same key order too, so a converted v1 manifest prints exactly as it was written.
        assert.equal(JSON.stringify(results.map((r) => r.object)), JSON.stringify(documents));
      }
      assert.ok(documents.every((d) => !needsConversion(d)));
    });
  }
});

describe("objects the converter does not handle", () => {
  for (const input of [
    { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x" }, data: { a: "b" } },
    { apiVersion: "karpenter.sh/v1beta1", kind: "NodeClaim", metadata: { name: "x" } },
    null,
    "text",
    42,
    [1, 2],
  ]) {
    it(`returns ${JSON.stringify(input)} as an unchanged copy without notes`, () => {
      const result = convertToV1(input);
      assert.deepStrictEqual(result, { object: input, notes: [] });
      if (typeof input === "object" && input !== null) assert.notEqual(result.object, input);
      assert.equal(needsConversion(input), false);
    });
  }
});
