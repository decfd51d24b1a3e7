// The CEL environment of Kubernetes validation rules: CEL's standard library, the strings extension, and the
// Kubernetes regex library (`find`, `findAll`) that the Karpenter CRDs call. One environment compiles both the
// CRDs' rules and poolkeeper's custom policy rules, so they behave the same.
import { celEnv, celMethod, listType, CelScalar, parse, plan, type CelEnv, type CelResult } from "@bufbuild/cel";
import { strings } from "@bufbuild/cel/ext";
import type { OpenApiSchema } from "../crd-schema.ts";
import { crdRuleAsts } from "../generated/crd-rule-asts.js";
import { isRecord } from "../plain-object.ts";

// Rules call the same few patterns on every object: compile each once.
const regexCache = new Map<string, RegExp>();
function regex(pattern: string, flags: string): RegExp {
  const key = `${flags}/${pattern}`;
  let compiled = regexCache.get(key);
  if (!compiled) {
    compiled = new RegExp(pattern, flags);
    if (regexCache.size < 1000) regexCache.set(key, compiled);
  }
  compiled.lastIndex = 0;
  return compiled;
}

// Kubernetes `string.find(regex)`: the first match, or "" when nothing matches.
const find = celMethod("find", CelScalar.STRING, [CelScalar.STRING], CelScalar.STRING, function (pattern) {
  return regex(pattern, "u").exec(this)?.[0] ?? "";
});

// Kubernetes `string.findAll(regex)` and `string.findAll(regex, limit)`.
const findAll = celMethod(
  "findAll",
  CelScalar.STRING,
  [CelScalar.STRING],
  listType(CelScalar.STRING),
  function (pattern) {
    return [...this.matchAll(regex(pattern, "gu"))].map((m) => m[0]);
  },
);
const findAllLimited = celMethod(
  "findAll",
  CelScalar.STRING,
  [CelScalar.STRING, CelScalar.INT],
  listType(CelScalar.STRING),
  function (pattern, limit) {
    const all = [...this.matchAll(regex(pattern, "gu"))].map((m) => m[0]);
    return limit < 0n ? all : all.slice(0, Number(limit));
  },
);

// `matches` through the same cache; the CRDs' patterns are within the common subset of RE2 and JS syntax.
const re2 = { compile: (pattern: string) => regex(pattern, "u") };

export const kubernetesCelEnv: CelEnv = celEnv({ funcs: [...strings, find, findAll, findAllLimited], re2 });

export type CelProgram = (bindings: Record<string, unknown>) => CelResult;

// The CRDs repeat rules (a label rule on the template and on its metadata, the same rule across kinds): a program
// is pure, so one per expression serves every place it appears. Bounded, since policies' own expressions come and
// go in a long-running `serve` or `sync`: past the bound the oldest is dropped.
const programs = new Map<string, CelProgram>();
const MAX_PROGRAMS = 2048;

// A rule met for the first time is parsed twice, for the fields it reads (cel-dependencies.ts) and to be planned:
// parsing was the larger part of compiling one, so the last parsed expressions are kept. Bounded like the programs.
// (The CRDs' own rules come parsed from api/generated/; policies' custom rules are parsed here.)
const parsed = new Map<string, ReturnType<typeof parse>>();

/** Parses an expression (cached); throws with CEL's own message when it does not parse. */
export function parseCel(expression: string): ReturnType<typeof parse> {
  let result = parsed.get(expression);
  if (result === undefined) {
    // The CRDs' rules were parsed at build time (npm run generate).
    result = crdRuleAsts.get(expression)?.() ?? parse(expression);
    parsed.set(expression, result);
    if (parsed.size > MAX_PROGRAMS) parsed.delete(parsed.keys().next().value as string);
  }
  return result;
}

/** Parses and plans an expression once; throws with CEL's own message when it does not compile. */
export function compileCel(expression: string): CelProgram {
  let compiled = programs.get(expression);
  if (compiled === undefined) {
    const program = plan(kubernetesCelEnv, parseCel(expression));
    compiled = (bindings) => program(bindings as never);
    programs.set(expression, compiled);
    if (programs.size > MAX_PROGRAMS) programs.delete(programs.keys().next().value as string);
  }
  return compiled;
}

/** Whether an expression refers to a variable (e.g. `oldSelf`, which makes a rule a transition rule). */
export function referencesVariable(expression: string, name: string): boolean {
  return new RegExp(`(^|[^A-Za-z0-9_.])${name}([^A-Za-z0-9_]|$)`).test(expression);
}

/**
 * Plain data as CEL sees it. CEL distinguishes int from double: schema integers (and integral numbers where no
 * schema says otherwise, as the API server's JSON decoding yields int64) become bigint; `type: number` stays double.
 */
export function toCelValue(value: unknown, schema?: OpenApiSchema): unknown {
  if (typeof value === "number") {
    return Number.isInteger(value) && schema?.type !== "number" ? BigInt(value) : value;
  }
  if (Array.isArray(value)) return value.map((item) => toCelValue(item, schema?.items));
  if (isRecord(value)) {
    const out: Record<string, unknown> = {};
    const extra = typeof schema?.additionalProperties === "object" ? schema.additionalProperties : undefined;
    for (const [key, child] of Object.entries(value)) {
      if (child === undefined) continue;
      out[key] = toCelValue(child, schema?.properties?.[key] ?? extra);
    }
    return out;
  }
  return value;
}
