// The size of a Git object without inflating it, so that a pushed blob of a gigabyte is refused before it is in
// memory (isomorphic-git's readBlob inflates the whole object). Git records the size up front: a loose object's
// zlib stream starts with "blob <size>\0", a packed object's entry header holds its size, and a delta's data
// starts with the base and result sizes (Documentation/gitformat-pack.txt: "Packed object data", "Deltified
// representation"; pack index version 2 for the offsets). Only the first bytes of any stream are inflated.
import { closeSync, openSync, readdirSync, readFileSync, readSync, statSync } from "node:fs";
import path from "node:path";
import { constants, inflateSync } from "node:zlib";
import { deltaSize, entryHeader, indexOffset, OBJ_OFS_DELTA, OBJ_REF_DELTA, ofsDeltaDistance } from "./pack-format.ts";
/**
 * Compressed bytes read to find a header: a pack entry's own header is at most a few dozen bytes, and the start
 * of a zlib stream (a loose object's "blob <size>\0", a delta's two sizes) may follow a dynamic Huffman block
 * header of up to about 300 bytes.
 */
const HEADER_PEEK = 1024;

interface PackIndex {
  readonly pack: string;
  readonly signature: string;
  readonly idx: Buffer;
  readonly count: number;
}

/** Finds objects' sizes in a git directory; pack indexes are read once and re-read when the packs change. */
export class ObjectSizes {
  #indexes: PackIndex[] | undefined;

  /** Forget the pack indexes (packs were added or removed). */
  packsChanged(): void {
    this.#indexes = undefined;
  }

  /** The inflated size of object `oid` in bytes, or undefined when it is in no loose file or pack. */
  size(gitdir: string, oid: string): number | undefined {
    const loose = path.join(gitdir, "objects", oid.slice(0, 2), oid.slice(2));
    const header = peek(loose, 0);
    if (header) return looseSize(header, oid);
    for (const index of this.#packIndexes(gitdir)) {
      const offset = findOffset(index, oid);
      if (offset !== undefined) return packedSize(index.pack, offset);
    }
    // A fetch may have added a pack since the indexes were read.
    this.#indexes = undefined;
    for (const index of this.#packIndexes(gitdir)) {
      const offset = findOffset(index, oid);
      if (offset !== undefined) return packedSize(index.pack, offset);
    }
    return undefined;
  }

  #packIndexes(gitdir: string): PackIndex[] {
    const dir = path.join(gitdir, "objects", "pack");
    let names: string[];
    try {
      names = readdirSync(dir).filter((name) => name.endsWith(".idx"));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw error;
    }
    const signature = (name: string) => `${name}:${statSync(path.join(dir, name)).mtimeMs}`;
    const current = this.#indexes;
    if (
      current &&
      current.length === names.length &&
      current.every((index, i) => index.signature === signature(names[i] ?? ""))
    ) {
      return current;
    }
    this.#indexes = names.map((name) => {
      const idx = readFileSync(path.join(dir, name));
      if (idx.readUInt32BE(0) !== 0xff744f63 || idx.readUInt32BE(4) !== 2) {
        throw new Error(`${name}: not a version 2 pack index`);
      }
      return {
        pack: path.join(dir, name.replace(/\.idx$/, ".pack")),
        signature: signature(name),
        idx,
        count: idx.readUInt32BE(8 + 255 * 4),
      };
    });
    return this.#indexes;
  }
}

/** Reads up to HEADER_PEEK bytes of a file at `offset`; undefined when the file does not exist. */
function peek(file: string, offset: number): Buffer | undefined {
  let fd: number;
  try {
    fd = openSync(file, "r");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  try {
    const buffer = Buffer.alloc(HEADER_PEEK);
    const read = readSync(fd, buffer, 0, HEADER_PEEK, offset);
    return buffer.subarray(0, read);
  } finally {
    closeSync(fd);
  }
}

/** Inflates the start of a zlib stream: as much as the given compressed bytes yield, without needing the end. */
function inflateStart(compressed: Buffer): Buffer {
  return inflateSync(compressed, { finishFlush: constants.Z_SYNC_FLUSH });
}

function looseSize(compressed: Buffer, oid: string): number {
  const header = inflateStart(compressed);
  const match = /^[a-z]+ (\d+)\0/.exec(header.subarray(0, Math.min(header.length, 32)).toString("latin1"));
  if (!match?.[1]) throw new Error(`loose object ${oid} has no header`);
  return Number(match[1]);
}

/** The pack offset of `oid` by the index's fan-out table and a binary search of its sorted names. */
function findOffset(index: PackIndex, oid: string): number | undefined {
  const { idx, count } = index;
  const name = Buffer.from(oid, "hex");
  const first = name[0] ?? 0;
  const fanout = 8;
  let low = first === 0 ? 0 : idx.readUInt32BE(fanout + (first - 1) * 4);
  let high = idx.readUInt32BE(fanout + first * 4);
  const names = fanout + 256 * 4;
  while (low < high) {
    const mid = (low + high) >>> 1;
    // Buffer#compare(target, …, sourceStart, sourceEnd) orders the index's entry (the source) against `name`.
    const order = idx.compare(name, 0, 20, names + mid * 20, names + mid * 20 + 20);
    if (order === 0) return indexOffset(idx, count, mid);
    if (order < 0) low = mid + 1;
    else high = mid;
  }
  return undefined;
}

function packedSize(pack: string, offset: number): number {
  const bytes = peek(pack, offset);
  if (!bytes || bytes.length === 0) throw new Error(`${path.basename(pack)}: no object at offset ${offset}`);
  const header = entryHeader(bytes, 0);
  if (header.type !== OBJ_OFS_DELTA && header.type !== OBJ_REF_DELTA) return header.size;
  // A delta: skip the base's reference, then read the result size from the start of the delta data.
  const at = header.type === OBJ_OFS_DELTA ? ofsDeltaDistance(bytes, header.at).at : header.at + 20;
  const delta = inflateStart(peek(pack, offset + at) ?? Buffer.alloc(0));
  const base = deltaSize(delta, 0); // the base object's size
  return deltaSize(delta, base.at).size;
}
