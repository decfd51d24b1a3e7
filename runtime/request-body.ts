// A request body read into memory under a size limit and, optionally, a deadline — the one way both servers take
// a body in. A body declared (Content-Length) larger than the limit is refused before a byte of it is read, so the
// 413 goes out while the client is still sending; one that only turns out larger (chunked) is refused as soon as it
// passes the limit. Either way nothing past the limit is kept, and the caller answers with `Connection: close`
// because the rest of the request is never read. Mirrors what k8s.io/apiserver does with its request body limit
// (limitedReadBody: a declared length over the limit fails before reading).
import type { IncomingMessage } from "node:http";
import type { Timer, TimerClock } from "../api/index.ts";

export type BodyRead = { ok: true; body: Buffer } | { ok: false; why: "too-large" | "timeout" | "aborted" };

export interface BodyLimits {
  /** Largest body accepted, in bytes. */
  maxBytes: number;
  /** With `clock`: the body must have arrived this long after the call. */
  timeoutMs?: number;
  clock?: TimerClock;
}

/** Reads the body of `req`; see the file's comment for what is refused and when. */
export function readRequestBody(req: IncomingMessage, limits: BodyLimits): Promise<BodyRead> {
  const { maxBytes, timeoutMs, clock } = limits;
  if (declaredLength(req) > maxBytes) {
    req.pause();
    return Promise.resolve({ ok: false, why: "too-large" });
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (outcome: BodyRead) => {
      if (done) return;
      done = true;
      timer?.stop();
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("close", onClose);
      if (!outcome.ok) req.pause();
      // The chunks are the caller's now (concatenated) or garbage: nothing here keeps them.
      chunks.length = 0;
      resolve(outcome);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) return finish({ ok: false, why: "too-large" });
      chunks.push(chunk);
    };
    const onEnd = () => finish({ ok: true, body: Buffer.concat(chunks, size) });
    const onClose = () => finish({ ok: false, why: "aborted" });
    const timer: Timer | undefined =
      timeoutMs !== undefined && clock !== undefined
        ? clock.afterFunc(timeoutMs, () => finish({ ok: false, why: "timeout" })).unref()
        : undefined;
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("close", onClose);
    // An aborted request emits 'error' before 'close'; 'close' settles it, this only keeps it from being unhandled.
    req.on("error", () => {});
  });
}

/** The Content-Length the client declared; 0 when it declared none (chunked, or no body). */
function declaredLength(req: IncomingMessage): number {
  const declared = Number(req.headers["content-length"] ?? "0");
  return Number.isFinite(declared) ? declared : 0;
}
