// The engine never throws, whatever it is given: 10,000 mutations of the upstream manifests (fields removed,
// replaced by values of other types, strings garbled, lists emptied or doubled) each go through validation,
// conversion and every rule of the strict preset. A seeded generator makes a failure reproducible.
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseAllDocuments } from "yaml";
import { compilePolicy } from "../../policies/compiled-policy.ts";
import { evaluate } from "../../policies/engine.ts";
import { builtinRules } from "../../policies/rules/index.ts";
import { upstreamExamples } from "../support/fixtures.ts";

function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state ^ (state >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    return state / 2 ** 32;
  };
}

const replacements: unknown[] = [
  null,
  0,
  -1,
  1.5,
  2 ** 53,
  "",
  "x",
  "Never",
  "-5",
  "1e400",
  "💥",
  true,
  [],
  {},
  [null],
  { "": 1 },
];

function mutate(value: unknown, next: () => number, depth = 0): unknown {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  if (next() < 0.08 || depth > 8) return pick(replacements);
  if (Array.isArray(value)) {
    const items = value.map((item) => mutate(item, next, depth + 1));
    const r = next();
    if (r < 0.1) return [];
    if (r < 0.2) return [...items, ...items];
    return items;
  }
  if (typeof value === "object" && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) {
      if (next() < 0.05) continue;
      out[next() < 0.02 ? `${key}x` : key] = mutate(child, next, depth + 1);
    }
    return out;
  }
  if (typeof value === "string" && next() < 0.3)
    return value.slice(0, Math.floor(next() * value.length)) + pick(["*", "-", "@", "%", " ", "9"]);
  return value;
}

test("10,000 mutated manifests: the engine never throws and always returns findings it can report", () => {
  const documents = upstreamExamples().flatMap((e) => parseAllDocuments(e.text).map((d) => d.toJS() as unknown));
  const policy = compilePolicy([], { rules: builtinRules, preset: "strict" });
  const next = random(20261125);
  const now = new Date("2026-11-25T00:00:00Z");
  let findings = 0;
  for (let i = 0; i < 10_000; i++) {
    const original = documents[i % documents.length];
    const object = mutate(original, next);
    const previous = next() < 0.3 ? mutate(original, next) : undefined;
    const result = evaluate([{ object, previous }], policy, { now });
    for (const f of result) {
      assert.equal(typeof f.message, "string");
      assert.ok(["deny", "warn", "audit"].includes(f.severity));
      assert.ok(f.pointer === "" || f.pointer.startsWith("/"));
    }
    findings += result.length;
  }
  assert.ok(findings > 10_000, "the mutations should produce findings");
});
