import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { parseAllDocuments } from "yaml";
import { loadYaml } from "../../api/manifests/yaml-loader.ts";

describe("loadYaml", () => {
  test("multi-document files keep each document and its start position", () => {
    const text = "# pools\napiVersion: v1\nkind: A\n---\n---\n# only a comment\n---\napiVersion: v1\nkind: B\n";
    const { documents, errors } = loadYaml(text, "pools/a.yaml");
    assert.deepEqual(errors, []);
    assert.deepEqual(
      documents.map((d) => [d.index, (d.value as { kind: string }).kind, d.start.line, d.start.col]),
      [
        [0, "A", 2, 1],
        [3, "B", 8, 1],
      ],
    );
  });

  test("field positions point at the key of the field, or its nearest existing ancestor", () => {
    const text = [
      "apiVersion: karpenter.sh/v1",
      "kind: NodePool",
      "spec:",
      "  disruption:",
      "    budgets:",
      "      - nodes: 10%",
      "      - schedule: '@daily'",
      "        nodes: '0'",
    ].join("\n");
    const [doc] = loadYaml(text, "p.yaml").documents;
    assert.ok(doc);
    assert.deepEqual(doc.position(["spec", "disruption", "budgets", 1, "nodes"]), { file: "p.yaml", line: 8, col: 9 });
    assert.deepEqual(doc.position(["spec", "disruption", "budgets", 1]), { file: "p.yaml", line: 7, col: 9 });
    assert.deepEqual(doc.position(["spec", "disruption", "budgets", 1, "duration"]), {
      file: "p.yaml",
      line: 7,
      col: 9,
    });
    assert.deepEqual(doc.position(["spec", "limits"]), { file: "p.yaml", line: 3, col: 1 });
  });

  test("YAML 1.1 scalars resolve as kubectl resolves them", () => {
    const [doc] = loadYaml("a: yes\nb: off\nc: 0777\nd: '1.0'\n", "x.yaml").documents;
    assert.deepEqual(doc?.value, { a: true, b: false, c: 511, d: "1.0" });
  });

  test("duplicate keys are an error with a position", () => {
    const { documents, errors } = loadYaml("a: 1\nb: 2\na: 3\n", "dup.yaml");
    assert.equal(documents.length, 0);
    assert.equal(errors.length, 1);
    assert.match(errors[0]?.message ?? "", /Map keys must be unique/);
    assert.deepEqual(errors[0]?.source, { file: "dup.yaml", line: 3, col: 1 });
  });

  test("malformed YAML is an error naming the line, and later documents still load", () => {
    const { documents, errors } = loadYaml("a: [1, 2\n---\nb: 1\n", "bad.yaml");
    assert.ok(errors.length >= 1);
    assert.equal(errors[0]?.file, "bad.yaml");
    assert.equal(errors[0]?.index, 0);
    assert.deepEqual(
      documents.map((d) => d.value),
      [{ b: 1 }],
    );
  });

  test("an alias bomb is refused with a clear message", () => {
    const lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (const [name, prev] of [
      ["b", "a"],
      ["c", "b"],
      ["d", "c"],
      ["e", "d"],
      ["f", "e"],
      ["g", "f"],
    ]) {
      lines.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(",")}]`);
    }
    const { documents, errors } = loadYaml(lines.join("\n"), "bomb.yaml");
    assert.equal(documents.length, 0);
    assert.match(
      errors[0]?.message ?? "",
      /too many alias expansions \(more than 100\): refusing a possible alias bomb/,
    );
  });

  test("a few ordinary aliases are fine", () => {
    const { documents, errors } = loadYaml("base: &b {x: 1}\nuse: *b\n", "ok.yaml");
    assert.deepEqual(errors, []);
    assert.deepEqual(documents[0]?.value, { base: { x: 1 }, use: { x: 1 } });
  });

  test("oversized input is refused before parsing", () => {
    const { errors } = loadYaml("a: " + "x".repeat(2000), "big.yaml", { maxBytes: 1000 });
    assert.deepEqual(errors, [
      {
        file: "big.yaml",
        source: { file: "big.yaml", line: 1, col: 1 },
        message: "file is too large (2003 bytes; the limit is 1000 bytes)",
      },
    ]);
  });

  test("a document over the per-object bound is refused before parsing, named as the parser numbers it", () => {
    const big = "big: [" + Array.from({ length: 60 }, (_, i) => `v${i}`).join(", ") + "]\n";
    const layouts = [
      big,
      `---\n${big}`,
      `# pools\n---\n${big}`,
      `a: 1\n---\n${big}`,
      `a: 1\n---\n---\n${big}`,
      `a: 1\n...\n---\n${big}`,
      `a: 1\n...\n${big}`,
      `a: 1\n--- # second\nb: 2\n---\n${big}---\nc: 3\n`,
      `--- |\n  text\n---\n${big}`,
    ];
    for (const text of layouts) {
      // The oracle: the yaml package's own numbering of the documents, parsed without a bound.
      const expected = parseAllDocuments(text).findIndex((doc) => JSON.stringify(doc.toJS() ?? null).includes("v59"));
      const { documents, errors } = loadYaml(text, "pools/big.yaml", { maxDocumentBytes: 200 });
      assert.equal(documents.length, 0, text);
      assert.equal(errors.length, 1, text);
      assert.equal(errors[0]?.index, expected, text);
      assert.match(
        errors[0]?.message ?? "",
        new RegExp(`^document ${expected + 1} is too large \\(\\d+ bytes; `),
        text,
      );
      // Reported at the line where the oversized document starts (its `---`, or the first line of the file).
      const line = text.slice(0, text.indexOf("big:")).split("\n").length;
      assert.ok(
        errors[0] && [line, line - 1].includes(errors[0].source.line),
        `${text}: line ${errors[0]?.source.line}`,
      );
    }
    // Within the bound, every document is read.
    assert.deepEqual(loadYaml(`a: 1\n---\n${big}`, "pools/big.yaml").errors, []);
  });

  test("the default per-object bound is 256 KiB: a pool with 50,000 values is refused, one with 2,000 read", () => {
    const pool = (count: number) =>
      "apiVersion: karpenter.sh/v1\nkind: NodePool\nmetadata:\n  name: many\nspec:\n  values:\n" +
      Array.from({ length: count }, (_, i) => `    - m5.size-${i}\n`).join("");
    const refused = loadYaml(pool(50_000), "pools/many.yaml");
    assert.equal(refused.documents.length, 0);
    assert.match(
      refused.errors[0]?.message ?? "",
      /^document 1 is too large \(\d+ bytes; one object may have at most 262144 bytes/,
    );
    assert.deepEqual(loadYaml(pool(2_000), "pools/many.yaml").errors, []);
  });

  test("binary data and invalid UTF-8 are refused", () => {
    for (const input of [new Uint8Array([0x61, 0x3a, 0x00, 0x01]), new Uint8Array([0x61, 0x3a, 0x20, 0xff, 0xfe])]) {
      const { documents, errors } = loadYaml(input, "bin.yaml");
      assert.equal(documents.length, 0);
      assert.equal(errors[0]?.message, "file is not text (binary data or invalid UTF-8): expected YAML");
    }
  });

  test("deep nesting is refused, without overflowing the stack", () => {
    const deep = "a: " + "[".repeat(5000) + "]".repeat(5000);
    const { documents, errors } = loadYaml(deep, "deep.yaml");
    assert.equal(documents.length, 0);
    assert.ok(errors.length >= 1);
    assert.ok(errors.every((e) => e.file === "deep.yaml" && e.message.length > 0));
    const moderate = loadYaml("a: " + "[".repeat(150) + "]".repeat(150), "deep.yaml");
    assert.match(moderate.errors[0]?.message ?? "", /nesting is deeper than 100 levels/);
  });

  test("an empty file has no documents and no errors", () => {
    assert.deepEqual(loadYaml("", "empty.yaml"), { documents: [], errors: [] });
    assert.deepEqual(loadYaml("# nothing\n", "empty.yaml"), { documents: [], errors: [] });
  });
});
