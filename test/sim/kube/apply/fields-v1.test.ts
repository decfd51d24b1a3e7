// The fieldsV1 encoding and path elements, against structured-merge-diff's own tables
// (kubernetes-sigs/structured-merge-diff at 15d0754: fieldpath/serialize-pe_test.go TestPathElementRoundTrip,
// fieldpath/serialize_test.go TestSerializeV1GoldenData and TestDeserializeForValidNonNormalized).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { FieldSet } from "../../../../sim/kube/apply/field-set.ts";
import { fromFieldsV1, toFieldsV1 } from "../../../../sim/kube/apply/fields-v1.ts";
import {
  parsePathElement,
  pathString,
  serializePathElement,
  type PathElement,
} from "../../../../sim/kube/apply/path-element.ts";

describe("path elements (serialize-pe_test.go TestPathElementRoundTrip)", () => {
  const cases: [string, PathElement][] = [
    ["i:0", { index: 0 }],
    ["i:1234", { index: 1234 }],
    ["f:", { field: "" }],
    ["f:spec", { field: "spec" }],
    ["f:more-complicated-string", { field: "more-complicated-string" }],
    ["f: string-with-spaces   ", { field: " string-with-spaces   " }],
    ['k:{"name":"my-container"}', { key: [{ name: "name", value: "my-container" }] }],
    ['k:{"name":"   name with spaces   "}', { key: [{ name: "name", value: "   name with spaces   " }] }],
    [
      'k:{"port":"8080","protocol":"TCP"}',
      {
        key: [
          { name: "port", value: "8080" },
          { name: "protocol", value: "TCP" },
        ],
      },
    ],
    ['k:{"optionalField":null}', { key: [{ name: "optionalField", value: null }] }],
    [
      'k:{"jsonField":{"A":1,"B":null,"C":"D","E":{"F":"G"}}}',
      { key: [{ name: "jsonField", value: { A: 1, B: null, C: "D", E: { F: "G" } } }] },
    ],
    ['k:{"listField":["1","2","3"]}', { key: [{ name: "listField", value: ["1", "2", "3"] }] }],
    ["v:null", { value: null }],
    ['v:"some-string"', { value: "some-string" }],
    ["v:1234", { value: 1234 }],
    ['v:{"some":"json"}', { value: { some: "json" } }],
    ['v:{"some":" some  with spaces  "}', { value: { some: " some  with spaces  " } }],
    ['k:{"name":"app-🚀"}', { key: [{ name: "name", value: "app-🚀" }] }],
    ['k:{"name":"app with-unicøde"}', { key: [{ name: "name", value: "app with-unicøde" }] }],
    ['k:{"name":"你好世界"}', { key: [{ name: "name", value: "你好世界" }] }],
    ['k:{"name":"Привет, мир"}', { key: [{ name: "name", value: "Привет, мир" }] }],
    ['k:{"name":"👋"}', { key: [{ name: "name", value: "👋" }] }],
    ["f:spec-🚀", { field: "spec-🚀" }],
    ["f:spec-\\n", { field: "spec-\\n" }],
  ];
  for (const [text, pe] of cases) {
    test(text, () => {
      assert.deepEqual(parsePathElement(text), pe);
      assert.equal(serializePathElement(pe), text);
    });
  }

  test("a malformed key is an error naming it", () => {
    assert.throws(() => parsePathElement("x"), /invalid path element "x"/);
    assert.throws(() => parsePathElement("q:1"), /unknown type "q"/);
    assert.throws(() => parsePathElement("k:[1]"), /the key is not a JSON object/);
  });

  test("paths print as the API server's conflict messages print them (fieldpath.Path.String)", () => {
    assert.equal(
      pathString([
        { field: "spec" },
        { field: "containers" },
        { key: [{ name: "name", value: "web" }] },
        { field: "ports" },
        {
          key: [
            { name: "containerPort", value: 80 },
            { name: "protocol", value: "TCP" },
          ],
        },
      ]),
      '.spec.containers[name="web"].ports[containerPort=80,protocol="TCP"]',
    );
    assert.equal(pathString([{ field: "finalizers" }, { value: "a" }]), '.finalizers[="a"]');
    assert.equal(pathString([{ field: "args" }, { index: 2 }]), ".args[2]");
  });
});

describe("fieldsV1 sets (serialize_test.go)", () => {
  // TestSerializeV1GoldenData: read, then written back byte for byte.
  const golden = [
    String.raw`{"f:aaa":{},"f:aab":{},"f:aac":{},"f:aad":{},"f:aae":{},"f:aaf":{},"k:{\"name\":\"first\"}":{},"k:{\"name\":\"second\"}":{},"k:{\"port\":443,\"protocol\":\"tcp\"}":{},"k:{\"port\":443,\"protocol\":\"udp\"}":{},"v:1":{},"v:2":{},"v:3":{},"v:\"aa\"":{},"v:\"ab\"":{},"v:true":{},"i:1":{},"i:2":{},"i:3":{},"i:4":{}}`,
    String.raw`{"f:aaa":{"k:{\"name\":\"second\"}":{"v:3":{"f:aab":{}}},"v:3":{},"v:true":{}},"f:aab":{"f:aaa":{},"f:aaf":{"k:{\"port\":443,\"protocol\":\"udp\"}":{"k:{\"port\":443,\"protocol\":\"tcp\"}":{}}},"k:{\"name\":\"first\"}":{}},"f:aac":{"f:aaa":{"v:1":{}},"f:aac":{},"v:3":{"k:{\"name\":\"second\"}":{}}},"f:aad":{"f:aac":{"v:1":{}},"f:aaf":{"k:{\"name\":\"first\"}":{"k:{\"name\":\"first\"}":{}}},"i:1":{"i:1":{},"i:3":{"v:true":{}}}},"f:aae":{"f:aae":{},"k:{\"port\":443,\"protocol\":\"tcp\"}":{"k:{\"port\":443,\"protocol\":\"udp\"}":{}},"i:4":{"f:aaf":{}}},"f:aaf":{"i:1":{"f:aac":{}},"i:2":{},"i:3":{}},"k:{\"name\":\"first\"}":{"f:aad":{"f:aaf":{}}},"k:{\"port\":443,\"protocol\":\"tcp\"}":{"f:aaa":{"f:aad":{}}},"k:{\"port\":443,\"protocol\":\"udp\"}":{"f:aac":{},"k:{\"name\":\"first\"}":{"i:3":{}},"k:{\"port\":443,\"protocol\":\"udp\"}":{"i:4":{}}},"v:1":{"f:aac":{"i:4":{}},"f:aaf":{},"k:{\"port\":443,\"protocol\":\"tcp\"}":{}},"v:2":{"f:aad":{"f:aaf":{}},"i:1":{}},"v:3":{"f:aaa":{},"k:{\"name\":\"first\"}":{},"i:2":{}},"v:\"aa\"":{"f:aab":{"f:aaf":{}},"f:aae":{},"k:{\"name\":\"first\"}":{"f:aad":{}},"i:2":{}},"v:\"ab\"":{"f:aaf":{"i:4":{}},"k:{\"port\":443,\"protocol\":\"tcp\"}":{},"k:{\"port\":443,\"protocol\":\"udp\"}":{},"v:1":{"k:{\"port\":443,\"protocol\":\"udp\"}":{}},"i:1":{"f:aae":{"i:4":{}}}},"v:true":{"k:{\"name\":\"second\"}":{"f:aaa":{}},"i:2":{"k:{\"port\":443,\"protocol\":\"tcp\"}":{}}},"i:1":{"i:3":{"f:aaf":{}}},"i:2":{"f:aae":{},"k:{\"port\":443,\"protocol\":\"tcp\"}":{"v:1":{}}},"i:3":{"f:aab":{"v:true":{"v:\"aa\"":{}}},"f:aaf":{},"i:1":{}},"i:4":{"v:\"aa\"":{"f:aab":{"k:{\"name\":\"second\"}":{}}}}}`,
    String.raw`{"f:spec":{".":{},"f:apps":{".":{},"k:{\"name\":\" app-💻\"}":{".":{},"f:container":{".":{},"f:image":{},"f:name":{},"f:ports":{".":{},"k:{\"name\":\"port 🔑\"}":{".":{},"f:containerPort":{},"f:name":{}}}},"f:name":{}},"k:{\"name\":\" app-🚀\"}":{".":{},"f:container":{".":{},"f:image":{},"f:name":{},"f:ports":{".":{},"k:{\"name\":\"port-✅ \"}":{".":{},"f:containerPort":{},"f:name":{}}}},"f:name":{}}}}}`,
  ];
  golden.forEach((text, i) => {
    test(`golden ${i} round-trips`, () => {
      assert.equal(JSON.stringify(toFieldsV1(fromFieldsV1(JSON.parse(text)))), text);
    });
  });

  test("keys given out of order, with spaces, are normalized (TestDeserializeForValidNonNormalized)", () => {
    const sloppy = String.raw`{
  "f:aad": {}, "f:aaa": {}, "f:aab": {}, "f:aac": {}, "f:aae": {}, "f:aaf": {},
  "k:{\"name\":\"first\"}": {}, "k:{\"name\":\"second\"}": {},
  "k:{\"port\":443,\"protocol\":\"tcp\"}": {}, "k:{ \"protocol\":\"udp\",\"port\":443}": {},
  "v:1": {}, "v:2": {}, "v: 3": {}, "v:\"aa\"": {}, "v:\"ab\"": {}, "v:true": {},
  "i:1": {}, "i:2": {}, "i:3": {}, "i:4": {}
}`;
    assert.equal(JSON.stringify(toFieldsV1(fromFieldsV1(JSON.parse(sloppy)))), golden[0]);
  });

  test("an element that is both owned and has fields below it is written with '.' first", () => {
    const set = FieldSet.of(
      [{ field: "spec" }, { field: "containers" }, { key: [{ name: "name", value: "web" }] }],
      [{ field: "spec" }, { field: "containers" }, { key: [{ name: "name", value: "web" }] }, { field: "image" }],
    );
    assert.deepEqual(toFieldsV1(set), {
      "f:spec": { "f:containers": { 'k:{"name":"web"}': { ".": {}, "f:image": {} } } },
    });
    assert.ok(fromFieldsV1(toFieldsV1(set)).equals(set));
  });
});
