// The stored version of an UPDATE is kept by its content's digest with its findings, and the object itself is
// kept too, so the engine prepares it once: the first object seen with a content stands for every later one of
// the same content, and no object with a JSON text over 64 KiB is kept.
import assert from "node:assert/strict";
import { test } from "node:test";
import { storedVersion } from "../../webhook/admission/stored-findings.ts";
import { admissionContext, asStored, upstream } from "../support/admission-fixtures.ts";

test("equal content is answered with the object first seen and its findings", () => {
  const context = admissionContext();
  const first = asStored(upstream("general-purpose.yaml", "NodePool"));
  const again = structuredClone(first);
  const one = storedVersion(first, context);
  const two = storedVersion(again, context);
  assert.equal(one.object, first);
  assert.equal(two.object, first, "the later copy is answered with the kept object");
  assert.equal(two.findings, one.findings);
  const changed = structuredClone(first);
  (changed.spec as { weight?: number }).weight = 42;
  assert.equal(storedVersion(changed, context).object, changed, "other content is its own");
});

test("a stored object whose JSON text passes 64 KiB is judged but not kept", () => {
  const context = admissionContext();
  const large = asStored(upstream("general-purpose.yaml", "NodePool"));
  (large.metadata as { annotations?: Record<string, string> }).annotations = { note: "x".repeat(70 * 1024) };
  const copy = structuredClone(large);
  const one = storedVersion(large, context);
  const two = storedVersion(copy, context);
  assert.equal(one.object, large);
  assert.equal(two.object, copy, "nothing was kept to stand for it");
  assert.deepEqual(two.findings, one.findings);
});
