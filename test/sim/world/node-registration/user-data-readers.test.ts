// The readers under the boot check, each against an independent judge: the MIME reader against Karpenter's own
// MIME parser test (its test_data files and the entries its suite expects), the shell-word splitter against bash
// itself, the TOML reader against the TOML v1.0.0 specification's examples.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { readUserData } from "../../../../sim/world/node-registration/index.ts";
import { parseMimeArchive } from "../../../../sim/world/node-registration/mime-parts.ts";
import { shellWords } from "../../../../sim/world/node-registration/shell-words.ts";
import { parseToml } from "../../../../sim/world/node-registration/toml.ts";

const fixture = (name: string) =>
  readFileSync(new URL(`../../../fixtures/karpenter-user-data/mime/${name}`, import.meta.url), "utf8");

describe("MIME archives (aws pkg/providers/amifamily/bootstrap/mime/suite_test.go)", () => {
  test("a valid archive has its two entries with exactly the contents Karpenter's test expects", () => {
    const parts = parseMimeArchive(fixture("mime_valid.txt"));
    assert.deepEqual(
      parts.map((p) => p.contentType),
      ["application/node.eks.aws", 'text/x-shellscript; charset="us-ascii"'],
    );
    assert.equal(parts[0]?.content, fixture("nodeconfig.txt"));
    assert.equal(parts[1]?.content, fixture("shell.txt"));
  });

  test("a malformed header is refused", () => {
    assert.throws(() => parseMimeArchive(fixture("mime_bad_header.txt")), /no Content-Type header/);
    assert.throws(
      () => readUserData(Buffer.from(fixture("mime_bad_header.txt")).toString("base64")),
      /neither a MIME archive, a shell script, a NodeConfig nor Bottlerocket TOML/,
    );
  });

  test('the NodeConfig part read as the kubelet gets it: maxPods, systemReserved, and `--node-labels "foo=bar"`', () => {
    const bootstrap = readUserData(Buffer.from(fixture("mime_valid.txt")).toString("base64"));
    assert.equal(bootstrap.format, "nodeadm");
    assert.equal(bootstrap.clusterName, "test-cluster");
    assert.equal(bootstrap.maxPods, 42);
    assert.deepEqual(bootstrap.systemReserved, { cpu: "100m", memory: "100Mi", "ephemeral-storage": "1Gi" });
    assert.deepEqual(bootstrap.labels, { foo: "bar" });
  });
});

describe("shell words, as bash splits them", () => {
  const bash = (line: string) =>
    execFileSync("bash", ["-c", `printf '%s\\0' ${line}`], { encoding: "utf8" })
      .split("\0")
      .slice(0, -1);
  const lines = [
    `/etc/eks/bootstrap.sh 'test-cluster' --apiserver-endpoint 'https://test-cluster' --b64-cluster-ca 'Y2EtYnVuZGxlCg==' \\\n--use-max-pods false \\\n--kubelet-extra-args '--node-labels="a=b,c=d" --register-with-taints="k:NoExecute" --max-pods=110'`,
    `--node-labels="karpenter.sh/nodepool=default,testing/cluster=unspecified" --register-with-taints="karpenter.sh/unregistered:NoExecute"`,
    `a\\ b "c \\"d\\" e" 'f'"g"h ''`,
    `"back\\\\slash" 'it''s' "tab\there"`,
  ];
  for (const line of lines) {
    test(JSON.stringify(line.slice(0, 50)), () => {
      assert.deepEqual(shellWords(line), bash(line));
    });
  }
});

describe("TOML (toml.io v1.0.0 examples)", () => {
  test("keys: bare, quoted, dotted; values: strings, integers, hex, booleans, arrays, nested arrays, inline tables", () => {
    const doc = parseToml(
      [
        `"127.0.0.1" = "value"`,
        `'quoted "value"' = "value"`,
        `site."google.com" = true`,
        `fruit.name = "banana"`,
        `int6 = 5_349_221`,
        `hex1 = 0xDEADBEEF`,
        `str = "I'm a string. \\"You can quote me\\". Name\\tJos\\u00E9"`,
        `winpath = 'C:\\Users\\nodejs\\templates'`,
        `[table-1]`,
        `key1 = "some string"`,
        `name = { first = "Tom", last = "Preston-Werner" }`,
        `nested_mixed_array = [ [ 1, 2 ], ["a", "b", "c"] ]`,
        `integers2 = [`,
        `  1, 2, 3`,
        `]`,
        `[dog."tater.man"]`,
        `type.name = "pug"`,
      ].join("\n"),
    );
    assert.deepEqual(doc, {
      "127.0.0.1": "value",
      'quoted "value"': "value",
      site: { "google.com": true },
      fruit: { name: "banana" },
      int6: 5349221,
      hex1: 3735928559,
      str: 'I\'m a string. "You can quote me". Name\tJosé',
      winpath: "C:\\Users\\nodejs\\templates",
      "table-1": {
        key1: "some string",
        name: { first: "Tom", last: "Preston-Werner" },
        nested_mixed_array: [
          [1, 2],
          ["a", "b", "c"],
        ],
        integers2: [1, 2, 3],
      },
      dog: { "tater.man": { type: { name: "pug" } } },
    });
  });

  test("what the spec calls invalid, and what this reader does not read, is refused with the line", () => {
    assert.throws(() => parseToml(`name = "Tom"\nname = "Pradyun"`), /line 2: "name" is defined twice/);
    assert.throws(() => parseToml(`a = 1\nodt1 = 1979-05-27T07:32:00Z`), /line 2: .*dates/);
    assert.throws(() => parseToml(`[[products]]\nname = "Hammer"`), /line 1: arrays of tables are not read/);
    assert.throws(() => parseToml(`key = # INVALID`), /line 1: expected a value/);
  });
});
