// 10,000 random and mutated payloads over keep-alive HTTPS, 20 at a time: AdmissionReviews of the upstream
// examples with fields deleted, retyped and replaced, truncated and byte-flipped JSON, random bytes, deep nesting,
// huge strings, prototype-pollution keys, wrong content types. Every answer must be a well-formed AdmissionReview
// for the request's uid (200) or a 4xx; never a 5xx, never a dropped connection; the core must not report an
// internal error; and the server keeps answering /healthz throughout. Seeded: a failure names its seed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Agent } from "node:https";
import { createLogger } from "../../runtime/index.ts";
import { createWebhookServer } from "../../webhook/index.ts";
import type { AdmissionReview } from "../../webhook/admission/index.ts";
import {
  createReview,
  deleteReview,
  requestOf,
  responseProblems,
  updateReview,
  upstreamObjects,
  users,
} from "../support/admission-fixtures.ts";
import { createTestCa, httpsCall } from "../support/tls.ts";
import { seededRandom } from "../support/json-mutation.ts";

type Json = Record<string, unknown>;

const PAYLOADS = Number(process.env.FUZZ_PAYLOADS ?? 10_000);
const CONCURRENCY = 20;
const SEED = Number(process.env.FUZZ_SEED ?? 20_240_611);

const prng = seededRandom;

const objects: Json[] = upstreamObjects().map((o) => o.object);
interface Payload {
  /** What kind of payload, for failure messages. */
  label: string;
  body: Buffer | string;
  contentType: string;
}

function generator(random: () => number) {
  const int = (n: number) => Math.floor(random() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)] as T;
  const strings = [
    "",
    " ",
    "a",
    "CREATE",
    "NodePool",
    "EC2NodeClass",
    "karpenter.sh",
    "karpenter.k8s.aws/v1",
    "ünïcödé ☃ 🚀",
    "\u0000\u0001\u001f\u007f",
    "\ud800",
    "line\nbreak\r\n",
    "x".repeat(10_000),
    "${CLUSTER_NAME}",
    "1e999",
    "-1",
    "al2023@latest",
    "[object Object]",
  ];
  const value = (depth = 0): unknown => {
    switch (int(depth > 3 ? 8 : 11)) {
      case 0:
        return null;
      case 1:
        return random() < 0.5;
      case 2:
        return pick([0, -1, 1, 2 ** 53, -(2 ** 63), 1e308, 0.5, 3.14159]);
      case 3:
      case 4:
        return pick(strings);
      case 5:
        return int(1_000_000);
      case 6:
        return [];
      case 7:
        return {};
      case 8:
        return Array.from({ length: int(4) }, () => value(depth + 1));
      default: {
        const o: Json = {};
        for (let i = int(4); i > 0; i--) setOwn(o, pick(["a", "name", "spec", "kind", "metadata", "__proto__"]), depth);
        return o;
      }
    }
  };

  // An own property even for "__proto__" (plain assignment would set the prototype, and JSON would not show
  // it), holding what a prototype-pollution attempt sends.
  const setOwn = (target: Record<string | number, unknown>, key: string, depth: number) => {
    const v =
      key === "__proto__" || key === "constructor"
        ? { polluted: true, prototype: { polluted: true } }
        : value(depth + 1);
    Object.defineProperty(target, key, { value: v, enumerable: true, writable: true, configurable: true });
  };

  /** A random node of the tree (its parent and key), reached by a random walk. */
  const randomSlot = (root: Json): [Json | unknown[], string | number] | undefined => {
    let parent: Json | unknown[] = root;
    for (;;) {
      const keys: (string | number)[] = Array.isArray(parent) ? parent.map((_, i) => i) : Object.keys(parent);
      if (keys.length === 0) return undefined;
      const key = pick(keys);
      const child = (parent as Record<string | number, unknown>)[key];
      if (child === null || typeof child !== "object" || random() < 0.3) return [parent, key];
      parent = child as Json | unknown[];
    }
  };

  const mutate = (root: Json) => {
    const slot = randomSlot(root);
    if (!slot) return;
    const [parent, key] = slot;
    const target = parent as Record<string | number, unknown>;
    switch (int(6)) {
      case 0:
        if (Array.isArray(parent)) parent.splice(Number(key), 1);
        else Reflect.deleteProperty(target, key);
        break;
      case 1:
        target[key] = typeof target[key] === "string" ? Number(target[key]) || 0 : String(target[key]);
        break;
      case 2:
        if (!Array.isArray(parent)) setOwn(target, pick(["__proto__", "constructor", "extra", "status", ""]), 0);
        break;
      default:
        target[key] = value();
    }
  };

  // A review as the API server sends it (defaults, metadata, Karpenter's annotations and status on stored
  // objects), for either webhook, any operation, any of the fixtures' users.
  const review = (): Json => {
    const object = pick(objects);
    const options = { dryRun: random() < 0.2, user: pick(Object.values(users)) };
    let built: AdmissionReview;
    switch (int(6)) {
      case 0:
      case 1:
        built = createReview(object, { ...options, stage: pick(["mutating", "validating"] as const) });
        break;
      case 2:
      case 3: {
        const after = structuredClone(object);
        if (random() < 0.7) mutate(after);
        built = updateReview(object, after, options);
        break;
      }
      case 4:
        built = deleteReview(object, options);
        break;
      default:
        built = createReview(object, options);
        requestOf(built).operation = "CONNECT";
    }
    // A copy: the builders share some parts between reviews (resource, userInfo), and the mutations below
    // must not leak into the next review.
    return structuredClone(built) as unknown as Json;
  };

  const json = "application/json";
  return (): Payload => {
    const r = random();
    if (r < 0.55) {
      const body = review();
      // Mostly inside the object (so most reviews still reach the core), sometimes anywhere in the envelope.
      const request = body.request as Json;
      for (let i = int(5); i > 0; i--) {
        const object = request.object ?? request.oldObject;
        mutate(random() < 0.75 && object !== null && typeof object === "object" ? (object as Json) : body);
      }
      return {
        label: "mutated review",
        body: JSON.stringify(body),
        contentType: json,
      };
    }
    if (r < 0.62) {
      // Around the server's depth limit (MAX_REVIEW_DEPTH) and far beyond it; built as text, since
      // JSON.stringify itself would overflow the stack on the deepest.
      const body = review();
      const object = (body.request as Json).object as Json | null;
      if (object) object.spec = "@nested@";
      // Near the limit only maps: lists nested a few dozen deep make the engine's change-impact comparison
      // exponential (reported separately); past the limit the server refuses them before the engine sees them.
      const deep = random() < 0.5;
      const depth = deep ? 1_000 + int(50_000) : 90 + int(20);
      const nested = Array.from({ length: depth }, () => (deep && random() < 0.5 ? "[" : '{"spec":')).join("");
      const closing = [...nested.matchAll(/\[|\{/g)]
        .map((m) => (m[0] === "[" ? "]" : "}"))
        .reverse()
        .join("");
      const text = JSON.stringify(body).replace('"@nested@"', `${nested}"bottom"${closing}`);
      return { label: `nested ${depth}`, body: text, contentType: json };
    }
    if (r < 0.64) {
      const body = review();
      const object = (body.request as Json).object as Json | null;
      if (object) object.metadata = { name: "x".repeat(int(300_000)), labels: { big: "y".repeat(int(100_000)) } };
      return { label: "huge strings", body: JSON.stringify(body), contentType: json };
    }
    if (r < 0.75) {
      const text = JSON.stringify(review());
      return { label: "truncated JSON", body: text.slice(0, int(text.length)), contentType: json };
    }
    if (r < 0.82) {
      const bytes = Buffer.from(JSON.stringify(review()));
      for (let i = 1 + int(8); i > 0; i--) bytes[int(bytes.length)] = int(256);
      return { label: "flipped bytes", body: bytes, contentType: json };
    }
    if (r < 0.88)
      return {
        label: "random bytes",
        body: Buffer.from(Array.from({ length: int(2_000) }, () => int(256))),
        contentType: json,
      };
    if (r < 0.94) return { label: "random JSON", body: JSON.stringify(value()), contentType: json };
    return {
      label: "wrong content type",
      body: JSON.stringify(review()),
      contentType: pick([
        "text/plain",
        "application/yaml",
        "application/x-www-form-urlencoded",
        "",
        "application/json; charset=latin1",
      ]),
    };
  };
}

/** The request a payload carries, read as the server reads it (a flipped byte can leave valid JSON). */
function requestIn(body: Buffer | string): { uid?: unknown; operation?: unknown } | undefined {
  try {
    const parsed: unknown = JSON.parse(body.toString());
    const request = (parsed as Json | null)?.request;
    return typeof request === "object" && request !== null ? request : undefined;
  } catch {
    return undefined;
  }
}

function checkReview(text: string, body: Buffer | string): string | undefined {
  let review: Json;
  try {
    review = JSON.parse(text) as Json;
  } catch {
    return "200 with a body that is not JSON";
  }
  if (review.apiVersion !== "admission.k8s.io/v1" || review.kind !== "AdmissionReview") return "not an AdmissionReview";
  const request = requestIn(body);
  if (request === undefined) return "200 for a payload without a request";
  const problems = responseProblems(review.response, request);
  return problems.length > 0 ? problems.join("; ") : undefined;
}

test(`fuzz: ${PAYLOADS} random and mutated payloads over keep-alive HTTPS (seed ${SEED})`, async () => {
  const ca = createTestCa();
  const cert = ca.issue("webhook");
  const errors: Json[] = [];
  const logger = createLogger({
    level: "error",
    destination: { write: (line: string) => errors.push(JSON.parse(line)) },
  });
  const server = createWebhookServer({
    tls: { certFile: cert.certFile, keyFile: cert.keyFile },
    policy: { files: [] },
    logger,
    watch: false,
  });
  const { port } = await server.listen(0, "127.0.0.1");
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const next = generator(prng(SEED));
  const problems: string[] = [];
  const statuses = new Map<number, number>();
  let sent = 0;
  try {
    const worker = async () => {
      while (sent < PAYLOADS) {
        const n = sent++;
        const payload = next();
        const path = n % 2 === 0 ? "/validate" : "/mutate";
        const headers: Record<string, string> = payload.contentType ? { "content-type": payload.contentType } : {};
        try {
          const reply = await httpsCall({ port, ca: ca.ca, path, body: payload.body, headers, agent });
          statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1);
          if (reply.status === 200) {
            const problem = checkReview(reply.body, payload.body);
            if (problem) problems.push(`#${n} ${path} (${payload.label}): ${problem}`);
          } else if (reply.status < 400 || reply.status >= 500) {
            problems.push(`#${n} ${path} (${payload.label}): HTTP ${reply.status} ${reply.body.slice(0, 200)}`);
          }
        } catch (error) {
          problems.push(`#${n} ${path} (${payload.label}, ${payload.body.length} bytes): ${String(error)}`);
        }
        if (n % 500 === 0) {
          const health = await httpsCall({ port, ca: ca.ca, path: "/healthz", agent });
          if (health.status !== 200) problems.push(`healthz after #${n}: ${health.status}`);
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    assert.deepEqual(problems.slice(0, 20), [], `seed ${SEED}: ${problems.length} bad answers`);
    assert.deepEqual(
      errors.map((e) => `${String(e.msg)}: ${String(e.error ?? JSON.stringify(e.err))}`).slice(0, 10),
      [],
      `seed ${SEED}: errors logged`,
    );
    assert.ok((statuses.get(200) ?? 0) > PAYLOADS / 4, `decisions: ${JSON.stringify([...statuses])}`);
    assert.ok((statuses.get(400) ?? 0) > 0 && (statuses.get(415) ?? 0) > 0, JSON.stringify([...statuses]));
    assert.equal(({} as Json).polluted, undefined, "no prototype pollution");
    assert.equal((await httpsCall({ port, ca: ca.ca, path: "/healthz" })).status, 200);
    assert.equal((await httpsCall({ port, ca: ca.ca, path: "/readyz" })).status, 200);
  } finally {
    agent.destroy();
    await server.close();
    ca.remove();
  }
});
