// Generates api/generated/crd-validators.js: the CRDs' structural validators as ajv standalone code
// (https://ajv.js.org/standalone.html), so `poolkeeper check` loads compiled functions instead of compiling three
// large schemas at every start. JavaScript, not TypeScript: a source checkout would otherwise strip the types of
// 300 KB of code at every start (tsconfig's allowJs puts it in the build). Called by scripts/generate-api.ts (`npm run generate`); test/api/generated.test.ts
// fails when the file is stale (after a CRD or ajv upgrade) and test/api/crd-validators.test.ts proves the code
// answers exactly as the schemas compiled at run time.
import standaloneCode from "ajv/dist/standalone/index.js";
import { crdVersionKey, type CrdSchema, type OpenApiSchema } from "../api/crd-schema.ts";
import { prepareSchema } from "../api/validation/structural.ts";
import { structuralAjv } from "../api/validation/structural-ajv.ts";

export function crdValidatorsModule(header: string, crds: readonly CrdSchema[]): string {
  const ajv = structuralAjv({ code: { source: true, esm: true } });
  const exports: Record<string, string> = {};
  for (const crd of crds) {
    const name = `${crd.kind}_${crd.version}`;
    ajv.addSchema(withoutDescriptions(prepareSchema(crd.schema)) as object, crdVersionKey(crd));
    exports[name] = crdVersionKey(crd);
  }
  const table = Object.entries(exports).map(([name, key]) => `  ${JSON.stringify(key)}: ${name},\n`);
  return (
    header +
    'import { createRequire } from "node:module";\n\n' +
    // ajv refers to its run-time helpers (string length in code points, the date-time format) with require().
    "const require = createRequire(import.meta.url);\n\n" +
    standaloneCode.default(ajv, exports) +
    "\n\n/**\n * The structural validator of each served CRD version, by group/version/kind.\n" +
    ' * @type {Readonly<Record<string, import("../validation/structural.ts").AjvValidate>>}\n */\n' +
    `export const crdValidators = {\n${table.join("")}};\n`
  );
}

// Descriptions are documentation, and ajv embeds the root schema (for the `allowedValues` of enum errors): without
// them the generated file is an eighth smaller. Only schema nodes' own descriptions go, never a field so named.
function withoutDescriptions(schema: OpenApiSchema): OpenApiSchema {
  const { description: _, properties, items, additionalProperties, anyOf, allOf, oneOf, ...rest } = schema;
  const out: OpenApiSchema = rest;
  if (properties)
    out.properties = Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, withoutDescriptions(v)]));
  if (items) out.items = withoutDescriptions(items);
  if (additionalProperties !== undefined)
    out.additionalProperties =
      typeof additionalProperties === "object" ? withoutDescriptions(additionalProperties) : additionalProperties;
  if (anyOf) out.anyOf = anyOf.map(withoutDescriptions);
  if (allOf) out.allOf = allOf.map(withoutDescriptions);
  if (oneOf) out.oneOf = oneOf.map(withoutDescriptions);
  return out;
}
