// The AMI family of an EC2NodeClass (api/ami-family.ts) against the EC2NodeClass CRD's own rules, and Karpenter's
// AMIFamily()/Alias() on the cases where the copies this replaced disagreed.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { AMI_ALIAS_FAMILIES, amiFamilyFromAlias, amiFamilyOf } from "../../api/index.ts";
import { projectRoot } from "../support/fixtures.ts";

interface Schema {
  properties?: Record<string, Schema>;
  items?: Schema;
  enum?: string[];
  "x-kubernetes-validations"?: { rule: string }[];
}

const crd = parse(readFileSync(join(projectRoot, "api", "crds", "karpenter.k8s.aws_ec2nodeclasses.yaml"), "utf8")) as {
  spec: { versions: { name: string; schema: { openAPIV3Schema: Schema } }[] };
};
const spec = crd.spec.versions.find((v) => v.name === "v1")?.schema.openAPIV3Schema.properties?.spec;
const rules = (schema: Schema | undefined) => (schema?.["x-kubernetes-validations"] ?? []).map((v) => v.rule);

// The alias → amiFamily table as Karpenter v1 documents it (FACTS: family ∈ al2, al2023, bottlerocket, windows2019,
// windows2022, windows2025; each stands for the amiFamily of the same name).
const ALIASES: [string, string][] = [
  ["al2", "AL2"],
  ["al2023", "AL2023"],
  ["bottlerocket", "Bottlerocket"],
  ["windows2019", "Windows2019"],
  ["windows2022", "Windows2022"],
  ["windows2025", "Windows2025"],
];

describe("the alias families are the CRD's", () => {
  test("the alias rule admits exactly these families", () => {
    const alias = spec?.properties?.amiSelectorTerms?.items?.properties?.alias;
    const rule = rules(alias).find((r) => r.startsWith("self.split('@')[0] in ["));
    assert.ok(rule, "the CRD has the alias family rule");
    const admitted = [...rule.matchAll(/'([a-z0-9]+)'/g)].map((m) => m[1]);
    assert.deepEqual([...AMI_ALIAS_FAMILIES.keys()].sort(), admitted.sort());
  });

  test("each alias stands for the amiFamily the CRD pairs it with", () => {
    // "if set, amiFamily must be 'AL2' or 'Custom' when using an AL2 alias":
    // x.alias.find('^[^@]+') == 'al2') ? (self.amiFamily == 'Custom' || self.amiFamily == 'AL2')
    const pairs = rules(spec).flatMap((r) => {
      const m =
        /find\('\^\[\^@\]\+'\) == '([a-z0-9]+)'\) \? \(self\.amiFamily == 'Custom' \|\| self\.amiFamily == '(\w+)'\)/.exec(
          r,
        );
      return m ? [[m[1] ?? "", m[2] ?? ""] as const] : [];
    });
    assert.equal(pairs.length, AMI_ALIAS_FAMILIES.size);
    assert.deepEqual(new Map(pairs), AMI_ALIAS_FAMILIES);
    for (const family of AMI_ALIAS_FAMILIES.values()) assert.ok(spec?.properties?.amiFamily?.enum?.includes(family));
  });
});

describe("amiFamilyFromAlias", () => {
  for (const [alias, family] of ALIASES) {
    test(`${alias} → ${family}`, () => {
      assert.equal(amiFamilyFromAlias(`${alias}@latest`), family);
      assert.equal(amiFamilyFromAlias(`${alias}@v20240807`), family);
    });
  }
  test("an empty alias, an unknown family, another case or an Object key is no family", () => {
    assert.equal(amiFamilyFromAlias(""), undefined);
    assert.equal(amiFamilyFromAlias("@latest"), undefined);
    assert.equal(amiFamilyFromAlias("ubuntu@latest"), undefined);
    assert.equal(
      amiFamilyFromAlias("AL2023@latest"),
      undefined,
      "the CRD's rule and Karpenter compare case-sensitively",
    );
    assert.equal(amiFamilyFromAlias("constructor@latest"), undefined);
  });
});

describe("amiFamilyOf (Karpenter's EC2NodeClass.AMIFamily)", () => {
  test("the explicit family, else the alias's", () => {
    assert.equal(amiFamilyOf({ amiFamily: "Custom", amiSelectorTerms: [{ alias: "bottlerocket@latest" }] }), "Custom");
    assert.equal(amiFamilyOf({ amiSelectorTerms: [{ alias: "bottlerocket@v1.20.0" }] }), "Bottlerocket");
    assert.equal(amiFamilyOf({ amiSelectorTerms: [{ id: "ami-123" }] }), undefined);
  });

  test("every alias, with amiFamily unset (optional with an alias) or set to its own family", () => {
    for (const [alias, family] of ALIASES) {
      assert.equal(amiFamilyOf({ amiSelectorTerms: [{ alias: `${alias}@latest` }] }), family, alias);
      assert.equal(amiFamilyOf({ amiFamily: family, amiSelectorTerms: [{ alias: `${alias}@latest` }] }), family);
    }
  });

  test("an empty amiFamily is unset: the alias decides", () => {
    // The API server rejects "" (not in the enum); the family meant is the alias's, as once the field is removed.
    assert.equal(amiFamilyOf({ amiFamily: "", amiSelectorTerms: [{ alias: "al2023@latest" }] }), "AL2023");
    assert.equal(amiFamilyOf({ amiFamily: "", amiSelectorTerms: [{ id: "ami-123" }] }), undefined);
  });

  test("an empty alias is no alias: Karpenter's Alias() takes the first term whose alias is not empty", () => {
    assert.equal(amiFamilyOf({ amiSelectorTerms: [{ alias: "" }, { alias: "bottlerocket@latest" }] }), "Bottlerocket");
    assert.equal(amiFamilyOf({ amiSelectorTerms: [{ alias: "" }] }), undefined);
  });

  test("the first alias decides, even with an unknown family (which the API server rejects)", () => {
    assert.equal(amiFamilyOf({ amiSelectorTerms: [{ alias: "ubuntu@latest" }, { alias: "al2@latest" }] }), undefined);
  });

  test("no family known: undefined, not Karpenter's unreachable fallback Custom", () => {
    assert.equal(amiFamilyOf({}), undefined);
    assert.equal(amiFamilyOf(undefined), undefined);
    assert.equal(amiFamilyOf({ amiFamily: 7, amiSelectorTerms: "al2@latest" }), undefined);
  });
});
