// Field paths as RFC 6901 JSON pointers: the expected texts are the RFC's own examples (section 5), whose
// document's keys need each escape, and a list index.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { toJsonPointer } from "../../api/index.ts";

describe("toJsonPointer", () => {
  it("writes RFC 6901's examples", () => {
    assert.equal(toJsonPointer([]), "");
    assert.equal(toJsonPointer(["foo"]), "/foo");
    assert.equal(toJsonPointer(["foo", 0]), "/foo/0");
    assert.equal(toJsonPointer([""]), "/");
    assert.equal(toJsonPointer(["a/b"]), "/a~1b");
    assert.equal(toJsonPointer(["m~n"]), "/m~0n");
    assert.equal(toJsonPointer(["c%d"]), "/c%d");
    assert.equal(toJsonPointer([" "]), "/ ");
  });

  it("escapes a tilde before a slash, so an escape written out stays a key", () => {
    // RFC 6901 section 4: "~01" evaluates to "~1", so the key "~1" is written "~01".
    assert.equal(toJsonPointer(["~1"]), "/~01");
    assert.equal(
      toJsonPointer(["spec", "template", "metadata", "labels", "karpenter.sh/capacity-type"]),
      "/spec/template/metadata/labels/karpenter.sh~1capacity-type",
    );
  });
});
