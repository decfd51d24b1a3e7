// Bounds that keep one client from exhausting the server: body size, page size, watches, the event window.
export interface StoreLimits {
  /** Largest page a list returns; a larger `limit` is lowered to it (the reply then carries a continue token). */
  maxPageSize: number;
  /** Events kept for watches and consistent continues; older resource versions get 410 Expired. */
  eventWindow: number;
  /** Open watches at once; more get 429 TooManyRequests. */
  maxWatches: number;
  /** Objects of one resource; more get 403 (as a ResourceQuota would). */
  maxObjectsPerResource: number;
}

export const DEFAULT_STORE_LIMITS: StoreLimits = {
  maxPageSize: 500,
  eventWindow: 10_000,
  maxWatches: 1_000,
  maxObjectsPerResource: 100_000,
};
