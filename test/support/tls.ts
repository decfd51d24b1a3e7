// A throwaway certificate authority for tests that talk real HTTPS: a CA and serving certificates it signs (for
// 127.0.0.1 and localhost), made with the openssl command line, because node:crypto can verify X.509 but not
// issue it. P-256 keys, so generating one takes milliseconds. CI installs openssl (.ci/run). And a client that
// trusts only that CA, so every test checks the certificate the way the API server does; it can present a client
// certificate (`issue(name, { client: true })`) as the API server does when told to authenticate to webhooks.
import { execFileSync } from "node:child_process";
import { randomBytes, X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import type { IncomingHttpHeaders } from "node:http";
import { request, type Agent } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TLSSocket } from "node:tls";

export interface IssuedCertificate {
  certFile: string;
  keyFile: string;
  cert: string;
  key: string;
  /** Upper-case hex, as node:tls reports a peer's serialNumber. */
  serialNumber: string;
  /** As getPeerCertificate().fingerprint256. */
  fingerprint256: string;
}

export interface TestCa {
  dir: string;
  /** The CA certificate (PEM), for a client's `ca` option. */
  ca: string;
  caFile: string;
  /**
   * Issues a serving certificate for 127.0.0.1 and localhost (or `altNames`), valid for a day; with `client`, a
   * client certificate (extended key usage clientAuth, no alternative names) instead. A P-256 key, or with `rsa` a
   * 2048-bit RSA one (for the TLS 1.2 suites that only an RSA certificate can serve).
   */
  issue(
    name: string,
    options?: { altNames?: string[]; days?: number; client?: boolean; rsa?: boolean },
  ): IssuedCertificate;
  /** Removes the directory. */
  remove(): void;
}

function openssl(args: string[], cwd: string): void {
  execFileSync("openssl", args, { cwd, stdio: ["ignore", "ignore", "pipe"] });
}

/** Creates a CA in a new temporary directory (or `dir`). */
export function createTestCa(dir = mkdtempSync(join(tmpdir(), "poolkeeper-ca-"))): TestCa {
  // A config of our own, so the result does not depend on the machine's openssl.cnf.
  writeFileSync(
    join(dir, "ca.cnf"),
    [
      "[req]",
      "distinguished_name = dn",
      "prompt = no",
      "[dn]",
      "CN = poolkeeper test CA",
      "[ca_ext]",
      "basicConstraints = critical, CA:TRUE",
      "keyUsage = critical, keyCertSign, cRLSign",
      "subjectKeyIdentifier = hash",
      "",
    ].join("\n"),
  );
  openssl(
    [
      "req",
      "-x509",
      "-config",
      "ca.cnf",
      "-extensions",
      "ca_ext",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:P-256",
      "-noenc",
      "-keyout",
      "ca.key",
      "-out",
      "ca.crt",
      "-days",
      "2",
    ],
    dir,
  );
  const caFile = join(dir, "ca.crt");
  return {
    dir,
    ca: readFileSync(caFile, "utf8"),
    caFile,
    issue(name, options = {}) {
      const altNames = options.altNames ?? ["IP:127.0.0.1", "DNS:localhost"];
      const config = `${name}.cnf`;
      writeFileSync(
        join(dir, config),
        [
          "[req]",
          "distinguished_name = dn",
          "prompt = no",
          "[dn]",
          `CN = ${name}`,
          "[leaf_ext]",
          "basicConstraints = critical, CA:FALSE",
          "keyUsage = critical, digitalSignature",
          ...(options.client
            ? ["extendedKeyUsage = clientAuth"]
            : ["extendedKeyUsage = serverAuth", `subjectAltName = ${altNames.join(", ")}`]),
          "authorityKeyIdentifier = keyid",
          "",
        ].join("\n"),
      );
      const keyFile = join(dir, `${name}.key`);
      const certFile = join(dir, `${name}.crt`);
      openssl(
        [
          "req",
          "-new",
          "-config",
          config,
          "-newkey",
          ...(options.rsa ? ["rsa:2048"] : ["ec", "-pkeyopt", "ec_paramgen_curve:P-256"]),
          "-noenc",
          "-keyout",
          keyFile,
          "-out",
          `${name}.csr`,
        ],
        dir,
      );
      // A random positive serial, so every issued certificate is told apart by serial as well as fingerprint.
      const serial = randomBytes(8);
      serial[0] = (serial[0] ?? 0) & 0x7f;
      openssl(
        [
          "x509",
          "-req",
          "-in",
          `${name}.csr`,
          "-CA",
          "ca.crt",
          "-CAkey",
          "ca.key",
          "-set_serial",
          `0x${serial.toString("hex")}`,
          "-days",
          String(options.days ?? 1),
          "-extfile",
          config,
          "-extensions",
          "leaf_ext",
          "-out",
          certFile,
        ],
        dir,
      );
      const cert = readFileSync(certFile, "utf8");
      const x509 = new X509Certificate(cert);
      return {
        certFile,
        keyFile,
        cert,
        key: readFileSync(keyFile, "utf8"),
        serialNumber: x509.serialNumber.toUpperCase(),
        fingerprint256: x509.fingerprint256,
      };
    },
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface HttpsReply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  /** The certificate the server presented on this connection. */
  peer: { serialNumber: string; fingerprint256: string };
  /** Whether the request went over a kept-alive connection opened earlier. */
  reusedSocket: boolean;
}

export interface HttpsCall {
  port: number;
  /** The CA the client trusts: the server's certificate is verified against it (and its SAN against the host). */
  ca: string;
  host?: string;
  method?: string;
  path: string;
  body?: string | Buffer;
  headers?: Record<string, string | number>;
  /** A keep-alive agent to reuse connections; by default a new connection per call. */
  agent?: Agent;
  /** A client certificate (PEM) and its key, presented when the server asks for one. */
  clientCertificate?: { cert: string; key: string };
}

/** One HTTPS request that verifies the server's certificate against `ca`; resolves with the whole reply. */
export function httpsCall(call: HttpsCall): Promise<HttpsReply> {
  return new Promise((resolve, reject) => {
    const body = call.body ?? "";
    const req = request(
      {
        host: call.host ?? "127.0.0.1",
        port: call.port,
        method: call.method ?? (call.body === undefined ? "GET" : "POST"),
        path: call.path,
        ca: call.ca,
        agent: call.agent ?? false,
        ...(call.clientCertificate ?? {}),
        headers: { "content-length": Buffer.byteLength(body), ...call.headers },
      },
      (res) => {
        const socket = res.socket as TLSSocket;
        const peer = socket.getPeerCertificate();
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("error", reject);
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString("utf8"),
            peer: { serialNumber: peer.serialNumber, fingerprint256: peer.fingerprint256 },
            reusedSocket: req.reusedSocket,
          }),
        );
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}
