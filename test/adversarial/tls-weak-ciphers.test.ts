// A client that offers only TLS 1.2 CBC suites with SHA-1 MACs (ECDHE-RSA-AES128-SHA and its ECDSA twin) used to get
// them: Node's default list ends in "HIGH", which has them. The listener every server shares (runtime/serving.ts)
// now offers Mozilla's "intermediate" set, so such a handshake fails, while TLS 1.3 and the TLS 1.2 AEAD suites
// still connect — also after the certificate is reloaded, which installs a new secure context.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync } from "node:fs";
import { connect } from "node:tls";
import { systemClock } from "../../api/ports.ts";
import { createRegistry, tlsMetrics } from "../../runtime/metrics.ts";
import { createServing } from "../../runtime/serving.ts";
import { CertificateStore } from "../../runtime/tls.ts";
import { captureLog } from "../support/log-capture.ts";
import { createTestCa, type IssuedCertificate } from "../support/tls.ts";

const TIMEOUTS = {
  headersMs: 10_000,
  requestMs: 10_000,
  keepAliveMs: 5_000,
  handshakeMs: 10_000,
  shutdownMs: 10_000,
  checkIntervalMs: 1_000,
};

interface Handshake {
  protocol: string | null;
  cipher: string;
}

/** A handshake with the client's choice of versions and suites; rejects when the server accepts none of them. */
function handshake(
  port: number,
  ca: string,
  options: { ciphers?: string; maxVersion?: "TLSv1.2" },
): Promise<Handshake> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port, ca, ...options }, () => {
      resolve({ protocol: socket.getProtocol(), cipher: socket.getCipher().name });
      socket.destroy();
    });
    socket.on("error", reject);
  });
}

async function withServer(issued: IssuedCertificate, run: (port: number, store: CertificateStore) => Promise<void>) {
  const log = captureLog();
  const store = new CertificateStore({
    certFile: issued.certFile,
    keyFile: issued.keyFile,
    clock: systemClock,
    logger: log.logger,
    metrics: tlsMetrics(createRegistry({ processMetrics: false })),
  });
  const serving = createServing({
    handler: (_req, res) => res.end("ok\n"),
    timeouts: TIMEOUTS,
    logger: log.logger,
    certificates: store,
    watch: false,
  });
  const { port } = await serving.listen(0, "127.0.0.1");
  try {
    await run(port, store);
  } finally {
    await serving.close();
  }
}

describe("TLS 1.2 CBC-SHA1 suites", () => {
  test("an RSA certificate: ECDHE-RSA-AES128-SHA is refused, the AEAD suites and TLS 1.3 are served", async () => {
    const ca = createTestCa();
    try {
      await withServer(ca.issue("rsa", { rsa: true }), async (port) => {
        const tls12 = { maxVersion: "TLSv1.2" } as const;
        await assert.rejects(
          handshake(port, ca.ca, { ...tls12, ciphers: "ECDHE-RSA-AES128-SHA" }),
          /handshake failure/,
        );
        await assert.rejects(
          handshake(port, ca.ca, { ...tls12, ciphers: "ECDHE-RSA-AES256-SHA" }),
          /handshake failure/,
        );
        await assert.rejects(handshake(port, ca.ca, { ...tls12, ciphers: "AES128-GCM-SHA256" }), /handshake failure/);
        assert.deepEqual(await handshake(port, ca.ca, { ...tls12, ciphers: "ECDHE-RSA-AES128-GCM-SHA256" }), {
          protocol: "TLSv1.2",
          cipher: "ECDHE-RSA-AES128-GCM-SHA256",
        });
        assert.deepEqual(await handshake(port, ca.ca, { ...tls12, ciphers: "ECDHE-RSA-CHACHA20-POLY1305" }), {
          protocol: "TLSv1.2",
          cipher: "ECDHE-RSA-CHACHA20-POLY1305",
        });
        assert.equal((await handshake(port, ca.ca, {})).protocol, "TLSv1.3");
      });
    } finally {
      ca.remove();
    }
  });

  test("a P-256 certificate: ECDHE-ECDSA-AES128-SHA is refused, before and after a reload", async () => {
    const ca = createTestCa();
    try {
      const first = ca.issue("ec");
      await withServer(first, async (port, store) => {
        const weak = { maxVersion: "TLSv1.2", ciphers: "ECDHE-ECDSA-AES128-SHA" } as const;
        const strong = { maxVersion: "TLSv1.2", ciphers: "ECDHE-ECDSA-AES256-GCM-SHA384" } as const;
        await assert.rejects(handshake(port, ca.ca, weak), /handshake failure/);
        assert.equal((await handshake(port, ca.ca, strong)).cipher, "ECDHE-ECDSA-AES256-GCM-SHA384");

        const next = ca.issue("ec-next");
        copyFileSync(next.keyFile, first.keyFile);
        copyFileSync(next.certFile, first.certFile);
        assert.equal(store.reload(), true);
        await assert.rejects(
          handshake(port, ca.ca, weak),
          /handshake failure/,
          "the reloaded context keeps the suites",
        );
        assert.equal((await handshake(port, ca.ca, strong)).cipher, "ECDHE-ECDSA-AES256-GCM-SHA384");
        assert.equal((await handshake(port, ca.ca, {})).protocol, "TLSv1.3");
      });
    } finally {
      ca.remove();
    }
  });
});
