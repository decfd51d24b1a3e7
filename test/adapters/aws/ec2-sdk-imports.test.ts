// adapters/aws loads the EC2 client, and the commands and paginators it sends, from @aws-sdk/client-ec2's ES build
// (ec2-sdk.ts) instead of the CommonJS bundle of every command: checked by what a real process resolves. That the
// client so loaded speaks EC2 is the port contract's to show (aws-ports-contract.test.ts, against the simulator).
import assert from "node:assert/strict";
import { test } from "node:test";
import { filesOf, modulesResolvedImporting } from "../../support/modules-resolved.ts";

const ADAPTERS = new URL("../../../adapters/index.ts", import.meta.url);

test("the adapters load EC2's client and the commands they send from the ES build, not the bundle of all", () => {
  const loaded = filesOf("@aws-sdk/client-ec2", modulesResolvedImporting(ADAPTERS));
  for (const file of [
    "dist-es/EC2Client.js",
    "dist-es/commands/CreateFleetCommand.js",
    "dist-es/pagination/DescribeInstanceTypesPaginator.js",
  ]) {
    assert.ok(loaded.includes(file), `loads ${file}`);
  }
  assert.deepEqual(
    loaded.filter((file) => file.startsWith("dist-cjs/") || file === "dist-es/index.js"),
    [],
  );
  // Only what the adapter sends: 5 commands, and the 9 paginated ones (a command each, and its paginator).
  assert.equal(loaded.filter((file) => file.startsWith("dist-es/commands/")).length, 14);
});
