// The structural validators in api/generated/crd-validators.js are ajv standalone code written at build time. They
// must answer exactly as the CRD schemas compiled by ajv at run time (the oracle: structural-ajv.ts, independent of
// the generated file): the same raw ajv errors, the same defaults applied, the same field errors. Checked on the
// upstream examples, the corpus of broken manifests, and every field of the upstream examples broken in turn.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { crdVersionKey, type CrdSchema, type OpenApiSchema } from "../../api/crd-schema.ts";
import { crdSchemas } from "../../api/generated/crd-schemas.ts";
import { crdValidators } from "../../api/generated/crd-validators.js";
import { isRecord } from "../../api/plain-object.ts";
import { prepareSchema, structuralValidator } from "../../api/validation/structural.ts";
import { structuralAjv } from "../../api/validation/structural-ajv.ts";
import { fixturesDir, upstreamExamples } from "../support/fixtures.ts";

interface Pair {
  crd: CrdSchema;
  /** Asserts both validators answer alike on `object`; returns whether it is valid. */
  compare(object: unknown, what: string, fieldErrorsToo?: boolean): boolean;
}

function pairFor(crd: CrdSchema): Pair {
  const prepared = prepareSchema(crd.schema);
  const atRunTime = structuralAjv().compile(prepared as object);
  const generated = crdValidators[crdVersionKey(crd)];
  assert.ok(generated, `a generated validator for ${crdVersionKey(crd)}`);
  const runTimeStructural = structuralValidator(prepared, atRunTime);
  const generatedStructural = structuralValidator(prepared, generated);
  return {
    crd,
    compare(object, what, fieldErrorsToo = true) {
      // Raw ajv answers, and the defaults each applied in place.
      const [a, b] = [structuredClone(object), structuredClone(object)];
      const valid = atRunTime(a);
      assert.equal(generated(b), valid, `${what}: valid`);
      assert.deepEqual(generated.errors ?? null, atRunTime.errors ?? null, `${what}: ajv errors`);
      assert.deepEqual(b, a, `${what}: defaults`);
      // What validateObject reports from them (a function of the above, so checked on the fixtures alone).
      if (fieldErrorsToo) {
        const [c, d] = [structuredClone(object), structuredClone(object)];
        assert.deepEqual(generatedStructural(d), runTimeStructural(c), `${what}: field errors`);
      }
      return valid;
    },
  };
}

const pairs = new Map(crdSchemas.map((crd) => [`${crd.group}/${crd.version}|${crd.kind}`, pairFor(crd)]));
const pairOf = (object: unknown): Pair | undefined =>
  isRecord(object) ? pairs.get(`${String(object.apiVersion)}|${String(object.kind)}`) : undefined;

function documentsOf(text: string): unknown[] {
  return parseAllDocuments(text).map((doc) => doc.toJS() as unknown);
}

// Every way to break one field: each value replaced by values of other types and by the values at and just past
// each bound its schema sets (lengths, ranges, item counts, enums), each field removed, an unknown field beside it,
// lists emptied and their first item repeated; and each field the example leaves out set at its bounds.
function* broken(value: unknown, schema: OpenApiSchema | undefined, path: string[] = []): Generator<Breakage> {
  const at = path.join(".") || "<root>";
  // A negative number, a long string, a string no format or enum accepts, and a value of each other type.
  const replacements: unknown[] = [
    -1,
    "x".repeat(400),
    "not-a-date",
    true,
    null,
    ["x"],
    {},
    ...atBounds(schema, value),
  ];
  if (path.length > 0) {
    for (const replacement of replacements) {
      yield [`${at} = ${shown(replacement)}`, (root) => setAt(root, path, replacement)];
    }
    yield [`${at} removed`, (root) => setAt(root, path, undefined)];
  }
  if (Array.isArray(value)) {
    if (value.length > 0) yield [`${at} first item twice`, (root) => setAt(root, path, [value[0], ...value])];
    for (let i = 0; i < value.length; i++) yield* broken(value[i], schema?.items, [...path, String(i)]);
  } else if (isRecord(value)) {
    yield [`${at} with an unknown field`, (root) => setAt(root, [...path, "unknownField"], "x")];
    // Fields the example leaves out (and a key of a map), and the fields beneath them, at their bounds.
    const absent = Object.entries(schema?.properties ?? {}).filter(([key]) => value[key] === undefined);
    if (typeof schema?.additionalProperties === "object") absent.push(["example.com/key", schema.additionalProperties]);
    for (const [key, child] of absent) yield* boundsBeneath(child, [...path, key]);
    for (const [key, child] of Object.entries(value)) {
      const extra = typeof schema?.additionalProperties === "object" ? schema.additionalProperties : undefined;
      yield* broken(child, schema?.properties?.[key] ?? extra, [...path, key]);
    }
  }
}

function* boundsBeneath(schema: OpenApiSchema, path: string[]): Generator<Breakage> {
  for (const replacement of atBounds(schema, undefined)) {
    yield [`absent ${path.join(".")} = ${shown(replacement)}`, (root) => setAt(root, path, replacement)];
  }
  for (const [key, child] of Object.entries(schema.properties ?? {})) yield* boundsBeneath(child, [...path, key]);
  if (typeof schema.additionalProperties === "object") {
    yield* boundsBeneath(schema.additionalProperties, [...path, "example.com/key"]);
  }
  if (schema.items) yield* boundsBeneath(schema.items, [...path, "0"]);
}

// A replacement as the failure message names it (and as the de-duplication of absent fields tells them apart).
function shown(value: unknown): string {
  if (typeof value === "string" && value.length > 16) return `"${value.slice(0, 8)}…" (${value.length} characters)`;
  if (Array.isArray(value)) return `a list of ${value.length}: ${JSON.stringify(value).slice(0, 40)}`;
  return JSON.stringify(value);
}

type Breakage = [string, (root: unknown) => void];

// Values on either side of each bound the schema node sets, so a generated check that moved a limit by one fails.
function atBounds(schema: OpenApiSchema | undefined, value: unknown): unknown[] {
  if (!schema) return [];
  const out: unknown[] = [...(schema.enum ?? [])];
  const text = (n: number) => "a".repeat(Math.max(0, n));
  if (schema.maxLength !== undefined) out.push(text(schema.maxLength), text(schema.maxLength + 1));
  if (schema.minLength !== undefined) out.push(text(schema.minLength), text(schema.minLength - 1));
  for (const bound of [schema.maximum, schema.minimum]) if (bound !== undefined) out.push(bound - 1, bound, bound + 1);
  const items = Array.isArray(value) ? value : [];
  const repeat = (n: number) => Array.from({ length: Math.max(0, n) }, (_, i) => items[i % Math.max(1, items.length)]);
  if (schema.maxItems !== undefined && items.length > 0) out.push(repeat(schema.maxItems), repeat(schema.maxItems + 1));
  if (schema.minItems !== undefined && items.length > 0) out.push(repeat(schema.minItems - 1));
  return out;
}

// Sets the value at `path`, making the objects and lists on the way that are missing.
function setAt(root: unknown, path: string[], replacement: unknown): void {
  let node = root as Record<string, unknown>;
  path.slice(0, -1).forEach((key, i) => {
    node[key] ??= /^\d+$/.test(path[i + 1] ?? "") ? [] : {};
    node = node[key] as Record<string, unknown>;
  });
  const last = path.at(-1) as string;
  if (replacement === undefined) {
    if (Array.isArray(node)) node.splice(Number(last), 1);
    else Reflect.deleteProperty(node, last);
  } else node[last] = structuredClone(replacement);
}

describe("generated structural validators answer as the schemas compiled at run time", () => {
  test("every served CRD version has its generated validator, and no other", () => {
    assert.deepEqual(Object.keys(crdValidators).sort(), crdSchemas.map(crdVersionKey).sort());
  });

  test("on the upstream examples", () => {
    let compared = 0;
    for (const example of upstreamExamples()) {
      for (const object of documentsOf(example.text)) {
        const pair = pairOf(object);
        assert.ok(pair, `${example.name}: a Karpenter v1 object`);
        pair.compare(object, example.name);
        compared++;
      }
    }
    assert.ok(compared >= 20, `compared ${compared} objects`);
  });

  test("on the corpus of broken manifests", () => {
    const dir = join(fixturesDir, "invalid");
    let compared = 0;
    for (const file of readdirSync(dir).filter((f) => f.endsWith(".yaml"))) {
      for (const object of documentsOf(readFileSync(join(dir, file), "utf8"))) {
        const pair = pairOf(object);
        if (!pair) continue; // the corpus also has documents of no served kind
        pair.compare(object, file);
        compared++;
      }
    }
    assert.ok(compared >= 40, `compared ${compared} objects`);
  });

  test("on every field of the upstream examples broken in turn", () => {
    let compared = 0;
    let invalid = 0;
    const absentSeen = new Set<string>();
    for (const example of upstreamExamples()) {
      for (const object of documentsOf(example.text)) {
        const pair = pairOf(object);
        assert.ok(pair);
        for (const [what, breakIt] of broken(object, prepareSchema(pair.crd.schema))) {
          // A field the example leaves out is set the same way in every example of its kind: once is enough.
          if (what.startsWith("absent ") && absentSeen.has(`${pair.crd.kind} ${what}`)) continue;
          absentSeen.add(`${pair.crd.kind} ${what}`);
          const copy = structuredClone(object);
          breakIt(copy);
          const valid = pair.compare(
            copy,
            `${example.name} ${String((object as { kind: string }).kind)} ${what}`,
            false,
          );
          compared++;
          if (!valid) invalid++;
        }
      }
    }
    // Most of the broken objects must really be invalid, or the comparison proves little.
    assert.ok(compared > 5000, `compared ${compared} objects`);
    assert.ok(invalid > compared / 2, `${invalid} of ${compared} broken objects invalid`);
  });
});
