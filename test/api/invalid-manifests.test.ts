// The corpus of broken manifests in test/fixtures/invalid/: each file says what is wrong with it (`# case:`) and
// the exact errors the validator must report (`# expect: <line>:<col> <message>`, the file name implied). The
// expectations were derived from the CRDs (what the API server would answer), not copied from the validator.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { OpenApiSchema } from "../../api/crd-schema.ts";
import { loadManifests, validateManifest } from "../../api/manifests/manifests.ts";
import { formatFieldError, formatSource, type FieldPath } from "../../api/validation/field-error.ts";
import { allCelRules, findCrd } from "../../api/validation/validate.ts";
import { fixturesDir } from "../support/fixtures.ts";

const invalidDir = join(fixturesDir, "invalid");

/** A CEL error the validator reported and the file expected, located by the rule that produced it. */
interface CelHit {
  kind: string;
  schemaPath: string;
  rule: string;
}

interface CaseResult {
  expected: string[];
  actual: string[];
  skipped: string[];
  celHits: CelHit[];
}

function expectations(file: string, text: string): string[] {
  return text
    .split("\n")
    .filter((line) => line.startsWith("# expect: "))
    .map((line) => `${file}:${line.slice("# expect: ".length).trimEnd()}`);
}

// The schema path of a field, in the notation of CompiledRule.schemaPath: list indexes become `[]`, map keys `*`.
function schemaPathOf(schema: OpenApiSchema, path: FieldPath): string {
  let out = "";
  let node: OpenApiSchema | undefined = schema;
  for (const segment of path) {
    if (typeof segment === "number") {
      out += "[]";
      node = node?.items;
    } else if (node?.properties?.[segment]) {
      out += out === "" ? segment : `.${segment}`;
      node = node.properties[segment];
    } else {
      out += ".*";
      node = typeof node?.additionalProperties === "object" ? node.additionalProperties : undefined;
    }
  }
  return out;
}

function runCase(file: string): CaseResult {
  const text = readFileSync(join(invalidDir, file), "utf8");
  const expected = expectations(file, text);
  const set = loadManifests(text, file);
  const actual = set.errors.map((e) => `${formatSource(e.source)} ${e.message}`);
  const skipped = set.skipped.map((s) => `${formatSource(s.source)} ${s.reason}`);
  const celHits: CelHit[] = [];
  for (const manifest of set.manifests) {
    const crd = findCrd(manifest.object.apiVersion, manifest.object.kind);
    for (const error of validateManifest(manifest).errors) {
      const line = formatFieldError(error);
      actual.push(line);
      if (crd && error.origin === "cel" && error.rule !== undefined && expected.includes(line)) {
        celHits.push({ kind: crd.kind, schemaPath: schemaPathOf(crd.schema, error.path), rule: error.rule });
      }
    }
  }
  return { expected, actual, skipped, celHits };
}

const files = readdirSync(invalidDir)
  .filter((f) => f.endsWith(".yaml"))
  .sort();
const results = new Map(files.map((file) => [file, runCase(file)]));

describe("invalid manifests report exactly the errors each file expects", () => {
  test("the corpus is there", () => {
    assert.ok(files.length >= 40, `only ${files.length} files in ${invalidDir}`);
  });

  for (const [file, result] of results) {
    test(file, () => {
      assert.ok(result.expected.length > 0, `${file} has no '# expect:' line, so it would pass vacuously`);
      assert.match(readFileSync(join(invalidDir, file), "utf8"), /^# case: \S/, `${file} must start with '# case:'`);
      assert.deepEqual(result.skipped, [], `${file}: every document must be judged, none skipped`);
      // Order-insensitive, multiplicity-sensitive: compare sorted lists.
      assert.deepEqual([...result.actual].sort(), [...result.expected].sort());
    });
  }
});

// Transition rules compare the object with its stored version (oldSelf): they run only on UPDATE, and a manifest
// file has no previous version, so no file here can trigger them (test/api/validate.test.ts covers them with an
// old object). They are the only CEL rules of these two schema paths, hence the schema-path exceptions too.
const transitionRules: readonly CelHit[] = [
  { kind: "NodeClaim", schemaPath: "spec", rule: "self == oldSelf" },
  { kind: "NodePool", schemaPath: "spec", rule: "has(self.replicas) == has(oldSelf.replicas)" },
  { kind: "NodePool", schemaPath: "spec.template.spec.nodeClassRef", rule: "self.group == oldSelf.group" },
  { kind: "NodePool", schemaPath: "spec.template.spec.nodeClassRef", rule: "self.kind == oldSelf.kind" },
];
const schemaPathsWithOnlyTransitionRules = ["NodeClaim spec", "NodePool spec.template.spec.nodeClassRef"];

describe("the corpus exercises every CEL rule of the CRDs", () => {
  const hits = [...results.values()].flatMap((r) => r.celHits);
  const compiled = allCelRules().flatMap(({ crd, rules }) =>
    rules.map((r) => ({ kind: crd.kind, schemaPath: r.schemaPath, rule: r.rule, transition: r.transition })),
  );

  test("the listed exceptions are exactly the transition rules", () => {
    const key = (r: CelHit) => `${r.kind} ${r.schemaPath}: ${r.rule}`;
    assert.deepEqual(
      compiled
        .filter((r) => r.transition)
        .map(key)
        .sort(),
      transitionRules.map(key).sort(),
    );
  });

  test("every (kind, schema path) with a CEL rule has an expected error at that path", () => {
    const covered = new Set(hits.map((h) => `${h.kind} ${h.schemaPath}`));
    const all = [...new Set(compiled.map((r) => `${r.kind} ${r.schemaPath}`))];
    const missing = all.filter((p) => !covered.has(p) && !schemaPathsWithOnlyTransitionRules.includes(p));
    assert.deepEqual(missing, []);
    for (const exception of schemaPathsWithOnlyTransitionRules) {
      assert.ok(all.includes(exception), `${exception} no longer has a CEL rule: drop the exception`);
      const rules = compiled.filter((r) => `${r.kind} ${r.schemaPath}` === exception);
      assert.ok(
        rules.every((r) => r.transition),
        `${exception} has a rule a manifest can trigger now: cover it`,
      );
    }
  });

  test("every rule that can fail on CREATE fails in at least one file", () => {
    const covered = new Set(hits.map((h) => `${h.kind} ${h.schemaPath}: ${h.rule}`));
    const missing = compiled
      .filter((r) => !r.transition)
      .map((r) => `${r.kind} ${r.schemaPath}: ${r.rule}`)
      .filter((key) => !covered.has(key));
    assert.deepEqual(missing, []);
  });
});
