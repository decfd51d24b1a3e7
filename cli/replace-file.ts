// Replaces a file's content all at once: the new text goes to a temporary file in the same directory, is flushed
// to disk, and is renamed over the file, so a reader (or a crash) sees the old content or the new one, never a
// truncated mix. A plain writeFileSync truncates first: on a full disk it fails after destroying the tail of the
// manifest. On any failure the file is untouched and the temporary file is removed.
import * as nodeFs from "node:fs";
import { randomBytes } from "node:crypto";
import { basename, dirname, join } from "node:path";

/** The file-system calls a replacement makes (tests inject failures through it). */
export type ReplaceFileSystem = Pick<
  typeof nodeFs,
  | "realpathSync"
  | "statSync"
  | "openSync"
  | "writeSync"
  | "fsyncSync"
  | "fchmodSync"
  | "fchownSync"
  | "closeSync"
  | "renameSync"
  | "unlinkSync"
>;

/** Why a file could not be replaced; the file itself is unchanged. */
export class ReplaceFileError extends Error {
  override readonly name = "ReplaceFileError";
}

export function replaceFile(path: string, text: string, fs: ReplaceFileSystem = nodeFs): void {
  let temp: string | undefined;
  let fd: number | undefined;
  try {
    // Through a symbolic link, the link's target is what changes; the link stays.
    const file = fs.realpathSync(path);
    const { mode, uid, gid } = fs.statSync(file);
    temp = join(dirname(file), `.${basename(file)}.${randomBytes(6).toString("hex")}.poolkeeper-fix`);
    fd = fs.openSync(temp, "wx", 0o600);
    const bytes = Buffer.from(text, "utf8");
    for (let written = 0; written < bytes.length;) written += fs.writeSync(fd, bytes, written);
    fs.fchmodSync(fd, mode & 0o7777);
    try {
      fs.fchownSync(fd, uid, gid);
    } catch {
      // Only root may give a file away; everyone else's new file is theirs, as an editor's would be.
    }
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = undefined;
    fs.renameSync(temp, file);
    temp = undefined;
    // The rename is durable once the directory is flushed; the file is replaced either way, so a directory that
    // cannot be opened or flushed (some file systems refuse) is not a failure.
    ignoreFailure(() => {
      const dir = fs.openSync(dirname(file), "r");
      try {
        fs.fsyncSync(dir);
      } finally {
        fs.closeSync(dir);
      }
    });
  } catch (error) {
    if (fd !== undefined) ignoreFailure(() => fs.closeSync(fd as number));
    if (temp !== undefined) ignoreFailure(() => fs.unlinkSync(temp as string));
    const reason = error instanceof Error ? error.message : String(error);
    throw new ReplaceFileError(`could not write ${path} (${reason}): the file is unchanged`, { cause: error });
  }
}

function ignoreFailure(action: () => void): void {
  try {
    action();
  } catch {
    // cleaning up after a failure that is already being reported
  }
}
