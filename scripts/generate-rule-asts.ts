// Generates api/generated/crd-rule-asts.js: the parsed form (cel.expr.ParsedExpr) of every CEL rule of the CRDs, as
// JavaScript literals, so validation plans a rule without parsing it: CEL's parser took about 5 ms a rule, a tenth
// of `check`'s start-up. Each AST is built by a function, on first use. Called by scripts/generate-api.ts
// (`npm run generate`); test/api/generated.test.ts fails when the file is stale (after a CRD or @bufbuild/cel
// upgrade) and test/api/crd-rule-asts.test.ts proves each AST equals what the parser returns at run time.
import { parse } from "@bufbuild/cel";
import type { CrdSchema, OpenApiSchema } from "../api/crd-schema.ts";

export function crdRuleAstsModule(header: string, crds: readonly CrdSchema[]): string {
  const rules = [...new Set(crds.flatMap((crd) => rulesOf(crd.schema)))].sort();
  const entries = rules.map((rule) => `  [${JSON.stringify(rule)}, () => (${literal(parse(rule))})],\n`);
  return (
    header +
    "\n/**\n * Every CRD rule's expression and a function that builds its parsed form.\n" +
    ' * @type {ReadonlyMap<string, () => ReturnType<typeof import("@bufbuild/cel").parse>>}\n */\n' +
    `export const crdRuleAsts = new Map([\n${entries.join("")}]);\n`
  );
}

function rulesOf(schema: OpenApiSchema): string[] {
  const children = [
    ...Object.values(schema.properties ?? {}),
    ...(schema.items ? [schema.items] : []),
    ...(typeof schema.additionalProperties === "object" ? [schema.additionalProperties] : []),
  ];
  return [...(schema["x-kubernetes-validations"] ?? []).map((r) => r.rule), ...children.flatMap(rulesOf)];
}

// A JavaScript literal of a protobuf-es message: plain objects and arrays, int64 fields as bigint.
function literal(value: unknown): string {
  if (typeof value === "bigint") return `${value}n`;
  if (value instanceof Uint8Array) return `new Uint8Array([${value.join(",")}])`;
  if (Array.isArray(value)) return `[${value.map(literal).join(",")}]`;
  if (typeof value === "object" && value !== null) {
    return `{${Object.entries(value)
      .map(([k, v]) => `${JSON.stringify(k)}:${literal(v)}`)
      .join(",")}}`;
  }
  // An unset oneof is `{ case: undefined, value: undefined }`: the keys are part of the message's shape.
  return value === undefined ? "undefined" : JSON.stringify(value);
}
