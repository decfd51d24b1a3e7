// Shared by the rule-family tests: build objects, evaluate them with the real engine and presets, apply a finding's
// patch, and run the upstream examples.
import assert from "node:assert/strict";
import jsonpatch from "fast-json-patch";
import { cloneJson, loadManifests } from "../../../api/index.ts";
import { compilePolicy } from "../../../policies/compiled-policy.ts";
import { evaluate, type EvaluationContext } from "../../../policies/engine.ts";
import type { Finding } from "../../../policies/finding.ts";
import { loadPolicies } from "../../../policies/load-policies.ts";
import type { PresetName } from "../../../policies/policy-document.ts";
import type { PolicyObject } from "../../../policies/prepare-target.ts";
import { ruleMatches } from "../../../policies/rule-pattern.ts";
import { builtinRules } from "../../../policies/rules/index.ts";
import { upstreamExamples } from "../../support/fixtures.ts";

export const now = new Date("2026-11-25T12:00:00Z");

type Json = Record<string, unknown>;

export function nodePool(name: string, spec: Json = {}, extra: Json = {}): Json {
  const { template, ...rest } = spec as { template?: { metadata?: Json; spec?: Json } };
  return {
    apiVersion: "karpenter.sh/v1",
    kind: "NodePool",
    metadata: { name },
    spec: {
      ...rest,
      template: {
        ...(template?.metadata ? { metadata: template.metadata } : {}),
        spec: {
          requirements: [],
          nodeClassRef: { group: "karpenter.k8s.aws", kind: "EC2NodeClass", name: "default" },
          ...template?.spec,
        },
      },
    },
    ...extra,
  };
}

export function nodeClass(name: string, spec: Json = {}): Json {
  return {
    apiVersion: "karpenter.k8s.aws/v1",
    kind: "EC2NodeClass",
    metadata: { name },
    spec: {
      role: "KarpenterNodeRole-test",
      amiSelectorTerms: [{ alias: "al2023@latest" }],
      subnetSelectorTerms: [{ tags: { "karpenter.sh/discovery": "test" } }],
      securityGroupSelectorTerms: [{ tags: { "karpenter.sh/discovery": "test" } }],
      ...spec,
    },
  };
}

export interface JudgeOptions {
  /** Rule ids or family wildcards to keep (default: all). */
  rules?: string[];
  preset?: PresetName;
  /** Rule settings as a PoolPolicy's spec.rules. */
  settings?: Record<string, { enforcement?: string; params?: Record<string, unknown> }>;
  cluster?: EvaluationContext["cluster"];
}

export function judge(objects: readonly (Json | PolicyObject)[], options: JudgeOptions = {}): Finding[] {
  const inputs: PolicyObject[] = objects.map((o) =>
    "object" in o || "manifest" in o ? (o as PolicyObject) : { object: o },
  );
  const policies = options.settings
    ? loadPolicies(
        JSON.stringify({
          apiVersion: "poolkeeper.dev/v1alpha1",
          kind: "PoolPolicy",
          metadata: { name: "test" },
          spec: { rules: options.settings },
        }),
        "policy.json",
        builtinRules,
      )
    : { policies: [], errors: [] };
  assert.deepEqual(policies.errors, []);
  const policy = compilePolicy(policies.policies, {
    rules: builtinRules,
    ...(options.preset ? { preset: options.preset } : {}),
  });
  const findings = evaluate(inputs, policy, { now, ...(options.cluster ? { cluster: options.cluster } : {}) });
  const keep = options.rules;
  return keep ? findings.filter((f) => keep.some((p) => ruleMatches(p, f.rule))) : findings;
}

/** `rule severity pointer` per finding, sorted: compact for assertions. */
export function summary(findings: readonly Finding[]): string[] {
  return findings.map((f) => `${f.rule} ${f.severity} ${f.pointer}`).sort();
}

/** The object with a finding's patch applied, as `poolkeeper fix` would. */
export function applyFix(object: Json, finding: Finding | undefined): Json {
  assert.ok(finding?.patch && finding.patch.length > 0, "the finding carries a patch");
  return jsonpatch.applyPatch(cloneJson(object), finding.patch, true, false).newDocument as Json;
}

/** Denials of the given families for every upstream example, each file evaluated as one bundle. */
export function upstreamDenials(families: string[], preset: PresetName = "baseline"): string[] {
  const out: string[] = [];
  for (const example of upstreamExamples()) {
    const set = loadManifests(example.text, example.name);
    const findings = judge(
      set.manifests.map((manifest) => ({ manifest })),
      { rules: families, preset },
    );
    for (const f of findings.filter((x) => x.severity === "deny")) out.push(`${example.name}: ${f.rule} ${f.message}`);
  }
  return out;
}
