// A certificate authority and a serving certificate made when the server starts, with the openssl command line
// (node:crypto verifies X.509 but cannot issue it; the project's tests make theirs the same way). The CA goes into
// the kubeconfig the server emits, so kubectl verifies the server as it would a cluster's.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface ServingCertificate {
  /** The CA certificate (PEM) clients trust. */
  ca: string;
  cert: string;
  key: string;
}

/** Issues a CA and a certificate for `altNames` (IP:127.0.0.1, DNS:localhost by default), valid `days` days. */
export function createServingCertificate(altNames = ["IP:127.0.0.1", "DNS:localhost"], days = 365): ServingCertificate {
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
      `0x${Date.now().toString(16)}`,
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
      cert: readFileSync(join(dir, "leaf.crt"), "utf8"),
      key: readFileSync(join(dir, "leaf.key"), "utf8"),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
