// v1alpha5 counted TTLs in seconds; v1 takes Go-style durations matching ^(([0-9]+(s|m|h))+|Never)$.

/** Whole non-negative seconds as a compact duration ("2592000" → "720h", "90" → "1m30s"), else undefined. */
export function secondsToDuration(value: unknown): string | undefined {
  const seconds = typeof value === "string" && /^\d+$/.test(value.trim()) ? Number(value) : value;
  if (typeof seconds !== "number" || !Number.isSafeInteger(seconds) || seconds < 0) return undefined;
  if (seconds === 0) return "0s";
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return `${h > 0 ? `${h}h` : ""}${m > 0 ? `${m}m` : ""}${s > 0 ? `${s}s` : ""}`;
}
