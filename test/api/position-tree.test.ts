// Field positions as plain data (api/manifests/position-tree.ts), so that a file parsed in a worker thread keeps
// them: after a structured clone — what crosses a thread — every field of every fixture points where the yaml
// package's own document API says its key (or list item) starts, and a missing field at its nearest ancestor.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { isMap, isPair, isScalar, isSeq, LineCounter, parseAllDocuments, type Node } from "yaml";
import { loadYamlData, yamlFromData } from "../../api/manifests/yaml-loader.ts";
import { fixturesDir } from "../support/fixtures.ts";

type Path = (string | number)[];

/** Every path to a field or list item of `value`. */
function pathsOf(value: unknown, prefix: Path = []): Path[] {
  if (typeof value !== "object" || value === null) return [];
  const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value);
  return entries.flatMap(([key, child]) => [[...prefix, key], ...pathsOf(child, [...prefix, key])]);
}

/** The oracle: the offset of the key (map entries) or item at `path`, from the yaml package's nodes. */
function expectedOffset(contents: Node, path: Path): number {
  let node: unknown = contents;
  let offset = contents.range?.[0] ?? 0;
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(segment));
      if (!pair || !isScalar(pair.key)) return offset;
      offset = pair.key.range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === "number") {
      const item = node.items[segment] as Node | undefined;
      if (!item?.range) return offset;
      offset = item.range[0];
      node = item;
    } else return offset;
  }
  return offset;
}

test("positions cross a structured clone and point where the yaml package's nodes start", () => {
  const dir = join(fixturesDir, "upstream");
  let compared = 0;
  for (const name of readdirSync(dir).filter((f) => f.endsWith(".yaml"))) {
    const text = readFileSync(join(dir, name), "utf8");
    const { documents, errors } = yamlFromData(structuredClone(loadYamlData(text, name)));
    assert.deepEqual(errors, [], name);
    const lineCounter = new LineCounter();
    const oracle = parseAllDocuments(text, { lineCounter, version: "1.1" }).filter((d) => d.contents !== null);
    for (const doc of documents) {
      const contents = oracle.find(
        (d) => d.contents?.range?.[0] !== undefined && lineCounter.linePos(d.contents.range[0]).line === doc.start.line,
      )?.contents as Node;
      assert.ok(contents, `${name}: document ${doc.index}`);
      for (const path of [...pathsOf(doc.value), ["spec", "no-such-field", "below"], ["metadata", "name", 3]]) {
        const { line, col } = lineCounter.linePos(expectedOffset(contents, path));
        assert.deepEqual(doc.position(path), { file: name, line, col }, `${name}: ${path.join(".")}`);
        compared++;
      }
    }
  }
  assert.ok(compared > 500, `${compared} paths compared`);
});
