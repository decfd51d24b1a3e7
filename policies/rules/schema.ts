// The schema family: what the API server itself would say about the object (CRD schema, the CRDs' own CEL
// rules, unknown fields), what converting an older shape changed, and whether the object is within the sizes
// poolkeeper judges. Reported at review time, with the line.
import type { Operation } from "fast-json-patch";
import {
  convertToV1,
  formatFieldPath,
  isRecord,
  type ConversionNote,
  type FieldError,
  type FieldPath,
} from "../../api/index.ts";
import {
  BOUNDED_FIELDS,
  DEFAULT_OBJECT_BOUNDS,
  excesses,
  MAX_VIOLATIONS,
  type ObjectBounds,
} from "../object-bounds.ts";
import { defineRule, type Violation } from "../rule.ts";
import type { PolicyTarget } from "../target.ts";

const kinds = ["NodePool", "EC2NodeClass"] as const;

function violations(target: PolicyTarget, keep: (e: FieldError) => boolean): Violation[] {
  return target.validation.filter(keep).map((e) => ({ path: e.path, message: e.message }));
}

// The API server's "some validation rules were not checked" error, at the object's root: not a problem of its own but
// a consequence of the schema errors beside it. It is a note on those findings, not a denial that counts again.
function celNotRun(e: FieldError): boolean {
  return e.origin === "cel" && e.path.length === 0 && e.message.includes("some validation rules were not checked");
}

const CEL_NOT_RUN_HINT =
  "the CRD's CEL rules were not run on this object because of this error, as the API server does not run them; fix it to have them checked";

export const structural = defineRule({
  id: "schema.structural",
  family: "schema",
  title: "The object matches the CRD's schema",
  docs: `Types, required fields, enums, patterns and bounds from the upstream CRD's \`openAPIV3Schema\`, checked the way
the API server checks them (after applying the CRD's defaults). An object that fails is rejected by the API server;
poolkeeper says so at review time, with the file and line.`,
  kinds,
  view: "raw",
  fields: [["validation"]],
  enforcement: { baseline: "deny", strict: "deny" },
  check(target) {
    const found = violations(target, (e) => e.origin !== "cel" && e.type !== "Unknown field");
    return target.validation.some(celNotRun) ? found.map((v) => ({ ...v, hint: CEL_NOT_RUN_HINT })) : found;
  },
});

export const cel = defineRule({
  id: "schema.cel",
  family: "schema",
  title: "The object passes the CRD's own CEL validation rules",
  docs: `Every \`x-kubernetes-validations\` rule of the upstream CRDs (84 in Karpenter v1.14.1: restricted label domains,
\`schedule\` with \`duration\`, AMI selector combinations, role or instance profile, …), run by a real CEL engine where the
rule is attached, with the rule's own message. As in the API server, the rules are not run when the object has a
blocking schema error (a missing required field, a wrong type, an unsupported value): the \`schema.structural\` findings
say so in their hint, and no finding of this rule counts it again.`,
  kinds,
  view: "raw",
  fields: [["validation"]],
  enforcement: { baseline: "deny", strict: "deny" },
  check: (target) => violations(target, (e) => e.origin === "cel" && !celNotRun(e)),
});

export const unknownField = defineRule({
  id: "schema.unknown-field",
  family: "schema",
  title: "No field unknown to the CRD",
  docs: `A field the CRD does not declare is dropped by the API server with a warning, and rejected by kubectl's default
strict field validation (\`kubectl apply\` fails with \`strict decoding error: unknown field\`). Either way the setting
the author meant never takes effect — usually a typo (\`consolidateAfer\`) or a field from an older API version
(\`spec.disruption.expireAfter\` moved to \`spec.template.spec.expireAfter\` in v1). The finding names the field
probably meant, and how to repair an older-shape leftover. A tag-map selector left in a v1 EC2NodeClass
(\`subnetSelector: {karpenter.sh/discovery: demo}\`, never valid in v1beta1 either) comes with a fix: \`poolkeeper fix\`
writes the selector terms the converter makes of it in its place, or removes it when the terms are already set.`,
  kinds,
  view: "raw",
  fields: [["validation"], ["repairs"]],
  enforcement: { baseline: "deny", strict: "deny" },
  check(target) {
    return violations(target, (e) => e.type === "Unknown field").map((v) => {
      const repair = target.repairs.find((r) => r.path === v.path.join("."));
      if (!repair) return v;
      const patch = legacySelectorPatch(target, v.path, repair);
      return { ...v, hint: `older-shape leftover: ${repair.message}`, ...(patch ? { patch } : {}) };
    });
  },
});

// The v1alpha5 tag-map selectors and the v1 terms that replace them (api/convert/legacy-selectors.ts).
const LEGACY_SELECTORS: Readonly<Record<string, string>> = {
  subnetSelector: "subnetSelectorTerms",
  securityGroupSelector: "securityGroupSelectorTerms",
  amiSelector: "amiSelectorTerms",
};

/**
 * The fix of a tag-map selector left in a v1 EC2NodeClass: the terms the converter made of it in its place (or, when
 * terms are already set, the selector removed, as the converter does). None when it could not be converted: the
 * terms must then be written by hand, as the hint says.
 */
function legacySelectorPatch(target: PolicyTarget, path: FieldPath, repair: ConversionNote): Operation[] | undefined {
  const [spec, key] = path;
  const termsKey = typeof key === "string" ? LEGACY_SELECTORS[key] : undefined;
  if (target.kind !== "EC2NodeClass" || spec !== "spec" || path.length !== 2 || termsKey === undefined)
    return undefined;
  const remove: Operation = { op: "remove", path: `/spec/${key}` };
  if (repair.kind === "dropped") return [remove];
  if (repair.kind !== "converted") return undefined;
  const converted = convertToV1(target.written).object;
  const terms = isRecord(converted) && isRecord(converted.spec) ? converted.spec[termsKey] : undefined;
  return Array.isArray(terms) ? [remove, { op: "add", path: `/spec/${termsKey}`, value: terms }] : undefined;
}

export const olderShape = defineRule({
  id: "schema.older-shape",
  family: "schema",
  title: "Written in the served v1 API, not an older shape",
  docs: `Karpenter v1 serves only \`karpenter.sh/v1\` and \`karpenter.k8s.aws/v1\`. Manifests copied from older guides
(\`v1beta1\`, \`v1alpha5\` Provisioners, tag-map \`subnetSelector\`s, a \`nodeClassRef\` with only a name) are converted to v1
for judging, and every change the conversion made is reported here, so the author can rewrite the manifest and
knows exactly what it means in v1. A value the conversion put in that another rule judges (the alias made of
\`amiFamily\`, the old IMDS defaults) is reported once: by that rule, at the field the value was written as, with this
note's words — unless this note counts more (\`strict\` denies it).`,
  kinds,
  view: "raw",
  fields: [["conversion"]],
  enforcement: { baseline: "warn", strict: "deny" },
  check: (target) =>
    target.conversion.map((note) => ({
      path: note.path.split("."),
      message: note.message,
      hint: "`poolkeeper fix` rewrites the manifest in the v1 shape shown (`poolkeeper check --format json` holds the converted object)",
    })),
});

const count = (n: number) => n.toLocaleString("en-US");

export const objectBounds = defineRule<ObjectBounds>({
  id: "schema.object-bounds",
  family: "schema",
  view: "raw",
  fields: [
    ["object", "spec", "template", "spec", "requirements"],
    ["object", "spec", "template", "spec", "taints"],
    ["object", "spec", "template", "spec", "startupTaints"],
    ["object", "spec", "disruption", "budgets"],
    ["object", "spec", "limits"],
    ["object", "spec", "subnetSelectorTerms"],
    ["object", "spec", "securityGroupSelectorTerms"],
    ["object", "spec", "amiSelectorTerms"],
    ["object", "spec", "capacityReservationSelectorTerms"],
    ["object", "spec", "blockDeviceMappings"],
    ["object", "spec", "tags"],
    ["validation"],
  ],
  title: "Lists and maps stay within the sizes poolkeeper judges",
  docs: `The rules' work grows with the lists they read, and the CRD leaves several unbounded: a requirement's \`values\`,
\`taints\` and \`startupTaints\`, \`spec.limits\`, an EC2NodeClass's \`tags\`. An object far past any working size
(a requirement with 50,000 values) would make one admission review or one pull-request check occupy the engine,
so it is denied here, with the field and the bound, and **no rule outside the schema family judges it**: the
other findings appear once it is back within the bounds. The bounds, as parameters:

| parameter | default | counts | why this default |
| --- | --- | --- | --- |
| \`requirementValues\` | ${count(DEFAULT_OBJECT_BOUNDS.requirementValues)} | the \`values\` of one requirement | more than the 1,364 instance types of the bundled catalog: even a list of every type by name fits |
| \`taints\` | ${count(DEFAULT_OBJECT_BOUNDS.taints)} | \`taints\`, and \`startupTaints\`, each | Karpenter passes taints to the kubelet in the node's user data, which EC2 limits to 16 KB: that many cannot fit next to the bootstrap |
| \`limits\` | ${count(DEFAULT_OBJECT_BOUNDS.limits)} | resources in \`spec.limits\` | a pool limits a handful of resources (cpu, memory, nodes, pods, an accelerator) |
| \`tags\` | ${count(DEFAULT_OBJECT_BOUNDS.tags)} | keys of an EC2NodeClass's \`spec.tags\` | EC2 accepts at most 50 tags on a resource, so a class with more cannot launch a node |
| \`requirements\` | ${count(DEFAULT_OBJECT_BOUNDS.requirements)} | \`spec.template.spec.requirements\` | the CRD's maxItems |
| \`budgets\` | ${count(DEFAULT_OBJECT_BOUNDS.budgets)} | \`spec.disruption.budgets\` | the CRD's maxItems |
| \`selectorTerms\` | ${count(DEFAULT_OBJECT_BOUNDS.selectorTerms)} | each of the subnet, security group, AMI and capacity reservation selector terms | the CRD's maxItems |
| \`blockDeviceMappings\` | ${count(DEFAULT_OBJECT_BOUNDS.blockDeviceMappings)} | \`blockDeviceMappings\` | the CRD's maxItems |

A list past the CRD's own maxItems is \`schema.structural\`'s finding and is not reported twice. A policy may set
lower bounds (a finding then says the policy allows no more, and the other rules still run); it cannot set higher
ones, since the bounds protect the engine that judges every object. With this rule turned off, an object past the
defaults is still not judged by the other rules: it passes unjudged.

Whatever the object, each rule (this family's included) lists at most ${count(MAX_VIOLATIONS)} findings for it, and
one more that says how many it left out: 200,000 schema errors in one object would help nobody.

Fix: shorten the list (the finding says how).`,
  kinds: ["NodePool", "EC2NodeClass"],
  enforcement: { baseline: "deny", strict: "deny" },
  params: {
    schema: {
      properties: Object.fromEntries(
        BOUNDED_FIELDS.map((f) => [f.param, { type: "integer", minimum: 0, maximum: DEFAULT_OBJECT_BOUNDS[f.param] }]),
      ),
    },
    defaults: { ...DEFAULT_OBJECT_BOUNDS },
  },
  check(target, { params }) {
    // The CRD's own maxItems errors are schema.structural's findings.
    const tooMany = new Set(target.validation.filter((e) => e.type === "Too many").map((e) => JSON.stringify(e.path)));
    return excesses(target, params)
      .filter((excess) => !tooMany.has(JSON.stringify(excess.path)))
      .map(({ field, path, size, bound }) => {
        const judged =
          size > DEFAULT_OBJECT_BOUNDS[field.param]
            ? `so poolkeeper judges this ${target.kind} no further: no rule outside the schema family runs on it until the list is shorter`
            : "which this policy allows no more of";
        return {
          path,
          message: `${formatFieldPath(path)} has ${count(size)} ${field.noun}, but ${field.holder} may have at most ${count(bound)} (schema.object-bounds ${field.param}), ${judged}.`,
          hint: field.hint,
        };
      });
  },
});

export const schemaRules = [structural, objectBounds, cel, unknownField, olderShape];
