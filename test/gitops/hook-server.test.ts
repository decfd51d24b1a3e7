// The GitOps webhook endpoint over real HTTP and real HTTPS (a CA made for the test, a client that verifies the
// certificate against it): signed and unsigned deliveries from both providers, the followed branch and others,
// bad input and its limits, health, readiness and metrics, logs, slow clients and shutdown.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHmac, randomUUID, X509Certificate } from "node:crypto";
import { copyFileSync } from "node:fs";
import http, { type IncomingHttpHeaders } from "node:http";
import https from "node:https";
import { connect as connectPlain, type Socket } from "node:net";
import { connect as connectTls, type TLSSocket } from "node:tls";
import { once } from "node:events";
import { Registry } from "prom-client";
import {
  createHookServer,
  type HookServer,
  type HookServerOptions,
  type PushNotice,
} from "../../gitops/hook-server.ts";
import { createLogger } from "../../runtime/index.ts";
import { FakeClock } from "../support/fake-clock.ts";
import { guardAgainstHang } from "../support/hang-guard.ts";
import { captureLog, type LineMatch } from "../support/log-capture.ts";
import { createTestCa, type IssuedCertificate, type TestCa } from "../support/tls.ts";

type Json = Record<string, unknown>;
type Transport = "http" | "https";

const GITHUB_SECRET = "gh-hook-secret-7c1f9e2a";
const GITLAB_TOKEN = "gl-hook-token-b3d85a60";
const BRANCH = "main";
const LIMIT = 64 * 1024;

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  /** The certificate the server presented (HTTPS only). */
  fingerprint256?: string;
}

interface Call {
  method?: string;
  path: string;
  body?: string | Buffer;
  headers?: Record<string, string | number>;
  agent?: http.Agent;
  /** Send the body with chunked transfer encoding, in pieces of this size (no Content-Length). */
  chunked?: number;
}

interface Harness {
  transport: Transport;
  server: HookServer;
  port: number;
  ca?: TestCa;
  cert?: IssuedCertificate;
  pushes: PushNotice[];
  logs: Json[];
  /** Waits for a log line (see captureLog). */
  line(match: LineMatch, from?: number): Promise<Json>;
  registry: Registry;
  setReady(ready: boolean): void;
  call(call: Call): Promise<Reply>;
  agent(): http.Agent;
  /** A raw connection (TLS when the server speaks it), for requests no well-behaved client would send. */
  raw(): Promise<Socket>;
  deliveries(result: string): Promise<number | undefined>;
  close(): Promise<void>;
}

async function start(transport: Transport, overrides: Partial<HookServerOptions> = {}): Promise<Harness> {
  const ca = transport === "https" ? createTestCa() : undefined;
  const cert = ca?.issue("hooks");
  const pushes: PushNotice[] = [];
  const { logger, lines: logs, line } = captureLog();
  let ready = true;
  const registry = new Registry();
  const server = createHookServer({
    branch: BRANCH,
    githubSecret: GITHUB_SECRET,
    gitlabToken: GITLAB_TOKEN,
    onPush: (push) => pushes.push(push),
    ready: () => ready,
    registry,
    logger,
    maxBodyBytes: LIMIT,
    ...(cert ? { tls: { certFile: cert.certFile, keyFile: cert.keyFile } } : {}),
    watch: false,
    // These tests send dozens of deliveries from one address; the rate limit has its own (test/adversarial/).
    rateLimit: false,
    ...overrides,
  });
  const { port } = await server.listen(0, "127.0.0.1");
  const call = (c: Call) => send(transport, port, ca?.ca, c);
  return {
    transport,
    server,
    port,
    ca,
    cert,
    pushes,
    logs,
    line,
    registry,
    setReady: (value) => (ready = value),
    call,
    agent: () => (transport === "https" ? new https.Agent({ keepAlive: true }) : new http.Agent({ keepAlive: true })),
    raw: () =>
      new Promise<Socket>((resolve, reject) => {
        const socket =
          transport === "https"
            ? connectTls({ host: "127.0.0.1", port, ca: ca?.ca }, () => resolve(socket))
            : connectPlain({ host: "127.0.0.1", port }, () => resolve(socket));
        socket.once("error", reject);
      }),
    async deliveries(result) {
      const text = (await call({ path: "/metrics" })).body;
      const prefix = `poolkeeper_gitops_hook_deliveries_total{result="${result}"} `;
      const line = text.split("\n").find((l) => l.startsWith(prefix));
      return line === undefined ? undefined : Number(line.slice(prefix.length));
    },
    async close() {
      await server.close();
      ca?.remove();
    },
  };
}

/** One request; resolves with the whole reply (an error after the reply arrived, a reset, does not matter). */
function send(transport: Transport, port: number, ca: string | undefined, c: Call): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const body = c.body ?? "";
    const headers: Record<string, string | number> = { ...c.headers };
    if (c.chunked === undefined) headers["content-length"] = Buffer.byteLength(body);
    const options = {
      host: "127.0.0.1",
      port,
      method: c.method ?? (c.body === undefined ? "GET" : "POST"),
      path: c.path,
      agent: c.agent ?? false,
      headers,
    };
    const onResponse = (res: http.IncomingMessage) => {
      const chunks: Buffer[] = [];
      const peer = transport === "https" ? (res.socket as TLSSocket).getPeerCertificate() : undefined;
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("error", reject);
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString("utf8"),
          fingerprint256: peer?.fingerprint256,
        }),
      );
    };
    const req =
      transport === "https" ? https.request({ ...options, ca }, onResponse) : http.request(options, onResponse);
    req.on("error", reject);
    if (c.chunked === undefined) return void req.end(body);
    const bytes = Buffer.from(body);
    for (let at = 0; at < bytes.length; at += c.chunked) req.write(bytes.subarray(at, at + c.chunked));
    req.end();
  });
}

const sign = (body: string | Buffer, secret = GITHUB_SECRET) =>
  `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;

const pushPayload = (ref: string) =>
  JSON.stringify({
    ref,
    before: "0".repeat(40),
    after: "1f0c5e9d6f3a3b0e8f7d1c2b4a59687766554433",
    repository: { full_name: "acme/fleet" },
  });

const branchPush = (branch: string) => pushPayload(`refs/heads/${branch}`);

/** A GitHub delivery: the body signed with `secret`, the event and a delivery id. */
function github(body: string, options: { secret?: string; event?: string; id?: string; type?: string } = {}): Call {
  return {
    path: "/hooks/git",
    body,
    headers: {
      "content-type": options.type ?? "application/json",
      "x-github-event": options.event ?? "push",
      "x-github-delivery": options.id ?? randomUUID(),
      "x-hub-signature-256": sign(body, options.secret),
    },
  };
}

function gitlab(body: string, token: string, id = randomUUID()): Call {
  return {
    path: "/hooks/git",
    body,
    headers: {
      "content-type": "application/json",
      "x-gitlab-event": "Push Hook",
      "x-gitlab-event-uuid": id,
      "x-gitlab-token": token,
    },
  };
}

const json = (reply: Reply): Json => {
  assert.match(String(reply.headers["content-type"]), /^application\/json/);
  return JSON.parse(reply.body) as Json;
};

/** Reads a raw connection until the server closes it. */
const readAll = (socket: Socket) =>
  new Promise<string>((resolve) => {
    let data = "";
    socket.on("data", (chunk: Buffer) => (data += chunk.toString("latin1")));
    socket.on("close", () => resolve(data));
    socket.on("error", () => {});
  });

for (const transport of ["http", "https"] as const) {
  describe(`hook server over ${transport}: deliveries`, () => {
    let h: Harness;
    before(async () => (h = await start(transport)));
    after(() => h.close());

    test("healthz and readyz answer; unknown paths are 404", async () => {
      const health = await h.call({ path: "/healthz" });
      assert.equal(health.status, 200);
      assert.equal(health.body, "ok\n");
      if (transport === "https") assert.equal(health.fingerprint256, h.cert?.fingerprint256);
      assert.equal((await h.call({ path: "/readyz" })).status, 200);
      assert.equal((await h.call({ path: "/hooks" })).status, 404);
      assert.equal((await h.call({ path: "/hooks/git/" })).status, 404);
      assert.equal((await h.call({ path: "/nothing?x=1" })).status, 404);
    });

    test("a GitHub-signed push to the followed branch → 202, onPush called once", async () => {
      const before = h.pushes.length;
      const id = randomUUID();
      const reply = await h.call(github(branchPush(BRANCH), { id }));
      assert.equal(reply.status, 202);
      assert.deepEqual(json(reply), { status: "sync scheduled" });
      assert.deepEqual(h.pushes.slice(before), [{ provider: "github", branch: BRANCH, deliveryId: id }]);
    });

    test("a query string does not change the route", async () => {
      const call = github(branchPush(BRANCH));
      const reply = await h.call({ ...call, path: "/hooks/git?source=github" });
      assert.equal(reply.status, 202);
    });

    test("a wrong signature, a wrong secret or a tampered body → 401; onPush is not called", async () => {
      const before = h.pushes.length;
      const body = branchPush(BRANCH);
      const wrongSecret = await h.call(github(body, { secret: "not-the-secret" }));
      assert.equal(wrongSecret.status, 401);
      assert.deepEqual(json(wrongSecret), { error: "X-Hub-Signature-256 does not match the body" });
      const tampered = github(body);
      const reply = await h.call({ ...tampered, body: branchPush("main ") });
      assert.equal(reply.status, 401);
      const garbage = await h.call({
        ...github(body),
        headers: { ...github(body).headers, "x-hub-signature-256": "sha256=abc" },
      });
      assert.equal(garbage.status, 401);
      assert.match(String(json(garbage).error), /not sha256=<64 hex digits>/);
      assert.equal(h.pushes.length, before);
    });

    test("missing signature and token headers → 401 naming what is expected", async () => {
      const reply = await h.call({
        path: "/hooks/git",
        body: branchPush(BRANCH),
        headers: { "content-type": "application/json", "x-github-event": "push" },
      });
      assert.equal(reply.status, 401);
      assert.deepEqual(json(reply), { error: "missing X-Hub-Signature-256 or X-Gitlab-Token" });
    });

    test("both a signature and a token → 400", async () => {
      const call = github(branchPush(BRANCH));
      const reply = await h.call({ ...call, headers: { ...call.headers, "x-gitlab-token": GITLAB_TOKEN } });
      assert.equal(reply.status, 400);
      assert.match(String(json(reply).error), /both X-Hub-Signature-256 and X-Gitlab-Token/);
    });

    test("GitLab: the right token → 202 with the event UUID; a wrong one → 401", async () => {
      const before = h.pushes.length;
      const id = randomUUID();
      const good = await h.call(gitlab(branchPush(BRANCH), GITLAB_TOKEN, id));
      assert.equal(good.status, 202);
      assert.deepEqual(json(good), { status: "sync scheduled" });
      const bad = await h.call(gitlab(branchPush(BRANCH), `${GITLAB_TOKEN}x`));
      assert.equal(bad.status, 401);
      assert.deepEqual(json(bad), { error: "X-Gitlab-Token does not match" });
      assert.deepEqual(h.pushes.slice(before), [{ provider: "gitlab", branch: BRANCH, deliveryId: id }]);
    });

    test("a verified push to another branch → 200 ignored, onPush not called", async () => {
      const before = h.pushes.length;
      const reply = await h.call(github(branchPush("feature/x")));
      assert.equal(reply.status, 200);
      assert.deepEqual(json(reply), { status: "ignored", reason: "push to feature/x, following main" });
      const fromGitlab = await h.call(gitlab(branchPush("release"), GITLAB_TOKEN));
      assert.deepEqual(json(fromGitlab), { status: "ignored", reason: "push to release, following main" });
      assert.equal(h.pushes.length, before);
    });

    test("a verified payload naming no branch (a tag) still schedules a sync, without a branch", async () => {
      const before = h.pushes.length;
      const reply = await h.call(github(pushPayload("refs/tags/v1.2.0"), { id: "tag-delivery" }));
      assert.equal(reply.status, 202);
      assert.deepEqual(h.pushes.slice(before), [{ provider: "github", deliveryId: "tag-delivery" }]);
    });

    test("GitHub ping → 200 pong after verification; an unsigned ping → 401", async () => {
      const before = h.pushes.length;
      const body = JSON.stringify({ zen: "Keep it logically awesome.", hook_id: 1 });
      const pong = await h.call(github(body, { event: "ping" }));
      assert.equal(pong.status, 200);
      assert.deepEqual(json(pong), { status: "pong" });
      const forged = await h.call(github(body, { event: "ping", secret: "guess" }));
      assert.equal(forged.status, 401);
      assert.equal(h.pushes.length, before);
    });

    test("GitHub form-encoded delivery: signed over the raw bytes, branch read from the decoded payload", async () => {
      const before = h.pushes.length;
      const form = (payload: string) => new URLSearchParams({ payload }).toString();
      const type = "application/x-www-form-urlencoded";
      const accepted = await h.call(github(form(branchPush(BRANCH)), { type, id: "form-1" }));
      assert.equal(accepted.status, 202);
      const ignored = await h.call(github(form(branchPush("dev")), { type }));
      assert.deepEqual(json(ignored), { status: "ignored", reason: "push to dev, following main" });
      // The signature covers the encoded bytes: signing the decoded JSON instead does not verify.
      const call = github(form(branchPush(BRANCH)), { type });
      const resigned = await h.call({
        ...call,
        headers: { ...call.headers, "x-hub-signature-256": sign(branchPush(BRANCH)) },
      });
      assert.equal(resigned.status, 401);
      const noPayload = await h.call(github("other=1", { type }));
      assert.equal(noPayload.status, 400);
      assert.deepEqual(json(noPayload), { error: "the form body has no single payload field" });
      assert.deepEqual(h.pushes.slice(before), [{ provider: "github", branch: BRANCH, deliveryId: "form-1" }]);
    });

    test("a verified payload that is not a JSON object → 400", async () => {
      for (const body of ["{ not json", "[1, 2]", '"refs/heads/main"']) {
        const reply = await h.call(github(body));
        assert.equal(reply.status, 400, body);
        assert.deepEqual(json(reply), { error: "the payload is not a JSON object" });
      }
    });

    test("a body over the limit → 413, declared or chunked; the server stays healthy", async () => {
      const big = JSON.stringify({ ref: "refs/heads/main", padding: "x".repeat(LIMIT) });
      const declared = await h.call(github(big));
      assert.equal(declared.status, 413);
      assert.deepEqual(json(declared), { error: `the request body is larger than ${LIMIT} bytes` });
      assert.equal(declared.headers.connection, "close");
      const chunked = await h.call({ ...github(big), chunked: 4096 });
      assert.equal(chunked.status, 413);
      assert.equal((await h.call({ path: "/healthz" })).status, 200);
      assert.equal((await h.call(github(branchPush(BRANCH)))).status, 202);
    });

    test("an oversized body is refused without waiting for it", async () => {
      const socket = await h.raw();
      const answer = readAll(socket);
      socket.write(
        "POST /hooks/git HTTP/1.1\r\nHost: hooks\r\nContent-Type: application/json\r\n" +
          `Content-Length: ${100 * 1024 * 1024}\r\n\r\n{"ref":`,
      );
      // The client never sends the rest: an answer that waited for the body would be the body timeout's 408.
      assert.match(await answer, /^HTTP\/1\.1 413 /);

      const chunked = await h.raw();
      const chunkedAnswer = readAll(chunked);
      chunked.write(
        "POST /hooks/git HTTP/1.1\r\nHost: hooks\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
      );
      // Past the limit, then nothing more: the answer must not wait for the terminating chunk.
      const piece = "x".repeat(16 * 1024);
      for (let sent = 0; sent <= LIMIT; sent += piece.length)
        chunked.write(`${piece.length.toString(16)}\r\n${piece}\r\n`);
      assert.match(await chunkedAnswer, /^HTTP\/1\.1 413 /);
    });

    test("a content type other than JSON or a form → 415, before the body is read", async () => {
      const before = h.pushes.length;
      for (const type of ["text/plain", "application/xml", "multipart/form-data; boundary=x"]) {
        const reply = await h.call(github(branchPush(BRANCH), { type }));
        assert.equal(reply.status, 415, type);
        assert.match(String(json(reply).error), /unsupported Content-Type/);
      }
      const none = await h.call({ ...github(branchPush(BRANCH)), headers: { "x-hub-signature-256": "x" } });
      assert.equal(none.status, 415);
      const charset = await h.call(github(branchPush(BRANCH), { type: "Application/JSON; charset=utf-8" }));
      assert.equal(charset.status, 202, "parameters and case do not matter");
      const gzip = await h.call({
        ...github(branchPush(BRANCH)),
        headers: { ...github(branchPush(BRANCH)).headers, "content-encoding": "gzip" },
      });
      assert.equal(gzip.status, 415);
      assert.equal(h.pushes.length, before + 1);
    });

    test("other methods on /hooks/git → 405 with Allow: POST", async () => {
      for (const method of ["GET", "PUT", "DELETE"]) {
        const reply = await h.call({ method, path: "/hooks/git" });
        assert.equal(reply.status, 405, method);
        assert.equal(reply.headers.allow, "POST");
      }
      assert.equal((await h.call({ method: "POST", path: "/healthz", body: "" })).status, 404);
    });

    test("readyz follows ready(); healthz does not", async () => {
      h.setReady(false);
      try {
        const reply = await h.call({ path: "/readyz" });
        assert.equal(reply.status, 503);
        assert.match(reply.body, /^not ready/);
        assert.equal((await h.call({ path: "/healthz" })).status, 200, "liveness is not readiness");
      } finally {
        h.setReady(true);
      }
      assert.equal((await h.call({ path: "/readyz" })).status, 200);
    });

    test("neither the answers nor the logs ever contain the secret or the token", async () => {
      const replies = await Promise.all([
        h.call(github(branchPush(BRANCH), { secret: GITLAB_TOKEN })),
        h.call(github(branchPush(BRANCH), { secret: `${GITHUB_SECRET}!` })),
        h.call(gitlab(branchPush(BRANCH), GITHUB_SECRET)),
        h.call(gitlab(branchPush(BRANCH), `${GITLAB_TOKEN.slice(0, -1)}`)),
        h.call({ ...gitlab(branchPush(BRANCH), GITLAB_TOKEN), headers: { "x-gitlab-token": GITLAB_TOKEN } }),
      ]);
      for (const reply of replies) {
        assert.ok(reply.status >= 400, reply.body);
        assert.ok(!reply.body.includes(GITHUB_SECRET) && !reply.body.includes(GITLAB_TOKEN), reply.body);
      }
      const logged = JSON.stringify(h.logs);
      assert.ok(!logged.includes(GITHUB_SECRET) && !logged.includes(GITLAB_TOKEN));
      assert.doesNotMatch(logged, /[0-9a-f]{64}/i, "no signature in the logs");
      assert.ok(!logged.includes("acme/fleet"), "no payload in the logs");
    });
  });
}

describe("hook server: metrics and logs", () => {
  let h: Harness;
  before(async () => (h = await start("http")));
  after(() => h.close());

  test("every result is exported from the start, at 0", async () => {
    const text = (await h.call({ path: "/metrics" })).body;
    assert.match(text, /^# TYPE poolkeeper_gitops_hook_deliveries_total counter$/m);
    for (const result of [
      "accepted",
      "ignored",
      "unauthorized",
      "bad-request",
      "too-large",
      "unsupported-media-type",
      "rate-limited",
    ]) {
      assert.equal(await h.deliveries(result), 0, result);
    }
    assert.equal(await h.deliveries("ping"), 0);
  });

  test("the deliveries counter counts each result", async () => {
    const form = "application/x-www-form-urlencoded";
    await h.call(github(branchPush(BRANCH)));
    await h.call(gitlab(branchPush(BRANCH), GITLAB_TOKEN));
    await h.call(github(new URLSearchParams({ payload: branchPush(BRANCH) }).toString(), { type: form }));
    await h.call(github(branchPush("dev")));
    await h.call(github(branchPush(BRANCH), { secret: "wrong" }));
    await h.call(gitlab(branchPush(BRANCH), "wrong"));
    await h.call(github("{"));
    await h.call(github(JSON.stringify({ padding: "x".repeat(LIMIT) })));
    await h.call(github(branchPush(BRANCH), { type: "text/plain" }));
    await h.call(github("{}", { event: "ping" }));
    await h.call({ path: "/hooks/git" }); // 405: not a delivery
    assert.equal(await h.deliveries("accepted"), 3);
    assert.equal(await h.deliveries("ignored"), 1);
    assert.equal(await h.deliveries("unauthorized"), 2);
    assert.equal(await h.deliveries("bad-request"), 1);
    assert.equal(await h.deliveries("too-large"), 1);
    assert.equal(await h.deliveries("unsupported-media-type"), 1);
    assert.equal(await h.deliveries("ping"), 1);
    const text = (await h.call({ path: "/metrics" })).body;
    assert.equal(text.match(/^poolkeeper_gitops_hook_deliveries_total\{/gm)?.length, 8, "no other label values");
  });

  test("/metrics serves the controller's registry with its content type", async () => {
    const reply = await h.call({ path: "/metrics" });
    assert.equal(reply.status, 200);
    assert.equal(reply.headers["content-type"], h.registry.contentType);
  });

  test("one structured line per delivery: provider, delivery id, result; no headers or body", async () => {
    const id = randomUUID();
    await h.call(github(branchPush(BRANCH), { id }));
    const refusedId = randomUUID();
    await h.call(gitlab(branchPush(BRANCH), "wrong", refusedId));
    const oddId = "<script>alert(1)</script>";
    await h.call(github(branchPush("odd-id"), { id: oddId }));

    const accepted = h.logs.filter((l) => l.deliveryId === id);
    assert.equal(accepted.length, 1);
    assert.deepEqual(
      { ...accepted[0], time: undefined, pid: undefined, hostname: undefined },
      {
        level: "info",
        time: undefined,
        pid: undefined,
        hostname: undefined,
        name: "poolkeeper-webhook",
        component: "gitops-hook",
        provider: "github",
        deliveryId: id,
        result: "accepted",
        status: 202,
        branch: BRANCH,
        msg: "git webhook delivery",
      },
    );
    const refused = h.logs.filter((l) => l.deliveryId === refusedId);
    assert.equal(refused.length, 1);
    assert.equal(refused[0]?.level, "warn");
    assert.equal(refused[0]?.provider, "gitlab", "the claimed provider, for a refused delivery");
    assert.equal(refused[0]?.result, "unauthorized");
    assert.equal(refused[0]?.reason, "X-Gitlab-Token does not match");
    const ignored = h.logs.find((l) => l.result === "ignored" && l.branch === "odd-id");
    assert.ok(ignored);
    assert.equal(ignored.deliveryId, undefined, "a delivery id that is not an id is not echoed");
    assert.ok(!JSON.stringify(h.logs).includes("<script>"));
    assert.ok(!JSON.stringify(h.logs).includes("x-github-event"), "no headers");
  });

  test("two servers on one registry share the counter instead of failing", async () => {
    const second = createHookServer({
      branch: BRANCH,
      onPush: () => {},
      ready: () => true,
      registry: h.registry,
      logger: createLogger({ destination: { write: () => {} } }),
    });
    const { port } = await second.listen(0, "127.0.0.1");
    try {
      const reply = await send("http", port, undefined, github(branchPush(BRANCH)));
      assert.equal(reply.status, 401, "no secret configured: every delivery is refused");
      assert.deepEqual(JSON.parse(reply.body), { error: "no webhook secret is configured" });
      const text = await h.registry.metrics();
      assert.equal(text.match(/^# TYPE poolkeeper_gitops_hook_deliveries_total/gm)?.length, 1);
    } finally {
      await second.close();
    }
  });
});

describe("hook server: failures, slow clients, shutdown", () => {
  test("onPush throwing → 500 with an incident id, logged; the server lives on", async () => {
    let broken = true;
    const h = await start("http", {
      onPush: () => {
        if (broken) throw new Error("the scheduler broke");
      },
    });
    try {
      const reply = await h.call(github(branchPush(BRANCH)));
      assert.equal(reply.status, 500);
      const error = String(json(reply).error);
      assert.match(error, /^internal error \([0-9a-f-]{36}\)$/);
      const line = h.logs.find((l) => l.level === "error");
      assert.match(JSON.stringify(line?.err), /the scheduler broke/);
      assert.ok(error.includes(String(line?.incident)));
      broken = false;
      assert.equal((await h.call(github(branchPush(BRANCH)))).status, 202);
    } finally {
      await h.close();
    }
  });

  for (const transport of ["http", "https"] as const) {
    test(`${transport}: a body that does not arrive in time → 408 and the connection is closed`, async () => {
      const clock = new FakeClock(new Date());
      const h = await start(transport, { clock, timeouts: { bodyMs: 200 } });
      try {
        const socket = await h.raw();
        const answer = readAll(socket);
        socket.write(
          "POST /hooks/git HTTP/1.1\r\nHost: hooks\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{",
        );
        await clock.untilPending();
        assert.deepEqual(clock.pending, [200], "the handler is reading the body, with bodyMs to do it");
        clock.step(199);
        assert.deepEqual(clock.pending, [1], "not cut before bodyMs");
        clock.step(1);
        const text = await answer;
        assert.match(text, /^HTTP\/1\.1 408 /);
        assert.match(text, /took longer than 200 ms/);
        assert.ok(h.logs.some((l) => l.msg === "git webhook delivery failed" && l.status === 408));
      } finally {
        await h.close();
      }
    });

    test(`${transport}: headers that never finish → 408`, async () => {
      const h = await start(transport, { timeouts: { headersMs: 300, requestMs: 300, checkIntervalMs: 50 } });
      try {
        const socket = await h.raw();
        const answer = readAll(socket);
        socket.write("POST /hooks/git HTTP/1.1\r\nHost: hooks\r\n");
        assert.match(await answer, /^HTTP\/1\.1 408 /);
      } finally {
        await h.close();
      }
    });

    test(`${transport}: close() resolves promptly with an idle keep-alive connection open`, async () => {
      // An hour of keep-alive, and a shutdown deadline on a clock that does not move: only close() itself can end
      // the idle connection.
      const clock = new FakeClock(new Date());
      const h = await start(transport, { clock, timeouts: { keepAliveMs: 3_600_000 } });
      const agent = h.agent();
      try {
        assert.equal((await h.call({ path: "/healthz", agent })).status, 200);
        const idle = Object.values(agent.freeSockets).flat();
        assert.equal(idle.length, 1, "the connection is kept alive");
        assert.ok(idle[0]);
        const clientSide = once(idle[0], "close");
        await guardAgainstHang(h.server.close(), "close() with an idle keep-alive connection");
        await guardAgainstHang(clientSide, "the idle connection to close");
        assert.deepEqual(clock.pending, [], "the shutdown deadline was cancelled, not reached");
        assert.ok(!h.logs.some((l) => l.msg === "shutdown timed out; closing connections"));
        await assert.rejects(h.call({ path: "/healthz" }), /ECONNREFUSED/);
        await h.server.close(); // a second call is fine
      } finally {
        agent.destroy();
        await h.close();
      }
    });
  }

  test("a request in flight at close() is answered, with Connection: close", async () => {
    const clock = new FakeClock(new Date());
    const h = await start("http", { clock });
    try {
      const socket = await h.raw();
      const answer = readAll(socket);
      const body = branchPush(BRANCH);
      socket.write(
        "POST /hooks/git HTTP/1.1\r\nHost: hooks\r\nContent-Type: application/json\r\n" +
          `X-Hub-Signature-256: ${sign(body)}\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 10)}`,
      );
      await clock.untilPending(); // the body's deadline: the request is in the handler
      const closed = h.server.close();
      assert.equal((await h.call({ path: "/healthz" }).catch((e: Error) => e)) instanceof Error, true);
      socket.write(body.slice(10));
      const text = await answer;
      assert.match(text, /^HTTP\/1\.1 202 /);
      assert.match(text, /\r\nConnection: close\r\n/i);
      await closed;
      assert.equal(h.pushes.length, 1);
    } finally {
      await h.close();
    }
  });
});

describe("hook server over https: certificates", () => {
  test("a client that does not trust the CA is refused at the handshake", async () => {
    const h = await start("https");
    const other = createTestCa();
    try {
      await assert.rejects(send("https", h.port, other.ca, { path: "/healthz" }), /self-signed|unable to verify/);
      assert.equal((await h.call({ path: "/healthz" })).status, 200);
    } finally {
      other.remove();
      await h.close();
    }
  });

  test("a replaced certificate is served to new connections", async () => {
    const h = await start("https", { watch: { debounceMs: 20, pollMs: 50 } });
    try {
      const next = h.ca?.issue("hooks-next");
      assert.ok(next && h.cert);
      copyFileSync(next.keyFile, h.cert.keyFile);
      copyFileSync(next.certFile, h.cert.certFile);
      const reloaded = await h.line("TLS certificate reloaded");
      assert.equal(reloaded.serialNumber, next.serialNumber);
      const served = (await h.call({ path: "/healthz" })).fingerprint256;
      assert.equal(served, next.fingerprint256);
      const text = (await h.call({ path: "/metrics" })).body;
      assert.match(text, /^poolkeeper_tls_certificate_expiry_timestamp_seconds \d+/m);
      assert.match(text, /^poolkeeper_tls_reload_errors_total \d+/m);
    } finally {
      await h.close();
    }
  });

  test("/metrics has the server's own and the certificate's metrics, nothing of the admission webhook", async () => {
    const h = await start("https");
    try {
      assert.ok(h.cert);
      const text = (await h.call({ path: "/metrics" })).body;
      assert.match(text, /^poolkeeper_gitops_hook_deliveries_total\{result="accepted"\} 0$/m);
      assert.match(text, /^poolkeeper_tls_reload_errors_total 0$/m);
      const notAfter = new X509Certificate(h.cert.cert).validToDate.getTime() / 1000;
      assert.match(text, new RegExp(`^poolkeeper_tls_certificate_expiry_timestamp_seconds ${notAfter}$`, "m"));
      assert.doesNotMatch(text, /poolkeeper_admission_/);
      assert.doesNotMatch(text, /poolkeeper_policy_/);
    } finally {
      await h.close();
    }
  });

  test("a missing certificate stops the server from being created", () => {
    assert.throws(
      () =>
        createHookServer({
          branch: BRANCH,
          githubSecret: GITHUB_SECRET,
          onPush: () => {},
          ready: () => true,
          registry: new Registry(),
          logger: createLogger({ destination: { write: () => {} } }),
          tls: { certFile: "does-not-exist.crt", keyFile: "does-not-exist.key" },
        }),
      /does-not-exist\.crt: the TLS certificate cannot be read/,
    );
  });
});
