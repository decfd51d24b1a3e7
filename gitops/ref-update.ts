// A compare-and-swap update of a branch that other processes write too (the status branch committed in place in a
// local repository, which every replica of `run` writes): git's own `update-ref <ref> <new> <old>` protocol
// (refs/files-backend.c over lockfile.c) — `<ref>.lock` created exclusively, the ref read again under the lock and
// compared with the value the caller built on, the new value written into the lock file and renamed over the ref,
// so no reader sees it half written. isomorphic-git's writeRef overwrites the file in place and locks only within
// its own process: two replicas writing at once (a stalled leader and its successor) each kept only their own
// commit, and the other's status events were lost.
import { closeSync, ftruncateSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";

/**
 * A lock older than this is a writer's that died holding it (the lock is held while a ref is read and written, a
 * few milliseconds). Git leaves such a lock for a human to remove; a controller must go on by itself.
 */
export const STALE_LOCK_MS = 60_000;

/** `moved`: another writer changed the ref first (build again on its value); `locked`: one is changing it now. */
export type RefUpdate = "updated" | "moved" | "locked";

export interface RefUpdateOptions {
  gitdir: string;
  /** A full ref name, e.g. `refs/heads/poolkeeper-status`. */
  ref: string;
  value: string;
  /** The value the new one was built on; undefined when the ref did not exist. */
  expected: string | undefined;
  /** Reads the ref's current value (loose or packed); undefined when it does not exist. */
  read: () => Promise<string | undefined>;
}

export async function updateRef(options: RefUpdateOptions): Promise<RefUpdate> {
  const path = join(options.gitdir, options.ref);
  const lock = `${path}.lock`;
  let fd = acquire(lock);
  if (fd === undefined) return "locked";
  let renamed = false;
  try {
    // The writer's process names the lock while it compares, so a lock left by a killed writer is recognised.
    writeSync(fd, `${process.pid} ${hostname()}\n`);
    if ((await options.read()) !== options.expected) return "moved";
    // Then the lock holds the new value, written whole, and is renamed over the ref in one step.
    ftruncateSync(fd, 0);
    writeSync(fd, `${options.value}\n`, 0);
    closeSync(fd);
    fd = -1;
    renameSync(lock, path);
    renamed = true;
    return "updated";
  } finally {
    if (fd !== -1) closeSync(fd);
    if (!renamed) rmSync(lock, { force: true });
  }
}

/** Creates the lock exclusively, taking over one a dead writer left; undefined while another writer holds it. */
function acquire(lock: string): number | undefined {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      return openSync(lock, "wx");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST" || !stale(lock)) return undefined;
      rmSync(lock, { force: true });
    }
  }
  return undefined;
}

/** Whether a lock was left by a writer that is gone: a process of this host no longer running, or an old lock. */
function stale(lock: string): boolean {
  let text: string;
  let age: number;
  try {
    text = readFileSync(lock, "utf8");
    age = Date.now() - statSync(lock).mtimeMs;
  } catch {
    return false; // released meanwhile: the next attempt takes it
  }
  const [pid, host] = text.trim().split(" ");
  if (host === hostname() && pid !== undefined && /^\d+$/.test(pid) && !running(Number(pid))) return true;
  return age > STALE_LOCK_MS;
}

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
