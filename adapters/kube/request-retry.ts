// When a request to the API server is sent again, as client-go's rest.Request does (rest/with_retry.go: IsNextRetry
// and checkWait; request.go's retry of a GET whose connection was reset): a 429 or a 5xx that carries
// `Retry-After: <seconds>` is tried again after those seconds, at most MAX_RETRIES times. Only where trying again is
// safe: a 429 says the server turned the request away before doing anything (its max-in-flight filter, priority and
// fairness), so any request, a create included, may go again; a 5xx may have been half done, so only an idempotent
// method goes again after one (client-go retries every verb there; a create retried after a 500 could make a second
// object under generateName); a connection lost before any answer only for a GET, after one second.
export const MAX_RETRIES = 10;
/** A server's Retry-After is obeyed up to this long; a larger one is waited this long (bounded waits). */
export const MAX_RETRY_AFTER_SECONDS = 60;
/** client-go's retryAfterResponse for a retryable connection error: one second. */
const CONNECTION_RETRY_SECONDS = 1;

const IDEMPOTENT_METHODS = new Set(["GET", "HEAD", "PUT", "DELETE"]);

/** Seconds to wait before sending `method` again after this answer, or undefined when it must not be retried. */
export function retryAfterSeconds(method: string, status: number, headers: Record<string, string>): number | undefined {
  if (status !== 429 && status < 500) return undefined;
  if (status !== 429 && !IDEMPOTENT_METHODS.has(method)) return undefined;
  const header = Object.entries(headers).find(([name]) => name.toLowerCase() === "retry-after")?.[1];
  // client-go reads only whole seconds (retryAfterSeconds: strconv.Atoi); without the header it does not retry.
  if (header === undefined || !/^\d+$/.test(header.trim())) return undefined;
  return Math.min(Number(header.trim()), MAX_RETRY_AFTER_SECONDS);
}

/** Seconds to wait before sending `method` again after a connection error, or undefined. */
export function retryAfterConnectionError(method: string, error: unknown): number | undefined {
  if (method !== "GET") return undefined;
  const codes = new Set<string>();
  for (let cause: unknown = error; cause instanceof Error; cause = cause.cause) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === "string") codes.add(code);
  }
  return ["ECONNRESET", "EPIPE", "UND_ERR_SOCKET"].some((code) => codes.has(code))
    ? CONNECTION_RETRY_SECONDS
    : undefined;
}
