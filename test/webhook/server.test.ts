// The webhook server over real HTTPS: a CA and serving certificate made for the test, a client that verifies
// the certificate against that CA (as the API server does with caBundle), the server on an ephemeral port.
// Endpoints, decisions, bad input, timeouts, the cluster view, logs and metrics.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "node:tls";
import { MemoryCluster } from "../../api/memory-cluster.ts";
import { systemClock, type ClusterView, type TimerClock } from "../../api/ports.ts";
import { createLogger, TlsFileError } from "../../runtime/index.ts";
import { createWebhookServer, PolicyFileError, type WebhookServer } from "../../webhook/index.ts";
import type { WebhookServerOptions } from "../../webhook/server.ts";
import {
  createReview,
  patchOf,
  requestOf,
  responseProblems,
  upstream,
  type ReviewOptions,
} from "../support/admission-fixtures.ts";
import { FakeClock } from "../support/fake-clock.ts";
import { guardAgainstHang } from "../support/hang-guard.ts";
import { createTestCa, httpsCall, type HttpsReply, type IssuedCertificate, type TestCa } from "../support/tls.ts";

type Json = Record<string, unknown>;

const nodePool = upstream("general-purpose.yaml", "NodePool");
const nodeClass = upstream("general-purpose.yaml", "EC2NodeClass");
const spec = (o: Json) => o.spec as Json;

/** IMDSv1 left on: denied by the baseline preset (imds.http-tokens). */
const imdsV1: Json = {
  ...nodeClass,
  metadata: { name: "imdsv1" },
  spec: { ...spec(nodeClass), metadataOptions: { httpTokens: "optional" } },
};

/** A NodePool whose nodeClassRef names a class the cluster does not have (references.node-class). */
const dangling: Json = {
  ...nodePool,
  metadata: { name: "dangling" },
  spec: {
    ...spec(nodePool),
    template: {
      spec: {
        ...((spec(nodePool).template as Json).spec as Json),
        nodeClassRef: { group: "karpenter.k8s.aws", kind: "EC2NodeClass", name: "missing" },
      },
    },
  },
};

const alice = { username: "alice@example.com", groups: ["system:authenticated"] };

/** A CREATE review as the API server sends it to the validating webhook (defaults applied), by alice. */
const review = (object: Json, options: ReviewOptions & { stage?: "mutating" | "validating" } = {}) =>
  createReview(object, { user: alice, ...options });
const uidOf = (body: ReturnType<typeof review>) => requestOf(body).uid;

interface Harness {
  server: WebhookServer;
  port: number;
  ca: TestCa;
  cert: IssuedCertificate;
  dir: string;
  logs: Json[];
  call(path: string, body?: string | Buffer, headers?: Record<string, string | number>): Promise<HttpsReply>;
  /** Sends a review, checks the answer is a well-formed AdmissionReview for it, returns the response. */
  admit(path: "/validate" | "/mutate", body: ReturnType<typeof review>): Promise<{ reply: HttpsReply; response: Json }>;
  metric(line: RegExp): Promise<number | undefined>;
  close(): Promise<void>;
}

const POLICY = `apiVersion: poolkeeper.dev/v1alpha1
kind: PoolPolicy
metadata:
  name: test
spec:
  rules:
    imds.http-tokens:
      enforcement: deny
`;

async function start(options: Partial<WebhookServerOptions> = {}): Promise<Harness> {
  const ca = createTestCa();
  const cert = ca.issue("webhook");
  const dir = mkdtempSync(join(tmpdir(), "poolkeeper-webhook-"));
  const policyFile = join(dir, "policy.yaml");
  writeFileSync(policyFile, POLICY);
  const logs: Json[] = [];
  const logger = createLogger({
    level: "debug",
    destination: { write: (line: string) => logs.push(JSON.parse(line)) },
  });
  const server = createWebhookServer({
    tls: { certFile: cert.certFile, keyFile: cert.keyFile },
    policy: { files: [policyFile] },
    logger,
    watch: false,
    ...options,
  });
  const { port } = await server.listen(0, "127.0.0.1");
  const call = (path: string, body?: string | Buffer, headers: Record<string, string | number> = {}) =>
    httpsCall({
      port,
      ca: ca.ca,
      path,
      body,
      headers: body === undefined ? headers : { "content-type": "application/json", ...headers },
    });
  return {
    server,
    port,
    ca,
    cert,
    dir,
    logs,
    call,
    async admit(path, body) {
      const reply = await call(path, JSON.stringify(body));
      assert.equal(reply.status, 200, reply.body);
      const parsed = JSON.parse(reply.body) as Json;
      assert.equal(parsed.apiVersion, "admission.k8s.io/v1");
      assert.equal(parsed.kind, "AdmissionReview");
      assert.deepEqual(responseProblems(parsed.response, requestOf(body)), []);
      return { reply, response: parsed.response as Json };
    },
    async metric(line) {
      const text = (await call("/metrics")).body;
      const found = text.split("\n").find((l) => line.test(l));
      return found === undefined ? undefined : Number(found.split(" ").at(-1));
    },
    async close() {
      await server.close();
      ca.remove();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

describe("webhook server: endpoints and decisions", () => {
  let h: Harness;
  before(async () => (h = await start()));
  after(() => h.close());

  test("healthz and readyz answer over TLS that verifies against the CA", async () => {
    const health = await h.call("/healthz");
    assert.equal(health.status, 200);
    assert.equal(health.body, "ok\n");
    assert.equal(health.peer.fingerprint256, h.cert.fingerprint256);
    const ready = await h.call("/readyz");
    assert.equal(ready.status, 200);
    assert.deepEqual(h.server.readiness(), { ready: true, problems: [] });
  });

  test("a client that does not trust the CA is refused at the handshake", async () => {
    const other = createTestCa();
    try {
      await assert.rejects(httpsCall({ port: h.port, ca: other.ca, path: "/healthz" }), /self-signed|unable to verify/);
    } finally {
      other.remove();
    }
  });

  test("a valid CREATE is allowed (with the policy's warnings); a bad one is denied with 403 and the rule", async () => {
    const body = review(nodeClass);
    const ok = await h.admit("/validate", body);
    assert.equal(ok.response.uid, uidOf(body));
    assert.equal(ok.response.allowed, true);

    const bad = await h.admit("/validate", review(imdsV1));
    assert.equal(bad.response.allowed, false);
    const status = bad.response.status as { code: number; message: string; reason: string };
    assert.equal(status.code, 403);
    assert.equal(status.reason, "Forbidden");
    assert.match(status.message, /EC2NodeClass "imdsv1".*\n.*httpTokens.*\[imds\.http-tokens\]/);
  });

  test("the mutating webhook answers a bad CREATE with a JSONPatch that fixes it", async () => {
    const { response } = await h.admit("/mutate", review(imdsV1, { stage: "mutating" }));
    assert.equal(response.allowed, true);
    assert.equal(response.patchType, "JSONPatch");
    const patch = patchOf(response as { patch?: string });
    assert.ok(
      patch.some((op) => op.path.startsWith("/spec/metadataOptions")),
      JSON.stringify(patch),
    );
    assert.ok((response.warnings as string[]).some((w) => w.includes("[imds.http-tokens]")));
  });

  test("one log line per decision: who, what, rule ids, duration; never the object", async () => {
    const secret = "TOP-SECRET-BOOTSTRAP-TOKEN";
    const withUserData = { ...imdsV1, spec: { ...spec(imdsV1), userData: `#!/bin/bash\nexport TOKEN=${secret}\n` } };
    const body = review(withUserData);
    const uid = uidOf(body);
    await h.admit("/validate", body);
    const line = h.logs.find((l) => l.uid === uid);
    assert.ok(line, "a decision line for the request");
    assert.equal(line.msg, "admission denied");
    assert.equal(line.level, "info");
    assert.equal(line.webhook, "validate");
    assert.equal(line.kind, "EC2NodeClass");
    assert.equal(line.name, "imdsv1");
    assert.equal(line.operation, "CREATE");
    assert.equal(line.user, "alice@example.com");
    assert.equal(line.allowed, false);
    assert.deepEqual(line.denied, ["imds.http-tokens", "userdata.secrets"]);
    assert.equal(line.dryRun, false);
    assert.equal(typeof line.durationMs, "number");
    assert.equal(line.clusterView, "none");
    assert.ok(!JSON.stringify(h.logs).includes(secret), "the object's user data is not logged");
    assert.ok(!JSON.stringify(h.logs).includes("amiSelectorTerms"), "the object body is not logged");
  });

  test("metrics: requests by kind, operation and decision; duration; findings (not for dry runs); process", async () => {
    const denied = /^poolkeeper_admission_requests_total\{kind="EC2NodeClass",operation="CREATE",decision="denied"\}/;
    const findings = /^poolkeeper_policy_findings_total\{rule="imds\.http-tokens",severity="deny"\}/;
    const deniedBefore = (await h.metric(denied)) ?? 0;
    const findingsBefore = (await h.metric(findings)) ?? 0;
    await h.admit("/validate", review(imdsV1));
    assert.equal(await h.metric(denied), deniedBefore + 1);
    assert.equal(await h.metric(findings), findingsBefore + 1);

    const { response } = await h.admit("/validate", review(imdsV1, { dryRun: true }));
    assert.equal(response.allowed, false, "a dry run gets the same decision");
    assert.equal(await h.metric(denied), deniedBefore + 2, "and is counted as a request");
    assert.equal(await h.metric(findings), findingsBefore + 1, "but its findings are not recorded");

    const text = (await h.call("/metrics")).body;
    assert.match(text, /^poolkeeper_admission_duration_seconds_count \d+/m);
    assert.match(text, /^poolkeeper_policy_reload_errors_total 0/m);
    assert.match(text, /^poolkeeper_tls_certificate_expiry_timestamp_seconds \d+/m);
    assert.match(text, /^process_cpu_user_seconds_total /m);
    assert.match(text, /^nodejs_heap_size_used_bytes /m);
  });

  test("kind and operation labels come from closed sets, whatever the request says", async () => {
    const odd = review(nodeClass);
    requestOf(odd).kind = { group: "example.com", version: "v1", kind: `Kind-${randomUUID()}` };
    const { response } = await h.admit("/validate", odd);
    assert.equal(response.allowed, true, "other kinds are none of the policy's business");
    const text = (await h.call("/metrics")).body;
    assert.match(text, /kind="other",operation="CREATE",decision="allowed"/);
    assert.doesNotMatch(text, /Kind-/);
  });

  test("bad input: malformed JSON, not an AdmissionReview, missing uid or request → 400 naming the problem", async () => {
    const cases: [string, RegExp][] = [
      ['{"apiVersion": "admission.k8s.io/v1", "kind": ', /^malformed JSON: /],
      ['{"userData": SECRET-IN-BROKEN-JSON}', /^malformed JSON: .*SECRET-IN-/],
      ["[1, 2, 3]", /not a JSON object/],
      ['{"hello": "world"}', /kind is .*expected "AdmissionReview"/],
      [JSON.stringify({ apiVersion: "admission.k8s.io/v1beta1", kind: "AdmissionReview" }), /admissionReviewVersions/],
      [JSON.stringify({ apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview" }), /has no request/],
      [
        JSON.stringify({ ...review(nodeClass), request: { ...requestOf(review(nodeClass)), uid: undefined } }),
        /request\.uid is missing/,
      ],
      ["", /has no request|not a JSON object|AdmissionReview/],
    ];
    const errorsBefore = (await h.metric(/^poolkeeper_admission_requests_total\{.*decision="error"\}/)) ?? 0;
    for (const [body, message] of cases) {
      const reply = await h.call("/validate", body);
      assert.equal(reply.status, 400, `${body} → ${reply.status} ${reply.body}`);
      assert.match(reply.body, message);
    }
    const errors = await h.metric(
      /^poolkeeper_admission_requests_total\{kind="unknown",operation="unknown",decision="error"\}/,
    );
    assert.equal(errors, errorsBefore + cases.length);
    // The parser quotes the body in its message: the caller gets it, the log does not.
    assert.ok(!JSON.stringify(h.logs).includes("SECRET-IN-"));
  });

  test("wrong content type, unknown charset or no Content-Type → 415", async () => {
    const text = await h.call("/validate", JSON.stringify(review(nodeClass)), { "content-type": "text/plain" });
    assert.equal(text.status, 415);
    assert.match(text.body, /unsupported Content-Type "text\/plain": expected application\/json/);
    const yaml = await h.call("/mutate", "kind: AdmissionReview", { "content-type": "application/yaml" });
    assert.equal(yaml.status, 415);
    const latin = await h.call("/validate", "{}", { "content-type": "application/json; charset=latin1" });
    assert.equal(latin.status, 415);
    const none = await httpsCall({ port: h.port, ca: h.ca.ca, path: "/validate", method: "POST", headers: {} });
    assert.equal(none.status, 415, "a POST without Content-Type is refused before reading");
  });

  test("a 4 MiB body → 413 (the API server never sends more than 3 MiB), with or without Content-Length", async () => {
    const big = Buffer.alloc(4 * 1024 * 1024, 0x20);
    const sized = await h.call("/validate", big);
    assert.equal(sized.status, 413);
    assert.match(sized.body, /larger than 3145728 bytes/);
    const chunked = await httpsCall({
      port: h.port,
      ca: h.ca.ca,
      method: "POST",
      path: "/validate",
      body: big,
      headers: { "content-type": "application/json", "transfer-encoding": "chunked", "content-length": "" },
    }).catch((error: Error) => error);
    // Without a length the limit is found while reading; the server answers 413 (or the client sees the close).
    if (!(chunked instanceof Error)) assert.equal(chunked.status, 413);
    assert.equal((await h.call("/healthz")).status, 200);
  });

  test("a review as the API server sends it and one with other headers get the same answer", async () => {
    // The API server appends ?timeout= and says exactly application/json: the server's short way. Another
    // spelling of the type takes express's way; the answer must not tell them apart.
    const body = review(imdsV1);
    const text = JSON.stringify(body);
    const apiServer = await h.call("/validate?timeout=10s", text);
    const other = await h.call("/validate", text, { "content-type": "Application/JSON; charset=UTF-8" });
    for (const reply of [apiServer, other]) {
      assert.equal(reply.status, 200, reply.body);
      assert.equal(reply.headers["content-type"], "application/json; charset=utf-8");
    }
    assert.deepEqual(JSON.parse(apiServer.body), JSON.parse(other.body));
    assert.equal((JSON.parse(apiServer.body) as { response: Json }).response.allowed, false);
    const malformed = await h.call("/mutate?timeout=10s", '{"kind": ');
    assert.equal(malformed.status, 400);
    assert.equal(malformed.headers["content-type"], "text/plain; charset=utf-8");
    assert.match(malformed.body, /^malformed JSON: /);
  });

  test("other methods and paths: 405 and 404, as plain text", async () => {
    const get = await h.call("/validate");
    assert.equal(get.status, 405);
    assert.equal(get.headers.allow, "POST");
    const missing = await h.call("/nope");
    assert.equal(missing.status, 404);
    assert.match(String(missing.headers["content-type"]), /^text\/plain/);
  });
});

describe("webhook server: the cluster view", () => {
  test("with the view, a NodePool naming a class the cluster lacks is denied", async () => {
    const h = await start({ cluster: new MemoryCluster([nodeClass]) });
    try {
      const { response } = await h.admit("/validate", review(dangling));
      assert.equal(response.allowed, false);
      assert.match(String((response.status as Json).message), /\[references\.node-class\]/);
      const line = h.logs.find((l) => l.msg === "admission denied");
      assert.equal(line?.clusterView, "fresh");
    } finally {
      await h.close();
    }
  });

  test("a failing or slow view: decided without it (no cross-object denial), logged, within the timeout", async () => {
    const failing: ClusterView = {
      listNodePools: () => Promise.reject(new Error("connection refused")),
      listNodeClasses: () => Promise.resolve([]),
    };
    const never: ClusterView = {
      listNodePools: () => new Promise(() => {}),
      listNodeClasses: () => new Promise(() => {}),
    };
    for (const [cluster, message, waitMs] of [
      [failing, /connection refused/, 0],
      [never, /no answer within 150 ms/, 150],
    ] as const) {
      const clock = new FakeClock(new Date());
      const h = await start({ cluster, clock, timeouts: { clusterViewMs: 150 } });
      try {
        const asked = clock.now().getTime();
        const decided = h.admit("/validate", review(dangling));
        if (waitMs > 0) {
          // The view has not answered: the decision waits for the timeout, and comes when the clock reaches it.
          await clock.untilPending();
          assert.deepEqual(clock.pending, [150]);
          clock.step(149);
          assert.deepEqual(clock.pending, [1], "not given up before clusterViewMs");
          clock.step(1);
        }
        const { response } = await guardAgainstHang(decided, "the decision");
        assert.deepEqual(clock.pending, [], "the timeout is gone once decided");
        assert.equal(clock.now().getTime() - asked, waitMs, "a failed view needs no time; a silent one, the timeout");
        assert.equal(response.allowed, true);
        const warning = h.logs.find((l) => l.msg?.toString().startsWith("cluster view unavailable"));
        assert.equal(warning?.level, "warn");
        assert.match(String(warning?.error), message);
        assert.equal(h.logs.find((l) => l.msg === "admission allowed")?.clusterView, "unavailable");
      } finally {
        await h.close();
      }
    }
  });

  test("the view is fetched once for a burst and reused while fresh; an admitted change invalidates it", async () => {
    let lists = 0;
    const inner = new MemoryCluster([nodeClass]);
    const counting: ClusterView = {
      listNodePools: () => {
        lists++;
        return inner.listNodePools();
      },
      listNodeClasses: () => inner.listNodeClasses(),
    };
    // The cache's freshness is by the server's clock, which moves only when the test moves it.
    const clock = new FakeClock(new Date());
    const h = await start({ cluster: counting, clock });
    try {
      await Promise.all(Array.from({ length: 10 }, () => h.admit("/validate", review(imdsV1))));
      assert.equal(lists, 1, "concurrent requests share one fetch");
      await h.admit("/validate", review(imdsV1, { dryRun: true }));
      assert.equal(lists, 1, "a denied or dry-run request leaves the cache alone");
      await h.admit("/validate", review(nodeClass));
      await h.admit("/validate", review(nodeClass));
      assert.equal(lists, 2, "an allowed change makes the next request fetch again");
      await h.admit("/validate", review(imdsV1));
      assert.equal(lists, 3, "the allowed change left no view to reuse");
      clock.step(4_999);
      await h.admit("/validate", review(imdsV1));
      assert.equal(lists, 3, "still fresh just before clusterViewCacheMs (5 s) by the server's clock");
      clock.step(1);
      await h.admit("/validate", review(imdsV1));
      assert.equal(lists, 4, "stale once it has passed");
    } finally {
      await h.close();
    }
  });
});

describe("webhook server: readiness, errors, slow clients, bad start", () => {
  test("readyz is 503 once the certificate has expired (by the server's clock)", async () => {
    // A minute ahead of real time, so that the certificate issued after the clock is made is already valid by it
    // (its notBefore is the second it was issued); then three days ahead, past its notAfter.
    const clock = new FakeClock(new Date(new Date().getTime() + 60_000));
    const h = await start({ clock });
    try {
      assert.equal((await h.call("/readyz")).status, 200);
      clock.step(3 * 24 * 3600 * 1000);
      const reply = await h.call("/readyz");
      assert.equal(reply.status, 503);
      assert.match(reply.body, /certificate expired at/);
      assert.equal((await h.call("/healthz")).status, 200, "liveness is not readiness");
    } finally {
      await h.close();
    }
  });

  test("an unexpected error in a handler → 500 with a generic message and an error log; the server lives on", async () => {
    let broken = false;
    const breakable: TimerClock = {
      now: () => {
        if (broken) throw new Error("the clock broke");
        return new Date();
      },
      afterFunc: (delayMs, f) => systemClock.afterFunc(delayMs, f),
      sleep: (ms) => systemClock.sleep(ms),
    };
    const h = await start({ clock: breakable });
    try {
      broken = true;
      const body = review(nodeClass);
      const uid = uidOf(body);
      const reply = await h.call("/validate", JSON.stringify(body));
      assert.equal(reply.status, 500);
      assert.equal(reply.body, "internal error\n");
      const line = h.logs.find((l) => l.level === "error" && l.uid === uid);
      assert.match(JSON.stringify(line?.err), /the clock broke/);
      broken = false;
      assert.equal((await h.call("/healthz")).status, 200);
      assert.equal(
        await h.metric(
          /^poolkeeper_admission_requests_total\{kind="EC2NodeClass",operation="CREATE",decision="error"\}/,
        ),
        1,
      );
    } finally {
      await h.close();
    }
  });

  test("a client that never finishes its headers is answered 408 and disconnected", async () => {
    const h = await start({ timeouts: { headersMs: 300, requestMs: 300, checkIntervalMs: 50 } });
    try {
      // Node's own timers answer it (not the server's clock): the configured ones, not Node's defaults (60 s, 300 s).
      assert.equal(h.server.server.headersTimeout, 300);
      assert.equal(h.server.server.requestTimeout, 300);
      const answer = await new Promise<string>((resolve, reject) => {
        const socket = connect({ host: "127.0.0.1", port: h.port, ca: h.ca.ca }, () => {
          socket.write("POST /validate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n");
        });
        let data = "";
        socket.on("data", (chunk: Buffer) => (data += chunk.toString("utf8")));
        socket.on("close", () => resolve(data));
        socket.on("error", reject);
      });
      assert.match(answer, /^HTTP\/1\.1 408 /);
    } finally {
      await h.close();
    }
  });

  test("a missing or mismatched certificate, or a bad policy, stops the server from being created", () => {
    const ca = createTestCa();
    try {
      const a = ca.issue("a");
      const b = ca.issue("b");
      const dir = mkdtempSync(join(tmpdir(), "poolkeeper-webhook-"));
      const policy = { files: [] };
      assert.throws(
        () => createWebhookServer({ tls: { certFile: join(dir, "none.crt"), keyFile: a.keyFile }, policy }),
        (error: unknown) =>
          error instanceof TlsFileError && /none\.crt: the TLS certificate cannot be read/.test(error.message),
      );
      assert.throws(
        () => createWebhookServer({ tls: { certFile: a.certFile, keyFile: b.keyFile }, policy }),
        (error: unknown) =>
          error instanceof TlsFileError && /b\.key: the private key does not match/.test(error.message),
      );
      const bad = join(dir, "bad.yaml");
      writeFileSync(bad, POLICY.replace("enforcement: deny", "enforcement: sometimes"));
      assert.throws(
        () => createWebhookServer({ tls: { certFile: a.certFile, keyFile: a.keyFile }, policy: { files: [bad] } }),
        (error: unknown) => error instanceof PolicyFileError && /bad\.yaml:8:\d+: /.test(error.message),
      );
      rmSync(dir, { recursive: true, force: true });
    } finally {
      ca.remove();
    }
  });
});
