// Notices when any of a few files changes, for hot reloading of policies and certificates. fs.watch alone is
// not enough: editors that save by writing a temporary file and renaming it over the original, and Kubernetes
// secret and ConfigMap volumes (whose files are symlinks into a directory that is swapped atomically), leave a
// watch on the old inode that never fires again. So watches are re-armed after every change, and the files are
// re-stat'ed on an interval as a fallback; both paths feed one debounced callback, because a save is often
// several events (truncate, write, rename) and a certificate and its key change one after the other.
import { statSync, watch, type FSWatcher } from "node:fs";

export interface FileWatchOptions {
  /** Quiet time after the last event before the callback runs. */
  debounceMs?: number;
  /** Interval of the re-stat fallback. */
  pollMs?: number;
}

export interface FileWatch {
  close(): void;
}

export const DEFAULT_DEBOUNCE_MS = 200;
export const DEFAULT_POLL_MS = 2_000;

/** Calls `onChange` (debounced) whenever one of `files` changes; a missing file is a state like any other. */
export function watchFiles(files: readonly string[], onChange: () => void, options: FileWatchOptions = {}): FileWatch {
  const debounceMs = options.debounceMs ?? DEFAULT_DEBOUNCE_MS;
  const pollMs = options.pollMs ?? DEFAULT_POLL_MS;
  const unique = [...new Set(files)];
  const signatures = new Map(unique.map((file) => [file, signature(file)]));
  const watchers = new Map<string, FSWatcher>();
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  const schedule = () => {
    if (closed) return;
    clearTimeout(timer);
    timer = setTimeout(fire, debounceMs);
    timer.unref();
  };

  const fire = () => {
    if (closed) return;
    for (const file of unique) signatures.set(file, signature(file));
    arm();
    onChange();
  };

  // (Re-)creates a watch: after a rename the old one watches an inode that is gone or no longer the file.
  const armOne = (file: string) => {
    watchers.get(file)?.close();
    watchers.delete(file);
    try {
      const watcher = watch(file, { persistent: false }, schedule);
      // A watch that errors (file deleted, too many watches) is dropped; polling still sees the file.
      watcher.on("error", () => {
        watcher.close();
        if (watchers.get(file) === watcher) watchers.delete(file);
      });
      watchers.set(file, watcher);
    } catch {
      // The file is missing right now (mid-rename); polling re-arms once it is back.
    }
  };
  const arm = () => unique.forEach(armOne);

  const poll = setInterval(() => {
    let changed = false;
    for (const file of unique) {
      if (signature(file) !== signatures.get(file)) changed = true;
      else if (!watchers.has(file)) armOne(file);
    }
    if (changed) schedule();
  }, pollMs);
  poll.unref();
  arm();

  return {
    close() {
      closed = true;
      clearTimeout(timer);
      clearInterval(poll);
      for (const watcher of watchers.values()) watcher.close();
      watchers.clear();
    },
  };
}

// stat follows symlinks, so a swapped secret volume shows up as a new inode even when the path is the same.
function signature(file: string): string {
  try {
    const s = statSync(file, { bigint: true });
    return `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
  } catch {
    return "missing";
  }
}
