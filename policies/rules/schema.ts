// The schema family: what the API server itself would say about the object (CRD schema, the CRDs' own CEL
// rules, unknown fields), and what converting an older shape changed. Reported at review time, with the line.
import type { FieldError } from "../../api/index.ts";
import { defineRule, type Violation } from "../rule.ts";
import type { PolicyTarget } from "../target.ts";

const kinds = ["NodePool", "EC2NodeClass"] as const;

function violations(target: PolicyTarget, keep: (e: FieldError) => boolean): Violation[] {
  return target.validation.filter(keep).map((e) => ({ path: e.path, message: e.message }));
}

export const structural = defineRule({
  id: "schema.structural",
  family: "schema",
  title: "The object matches the CRD's schema",
  docs: `Types, required fields, enums, patterns and bounds from the upstream CRD's \`openAPIV3Schema\`, checked the way
the API server checks them (after applying the CRD's defaults). An object that fails is rejected by the API server;
poolkeeper says so at review time, with the file and line.`,
  kinds,
  view: "raw",
  enforcement: { baseline: "deny", strict: "deny" },
  check: (target) => violations(target, (e) => e.origin !== "cel" && e.type !== "Unknown field"),
});

export const cel = defineRule({
  id: "schema.cel",
  family: "schema",
  title: "The object passes the CRD's own CEL validation rules",
  docs: `Every \`x-kubernetes-validations\` rule of the upstream CRDs (84 in Karpenter v1.14.1: restricted label domains,
\`schedule\` with \`duration\`, AMI selector combinations, role or instance profile, …), run by a real CEL engine where the
rule is attached, with the rule's own message. As in the API server, the rules are not run when the object has a
blocking schema error (a missing required field, a wrong type, an unsupported value), and a note says so.`,
  kinds,
  view: "raw",
  enforcement: { baseline: "deny", strict: "deny" },
  check: (target) => violations(target, (e) => e.origin === "cel"),
});

export const unknownField = defineRule({
  id: "schema.unknown-field",
  family: "schema",
  title: "No field unknown to the CRD",
  docs: `A field the CRD does not declare is dropped by the API server with a warning, and rejected by kubectl's default
strict field validation (\`kubectl apply\` fails with \`strict decoding error: unknown field\`). Either way the setting
the author meant never takes effect — usually a typo (\`consolidateAfer\`) or a field from an older API version
(\`spec.disruption.expireAfter\` moved to \`spec.template.spec.expireAfter\` in v1). The finding names the field
probably meant, and how to repair an older-shape leftover.`,
  kinds,
  view: "raw",
  enforcement: { baseline: "deny", strict: "deny" },
  check(target) {
    return violations(target, (e) => e.type === "Unknown field").map((v) => {
      const repair = target.repairs.find((r) => r.path === v.path.join("."));
      return repair ? { ...v, hint: `older-shape leftover: ${repair.message}` } : v;
    });
  },
});

export const olderShape = defineRule({
  id: "schema.older-shape",
  family: "schema",
  title: "Written in the served v1 API, not an older shape",
  docs: `Karpenter v1 serves only \`karpenter.sh/v1\` and \`karpenter.k8s.aws/v1\`. Manifests copied from older guides
(\`v1beta1\`, \`v1alpha5\` Provisioners, tag-map \`subnetSelector\`s, a \`nodeClassRef\` with only a name) are converted to v1
for judging, and every change the conversion made is reported here, so the author can rewrite the manifest and
knows exactly what it means in v1.`,
  kinds,
  view: "raw",
  enforcement: { baseline: "warn", strict: "deny" },
  check: (target) =>
    target.conversion.map((note) => ({
      path: note.path.split("."),
      message: note.message,
      hint: "rewrite the manifest in the v1 shape shown (run `poolkeeper check --format json` to see the converted object)",
    })),
});

export const schemaRules = [structural, cel, unknownField, olderShape];
