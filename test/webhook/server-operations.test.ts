// The webhook server's operations, over real HTTPS: policy hot reload (a bad edit keeps the old policy), serving
// certificate rotation mid-traffic (a Kubernetes secret volume's atomic symlink swap), graceful shutdown with a
// request in flight, and the `serve` command (exit 2 on a bad start, SIGTERM ends it cleanly).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { Agent } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ClusterView } from "../../api/ports.ts";
import { main } from "../../cli/main.ts";
import { runServe } from "../../cli/commands/serve.ts";
import { capturedOutput } from "../../cli/output.ts";
import { createWebhookServer, type WebhookServer } from "../../webhook/index.ts";
import type { WebhookServerOptions } from "../../webhook/server.ts";
import { createReview, upstream } from "../support/admission-fixtures.ts";
import { FakeClock } from "../support/fake-clock.ts";
import { projectRoot } from "../support/fixtures.ts";
import { guardAgainstHang } from "../support/hang-guard.ts";
import { captureLog, type LineMatch } from "../support/log-capture.ts";
import { createTestCa, httpsCall, type HttpsReply, type TestCa } from "../support/tls.ts";

type Json = Record<string, unknown>;

const nodeClass = upstream("general-purpose.yaml", "EC2NodeClass");
const imdsV1: Json = {
  ...nodeClass,
  metadata: { name: "imdsv1" },
  spec: { ...(nodeClass.spec as Json), metadataOptions: { httpTokens: "optional" } },
};

const review = (object: Json) => JSON.stringify(createReview(object));

const policy = (enforcement: string) => `apiVersion: poolkeeper.dev/v1alpha1
kind: PoolPolicy
metadata:
  name: imds
spec:
  rules:
    imds.http-tokens:
      enforcement: ${enforcement}
`;

const fastWatch = { debounceMs: 50, pollMs: 100 };

interface Started {
  server: WebhookServer;
  port: number;
  logs: Json[];
  /** Waits for a log line (see captureLog); pass `logs.length` for the next one. */
  line(match: LineMatch, from?: number): Promise<Json>;
  call(path: string, body?: string, agent?: Agent): Promise<HttpsReply>;
  metric(name: string): Promise<number | undefined>;
}

async function start(ca: TestCa, options: Omit<WebhookServerOptions, "logger">): Promise<Started> {
  const { logger, lines: logs, line } = captureLog();
  const server = createWebhookServer({ logger, ...options });
  const { port } = await server.listen(0, "127.0.0.1");
  const call = (path: string, body?: string, agent?: Agent) =>
    httpsCall({
      port,
      ca: ca.ca,
      path,
      body,
      agent,
      headers: body === undefined ? {} : { "content-type": "application/json" },
    });
  return {
    server,
    port,
    logs,
    line,
    call,
    async metric(name) {
      const line = (await call("/metrics")).body.split("\n").find((l) => l.startsWith(`${name} `));
      return line === undefined ? undefined : Number(line.split(" ")[1]);
    },
  };
}

const decide = async (s: Started, body: string) => {
  const reply = await s.call("/validate", body);
  assert.equal(reply.status, 200, reply.body);
  return (JSON.parse(reply.body) as { response: { allowed: boolean; warnings?: string[] } }).response;
};

describe("policy hot reload", () => {
  test("a good edit takes effect; a bad one keeps the old policy, is logged with file:line and counted", async () => {
    const ca = createTestCa();
    const cert = ca.issue("webhook");
    const dir = mkdtempSync(join(tmpdir(), "poolkeeper-reload-"));
    const file = join(dir, "policy.yaml");
    writeFileSync(file, policy("deny"));
    const s = await start(ca, {
      tls: { certFile: cert.certFile, keyFile: cert.keyFile },
      policy: { files: [file] },
      watch: fastWatch,
    });
    try {
      assert.equal((await decide(s, review(imdsV1))).allowed, false);

      // An editor's save: write a temporary file, rename it over the policy (a plain fs.watch would miss it).
      writeFileSync(`${file}.tmp`, policy("warn"));
      renameSync(`${file}.tmp`, file);
      await s.line("policy reloaded");
      const warned = await decide(s, review(imdsV1));
      assert.equal(warned.allowed, true, "the warn policy is in force");
      assert.ok(warned.warnings?.some((w) => w.includes("[imds.http-tokens]")));

      // A typo saved in place.
      let from = s.logs.length;
      writeFileSync(file, policy("sometimes"));
      await s.line("policy reload failed; the previous policy stays in force", from);
      assert.equal(await s.metric("poolkeeper_policy_reload_errors_total"), 1, "the reload error is counted");
      assert.equal(await s.metric("poolkeeper_policy_last_reload_successful"), 0);
      const failure = s.logs.find((l) => l.msg === "policy reload failed; the previous policy stays in force");
      assert.equal(failure?.level, "error");
      assert.match(String((failure?.problems as string[])[0]), /policy\.yaml:8:\d+: /);
      assert.equal((await decide(s, review(imdsV1))).allowed, true, "the previous (warn) policy stays in force");
      assert.equal((await s.call("/readyz")).status, 200, "and the webhook stays ready");

      from = s.logs.length;
      writeFileSync(file, policy("deny"));
      await s.line("policy reloaded", from);
      assert.equal((await decide(s, review(imdsV1))).allowed, false, "the fixed policy is in force");
      assert.equal(await s.metric("poolkeeper_policy_last_reload_successful"), 1);
      assert.equal(await s.metric("poolkeeper_policy_reload_errors_total"), 1);
    } finally {
      await s.server.close();
      ca.remove();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** A directory laid out as the kubelet lays out a secret volume: files are symlinks into `..data`, swapped atomically. */
function secretVolume(dir: string) {
  let generation = 0;
  const publish = (files: Record<string, string>) => {
    const target = `..gen_${++generation}`;
    mkdirSync(join(dir, target));
    for (const [name, source] of Object.entries(files)) copyFileSync(source, join(dir, target, name));
    symlinkSync(target, join(dir, "..data_tmp"));
    renameSync(join(dir, "..data_tmp"), join(dir, "..data"));
    if (generation > 1) rmSync(join(dir, `..gen_${generation - 1}`), { recursive: true });
    for (const name of Object.keys(files)) {
      try {
        symlinkSync(join("..data", name), join(dir, name));
      } catch {
        // Already linked through ..data.
      }
    }
  };
  return { publish, cert: join(dir, "tls.crt"), key: join(dir, "tls.key") };
}

describe("serving certificate rotation", () => {
  test("mid-traffic: no request fails, new connections get the new certificate, open ones keep theirs", async () => {
    const ca = createTestCa();
    const a = ca.issue("a");
    const b = ca.issue("b");
    const c = ca.issue("c");
    const dir = mkdtempSync(join(tmpdir(), "poolkeeper-rotate-"));
    const volume = secretVolume(dir);
    volume.publish({ "tls.crt": a.certFile, "tls.key": a.keyFile });
    const s = await start(ca, {
      tls: { certFile: volume.cert, keyFile: volume.key },
      policy: { files: [] },
      watch: fastWatch,
    });
    const pinned = new Agent({ keepAlive: true, maxSockets: 1 });
    const traffic = new Agent({ keepAlive: true, maxSockets: 8 });
    try {
      assert.equal((await s.call("/healthz", undefined, pinned)).peer.fingerprint256, a.fingerprint256);

      let stop = false;
      let answered = 0;
      const failures: string[] = [];
      // Waits for the traffic to have been answered `count` times (in place of letting it run for a while).
      const progress: { count: number; resolve: () => void }[] = [];
      const answeredAtLeast = (count: number) =>
        guardAgainstHang(
          new Promise<void>((resolve) => (answered >= count ? resolve() : progress.push({ count, resolve }))),
          `${count} answers`,
        );
      const loops = Array.from({ length: 8 }, async (_, i) => {
        while (!stop) {
          try {
            const reply = await s.call(
              i % 2 ? "/healthz" : "/validate",
              i % 2 ? undefined : review(nodeClass),
              traffic,
            );
            if (reply.status === 200) {
              answered++;
              for (const waiter of progress.filter((p) => answered >= p.count)) waiter.resolve();
            } else failures.push(`${reply.status} ${reply.body}`);
          } catch (error) {
            failures.push(String(error));
          }
        }
      });
      await answeredAtLeast(10);
      volume.publish({ "tls.crt": b.certFile, "tls.key": b.keyFile });
      await s.line((l) => l.msg === "TLS certificate reloaded" && l.serialNumber === b.serialNumber);
      const fresh = await s.call("/healthz");
      assert.equal(fresh.peer.fingerprint256, b.fingerprint256, "a new connection sees the new certificate");
      await answeredAtLeast(answered + 11);
      stop = true;
      await Promise.all(loops);
      assert.deepEqual(failures, []);
      assert.ok(answered > 20, `${answered} requests answered during the rotation`);
      assert.equal(s.server.certificate.serialNumber, b.serialNumber);

      const kept = await s.call("/healthz", undefined, pinned);
      assert.equal(kept.reusedSocket, true, "the connection opened before the rotation is still open");
      assert.equal(kept.peer.fingerprint256, a.fingerprint256, "and keeps the certificate it was opened with");

      // A bad pair (c's certificate with b's key): refused, logged, counted; b stays.
      volume.publish({ "tls.crt": c.certFile, "tls.key": b.keyFile });
      const refused = await s.line("new TLS certificate refused; still serving the previous one");
      assert.match(String(refused.error), /the private key does not match the certificate/);
      assert.equal(await s.metric("poolkeeper_tls_reload_errors_total"), 1, "the refused pair is counted");
      assert.equal((await s.call("/healthz")).peer.fingerprint256, b.fingerprint256);
      assert.equal((await s.call("/readyz")).status, 200);
    } finally {
      pinned.destroy();
      traffic.destroy();
      await s.server.close();
      ca.remove();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("graceful shutdown", () => {
  test("an in-flight request completes (closing its connection), new connections are refused", async () => {
    const ca = createTestCa();
    const cert = ca.issue("webhook");
    let entered: () => void = () => {};
    const inView = new Promise<void>((resolve) => (entered = resolve));
    let release: () => void = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    const slow: ClusterView = {
      listNodePools: async () => {
        entered();
        await released;
        return [];
      },
      listNodeClasses: async () => [],
    };
    const s = await start(ca, {
      tls: { certFile: cert.certFile, keyFile: cert.keyFile },
      policy: { files: [] },
      cluster: slow,
      timeouts: { clusterViewMs: 10_000 },
      watch: fastWatch,
    });
    const idle = new Agent({ keepAlive: true });
    try {
      assert.equal((await s.call("/healthz", undefined, idle)).status, 200);
      const inFlight = s.call("/validate", review(nodeClass));
      await inView;
      const closed = s.server.close();
      assert.equal(s.server.server.listening, false, "close() stops accepting before it returns");
      await assert.rejects(s.call("/healthz"), /ECONNREFUSED/);
      assert.deepEqual(s.server.readiness().problems, ["shutting down"]);
      release();
      const reply = await inFlight;
      assert.equal(reply.status, 200);
      assert.equal((JSON.parse(reply.body) as { response: { allowed: boolean } }).response.allowed, true);
      assert.equal(reply.headers.connection, "close");
      await closed;
      assert.equal(s.server.server.listening, false);
      assert.ok(s.logs.some((l) => l.msg === "shut down"));
    } finally {
      idle.destroy();
      release();
      await s.server.close();
      ca.remove();
    }
  });

  test("a request that does not finish is cut after the shutdown timeout", async () => {
    const ca = createTestCa();
    const cert = ca.issue("webhook");
    let entered: () => void = () => {};
    const inView = new Promise<void>((resolve) => (entered = resolve));
    const never: ClusterView = {
      listNodePools: () => {
        entered();
        return new Promise(() => {});
      },
      listNodeClasses: async () => [],
    };
    const clock = new FakeClock(new Date());
    const s = await start(ca, {
      tls: { certFile: cert.certFile, keyFile: cert.keyFile },
      policy: { files: [] },
      cluster: never,
      clock,
      timeouts: { clusterViewMs: 60_000, shutdownMs: 300 },
    });
    try {
      const inFlight = s.call("/validate", review(nodeClass)).catch((error: Error) => error);
      await inView;
      assert.deepEqual(clock.pending, [60_000], "the cluster view's timeout");
      const closed = s.server.close();
      assert.deepEqual(clock.pending, [300, 60_000], "and now the shutdown deadline");
      clock.step(299);
      assert.equal(s.logs.filter((l) => l.msg === "shutdown timed out; closing connections").length, 0);
      clock.step(1);
      await closed;
      assert.ok((await inFlight) instanceof Error, "the stuck request's connection was closed");
      assert.ok(s.logs.some((l) => l.msg === "shutdown timed out; closing connections"));
    } finally {
      ca.remove();
    }
  });
});

describe("poolkeeper serve", () => {
  const run = async (...argv: string[]) => {
    const out = capturedOutput();
    return { code: await main(argv, out), err: out.err };
  };

  test("a missing certificate, a bad key, a bad policy or a bad port: exit 2 naming the file", async () => {
    const ca = createTestCa();
    try {
      const a = ca.issue("a");
      const b = ca.issue("b");
      const dir = mkdtempSync(join(tmpdir(), "poolkeeper-serve-"));
      const bad = join(dir, "bad-policy.yaml");
      writeFileSync(bad, policy("sometimes"));
      const missing = await run("serve", "--tls-cert", join(dir, "nope.crt"), "--tls-key", a.keyFile);
      assert.equal(missing.code, 2);
      assert.match(missing.err, /^poolkeeper: .*nope\.crt: the TLS certificate cannot be read \(ENOENT\)/);
      const mismatch = await run("serve", "--tls-cert", a.certFile, "--tls-key", b.keyFile);
      assert.equal(mismatch.code, 2);
      assert.match(mismatch.err, /b\.key: the private key does not match the certificate/);
      const policyError = await run("serve", "--tls-cert", a.certFile, "--tls-key", a.keyFile, "--policy", bad);
      assert.equal(policyError.code, 2);
      assert.match(policyError.err, /bad-policy\.yaml:8:\d+: /);
      const port = await run("serve", "--tls-cert", a.certFile, "--tls-key", a.keyFile, "--port", "http");
      assert.equal(port.code, 2);
      assert.match(port.err, /--port http: not a port number/);
      const required = await run("serve", "--tls-key", a.keyFile);
      assert.equal(required.code, 2);
      assert.match(required.err, /required option '--tls-cert <file>'/);
      rmSync(dir, { recursive: true, force: true });
    } finally {
      ca.remove();
    }
  });

  test("runs until stopped, then returns 0", async () => {
    const ca = createTestCa();
    const cert = ca.issue("webhook");
    const stop = new AbortController();
    const lines: Json[] = [];
    let listening: (port: number) => void = () => {};
    const port = new Promise<number>((resolve) => (listening = resolve));
    try {
      const exit = runServe(
        { port: "0", host: "127.0.0.1", tlsCert: cert.certFile, tlsKey: cert.keyFile, policy: [], preset: "baseline" },
        capturedOutput(),
        {
          signal: stop.signal,
          log: { write: (line: string) => lines.push(JSON.parse(line)) },
          onListening: (address) => listening(address.port),
        },
      );
      const reply = await httpsCall({ port: await port, ca: ca.ca, path: "/readyz" });
      assert.equal(reply.status, 200);
      stop.abort();
      assert.equal(await exit, 0);
      assert.ok(lines.some((l) => l.msg === "shut down"));
    } finally {
      ca.remove();
    }
  });

  test("the real command: SIGTERM shuts it down gracefully and the process exits 0", async () => {
    const ca = createTestCa();
    const cert = ca.issue("webhook");
    try {
      const child = spawn(
        process.execPath,
        [
          join(projectRoot, "bin", "poolkeeper.js"),
          "serve",
          "--port",
          "0",
          "--host",
          "127.0.0.1",
          "--tls-cert",
          cert.certFile,
          "--tls-key",
          cert.keyFile,
        ],
        { stdio: ["ignore", "pipe", "pipe"] },
      );
      const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
      let stdout = "";
      const listening = new Promise<number>((resolve, reject) => {
        child.stdout.on("data", (chunk: Buffer) => {
          stdout += chunk.toString("utf8");
          const line = stdout
            .split("\n")
            .filter((l) => l.startsWith("{") && l.endsWith("}"))
            .map((l) => JSON.parse(l) as Json)
            .find((l) => l.msg === "admission webhook listening");
          if (line) resolve(line.port as number);
        });
        child.on("exit", (code) => reject(new Error(`poolkeeper serve exited (${code}) before listening`)));
      });
      const port = await guardAgainstHang(listening, "the server to log its port");
      assert.equal((await httpsCall({ port, ca: ca.ca, path: "/healthz" })).status, 200);
      child.kill("SIGTERM");
      assert.equal(await exited, 0);
      assert.match(stdout, /"msg":"shut down"/);
    } finally {
      ca.remove();
    }
  });
});
