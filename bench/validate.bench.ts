// What it costs to validate Karpenter objects the way the API server does. Baseline: ajv structural validation
// alone (the CRD schema with defaults); then the CRDs' CEL rules alone, and the full validateObject (schema,
// defaults, unknown fields, metadata and CEL). 10,000 objects built from the upstream examples, varied.
import { findCrd, validateObject } from "../api/validation/validate.ts";
import { compileStructural } from "../api/validation/structural-ajv.ts";
import { compileCelRules } from "../api/validation/cel-rules.ts";
import { measure, report } from "./measure.ts";
import { realisticBundles, upstreamFiles } from "./realistic-objects.ts";
import { cloneJson } from "../api/plain-object.ts";

const objects = realisticBundles(10_000).flat();
const examples = upstreamFiles().flat();

const compiled = new Map<
  string,
  { structural: ReturnType<typeof compileStructural>; cel: ReturnType<typeof compileCelRules> }
>();
for (const object of examples) {
  const crd = findCrd(object.apiVersion, object.kind);
  if (crd && !compiled.has(crd.kind))
    compiled.set(crd.kind, { structural: compileStructural(crd.schema), cel: compileCelRules(crd.schema) });
}
const forObject = (o: Record<string, unknown>) =>
  compiled.get(o.kind as string) as NonNullable<ReturnType<typeof compiled.get>>;

let errors = 0;
const structural = measure("ajv structural (baseline)", objects.length, () => {
  for (const o of objects) errors += forObject(o).structural(cloneJson(o)).errors.length;
});
const cel = measure("CEL rules only", objects.length, () => {
  for (const o of objects) errors += forObject(o).cel.evaluate(o).length;
});
const full = measure("validateObject (schema + CEL)", objects.length, () => {
  for (const o of objects) errors += validateObject(o)?.errors.length ?? 0;
});
if (errors !== 0) throw new Error(`the upstream examples should validate cleanly, got ${errors} errors`);
console.log(`${objects.length} objects (the ${examples.length} upstream documents, varied; see realistic-objects.ts)`);
report([structural, cel, full], structural);
