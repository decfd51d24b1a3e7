// The protobuf bodies of the access endpoints: a well-formed envelope is read into the JSON shape (bytes built
// here by hand from generated.proto's field numbers), anything else is a 400 that says what is wrong.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { decodeProtobufRequest } from "../../../../sim/kube/auth/protobuf-requests.ts";
import { ApiError } from "../../../../sim/kube/store/status.ts";

/** A length-delimited field (wire type 2); lengths here stay under 128, one varint byte. */
const field = (n: number, value: Buffer | string) => {
  const bytes = Buffer.isBuffer(value) ? value : Buffer.from(value, "utf8");
  return Buffer.concat([Buffer.from([(n << 3) | 2, bytes.length]), bytes]);
};
const envelope = (message: Buffer) =>
  Buffer.concat([Buffer.from("k8s\0", "latin1"), field(1, field(1, "authorization.k8s.io/v1")), field(2, message)]);

describe("protobuf access requests", () => {
  test("a SelfSubjectAccessReview's resource attributes", () => {
    const attributes = Buffer.concat([field(1, "team"), field(2, "create"), field(5, "pods"), field(6, "eviction")]);
    const body = envelope(Buffer.concat([field(1, Buffer.alloc(0)), field(2, field(1, attributes))]));
    assert.deepEqual(decodeProtobufRequest("/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", body), {
      spec: { resourceAttributes: { namespace: "team", verb: "create", resource: "pods", subresource: "eviction" } },
    });
  });

  test("a TokenRequest's expirationSeconds (a varint, field 4)", () => {
    const spec = Buffer.concat([field(1, "aud"), Buffer.from([4 << 3, 0x90, 0x1c])]); // 3600
    const body = envelope(field(2, spec));
    assert.deepEqual(decodeProtobufRequest("/api/v1/namespaces/team/serviceaccounts/sa/token", body), {
      spec: { audiences: ["aud"], expirationSeconds: 3600 },
    });
  });

  test("no envelope, or a truncated message: 400", () => {
    const path = "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews";
    assert.throws(
      () => decodeProtobufRequest(path, Buffer.from("{}")),
      (e: unknown) =>
        e instanceof ApiError && e.code === 400 && e.message === "the protobuf body lacks the k8s envelope",
    );
    const truncated = Buffer.concat([Buffer.from("k8s\0", "latin1"), Buffer.from([(2 << 3) | 2, 50, 1, 2])]);
    assert.throws(
      () => decodeProtobufRequest(path, truncated),
      (e: unknown) => e instanceof ApiError && e.code === 400 && e.message === "the protobuf body is truncated",
    );
  });
});
