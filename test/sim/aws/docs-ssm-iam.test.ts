// The SSM and IAM awscli examples in docs/sim.md ("The account's images, parameters and roles") work as written:
// each command, run against the simulated AWS of the default scenario, prints the output the page shows under it.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, test } from "node:test";
import { type AwsWorld, awsCliText, commandWords as words, startAwsWorld } from "./aws-world.ts";

const page = readFileSync(new URL("../../../docs/sim.md", import.meta.url), "utf8");
const section = page.slice(
  page.indexOf("### The account's images, parameters and roles"),
  page.indexOf("### How an instance boots into a Node"),
);

/** Each `aws --endpoint-url "$ENDPOINT" <service> …` line with the `text` block shown after "prints". */
const examples = [...section.matchAll(/^(aws --endpoint-url .*)\n```\n\nprints\n\n```text\n([\s\S]*?)```/gm)].map(
  ([, command, output]) => ({ command: command ?? "", output: output ?? "" }),
);

let world: AwsWorld;
before(async () => {
  world = await startAwsWorld();
});
after(() => world.close());

test("the page shows an ssm and an iam example", () => {
  assert.deepEqual(
    examples.map((e) => e.command.split(" ")[3]),
    ["ssm", "iam"],
  );
});

for (const [index, service] of ["ssm", "iam"].entries()) {
  test(`the ${service} example prints what docs/sim.md shows`, async () => {
    const example = examples[index];
    assert.ok(example);
    const [, , , ...args] = words(example.command, { ENDPOINT: world.server.endpoint });
    assert.equal(await awsCliText(world.server.endpoint, args), example.output);
  });
}
