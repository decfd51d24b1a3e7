// The awscli examples in docs/sim.md ("The simulated AWS") work as written: each `aws --endpoint-url` command
// followed by "prints" and a text block, run in page order against one simulated AWS (a fresh world at the test
// clock's start, seed 1), prints exactly what the page shows ($ENDPOINT standing for the server's address).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, test } from "node:test";
import { type AwsWorld, awsCliText, commandWords as words, startAwsWorld } from "./aws-world.ts";

const page = readFileSync(new URL("../../../docs/sim.md", import.meta.url), "utf8");
const section = page.slice(page.indexOf("## The simulated AWS"), page.indexOf("## The world's controllers"));

const examples = [...section.matchAll(/```sh\n([\s\S]*?)```\n\nprints\n\n```text\n([\s\S]*?)```/g)].map(
  ([, script = "", output = ""]) => ({
    command: script.split("\n").find((line) => line.startsWith("aws --endpoint-url")) ?? "",
    output,
  }),
);

let world: AwsWorld;
before(async () => {
  world = await startAwsWorld();
});
after(() => world.close());

test("docs/sim.md shows awscli examples with their output", () => {
  assert.ok(examples.length >= 5, `${examples.length} examples`);
  for (const example of examples) assert.ok(example.command !== "", "each example has an aws --endpoint-url line");
});

test("each awscli example prints what docs/sim.md shows", async () => {
  const env = { ENDPOINT: world.server.endpoint };
  for (const example of examples) {
    const [, , , ...args] = words(example.command, env);
    const expected = example.output.replaceAll("$ENDPOINT", world.server.endpoint);
    assert.equal(await awsCliText(world.server.endpoint, args), expected, example.command);
  }
});
