// With --client-ca, only a caller holding a certificate from that CA (the API server, configured to present one)
// gets past the TLS handshake: anyone else who can reach the port — no certificate, or one from another CA — is
// refused before a byte of HTTP is read, so no review of theirs is ever judged. Real HTTPS with certificates
// issued by openssl.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { once } from "node:events";
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../../cli/main.ts";
import { capturedOutput } from "../../cli/output.ts";
import { createLogger, TlsFileError } from "../../runtime/index.ts";
import { createWebhookServer, type WebhookServer } from "../../webhook/index.ts";
import { createReview, requestOf, upstream } from "../support/admission-fixtures.ts";
import { createTestCa, httpsCall, type IssuedCertificate, type TestCa } from "../support/tls.ts";

type Json = Record<string, unknown>;

const nodeClass = upstream("general-purpose.yaml", "EC2NodeClass");

describe("webhook server with a client CA", () => {
  let serving: TestCa;
  let apiServers: TestCa;
  let others: TestCa;
  let webhook: IssuedCertificate;
  let apiServer: IssuedCertificate;
  let intruder: IssuedCertificate;
  let dir: string;
  let clientCaFile: string;
  let server: WebhookServer;
  let port: number;
  const logs: Json[] = [];

  before(async () => {
    serving = createTestCa();
    apiServers = createTestCa();
    others = createTestCa();
    webhook = serving.issue("webhook");
    apiServer = apiServers.issue("kube-apiserver", { client: true });
    intruder = others.issue("intruder", { client: true });
    dir = mkdtempSync(join(tmpdir(), "poolkeeper-client-ca-"));
    clientCaFile = join(dir, "client-ca.crt");
    copyFileSync(apiServers.caFile, clientCaFile);
    server = createWebhookServer({
      tls: { certFile: webhook.certFile, keyFile: webhook.keyFile, clientCaFile },
      policy: { files: [] },
      logger: createLogger({ level: "debug", destination: { write: (line: string) => logs.push(JSON.parse(line)) } }),
      watch: false,
    });
    ({ port } = await server.listen(0, "127.0.0.1"));
  });

  after(async () => {
    await server.close();
    for (const ca of [serving, apiServers, others]) ca.remove();
    rmSync(dir, { recursive: true, force: true });
  });

  /** POSTs a new review as `client`; the uid tells whether the server judged it (one log line per decision). */
  const post = (client?: IssuedCertificate) => {
    const review = createReview(nodeClass);
    const reply = httpsCall({
      port,
      ca: serving.ca,
      path: "/validate",
      body: JSON.stringify(review),
      headers: { "content-type": "application/json" },
      ...(client ? { clientCertificate: { cert: client.cert, key: client.key } } : {}),
    });
    return { uid: requestOf(review).uid, reply };
  };
  const judged = (uid: string) => logs.some((line) => line.uid === uid);

  /** Posts as `client`, expecting the server to fail the handshake; resolves with the server's TLS error. */
  async function refused(client: IssuedCertificate | undefined): Promise<Error> {
    const failed = once(server.server, "tlsClientError") as Promise<[Error]>;
    const { uid, reply } = post(client);
    // No HTTP answer at all: the connection ends in a TLS alert or a reset.
    await assert.rejects(reply, (error: NodeJS.ErrnoException) => typeof error.code === "string");
    const [error] = await failed;
    assert.equal(judged(uid), false, "a refused caller's review must not be judged");
    return error;
  }

  test("no client certificate: the handshake is refused", async () => {
    const error = await refused(undefined);
    // OpenSSL's own words for a server that requires a certificate the client did not send.
    assert.match(error.message, /peer did not return a certificate/);
  });

  test("a client certificate from another CA: the handshake is refused", async () => {
    await refused(intruder);
  });

  test("the API server's client certificate: the review is answered", async () => {
    const { uid, reply } = post(apiServer);
    const answer = await reply;
    assert.equal(answer.status, 200);
    const response = (JSON.parse(answer.body) as { response: Json }).response;
    assert.equal(response.uid, uid);
    assert.equal(response.allowed, true);
    assert.ok(judged(uid));
  });

  test("a new client CA file takes effect on reload: the old CA's certificates are refused from then on", async () => {
    copyFileSync(others.caFile, clientCaFile);
    assert.equal(server.reloadCertificate(), true);
    await refused(apiServer);
    const { uid, reply } = post(intruder);
    assert.equal((await reply).status, 200);
    assert.ok(judged(uid));
  });
});

test("a client CA file that cannot verify clients stops the start, naming the file", async () => {
  const ca = createTestCa();
  try {
    const cert = ca.issue("webhook");
    const start = (clientCaFile: string) =>
      createWebhookServer({
        tls: { certFile: cert.certFile, keyFile: cert.keyFile, clientCaFile },
        policy: { files: [] },
        watch: false,
      });
    const rejects = (file: string, message: RegExp) =>
      assert.throws(
        () => start(file),
        (error: unknown) => error instanceof TlsFileError && message.test(error.message),
      );
    rejects(join(ca.dir, "none.crt"), /none\.crt: the client CA cannot be read \(ENOENT\)/);
    rejects(cert.keyFile, /webhook\.key: the client CA holds no PEM certificate/);
    // A leaf certificate signs nothing: trusting it as a CA would refuse every client.
    rejects(cert.certFile, /webhook\.crt: certificate 1 of the client CA \(CN=webhook\) is not a CA certificate/);
    // `poolkeeper serve --client-ca`: the same, as a usage error (exit 2).
    const out = capturedOutput();
    const argv = ["serve", "--tls-cert", cert.certFile, "--tls-key", cert.keyFile, "--client-ca", cert.keyFile];
    assert.equal(await main(argv, out), 2);
    assert.match(out.err, /^poolkeeper: .*webhook\.key: the client CA holds no PEM certificate/);
  } finally {
    ca.remove();
  }
});
