// The checks of a webhook's answer, ported from the API server's own table: kubernetes
// staging/src/k8s.io/apiserver/pkg/admission/plugin/webhook/request/admissionreview_test.go,
// TestVerifyAdmissionResponse — its admission.k8s.io/v1 cases (the simulated cluster speaks only v1), errors matched
// by substring as upstream does. Upstream carries the patch as bytes; on the wire (and here) it is base64.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { verifyAdmissionResponse } from "../../../../sim/kube/admission/admission-review.ts";

const V1 = { apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview" };
const PATCH = Buffer.from(`[{"op":"add","path":"/foo","value":"bar"}]`).toString("base64");

interface Case {
  name: string;
  mutating?: boolean;
  review: Record<string, unknown>;
  expectErr?: string;
  expectAllowed?: boolean;
  expectPatch?: string;
  expectPatchType?: string;
  expectResult?: unknown;
}

const cases: Case[] = [
  { name: "v1 allowed validating", review: { ...V1, response: { uid: "123", allowed: true } }, expectAllowed: true },
  {
    name: "v1 allowed mutating",
    mutating: true,
    review: { ...V1, response: { uid: "123", allowed: true } },
    expectAllowed: true,
  },
  {
    name: "v1 patch",
    mutating: true,
    review: { ...V1, response: { uid: "123", allowed: true, patch: PATCH, patchType: "JSONPatch" } },
    expectAllowed: true,
    expectPatch: PATCH,
    expectPatchType: "JSONPatch",
  },
  {
    name: "v1 result",
    review: {
      ...V1,
      response: { uid: "123", allowed: false, status: { status: "Failure", message: "Foo", code: 401 } },
    },
    expectAllowed: false,
    expectResult: { status: "Failure", message: "Foo", code: 401 },
  },
  { name: "v1 no response", review: { ...V1 }, expectErr: "response was absent" },
  {
    name: "v1 wrong group",
    review: { apiVersion: "admission.k8s.io2/v1", kind: "AdmissionReview", response: { uid: "123", allowed: true } },
    expectErr: "expected webhook response of admission.k8s.io/v1, Kind=AdmissionReview",
  },
  {
    name: "v1 wrong version",
    review: { apiVersion: "admission.k8s.io/v2", kind: "AdmissionReview", response: { uid: "123", allowed: true } },
    expectErr: "expected webhook response of admission.k8s.io/v1, Kind=AdmissionReview",
  },
  {
    name: "v1 wrong kind",
    review: { apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview2", response: { uid: "123", allowed: true } },
    expectErr: "expected webhook response of admission.k8s.io/v1, Kind=AdmissionReview",
  },
  {
    name: "v1 wrong uid",
    review: { ...V1, response: { uid: "1234", allowed: true } },
    expectErr: `expected response.uid="123"`,
  },
  {
    name: "v1 patch without patch type",
    mutating: true,
    review: { ...V1, response: { uid: "123", allowed: true, patch: PATCH } },
    expectErr: "webhook returned response.patch but not response.patchType",
  },
  {
    name: "v1 patch type without patch",
    mutating: true,
    review: { ...V1, response: { uid: "123", allowed: true, patchType: "JSONPatch" } },
    expectErr: "webhook returned response.patchType but not response.patch",
  },
  {
    name: "v1 empty patch type",
    mutating: true,
    review: { ...V1, response: { uid: "123", allowed: true, patch: PATCH, patchType: "" } },
    expectErr: `webhook returned invalid response.patchType of ""`,
  },
  {
    // Invalid patch types are caught when the mutating dispatcher evaluates the patch.
    name: "v1 invalid patch type",
    mutating: true,
    review: { ...V1, response: { uid: "123", allowed: true, patch: PATCH, patchType: "Foo" } },
    expectAllowed: true,
    expectPatch: PATCH,
    expectPatchType: "Foo",
  },
  {
    name: "v1 patch for validating webhook",
    review: { ...V1, response: { uid: "123", allowed: true, patch: PATCH } },
    expectErr: "validating webhook may not return response.patch",
  },
  {
    name: "v1 patch type for validating webhook",
    review: { ...V1, response: { uid: "123", allowed: true, patchType: "Foo" } },
    expectErr: "validating webhook may not return response.patchType",
  },
];

describe("VerifyAdmissionResponse (admissionreview_test.go)", () => {
  for (const c of cases) {
    test(c.name, () => {
      const result = verifyAdmissionResponse("123", c.mutating ?? false, c.review);
      if (c.expectErr !== undefined) {
        assert.ok("error" in result, `expected error '${c.expectErr}', got none`);
        assert.ok(result.error.includes(c.expectErr), `expected error '${c.expectErr}', got ${result.error}`);
        return;
      }
      assert.ok("response" in result, `unexpected error ${"error" in result ? result.error : ""}`);
      assert.equal(result.response.allowed, c.expectAllowed);
      assert.equal(result.response.patch, c.expectPatch);
      assert.equal(result.response.patchType, c.expectPatchType);
      assert.deepEqual(result.response.status, c.expectResult);
    });
  }
});
