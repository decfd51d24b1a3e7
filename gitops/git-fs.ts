// The file system isomorphic-git is handed. Every isomorphic-git command wraps the `fs` it is given in its
// `FileSystem` model unless it is one already, and to tell a promise file system from a callback one the wrapping
// calls `readFile()` with no arguments twice, each building and throwing Node's argument error with its stack
// (isomorphic-git 1.44 `isPromiseFs`): about half of a fetch's own synchronous CPU. Wrapped once here, the
// commands take it as it is (`FileSystem`'s constructor returns an already wrapped one unchanged).
//
// The Git process (git-process-child.ts) reads a thousand objects after a clone, each through a directory stat
// (isomorphic-git's `discoverGitdir`), a probe for a loose object and the pack lookups: on libuv's thread pool each
// is a round trip that a loaded machine stretches to a millisecond. That process serves nothing while it works, so
// it uses Node's synchronous calls behind the same promise interface: the page cache answers in microseconds.
import fs from "node:fs";
import type { PromiseFsClient } from "isomorphic-git";
import { FileSystem } from "isomorphic-git/models";

/** isomorphic-git's `fs` parameter, as its commands type it. */
export type GitFs = PromiseFsClient;

function wrapped(client: PromiseFsClient | typeof fs): GitFs {
  // A FileSystem has the underscored methods the commands call, not the client's: the commands only pass it on.
  return new FileSystem(client) as unknown as GitFs;
}

/** Node's asynchronous `fs`, wrapped once: what the controller's process uses (it keeps serving while Git works). */
export const gitFs: GitFs = wrapped(fs);

const synchronous: { promises: PromiseFsClient["promises"] & { rm: unknown } } = {
  promises: {
    readFile: async (...args: Parameters<typeof fs.readFileSync>) => fs.readFileSync(...args),
    writeFile: async (...args: Parameters<typeof fs.writeFileSync>) => fs.writeFileSync(...args),
    unlink: async (path: fs.PathLike) => fs.unlinkSync(path),
    readdir: async (path: fs.PathLike) => fs.readdirSync(path),
    mkdir: async (path: fs.PathLike, options?: fs.MakeDirectoryOptions) => fs.mkdirSync(path, options),
    rmdir: async (path: fs.PathLike) => fs.rmdirSync(path),
    rm: async (path: fs.PathLike, options?: fs.RmOptions) => fs.rmSync(path, options),
    stat: async (path: fs.PathLike) => fs.statSync(path),
    lstat: async (path: fs.PathLike) => fs.lstatSync(path),
    readlink: async (path: fs.PathLike) => fs.readlinkSync(path),
    symlink: async (target: fs.PathLike, path: fs.PathLike) => fs.symlinkSync(target, path),
    chmod: async (path: fs.PathLike, mode: fs.Mode) => fs.chmodSync(path, mode),
  },
};

/** Node's synchronous calls behind isomorphic-git's promise interface: for the Git process only (see above). */
export const synchronousGitFs: GitFs = wrapped(synchronous);
