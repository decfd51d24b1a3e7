// How a long-running command (`serve`, `sync`) is asked to stop and where it listens: SIGTERM/SIGINT from the
// kubelet or a terminal, or an AbortSignal from tests; and the --port value both commands take.
import { InputError } from "./input-files.ts";

/** Calls `stop` with the reason once the signal aborts, or on SIGTERM / SIGINT without one; returns the detach. */
export function onStopRequest(signal: AbortSignal | undefined, stop: (reason: string) => void): () => void {
  if (signal) {
    const listener = () => stop("aborted");
    if (signal.aborted) listener();
    else signal.addEventListener("abort", listener, { once: true });
    return () => signal.removeEventListener("abort", listener);
  }
  const onTerm = () => stop("SIGTERM");
  const onInt = () => stop("SIGINT");
  process.on("SIGTERM", onTerm);
  process.on("SIGINT", onInt);
  return () => {
    process.off("SIGTERM", onTerm);
    process.off("SIGINT", onInt);
  };
}

/** A --port value: 0-65535 (0: any free port). */
export function parsePort(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) throw new InputError(`--port ${text}: not a port number (0-65535)`);
  return port;
}
