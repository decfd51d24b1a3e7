// The mutating webhook: on CREATE it returns the fixes of deny findings as a JSONPatch that applies to the object
// as the API server sent it; the result passes validation, and mutating it again changes nothing. Warn findings
// are not fixed, and nothing is ever patched on UPDATE or DELETE.
import { test } from "node:test";
import assert from "node:assert/strict";
import jsonpatch from "fast-json-patch";
import { cloneJson, isRecord } from "../../api/index.ts";
import { mutateAdmission, validateAdmission, type AdmissionRequest } from "../../webhook/admission/index.ts";
import {
  admissionContext,
  createReview,
  deleteReview,
  patchOf,
  requestOf,
  responseProblems,
  updateReview,
  upstream,
} from "../support/admission-fixtures.ts";

type Json = Record<string, unknown>;

const baseline = admissionContext();

function classWith(spec: Json, file = "general-purpose.yaml"): Json {
  const object = upstream(file, "EC2NodeClass");
  return { ...object, spec: { ...(object.spec as Json), ...spec } };
}

/** The object the API server stores after applying the response's patch to the object it sent. */
function patched(request: AdmissionRequest, operations = patchOf(mutateAdmission(request, baseline).response)): Json {
  return jsonpatch.applyPatch(cloneJson(request.object), operations, true, false).newDocument as Json;
}

// httpEndpoint: disabled hides httpTokens: optional (not reported while the endpoint is off), so the second fix
// only appears once the first is applied: the webhook fixes both in one response.
const broken = classWith({
  metadataOptions: {
    httpEndpoint: "disabled",
    httpProtocolIPv6: "disabled",
    httpPutResponseHopLimit: 1,
    httpTokens: "optional",
  },
  tags: { "aws:team": "platform", team: "platform" },
});

test("deny findings' fixes come back as a JSONPatch that applies to the object as sent and passes validation", () => {
  const request = requestOf(createReview(broken, { stage: "mutating" }));
  const decision = mutateAdmission(request, baseline);
  assert.deepEqual(responseProblems(decision.response, request), []);
  assert.equal(decision.response.allowed, true);
  assert.equal(decision.response.patchType, "JSONPatch");
  const operations = patchOf(decision.response);
  assert.ok(operations.every((op) => op.path.startsWith("/spec/")));
  assert.deepEqual(decision.patched.map((f) => f.rule).sort(), ["imds.endpoint", "imds.http-tokens", "tags.reserved"]);
  assert.deepEqual(decision.denied, []);
  // Each fix is named, so the author knows to bring Git in line.
  const warnings = decision.response.warnings ?? [];
  assert.equal(warnings.length, 3);
  assert.ok(warnings.every((w) => w.startsWith("patched (update Git to match): spec.")));

  const after = patched(request, operations);
  const spec = after.spec as Json;
  assert.deepEqual(spec.metadataOptions, {
    httpEndpoint: "enabled",
    httpProtocolIPv6: "disabled",
    httpPutResponseHopLimit: 1,
    httpTokens: "required",
  });
  assert.deepEqual(spec.tags, { team: "platform" });
  const validating = { ...requestOf(createReview(broken)), object: after };
  const validated = validateAdmission(validating, baseline);
  assert.equal(validated.response.allowed, true, validated.response.status?.message);
  assert.ok(!validated.findings.some((f) => f.severity === "deny"), "no deny finding is left");
  assert.ok(!validated.findings.some((f) => f.severity === "deny" && f.patch), "none with a fix, in particular");
});

test("an object the patch fixed completely is then allowed by the validating webhook", () => {
  const object = classWith({ tags: { "aws:team": "platform", "AWS:owner": "me", team: "platform" } });
  const request = requestOf(createReview(object, { stage: "mutating" }));
  assert.equal(validateAdmission(request, baseline).response.allowed, false);
  const after = patched(request);
  const validating = { ...requestOf(createReview(object)), object: after };
  const decision = validateAdmission(validating, baseline);
  assert.equal(decision.response.allowed, true, decision.response.status?.message);
  assert.ok(!decision.findings.some((f) => f.severity === "deny"));
});

test("mutation is idempotent: mutating the mutated object yields no patch", () => {
  for (const object of [broken, classWith({ tags: { "aws:a": "1", "aws:b": "2" } })]) {
    const request = requestOf(createReview(object, { stage: "mutating" }));
    const first = mutateAdmission(request, baseline);
    assert.ok(first.response.patch);
    const again = { ...request, uid: "again", object: patched(request) };
    const second = mutateAdmission(again, baseline);
    assert.deepEqual(second.response, { uid: "again", allowed: true });
    assert.deepEqual(second.patched, []);
  }
});

test("warn findings are not fixed; the same finding at deny is", () => {
  // bottlerocket.yaml: block devices without encrypted: true (storage.encrypted warns in baseline, denies in strict).
  const object = upstream("bottlerocket.yaml", "EC2NodeClass");
  const request = requestOf(createReview(object, { stage: "mutating" }));
  const relaxed = mutateAdmission(request, baseline);
  assert.deepEqual(relaxed.response, { uid: request.uid, allowed: true });
  assert.ok(relaxed.findings.some((f) => f.rule === "storage.encrypted" && f.severity === "warn" && f.patch));

  const strict = admissionContext({ preset: "strict" });
  const decision = mutateAdmission(request, strict);
  assert.deepEqual(responseProblems(decision.response, request), []);
  const operations = patchOf(decision.response);
  assert.deepEqual(operations, [
    { op: "add", path: "/spec/blockDeviceMappings/0/ebs/encrypted", value: true },
    { op: "add", path: "/spec/blockDeviceMappings/1/ebs/encrypted", value: true },
  ]);
  const after = jsonpatch.applyPatch(cloneJson(request.object), operations, true, false).newDocument as Json;
  const mappings = (after.spec as Json).blockDeviceMappings as Json[];
  assert.ok(mappings.every((m) => isRecord(m.ebs) && m.ebs.encrypted === true));
});

test("dryRun gets the same patch", () => {
  const request = requestOf(createReview(broken, { stage: "mutating" }));
  assert.deepEqual(
    mutateAdmission({ ...request, dryRun: true }, baseline).response,
    mutateAdmission(request, baseline).response,
  );
});

test("nothing is patched on UPDATE or DELETE, even with deny findings a patch would fix", () => {
  const clean = upstream("general-purpose.yaml", "EC2NodeClass");
  for (const review of [updateReview(clean, broken), updateReview(broken, broken), deleteReview(broken)]) {
    const request = requestOf(review);
    const decision = mutateAdmission(request, baseline);
    assert.deepEqual(decision.response, { uid: request.uid, allowed: true });
    assert.deepEqual(decision.findings, []);
  }
  // The validating webhook denies the UPDATE that introduces them, and never patches either.
  const introduced = requestOf(updateReview(clean, broken));
  const validated = validateAdmission(introduced, baseline);
  assert.equal(validated.response.allowed, false);
  assert.equal(validated.response.patch, undefined);
});

test("a deny finding that needs the cluster is not fixed without the view (it only warns)", () => {
  const rules = { "limits.cluster-total": { enforcement: "deny", params: { cpu: 50 } } };
  const request = requestOf(createReview(upstream("100-cpu-limit.yaml", "NodePool"), { stage: "mutating" }));
  const decision = mutateAdmission(request, admissionContext({ rules }));
  assert.deepEqual(decision.response, { uid: request.uid, allowed: true });
});
