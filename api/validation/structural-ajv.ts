// The ajv that compiles the CRDs' structural schemas: its options, the Kubernetes extension keywords it must accept,
// and the one format the API server checks on these CRDs. `npm run generate` uses it to write the validators as
// standalone code (api/generated/crd-validators.js), so a start-up compiles no schema; the tests compile with it at
// run time to prove the generated code answers the same.
import { Ajv, type Options } from "ajv";
import ajvFormats from "ajv-formats";
import type { OpenApiSchema } from "../crd-schema.ts";
import { prepareSchema, structuralValidator, type StructuralValidator } from "./structural.ts";

const kubernetesKeywords = [
  "x-kubernetes-int-or-string",
  "x-kubernetes-preserve-unknown-fields",
  "x-kubernetes-embedded-resource",
  "x-kubernetes-list-type",
  "x-kubernetes-list-map-keys",
  "x-kubernetes-map-type",
  "x-kubernetes-validations",
];

/** An ajv for structural schemas; `options` adds to the fixed ones (the generator asks for standalone code). */
export function structuralAjv(options: Options = {}): Ajv {
  const ajv = new Ajv({
    ...options,
    allErrors: true,
    useDefaults: true,
    strict: false,
    coerceTypes: false,
    messages: true,
  });
  ajv.addVocabulary(kubernetesKeywords);
  // ajv-formats is CommonJS: its plugin is the module's `default` property under ESM.
  ajvFormats.default(ajv, ["date-time"]);
  // The API server checks formats on strings only; int32/int64 on integers are documentation (`true`: ignored).
  ajv.addFormat("int32", true);
  ajv.addFormat("int64", true);
  return ajv;
}

/** Compiles a CRD's schema at run time: what the generated validators must equal. */
export function compileStructural(schema: OpenApiSchema): StructuralValidator {
  const prepared = prepareSchema(schema);
  return structuralValidator(prepared, structuralAjv().compile(prepared as object));
}
