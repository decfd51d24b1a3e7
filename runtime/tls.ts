// The serving certificate: loaded from PEM files, checked (parses, the key matches, not expired), and reloaded
// when cert-manager (or anyone) replaces the files, through server.setSecureContext: new connections get the new
// certificate, open ones keep theirs, nothing is dropped. A bad new pair (half-written, mismatched, expired) is
// refused and the old one kept, so a rotation mishap never takes a server down. Optionally a client CA: then
// every client must present a certificate it signed (the API server does, when configured to authenticate to
// webhooks); it is part of the material, checked and reloaded with the pair.
import { createHash, createPrivateKey, X509Certificate, type KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import { createSecureContext, type SecureContextOptions } from "node:tls";
import type { Clock } from "../api/index.ts";
import { watchFiles, type FileWatch, type FileWatchOptions } from "./file-watch.ts";
import type { Logger } from "./log.ts";
import type { TlsMetrics } from "./metrics.ts";

/** A certificate or key file that cannot serve: missing, unreadable, not PEM, mismatched or expired. */
export class TlsFileError extends Error {
  override readonly name = "TlsFileError";
}

export interface CertificateInfo {
  subject: string;
  issuer: string;
  /** Upper-case hex, as node:tls reports a peer's serialNumber. */
  serialNumber: string;
  /** SHA-256 fingerprint, colon-separated upper-case hex (as getPeerCertificate().fingerprint256). */
  fingerprint256: string;
  subjectAltName?: string;
  notBefore: Date;
  notAfter: Date;
}

export interface TlsMaterial {
  cert: Buffer;
  key: Buffer;
  info: CertificateInfo;
  /** The CA certificates (PEM) that must have signed a client's certificate, when clients must present one. */
  clientCa?: Buffer;
  /** Digest of the files, to tell a real change from a touch. */
  digest: string;
}

/**
 * Mozilla's "intermediate" configuration (ssl-config.mozilla.org, guidelines 5.7): TLS 1.3 with its three suites,
 * and TLS 1.2 only with forward-secret AEAD suites (ECDHE with AES-GCM or ChaCha20-Poly1305) — no CBC, no SHA-1
 * MACs, no static RSA key exchange. Its DHE suites are left out: Node sets no DH parameters, so they could not be
 * chosen anyway. The TLS 1.3 names must be listed too: Node turns TLS 1.3 off for a cipher string without them.
 * The client picks among these (Mozilla: no server preference).
 */
export const INTERMEDIATE_CIPHERS = [
  "TLS_AES_128_GCM_SHA256",
  "TLS_AES_256_GCM_SHA384",
  "TLS_CHACHA20_POLY1305_SHA256",
  "ECDHE-ECDSA-AES128-GCM-SHA256",
  "ECDHE-RSA-AES128-GCM-SHA256",
  "ECDHE-ECDSA-AES256-GCM-SHA384",
  "ECDHE-RSA-AES256-GCM-SHA384",
  "ECDHE-ECDSA-CHACHA20-POLY1305",
  "ECDHE-RSA-CHACHA20-POLY1305",
].join(":");

/** Options every secure context of the server gets. TLS 1.2 is the API server's floor too. */
export const TLS_CONTEXT_DEFAULTS: SecureContextOptions = { minVersion: "TLSv1.2", ciphers: INTERMEDIATE_CIPHERS };

/** The secure context that serves `material`, at start and at every reload. */
export function secureContextOf(material: Pick<TlsMaterial, "cert" | "key" | "clientCa">): SecureContextOptions {
  const { cert, key, clientCa } = material;
  return { ...TLS_CONTEXT_DEFAULTS, cert, key, ...(clientCa ? { ca: clientCa } : {}) };
}

function read(file: string, what: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new TlsFileError(`${file}: ${what} cannot be read (${(error as NodeJS.ErrnoException).code ?? error})`);
  }
}

/**
 * Reads and checks a certificate (chain) and its key, and the client CA when given; throws TlsFileError naming the
 * file at fault.
 */
export function loadTlsMaterial(certFile: string, keyFile: string, now: Date, clientCaFile?: string): TlsMaterial {
  const cert = read(certFile, "the TLS certificate");
  const key = read(keyFile, "the TLS key");
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch (error) {
    throw new TlsFileError(`${certFile}: not a PEM certificate (${firstLine(error)})`);
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(key);
  } catch (error) {
    throw new TlsFileError(`${keyFile}: not an unencrypted PEM private key (${firstLine(error)})`);
  }
  if (!x509.checkPrivateKey(privateKey)) {
    throw new TlsFileError(`${keyFile}: the private key does not match the certificate in ${certFile}`);
  }
  const info: CertificateInfo = {
    subject: x509.subject,
    issuer: x509.issuer,
    serialNumber: x509.serialNumber.toUpperCase(),
    fingerprint256: x509.fingerprint256,
    subjectAltName: x509.subjectAltName,
    notBefore: x509.validFromDate,
    notAfter: x509.validToDate,
  };
  if (info.notAfter.getTime() <= now.getTime()) {
    throw new TlsFileError(`${certFile}: the certificate expired at ${info.notAfter.toISOString()}`);
  }
  const clientCa = clientCaFile === undefined ? undefined : loadClientCa(clientCaFile);
  try {
    // What the server will do with them; catches what the checks above do not (a malformed chain).
    createSecureContext(secureContextOf({ cert, key, clientCa }));
  } catch (error) {
    const files = clientCaFile === undefined ? certFile : `${certFile} with ${clientCaFile}`;
    throw new TlsFileError(`${files}: cannot be used for TLS (${firstLine(error)})`);
  }
  const digest = createHash("sha256")
    .update(cert)
    .update("\0")
    .update(key)
    .update("\0")
    .update(clientCa ?? "")
    .digest("hex");
  return { cert, key, info, ...(clientCa ? { clientCa } : {}), digest };
}

/** The client CA file: one or more PEM certificates, each a CA (a leaf there would sign nothing). */
function loadClientCa(file: string): Buffer {
  const pem = read(file, "the client CA");
  const blocks = pem.toString("utf8").match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw new TlsFileError(`${file}: the client CA holds no PEM certificate`);
  blocks.forEach((block, index) => {
    let x509: X509Certificate;
    try {
      x509 = new X509Certificate(block);
    } catch (error) {
      throw new TlsFileError(`${file}: certificate ${index + 1} of the client CA does not parse (${firstLine(error)})`);
    }
    if (!x509.ca) {
      const subject = x509.subject.replaceAll("\n", ", ");
      throw new TlsFileError(
        `${file}: certificate ${index + 1} of the client CA (${subject}) is not a CA certificate (basicConstraints CA:TRUE), so it signs no client certificate`,
      );
    }
  });
  return pem;
}

/** Why the certificate cannot serve at `now` (expired, not yet valid), or undefined when it can. */
export function certificateProblem(info: CertificateInfo, now: Date): string | undefined {
  if (now.getTime() >= info.notAfter.getTime()) return `certificate expired at ${info.notAfter.toISOString()}`;
  if (now.getTime() < info.notBefore.getTime()) return `certificate not valid before ${info.notBefore.toISOString()}`;
  return undefined;
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split("\n")[0] ?? message;
}

export interface CertificateStoreOptions {
  certFile: string;
  keyFile: string;
  /** When set, clients must present a certificate signed by a CA in this PEM file. */
  clientCaFile?: string;
  clock: Clock;
  logger: Logger;
  metrics: TlsMetrics;
}

/** The certificate in use, reloaded from its files on change. */
export class CertificateStore {
  readonly #options: CertificateStoreOptions;
  #current: TlsMaterial;
  #watch: FileWatch | undefined;
  #install: (material: TlsMaterial) => void = () => {};

  /** Loads the pair; throws TlsFileError when it cannot serve (the server does not start). */
  constructor(options: CertificateStoreOptions) {
    this.#options = options;
    this.#current = loadTlsMaterial(options.certFile, options.keyFile, options.clock.now(), options.clientCaFile);
    options.metrics.certificateExpiry.set(this.#current.info.notAfter.getTime() / 1000);
  }

  get current(): TlsMaterial {
    return this.#current;
  }

  /** How a reloaded pair is put to use (the server's setSecureContext); a throw counts as a failed reload. */
  onReload(install: (material: TlsMaterial) => void): void {
    this.#install = install;
  }

  /** Re-reads the files; installs a good new pair, keeps the old one otherwise. Returns whether it installed. */
  reload(): boolean {
    const { certFile, keyFile, clientCaFile, clock, logger, metrics } = this.#options;
    let next: TlsMaterial;
    try {
      next = loadTlsMaterial(certFile, keyFile, clock.now(), clientCaFile);
    } catch (error) {
      metrics.tlsReloadErrors.inc();
      logger.error(
        { certFile, keyFile, clientCaFile, error: (error as Error).message, serving: this.#current.info.serialNumber },
        "new TLS certificate refused; still serving the previous one",
      );
      return false;
    }
    if (next.digest === this.#current.digest) return false;
    try {
      this.#install(next);
    } catch (error) {
      metrics.tlsReloadErrors.inc();
      logger.error(
        { certFile, keyFile, error: (error as Error).message },
        "new TLS certificate could not be installed",
      );
      return false;
    }
    const previous = this.#current.info;
    this.#current = next;
    metrics.certificateExpiry.set(next.info.notAfter.getTime() / 1000);
    logger.info(
      {
        certFile,
        serialNumber: next.info.serialNumber,
        previousSerialNumber: previous.serialNumber,
        notAfter: next.info.notAfter.toISOString(),
      },
      "TLS certificate reloaded",
    );
    return true;
  }

  watch(options: FileWatchOptions): void {
    const { certFile, keyFile, clientCaFile } = this.#options;
    const files = clientCaFile === undefined ? [certFile, keyFile] : [certFile, keyFile, clientCaFile];
    this.#watch ??= watchFiles(files, () => this.reload(), options);
  }

  close(): void {
    this.#watch?.close();
    this.#watch = undefined;
  }
}
