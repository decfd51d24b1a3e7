// Reads one input file (or standard input) with a size limit checked before the bytes are read, so a huge
// file is refused instead of exhausting memory.
import { openSync, readSync, closeSync, fstatSync } from "node:fs";
import { InputError, STDIN } from "./input-files.ts";

export const DEFAULT_MAX_FILE_BYTES = 4 * 1024 * 1024;

export function readInput(path: string, maxBytes = DEFAULT_MAX_FILE_BYTES): Uint8Array {
  let fd: number;
  try {
    fd = path === STDIN ? 0 : openSync(path, "r");
  } catch (error) {
    throw new InputError(`${path}: cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  try {
    if (path !== STDIN) {
      const { size } = fstatSync(fd);
      if (size > maxBytes)
        throw new InputError(`${path}: file is too large (${size} bytes; the limit is ${maxBytes} bytes)`);
    }
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.alloc(64 * 1024);
      let read: number;
      try {
        read = readSync(fd, chunk, 0, chunk.length, null);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "EAGAIN") continue;
        if ((error as NodeJS.ErrnoException).code === "EOF") break;
        throw new InputError(`${path}: cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
      }
      if (read === 0) break;
      total += read;
      if (total > maxBytes) throw new InputError(`${path}: input is too large (more than ${maxBytes} bytes)`);
      chunks.push(chunk.subarray(0, read));
    }
    return Buffer.concat(chunks);
  } finally {
    if (path !== STDIN) closeSync(fd);
  }
}
