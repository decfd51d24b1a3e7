// A certificate authority and a serving certificate made when the server starts, with the openssl command line
// (node:crypto verifies X.509 but cannot issue it; the project's tests make theirs the same way). The CA goes into
// the kubeconfig the server emits, so kubectl verifies the server as it would a cluster's. Given a CA
// (`createCertificateAuthority`), the certificate is issued by it instead, so that the simulated Kubernetes and AWS
// endpoints are trusted through one CA bundle.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A CA that can issue serving certificates: its certificate and private key (PEM). */
export interface CertificateAuthority {
  cert: string;
  key: string;
}

export interface ServingCertificate {
  /** The CA certificate (PEM) clients trust. */
  ca: string;
  cert: string;
  key: string;
}

/** Makes a CA for `createServingCertificate` to issue from, valid `days` days. */
export function createCertificateAuthority(days = 365): CertificateAuthority {
  const issued = createServingCertificate(["DNS:localhost"], days);
  return { cert: issued.ca, key: issued.caKey };
}

/**
 * Issues a certificate for `altNames` (IP:127.0.0.1, DNS:localhost by default), valid `days` days, from
 * `authority` or from a CA made for it.
 */
export function createServingCertificate(
  altNames = ["IP:127.0.0.1", "DNS:localhost"],
  days = 365,
  authority?: CertificateAuthority,
): ServingCertificate & { caKey: string } {
  const dir = mkdtempSync(join(tmpdir(), "poolkeeper-sim-ca-"));
  const openssl = (args: string[]): void => {
    try {
      execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
    } catch (error) {
      const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
      throw new Error(
        `sim: making the serving certificate with openssl failed: ${stderr || (error as Error).message}`,
        {
          cause: error,
        },
      );
    }
  };
  try {
    writeFileSync(
      join(dir, "ca.cnf"),
      "[req]\ndistinguished_name = dn\nprompt = no\n[dn]\nCN = poolkeeper-sim-ca\n[ext]\nbasicConstraints = critical, CA:TRUE\nkeyUsage = critical, keyCertSign, cRLSign\nsubjectKeyIdentifier = hash\n",
    );
    writeFileSync(
      join(dir, "leaf.cnf"),
      `[req]\ndistinguished_name = dn\nprompt = no\n[dn]\nCN = kube-apiserver\n[ext]\nbasicConstraints = critical, CA:FALSE\nkeyUsage = critical, digitalSignature, keyEncipherment\nextendedKeyUsage = serverAuth\nsubjectAltName = ${altNames.join(", ")}\nauthorityKeyIdentifier = keyid\n`,
    );
    const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-noenc"];
    if (authority) {
      writeFileSync(join(dir, "ca.crt"), authority.cert);
      writeFileSync(join(dir, "ca.key"), authority.key, { mode: 0o600 });
    } else {
      openssl([
        "req",
        "-x509",
        "-config",
        "ca.cnf",
        "-extensions",
        "ext",
        ...ec,
        "-keyout",
        "ca.key",
        "-out",
        "ca.crt",
        "-days",
        String(days),
      ]);
    }
    openssl(["req", "-new", "-config", "leaf.cnf", ...ec, "-keyout", "leaf.key", "-out", "leaf.csr"]);
    openssl([
      "x509",
      "-req",
      "-in",
      "leaf.csr",
      "-CA",
      "ca.crt",
      "-CAkey",
      "ca.key",
      "-set_serial",
      `0x01${randomBytes(8).toString("hex")}`,
      "-days",
      String(days),
      "-extfile",
      "leaf.cnf",
      "-extensions",
      "ext",
      "-out",
      "leaf.crt",
    ]);
    return {
      ca: readFileSync(join(dir, "ca.crt"), "utf8"),
      caKey: readFileSync(join(dir, "ca.key"), "utf8"),
      cert: readFileSync(join(dir, "leaf.crt"), "utf8"),
      key: readFileSync(join(dir, "leaf.key"), "utf8"),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
