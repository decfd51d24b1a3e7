/**
 * What every AWS client of the adapters is built with: the SDK's own defaults wherever they are right (region and
 * credentials from the default provider chain — env, shared config, web identity, IMDS —; the endpoint from
 * `AWS_ENDPOINT_URL_<SERVICE>` / `AWS_ENDPOINT_URL`, which the SDK reads itself; the `standard` retry strategy
 * with backoff and a retry quota), and bounded waits, which the SDK leaves unbounded by default.
 */
export interface AwsClientOptions {
  /** Default: the SDK's chain (`AWS_REGION`, the shared config's profile, IMDS). */
  readonly region?: string;
  /** Overrides the endpoint for every service (a simulator, a VPC endpoint); default: the SDK's resolution. */
  readonly endpoint?: string;
  /** Static credentials, for tests against a simulator; default: the SDK's chain. */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** Attempts per call, the first included (the SDK's standard strategy; default 3). */
  readonly maxAttempts?: number;
  /** Time to open a connection (default 5 s). */
  readonly connectionTimeoutMs?: number;
  /** Time for a whole response once connected (default 30 s; a long poll adds its wait on top). */
  readonly requestTimeoutMs?: number;
}

export const DEFAULT_CONNECTION_TIMEOUT_MS = 5_000;
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/** The configuration object an SDK v3 client constructor takes. */
export function awsClientConfig(options: AwsClientOptions = {}, extraRequestMs = 0) {
  return {
    ...(options.region === undefined ? {} : { region: options.region }),
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
    ...(options.credentials === undefined ? {} : { credentials: { ...options.credentials } }),
    retryMode: "standard",
    maxAttempts: options.maxAttempts ?? 3,
    requestHandler: {
      connectionTimeout: options.connectionTimeoutMs ?? DEFAULT_CONNECTION_TIMEOUT_MS,
      requestTimeout: (options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS) + extraRequestMs,
    },
  };
}
