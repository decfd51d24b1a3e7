// The converter's lists of v1 field names (api/convert/v1-fields.ts) must match the CRDs in api/crds, which are
// what the API server prunes against.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { parse } from "yaml";
import * as fields from "../../api/convert/v1-fields.ts";
import { AMI_ALIAS_FAMILIES } from "../../api/index.ts";

interface Schema {
  properties?: Record<string, Schema>;
  items?: Schema;
  enum?: string[];
}

function v1Schema(file: string): Schema {
  const crd = parse(readFileSync(new URL(`../../api/crds/${file}`, import.meta.url), "utf8")) as {
    spec: { versions: { name: string; schema: { openAPIV3Schema: Schema } }[] };
  };
  const version = crd.spec.versions.find((v) => v.name === "v1");
  assert.ok(version, `${file} has a v1 version`);
  return version.schema.openAPIV3Schema;
}

function at(schema: Schema, ...path: string[]): Schema {
  let current = schema;
  for (const key of path) {
    const next = current.properties?.[key];
    assert.ok(next, `schema has ${path.join(".")}`);
    current = next;
  }
  return current;
}

const keys = (schema: Schema): string[] => Object.keys(schema.properties ?? {}).sort();

describe("v1 field lists match the CRDs", () => {
  const nodePool = v1Schema("karpenter.sh_nodepools.yaml");
  const nodeClass = v1Schema("karpenter.k8s.aws_ec2nodeclasses.yaml");

  for (const [name, list, schema] of [
    ["NodePool spec", fields.NODEPOOL_SPEC_FIELDS, at(nodePool, "spec")],
    ["disruption", fields.DISRUPTION_FIELDS, at(nodePool, "spec", "disruption")],
    ["template", fields.TEMPLATE_FIELDS, at(nodePool, "spec", "template")],
    ["template metadata", fields.TEMPLATE_METADATA_FIELDS, at(nodePool, "spec", "template", "metadata")],
    ["template spec", fields.TEMPLATE_SPEC_FIELDS, at(nodePool, "spec", "template", "spec")],
    ["nodeClassRef", fields.NODE_CLASS_REF_FIELDS, at(nodePool, "spec", "template", "spec", "nodeClassRef")],
    ["EC2NodeClass spec", fields.EC2NODECLASS_SPEC_FIELDS, at(nodeClass, "spec")],
    ["kubelet", fields.KUBELET_FIELDS, at(nodeClass, "spec", "kubelet")],
  ] as const) {
    it(name, () => {
      assert.deepStrictEqual([...list].sort(), keys(schema));
    });
  }

  it("amiFamily values", () => {
    assert.deepStrictEqual(
      [...fields.V1_AMI_FAMILIES].sort(),
      [...(at(nodeClass, "spec", "amiFamily").enum ?? [])].sort(),
    );
    for (const family of AMI_ALIAS_FAMILIES.values()) assert.ok(fields.V1_AMI_FAMILIES.includes(family));
  });
});
