// Rules never see a typed view of an invalid object. A prepared target has its typed view only when the object
// passed validation; a rule declares whether it reads that view (`view: "typed"`, skipped on invalid objects) or
// the object as given (`view: "raw"`, run on every object), and the types keep a raw rule away from the view.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { loadManifests } from "../../api/index.ts";
import { compilePolicy } from "../../policies/compiled-policy.ts";
import { evaluate } from "../../policies/engine.ts";
import { prepareTarget, type PolicyObject } from "../../policies/prepare-target.ts";
import { defineRule } from "../../policies/rule.ts";
import { builtinRules } from "../../policies/rules/index.ts";
import { typedTarget } from "../../policies/target.ts";
import { fixturesDir, upstreamExamples } from "../support/fixtures.ts";

const now = new Date("2026-11-25T12:00:00Z");

function manifestsIn(texts: { name: string; text: string }[]): PolicyObject[] {
  return texts.flatMap(({ name, text }) =>
    loadManifests(text, name)
      .manifests.filter((m) => m.kind === "NodePool" || m.kind === "EC2NodeClass")
      .map((manifest) => ({ manifest })),
  );
}

// A NodePool in the served shape, valid for the CRD (test/fixtures/upstream/basic.yaml's pool, trimmed).
function pool(requirements: unknown[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: "karpenter.sh/v1",
    kind: "NodePool",
    metadata: { name: "default" },
    spec: {
      template: {
        spec: {
          requirements,
          nodeClassRef: { group: "karpenter.k8s.aws", kind: "EC2NodeClass", name: "default" },
        },
      },
      ...extra,
    },
  };
}
const amd64 = { key: "kubernetes.io/arch", operator: "In", values: ["amd64"] };

describe("prepared targets", () => {
  test("every upstream example gets its typed view: the object itself, typed", () => {
    const objects = manifestsIn(upstreamExamples());
    assert.ok(objects.length > 10);
    for (const input of objects) {
      const target = prepareTarget(input);
      assert.ok(target, input.manifest?.name);
      assert.deepEqual(target.validation, [], `${input.manifest?.file}: upstream examples are valid`);
      const typed = typedTarget(target);
      assert.ok(typed, `${input.manifest?.file} ${target.kind}/${target.name} has a typed view`);
      assert.equal(typed.kind === "NodePool" ? typed.nodePool : typed.nodeClass, target.object);
    }
  });

  test("no object of the invalid-manifest corpus gets one (each fails the API server's validation)", () => {
    const dir = join(fixturesDir, "invalid");
    const texts = readdirSync(dir)
      .filter((f) => f.endsWith(".yaml"))
      .map((name) => ({ name, text: readFileSync(join(dir, name), "utf8") }))
      // The cases of unreadable YAML are about the file, not the objects in it.
      .filter(({ name, text }) => loadManifests(text, name).errors.length === 0);
    const objects = manifestsIn(texts);
    assert.ok(objects.length > 30);
    for (const input of objects) {
      const target = prepareTarget(input);
      assert.ok(target);
      assert.notDeepEqual(target.validation, [], input.manifest?.file);
      assert.equal(typedTarget(target), undefined, input.manifest?.file);
      assert.equal(target.nodePool ?? target.nodeClass, undefined, input.manifest?.file);
    }
  });

  test("an object from the API server: a wrong type, a failed CEL rule or an unknown field takes the view away", () => {
    const valid = prepareTarget({ object: pool([amd64]) });
    assert.ok(valid && typedTarget(valid));
    const invalid = {
      "values of the wrong type": pool([{ ...amd64, values: 1.5 }]),
      "a requirement that is null": pool([null]),
      "a budget schedule without its duration (CEL)": pool([amd64], {
        disruption: { budgets: [{ nodes: "10%", schedule: "@daily" }] },
      }),
      "an unknown field": pool([amd64], { wieght: 10 }),
    };
    for (const [what, object] of Object.entries(invalid)) {
      const target = prepareTarget({ object });
      assert.ok(target, what);
      assert.notDeepEqual(target.validation, [], what);
      assert.equal(typedTarget(target), undefined, what);
    }
  });
});

describe("rules declare the view they read", () => {
  const seen: string[] = [];
  const typedRule = defineRule({
    id: "test.typed",
    family: "test",
    title: "reads the typed view",
    docs: "test only",
    kinds: ["NodePool"],
    view: "typed",
    enforcement: { baseline: "warn", strict: "warn" },
    check(target) {
      // Typed: requirements is a list of requirements, no check needed.
      seen.push(`typed ${target.name} ${target.nodePool.spec.template.spec.requirements.length}`);
      return [];
    },
  });
  const rawRule = defineRule({
    id: "test.raw",
    family: "test",
    title: "reads the object as given",
    docs: "test only",
    kinds: ["NodePool"],
    view: "raw",
    enforcement: { baseline: "warn", strict: "warn" },
    check(target) {
      // @ts-expect-error a raw rule has no typed view: it may be absent, so the type does not offer it
      void target.nodePool;
      seen.push(`raw ${target.name}`);
      return [];
    },
  });
  const policy = compilePolicy([], { rules: [...builtinRules, typedRule, rawRule] });

  test("a typed rule is skipped on an invalid object, with no rule-error; a raw rule still runs", () => {
    seen.length = 0;
    const valid = { ...pool([amd64]), metadata: { name: "valid" } };
    const invalid = { ...pool([{ ...amd64, values: 1.5 }]), metadata: { name: "invalid" } };
    const findings = evaluate([{ object: valid }, { object: invalid }], policy, { now });
    assert.deepEqual(seen.sort(), ["raw invalid", "raw valid", "typed valid 1"]);
    assert.deepEqual(
      findings
        .filter((f) => f.object.name === "invalid" && /^(schema|policy|test)\./.test(f.rule))
        .map((f) => `${f.rule} ${f.pointer}: ${f.hint ?? ""}`),
      [
        "schema.structural /spec/template/spec/requirements/0/values: the CRD's CEL rules were not run on this object " +
          "because of this error, as the API server does not run them; fix it to have them checked",
      ],
    );
    assert.ok(!findings.some((f) => f.rule === "policy.rule-error"));
  });
});
