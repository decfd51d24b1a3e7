// The simulator's own reading of data/ec2-instance-types.json: every entry parses, and a bad entry is an error
// naming the file, the entry and the field.
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { test } from "node:test";
import { World } from "../../../sim/index.ts";
import { CatalogError, loadInstanceTypes } from "../../../sim/world/cloud/index.ts";
import { FakeClock } from "../../support/fake-clock.ts";

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

test("a region with a few instance types lists only those, in the catalog's order, with the catalog's shapes", async () => {
  const raw = JSON.parse(await readFile(new URL("../../../data/ec2-instance-types.json", import.meta.url), "utf8")) as {
    name: string;
    vcpu: number;
  }[];
  const world = new World({
    clock: new FakeClock(new Date("2026-06-01T09:00:00Z")),
    scenario: { cloud: { instanceTypes: ["r5.xlarge", "m5.large", "c5.xlarge"] } },
  });
  const types = world.cloud.instanceTypes();
  assert.deepEqual(
    types.map((t) => t.name),
    ["c5.xlarge", "m5.large", "r5.xlarge"],
  );
  assert.deepEqual(
    types.map((t) => t.vcpu),
    ["c5.xlarge", "m5.large", "r5.xlarge"].map((name) => raw.find((r) => r.name === name)?.vcpu),
  );
});

test("a region's instance type the catalog lacks is an error naming the scenario field", () => {
  assert.throws(
    () =>
      new World({
        clock: new FakeClock(new Date("2026-06-01T09:00:00Z")),
        scenario: { cloud: { instanceTypes: ["m5.large", "m9.huge"] } },
      }),
    (error: Error) => {
      assert.ok(error instanceof CatalogError);
      assert.equal(
        error.message,
        'cloud.instanceTypes[1]: Unsupported value: "m9.huge": not an instance type of the catalog',
      );
      return true;
    },
  );
});
