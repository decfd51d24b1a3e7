// JSON that is small on the wire and huge in memory: 3 MiB of `[[[[…` parses into 1.5 million arrays (some 80 MiB of
// heap), 3 MiB of `0,0,…` into a 1.5-million-element array that then takes seconds to walk and judge. A handful of
// such bodies at once exhausted a 256 MiB heap, because the webhook parsed every body (JSON.parse, which has no
// limits) before it checked anything. Scaled down here, same shapes: the webhook now measures the nesting and the
// number of values over the bytes and refuses the body before JSON.parse builds anything — the test counts the
// parses of large texts — and stays healthy.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { MAX_REVIEW_DEPTH, MAX_REVIEW_VALUES } from "../../webhook/server.ts";
import { createReview, upstream } from "../support/admission-fixtures.ts";
import { startWebhook, type WebhookHarness } from "../support/webhook-harness.ts";

type Json = Record<string, unknown>;

const pool = upstream("general-purpose.yaml", "NodePool");

/** Texts JSON.parse was given that are longer than this: the bodies of the attacks, not anything else. */
const LARGE = 100_000;
let largeParses = 0;
const parse = JSON.parse;
JSON.parse = function (text: string, reviver?: (key: string, value: unknown) => unknown): unknown {
  if (typeof text === "string" && text.length > LARGE) largeParses++;
  return parse(text, reviver);
};

/** A review of `pool` with `payload` (JSON text) at spec.payload: built as text, as JSON.stringify would overflow. */
function reviewWith(payload: string): string {
  const object = structuredClone(pool) as Json;
  (object.spec as Json).payload = "@payload@";
  return JSON.stringify(createReview(object)).replace('"@payload@"', payload);
}

describe("JSON bombs", () => {
  let h: WebhookHarness;
  before(async () => (h = await startWebhook()));
  after(() => h.close());

  test("deeply nested bodies, four at once: 400 naming the limit, never parsed", async () => {
    const depth = 100_000;
    const body = reviewWith(`${"[".repeat(depth)}${"]".repeat(depth)}`);
    assert.ok(body.length > 2 * LARGE);
    const before = largeParses;
    const replies = await Promise.all(Array.from({ length: 4 }, () => h.call("/validate", body)));
    for (const reply of replies) {
      assert.equal(reply.status, 400);
      assert.equal(reply.body, `the AdmissionReview is nested deeper than ${MAX_REVIEW_DEPTH} levels\n`);
    }
    assert.equal(largeParses - before, 0, "JSON.parse never saw them");
    assert.equal((await h.call("/healthz")).status, 200);
  });

  test("a flat array of more values than a review may hold: 413 naming the limit, never parsed", async () => {
    const body = reviewWith(`[${Array(MAX_REVIEW_VALUES).fill("0").join(",")}]`);
    const before = largeParses;
    const reply = await h.call("/mutate", body);
    assert.equal(reply.status, 413);
    assert.equal(reply.body, `the AdmissionReview holds more than ${MAX_REVIEW_VALUES} JSON values\n`);
    assert.equal(largeParses - before, 0, "JSON.parse never saw it");
    assert.equal((await h.call("/healthz")).status, 200);
  });

  test("a review just within both limits is parsed and judged", async () => {
    // The object and its metadata hold a few hundred values; the array fills most of the rest.
    const body = reviewWith(
      `[${Array(MAX_REVIEW_VALUES - 1_000)
        .fill("0")
        .join(",")}]`,
    );
    const before = largeParses;
    const reply = await h.call("/validate", body);
    assert.equal(reply.status, 200, reply.body);
    assert.equal(largeParses - before, 1);
    // The review, request, object and spec are four levels; the arrays at spec.payload fill the rest.
    const nested = (arrays: number) => reviewWith(`${"[".repeat(arrays)}${"]".repeat(arrays)}`);
    assert.equal((await h.call("/validate", nested(MAX_REVIEW_DEPTH - 4))).status, 200);
    assert.equal((await h.call("/validate", nested(MAX_REVIEW_DEPTH - 3))).status, 400);
  });
});
