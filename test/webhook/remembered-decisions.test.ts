// A review asked twice (a server-side dry run, then the request) is answered from the first decision, with its own
// uid; a review of other content is judged again; the kept decisions stay within their count and size. CREATEs are
// built as the mutating webhook sees them: the validating one's objects carry the uid and creation time the store
// assigns (admission-fixtures.ts), which differ between a dry run and the request, so those are two decisions.
import assert from "node:assert/strict";
import { test } from "node:test";
import { mutateAdmission, validateAdmission, type AdmissionRequest } from "../../webhook/admission/index.ts";
import {
  REMEMBERED_CHARS,
  REMEMBERED_DECISIONS,
  rememberedDecision,
  rememberedSize,
} from "../../webhook/admission/remembered-decisions.ts";
import { admissionContext, createReview, requestOf, updateReview, upstream } from "../support/admission-fixtures.ts";

type Json = Record<string, unknown>;

const pool = upstream("general-purpose.yaml", "NodePool");
const nodeClass = upstream("general-purpose.yaml", "EC2NodeClass");

function imdsV1(object: Json): Json {
  const spec = { ...(object.spec as Json), metadataOptions: { httpEndpoint: "enabled", httpTokens: "optional" } };
  return { ...object, spec };
}

/** Validates through the remembered decisions, counting the decisions actually made. */
function counting(context = admissionContext()) {
  let judged = 0;
  const ask = (request: AdmissionRequest) =>
    rememberedDecision("validate", request, context, () => {
      judged++;
      return validateAdmission(request, context);
    });
  return { ask, context, judged: () => judged };
}

test("the dry run and then the request: judged once, each answered with its own uid", () => {
  const { ask, judged } = counting();
  const dryRun = requestOf(createReview(imdsV1(nodeClass), { dryRun: true, stage: "mutating" }));
  const real = requestOf(createReview(imdsV1(nodeClass), { stage: "mutating" }));
  assert.notEqual(dryRun.uid, real.uid);
  assert.notDeepEqual(dryRun.options, real.options, "the review's options say it is a dry run");
  const first = ask(dryRun);
  const second = ask(real);
  assert.equal(judged(), 1);
  assert.equal(first.response.uid, dryRun.uid);
  assert.equal(second.response.uid, real.uid);
  assert.equal(second.response.allowed, false);
  // Expected: the decision the core makes on the request alone.
  assert.deepEqual(second, validateAdmission(real, admissionContext()));
});

test("a changed object is judged again, and so is an UPDATE of it", () => {
  const { ask, judged } = counting();
  const clean = ask(requestOf(createReview(nodeClass, { stage: "mutating" })));
  const bad = ask(requestOf(createReview(imdsV1(nodeClass), { stage: "mutating" })));
  assert.equal(judged(), 2);
  assert.equal(clean.response.allowed, true);
  assert.equal(bad.response.allowed, false);
  const resized = structuredClone(pool);
  (resized.spec as { weight?: number }).weight = 7;
  ask(requestOf(updateReview(pool, resized)));
  ask(requestOf(updateReview(pool, imdsV1(pool))));
  assert.equal(judged(), 4, "UPDATEs of one stored object to two new versions are two decisions");
});

test("the same content under another policy, catalog, cluster view or day is judged again", () => {
  const base = admissionContext();
  const request = requestOf(createReview(pool, { stage: "mutating" }));
  let judged = 0;
  const ask = (context: typeof base) =>
    rememberedDecision("validate", request, context, () => {
      judged++;
      return validateAdmission(request, context);
    });
  ask(base);
  ask(base);
  assert.equal(judged, 1);
  ask(admissionContext());
  assert.equal(judged, 2, "another compiled policy");
  ask({ ...base, cluster: { nodePools: [], nodeClasses: [] } });
  assert.equal(judged, 3, "a cluster view");
  ask({ ...base, now: new Date(base.now.getTime() + 24 * 3600 * 1000) });
  assert.equal(judged, 4, "the next day");
});

test("the validating and the mutating webhook's decisions are kept apart", () => {
  const context = admissionContext();
  const request = requestOf(createReview(imdsV1(nodeClass), { stage: "mutating" }));
  const validated = rememberedDecision("validate", request, context, () => validateAdmission(request, context));
  const mutated = rememberedDecision("mutate", request, context, () => mutateAdmission(request, context));
  assert.equal(validated.response.allowed, false);
  assert.equal(mutated.response.allowed, true);
  assert.equal(mutated.response.patchType, "JSONPatch");
});

test("a decision the core failed on is not kept: the next ask is judged again", () => {
  const context = admissionContext();
  const request = requestOf(createReview(pool, { stage: "mutating" }));
  let judged = 0;
  const failing = () => {
    judged++;
    return { ...validateAdmission(request, context), error: "Error: a bug" };
  };
  rememberedDecision("validate", request, context, failing);
  rememberedDecision("validate", request, context, failing);
  assert.equal(judged, 2);
});

test("the kept decisions stay within their count, the most recently used kept", () => {
  const { ask, context, judged } = counting();
  const first = requestOf(createReview(pool, { stage: "mutating" }));
  ask(first);
  for (let i = 0; i < REMEMBERED_DECISIONS + 10; i++) {
    const named = structuredClone(pool);
    (named.metadata as { name: string }).name = `pool-${i}`;
    ask(requestOf(createReview(named, { stage: "mutating" })));
    if (i % 100 === 0) ask(first); // kept in use: never the oldest
  }
  const size = rememberedSize(context.policy);
  assert.equal(size.decisions, REMEMBERED_DECISIONS);
  assert.ok(size.chars <= REMEMBERED_CHARS);
  const before = judged();
  ask(first);
  assert.equal(judged(), before, "the decision in use was kept");
  const evicted = structuredClone(pool);
  (evicted.metadata as { name: string }).name = "pool-0";
  ask(requestOf(createReview(evicted, { stage: "mutating" })));
  assert.equal(judged(), before + 1, "the least recently used was forgotten");
});

test("the kept decisions stay within their size: large decisions push the oldest out", () => {
  // 40 deny rules with long messages: each decision carries 40 findings of about 600 characters, twice (found and
  // enforced), so a hundred of them pass the size bound long before the count.
  const message = (i: number) => `rule ${i} is broken: ${"the pool does something the platform forbids; ".repeat(12)}`;
  const customRules = Array.from({ length: 40 }, (_, i) => ({
    id: `rule-${String(i).padStart(2, "0")}`,
    kinds: ["NodePool"],
    expression: "false",
    message: message(i),
    path: `/spec/template/metadata/labels/team-${i}`,
    enforcement: "deny",
  }));
  const { ask, context, judged } = counting(admissionContext({ spec: { customRules } }));
  const named = (i: number) => {
    const object = structuredClone(pool);
    (object.metadata as { name: string }).name = `big-${i}`;
    return requestOf(createReview(object, { stage: "mutating" }));
  };
  const sizes: number[] = [];
  for (let i = 0; i < 150; i++) {
    assert.equal(ask(named(i)).denied.length, 40);
    sizes.push(rememberedSize(context.policy).chars);
  }
  assert.ok(Math.max(...sizes) <= REMEMBERED_CHARS, `kept ${Math.max(...sizes)} characters`);
  const kept = rememberedSize(context.policy).decisions;
  assert.ok(kept < 150 && kept > 0, `${kept} decisions kept`);
  const before = judged();
  ask(named(149));
  assert.equal(judged(), before, "the newest is kept");
  ask(named(0));
  assert.equal(judged(), before + 1, "the oldest was forgotten");
});
