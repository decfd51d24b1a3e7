// The real StatusPublisher over an in-memory status writer: each write is kept, the branch's history is what the test
// hands in, and the events written are read back with the trailer parser — for tests of what reaches the status
// branch when, without Git.
import type { HistoryEntry } from "../../gitops/history.ts";
import { StatusPublisher } from "../../gitops/status-publisher.ts";
import { parseTrailers } from "../../gitops/status-render.ts";
import type { StatusWriteInput, StatusWriter } from "../../gitops/status-writer.ts";
import { silentLogger } from "../../runtime/log.ts";
import { FakeClock } from "./fake-clock.ts";

/**
 * `history`: the branch as the publisher reads it (the array itself: a test may add to it later). `pushed`: whether
 * the remote takes each write (a commit is made either way).
 */
export function memoryStatusPublisher(options: { history?: HistoryEntry[]; pushed?: () => boolean } = {}) {
  const history = options.history ?? [];
  const pushed = options.pushed ?? (() => true);
  const writes: StatusWriteInput[] = [];
  const writer: StatusWriter = {
    remote: "memory",
    branch: "status",
    async write(input) {
      writes.push(input);
      return { sha: `c${writes.length}`, pushed: pushed(), unchanged: false };
    },
    history: async () => history,
  };
  const publisher = new StatusPublisher({
    writer,
    cluster: "prod",
    coalesceMs: 0,
    clock: new FakeClock(new Date("2026-11-25T10:00:00Z")),
    logger: silentLogger(),
    retry: { minBackoffMs: 60_000, maxBackoffMs: 60_000 },
    manual: true,
    history: writer.history,
  });
  /** Every event written, as `kind node`, in order. */
  const events = () => writes.flatMap((w) => parseTrailers(w.message).events.map((e) => `${e.kind} ${e.node ?? "-"}`));
  return { publisher, events, writes };
}
