// The simulator's own reading of data/ec2-instance-types.json: every entry parses, and a bad entry is an error
// naming the file, the entry and the field.
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { test } from "node:test";
import { CatalogError, loadInstanceTypes } from "../../../sim/world/cloud/index.ts";

test("reads every entry of the project's catalog", async () => {
  const raw = JSON.parse(await readFile(new URL("../../../data/ec2-instance-types.json", import.meta.url), "utf8")) as {
    name: string;
  }[];
  const types = loadInstanceTypes();
  assert.equal(types.length, raw.length);
  const m5 = types.find((t) => t.name === "m5.large");
  assert.deepEqual([m5?.vcpu, m5?.memoryMiB, m5?.arch], [2, 8192, "amd64"]);
});

test("a bad entry names the file, the entry and the field", async () => {
  const dir = await mkdtemp(join(tmpdir(), "catalog-"));
  try {
    const file = join(dir, "types.json");
    await writeFile(file, JSON.stringify([{ name: "x1.large", arch: "amd64", onDemandUsd: 0.1, vcpu: -2 }]));
    assert.throws(
      () => loadInstanceTypes(pathToFileURL(file)),
      (error: Error) => {
        assert.ok(error instanceof CatalogError);
        assert.equal(error.message, `${file}: entry 0 (x1.large): field "vcpu" must be a non-negative integer`);
        return true;
      },
    );
    await writeFile(file, "[{");
    assert.throws(
      () => loadInstanceTypes(pathToFileURL(file)),
      (error: Error) => error instanceof CatalogError && error.message.startsWith(`${file}: `),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
