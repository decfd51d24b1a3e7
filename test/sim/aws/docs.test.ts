// The awscli example in docs/sim.md ("The simulated AWS") works as written: its command, run against the
// simulated AWS, prints the output the page shows.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, test } from "node:test";
import { type AwsWorld, awsCliText, commandWords as words, startAwsWorld } from "./aws-world.ts";

const page = readFileSync(new URL("../../../docs/sim.md", import.meta.url), "utf8");
const section = page.slice(page.indexOf("## The simulated AWS"));

let world: AwsWorld;
before(async () => {
  world = await startAwsWorld();
});
after(() => world.close());

test("the describe-instance-types example prints what docs/sim.md shows", async () => {
  const command = section.split("\n").find((line) => line.startsWith("aws --endpoint-url"));
  assert.ok(command, "docs/sim.md has an aws --endpoint-url example");
  const expected = /prints\n\n```text\n([\s\S]*?)```/.exec(section)?.[1];
  assert.ok(expected, "docs/sim.md shows the example's output");
  const [, , , ...args] = words(command, { ENDPOINT: world.server.endpoint });
  assert.equal(await awsCliText(world.server.endpoint, args), expected);
});
