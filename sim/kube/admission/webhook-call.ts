// One HTTPS POST of an AdmissionReview to a webhook, as the API server's webhook client makes it: the server's
// certificate verified against the configuration's caBundle (the system roots when there is none) for the
// endpoint's server name, the webhook's timeout over the whole exchange, and a bounded response.
import { request } from "node:https";
import { isIP } from "node:net";
import type { WebhookEndpoint } from "./webhook-endpoint.ts";

/** The largest response read from a webhook (the API server's limit on a response body is of this order). */
export const MAX_WEBHOOK_RESPONSE_BYTES = 3 * 1024 * 1024;

/** The decoded JSON a webhook answered, or the reason the call failed (Go's error text where it has one). */
export function postToWebhook(
  endpoint: WebhookEndpoint,
  body: string,
  options: { caBundle?: string; timeoutSeconds: number },
): Promise<{ response: unknown } | { error: string }> {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (result: { response: unknown } | { error: string }): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const req = request(
      {
        host: endpoint.host,
        port: endpoint.port,
        path: endpoint.path,
        method: "POST",
        ...(isIP(endpoint.serverName) ? {} : { servername: endpoint.serverName }),
        ...(options.caBundle !== undefined ? { ca: options.caBundle } : {}),
        headers: {
          "content-type": "application/json",
          accept: "application/json, */*",
          "content-length": Buffer.byteLength(body),
        },
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_WEBHOOK_RESPONSE_BYTES) {
            req.destroy();
            finish({ error: `the response is larger than ${MAX_WEBHOOK_RESPONSE_BYTES} bytes` });
            return;
          }
          chunks.push(chunk);
        });
        res.on("error", (error) => finish({ error: error.message }));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          if (res.statusCode !== 200) {
            finish({
              error: `the server responded with the status code ${res.statusCode ?? 0} but did not return more information`,
            });
            return;
          }
          try {
            finish({ response: JSON.parse(text) as unknown });
          } catch (error) {
            finish({ error: `the response is not JSON: ${(error as Error).message}` });
          }
        });
      },
    );
    const timer = setTimeout(() => {
      req.destroy();
      finish({ error: "context deadline exceeded" });
    }, options.timeoutSeconds * 1000);
    req.on("error", (error) => finish({ error: describeNetworkError(error, endpoint) }));
    req.end(body);
  });
}

// Go's wording for the failures a client sees most (dial errors, certificates), so messages read as a cluster's.
function describeNetworkError(error: NodeJS.ErrnoException, endpoint: WebhookEndpoint): string {
  const address = `${endpoint.host}:${endpoint.port}`;
  if (error.code === "ECONNREFUSED") return `dial tcp ${address}: connect: connection refused`;
  if (error.code === "ERR_TLS_CERT_ALTNAME_INVALID")
    return `tls: failed to verify certificate: x509: certificate is valid for other names, not ${endpoint.serverName}`;
  if (error.code === "UNABLE_TO_VERIFY_LEAF_SIGNATURE" || error.code === "SELF_SIGNED_CERT_IN_CHAIN")
    return "tls: failed to verify certificate: x509: certificate signed by unknown authority";
  return error.message;
}
