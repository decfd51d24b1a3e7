import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { isCelError } from "@bufbuild/cel";
import type { OpenApiSchema } from "../../api/crd-schema.ts";
import { allCelRules } from "../../api/validation/validate.ts";
import { projectRoot } from "../support/fixtures.ts";

// Counted from the CRD files themselves, independently of the generated module the validator uses.
function rulesInCrdFiles(): Map<string, string[]> {
  const byKind = new Map<string, string[]>();
  const dir = join(projectRoot, "api", "crds");
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".yaml"))) {
    const crd = parse(readFileSync(join(dir, file), "utf8")) as {
      spec: { names: { kind: string }; versions: { served: boolean; schema: { openAPIV3Schema: OpenApiSchema } }[] };
    };
    const rules: string[] = [];
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(walk);
      else if (typeof node === "object" && node !== null) {
        for (const [key, value] of Object.entries(node)) {
          if (key === "x-kubernetes-validations") rules.push(...(value as { rule: string }[]).map((r) => r.rule));
          else walk(value);
        }
      }
    };
    for (const version of crd.spec.versions.filter((v) => v.served)) walk(version.schema.openAPIV3Schema);
    byKind.set(crd.spec.names.kind, rules);
  }
  return byKind;
}

test("every x-kubernetes-validations rule of the three CRDs is compiled (84 rules)", () => {
  const inFiles = rulesInCrdFiles();
  const compiled = allCelRules();
  let total = 0;
  for (const { crd, rules } of compiled) {
    assert.deepEqual(
      rules.map((r) => r.rule).sort(),
      inFiles.get(crd.kind)?.sort(),
      `${crd.kind}: compiled rules differ from the CRD file`,
    );
    total += rules.length;
  }
  assert.equal(total, 84);
  assert.deepEqual(Object.fromEntries(compiled.map(({ crd, rules }) => [crd.kind, rules.length])), {
    EC2NodeClass: 54,
    NodeClaim: 10,
    NodePool: 20,
  });
});

// A minimal value of the schema where a rule is attached: enough for the rule to run to a boolean.
function sample(schema: OpenApiSchema | undefined): unknown {
  if (!schema) return "1";
  if (schema["x-kubernetes-int-or-string"]) return "1";
  if (schema.enum) return schema.enum[0];
  switch (schema.type) {
    case "integer":
      return BigInt(schema.minimum ?? 1);
    case "number":
      return 1;
    case "boolean":
      return true;
    case "string":
      return "1"; // a string that int() accepts too, as Gt/Lt requirement values must
    case "array":
      return [sample(schema.items)];
    case "object": {
      const out: Record<string, unknown> = {};
      for (const [name, child] of Object.entries(schema.properties ?? {})) out[name] = sample(child);
      if (typeof schema.additionalProperties === "object") out.k = sample(schema.additionalProperties);
      return out;
    }
    default:
      return {};
  }
}

function schemaAt(root: OpenApiSchema, schemaPath: string): OpenApiSchema | undefined {
  let node: OpenApiSchema | undefined = root;
  for (const part of schemaPath.split(/\.|(?=\[\])/).filter(Boolean)) {
    if (!node) return undefined;
    if (part === "[]") node = node.items;
    else if (part === "*") node = typeof node.additionalProperties === "object" ? node.additionalProperties : undefined;
    else node = node.properties?.[part];
  }
  return node;
}

test("every CRD rule runs to a boolean on a value of its field's shape (no runtime errors)", () => {
  let ran = 0;
  for (const { crd, rules } of allCelRules()) {
    for (const rule of rules) {
      const value = sample(schemaAt(crd.schema, rule.schemaPath));
      const result = rule.program({ self: value, oldSelf: value });
      assert.ok(
        !isCelError(result),
        `${crd.kind} ${rule.schemaPath}: ${rule.rule}: ${isCelError(result) ? result.message : ""}`,
      );
      assert.equal(typeof result, "boolean", `${crd.kind} ${rule.schemaPath}: ${rule.rule} returned ${String(result)}`);
      ran++;
    }
  }
  assert.equal(ran, 84);
});

test("transition rules are recognised by their use of oldSelf", () => {
  const transition = allCelRules().flatMap(({ crd, rules }) =>
    rules.filter((r) => r.transition).map((r) => `${crd.kind} ${r.schemaPath}: ${r.rule}`),
  );
  assert.deepEqual(transition.sort(), [
    "NodeClaim spec: self == oldSelf",
    "NodePool spec.template.spec.nodeClassRef: self.group == oldSelf.group",
    "NodePool spec.template.spec.nodeClassRef: self.kind == oldSelf.kind",
    "NodePool spec: has(self.replicas) == has(oldSelf.replicas)",
  ]);
});
