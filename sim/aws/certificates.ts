// The simulated AWS's serving certificate as runtime/'s CertificateStore wants it: the store reads files, so the
// PEM pair the caller issued (sim's createServingCertificate, from the CA shared with the Kubernetes API) is written
// to a private temporary folder, loaded once, and the folder removed. The store is never reloaded: the world's
// certificate lives as long as the world. Validity is judged on the wall clock, whatever the world's clock says.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { systemClock } from "../../api/index.ts";
import { CertificateStore, createRegistry, type Logger, tlsMetrics } from "../../runtime/index.ts";

export interface ServingPem {
  cert: string;
  key: string;
}

export function certificateStoreOf(pem: ServingPem, logger: Logger): CertificateStore {
  const dir = mkdtempSync(join(tmpdir(), "poolkeeper-sim-aws-"));
  try {
    const certFile = join(dir, "tls.crt");
    const keyFile = join(dir, "tls.key");
    writeFileSync(certFile, pem.cert);
    writeFileSync(keyFile, pem.key, { mode: 0o600 });
    return new CertificateStore({
      certFile,
      keyFile,
      clock: systemClock,
      logger,
      metrics: tlsMetrics(createRegistry({ processMetrics: false })),
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
