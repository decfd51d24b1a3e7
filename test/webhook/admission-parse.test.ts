// parseAdmissionReview: the reviews the API server sends are accepted as they are; every malformed envelope gets
// one sentence naming what is wrong (the server answers HTTP 400 with it), and nothing makes it throw.
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseAdmissionReview, reviewResponse } from "../../webhook/admission/index.ts";
import { createReview, deleteReview, updateReview, upstream } from "../support/admission-fixtures.ts";

const nodePool = upstream("general-purpose.yaml", "NodePool");

function valid(): Record<string, unknown> {
  return JSON.parse(JSON.stringify(createReview(nodePool))) as Record<string, unknown>;
}

function withRequest(change: (request: Record<string, unknown>) => void): Record<string, unknown> {
  const body = valid();
  change(body.request as Record<string, unknown>);
  return body;
}

test("reviews as the API server sends them are accepted, with the request returned as is", () => {
  for (const review of [createReview(nodePool), updateReview(nodePool, nodePool), deleteReview(nodePool)]) {
    const body: unknown = JSON.parse(JSON.stringify(review));
    const parsed = parseAdmissionReview(body);
    assert.ok(parsed.ok, parsed.ok ? "" : parsed.error);
    assert.deepEqual(parsed.request, (body as { request: unknown }).request);
  }
  // Fields this core does not read (requestKind, requestResource…) are fine; so is a null object on DELETE.
  const extra = withRequest((r) => {
    r.requestKind = r.kind;
    r.requestSubResource = "";
    r.object = null;
  });
  assert.equal(parseAdmissionReview(extra).ok, true);
});

const cases: [string, unknown, RegExp][] = [
  ["null", null, /^the body is null, not a JSON object/],
  ["a string", "AdmissionReview", /^the body is "AdmissionReview", not a JSON object/],
  ["a number", 42, /^the body is number 42/],
  ["an array", [valid()], /^the body is an array/],
  ["wrong kind", { ...valid(), kind: "TokenReview" }, /^kind is "TokenReview", expected "AdmissionReview"$/],
  ["no kind", { ...valid(), kind: undefined }, /^kind is undefined/],
  [
    "v1beta1",
    { ...valid(), apiVersion: "admission.k8s.io/v1beta1" },
    /^apiVersion is "admission\.k8s\.io\/v1beta1", expected "admission\.k8s\.io\/v1" \(set admissionReviewVersions/,
  ],
  ["no apiVersion", { kind: "AdmissionReview", request: {} }, /^apiVersion is undefined/],
  [
    "no request",
    { apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview" },
    /^the AdmissionReview has no request$/,
  ],
  ["null request", { ...valid(), request: null }, /^the AdmissionReview has no request$/],
  ["request not an object", { ...valid(), request: "x" }, /^request is "x", not an object$/],
  ["a response instead", reviewResponse({ uid: "u", allowed: true }), /^the AdmissionReview has no request$/],
  ["missing uid", withRequest((r) => delete r.uid), /^request\.uid is missing$/],
  ["empty uid", withRequest((r) => (r.uid = "")), /^request\.uid is empty$/],
  ["numeric uid", withRequest((r) => (r.uid = 7)), /^request\.uid is number 7, not a string$/],
  ["missing kind", withRequest((r) => delete r.kind), /^request\.kind is missing$/],
  ["kind as string", withRequest((r) => (r.kind = "NodePool")), /^request\.kind is "NodePool", not an object$/],
  [
    "kind without group",
    withRequest((r) => (r.kind = { version: "v1", kind: "NodePool" })),
    /^request\.kind\.group is undefined/,
  ],
  [
    "empty kind",
    withRequest((r) => (r.kind = { group: "karpenter.sh", version: "v1", kind: "" })),
    /^request\.kind\.kind is empty$/,
  ],
  ["missing operation", withRequest((r) => delete r.operation), /^request\.operation is missing$/],
  [
    "unknown operation",
    withRequest((r) => (r.operation = "PATCH")),
    /^request\.operation is "PATCH", expected one of CREATE, UPDATE, DELETE, CONNECT$/,
  ],
  ["lower-case operation", withRequest((r) => (r.operation = "create")), /^request\.operation is "create"/],
  [
    "bad resource",
    withRequest((r) => (r.resource = { group: "karpenter.sh", version: "v1" })),
    /^request\.resource\.resource is undefined/,
  ],
  ["numeric name", withRequest((r) => (r.name = 5)), /^request\.name is number 5, not a string$/],
  ["object subResource", withRequest((r) => (r.subResource = {})), /^request\.subResource is an object, not a string$/],
  ["string dryRun", withRequest((r) => (r.dryRun = "true")), /^request\.dryRun is "true", not a boolean$/],
  ["userInfo list", withRequest((r) => (r.userInfo = [])), /^request\.userInfo is an array, not an object$/],
  ["numeric username", withRequest((r) => (r.userInfo = { username: 1 })), /^request\.userInfo\.username is number 1/],
  [
    "groups not strings",
    withRequest((r) => (r.userInfo = { groups: [1] })),
    /^request\.userInfo\.groups is not a list of strings$/,
  ],
];

for (const [name, body, expected] of cases) {
  test(`malformed review: ${name}`, () => {
    const parsed = parseAdmissionReview(body);
    assert.equal(parsed.ok, false);
    if (!parsed.ok) assert.match(parsed.error, expected);
  });
}

test("a long string in the envelope is shortened in the error", () => {
  const parsed = parseAdmissionReview({ ...valid(), kind: "x".repeat(10_000) });
  assert.ok(!parsed.ok && parsed.error.length < 120, parsed.ok ? "" : parsed.error);
});

test("an object whose getters throw does not make it throw", () => {
  const hostile = {
    get kind(): string {
      throw new Error("boom");
    },
  };
  const parsed = parseAdmissionReview(hostile);
  assert.equal(parsed.ok, false);
  if (!parsed.ok) assert.match(parsed.error, /could not be read \(boom\)/);
});

test("reviewResponse wraps a response in an AdmissionReview v1", () => {
  assert.deepEqual(reviewResponse({ uid: "u", allowed: true }), {
    apiVersion: "admission.k8s.io/v1",
    kind: "AdmissionReview",
    response: { uid: "u", allowed: true },
  });
});
