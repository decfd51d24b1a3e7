// Reads many objects out of a clone's packs at once: the head's thousand files right after the clone
// (git-process-child.ts). isomorphic-git reads an object at a time: it probes for a loose file (a thrown ENOENT),
// lists the pack directory, and inflates with pako, a new inflate state per object and per delta base; reading the
// benchmark's 1,002 files that way took 0.6–1.9 s after a clone the git CLI makes and reads in well under that
// (docs/performance.md). Here each pack is read once, its entries found through its index, inflated with Node's zlib
// (the entry header gives the size) and deltas applied to bases kept while the read lasts — what git's
// `cat-file --batch` does (packfile.c: unpack_entry, patch-delta.c). Objects are not hashed one by one: the pack's
// trailer, a SHA-1 of all its bytes, is checked once, and the clone checked it as it received them.
// Formats: Documentation/gitformat-pack.txt ("Packed object data", "Deltified representation", index version 2).
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { inflateSync } from "node:zlib";
import { deltaSize, entryHeader, indexOffset, OBJ_OFS_DELTA, OBJ_REF_DELTA, ofsDeltaDistance } from "./pack-format.ts";
const TYPES: Record<number, string> = { 1: "commit", 2: "tree", 3: "blob", 4: "tag" };

/** Resolved delta bases kept during one read: enough for the chains of a pool repository, bounded all the same. */
const BASE_CACHE_BYTES = 64 * 1024 * 1024;

interface Pack {
  name: string;
  data: Buffer;
  /** Entry offset by object id. */
  offsets: Map<string, number>;
  /** Each entry's end: the next entry's offset, or the trailer's. */
  ends: Map<number, number>;
}

export interface PackedObject {
  type: string;
  data: Buffer;
}

/** The objects of the packs of a git directory, read in bulk. Loose objects are not read (a clone has none). */
export class PackReader {
  readonly #packs: Pack[];
  #bases = new Map<string, PackedObject>();
  #baseBytes = 0;

  /** Reads every pack of `gitdir` and checks its trailer; throws naming the pack when one is damaged. */
  constructor(gitdir: string) {
    const dir = join(gitdir, "objects", "pack");
    const names = readdirSync(dir).filter((name) => name.endsWith(".idx"));
    this.#packs = names.map((idx) => readPack(dir, idx.slice(0, -".idx".length)));
  }

  /**
   * The objects among `oids` held in the packs, whose inflated size is at most `maxBytes` (larger ones are not
   * inflated); an object that is absent, larger or whose delta base is in no pack (a fetch's thin pack) is left out,
   * for the caller to read otherwise.
   */
  read(oids: readonly string[], maxBytes: number): Map<string, PackedObject> {
    const out = new Map<string, PackedObject>();
    try {
      for (const oid of oids) {
        const object = this.#object(oid, maxBytes);
        if (object !== undefined) out.set(oid, object);
      }
    } finally {
      this.#bases.clear();
      this.#baseBytes = 0;
    }
    return out;
  }

  #object(oid: string, maxBytes: number): PackedObject | undefined {
    for (const pack of this.#packs) {
      const offset = pack.offsets.get(oid);
      if (offset !== undefined) return this.#entry(pack, offset, maxBytes);
    }
    return undefined;
  }

  #entry(pack: Pack, offset: number, maxBytes: number): PackedObject | undefined {
    const key = `${pack.name}:${offset}`;
    const kept = this.#bases.get(key);
    if (kept !== undefined) return kept;
    const { data } = pack;
    const header = entryHeader(data, offset);
    const { type, size } = header;
    let at = header.at;
    let base: PackedObject | undefined;
    if (type === OBJ_OFS_DELTA) {
      const reference = ofsDeltaDistance(data, at);
      at = reference.at;
      // Bases are never refused for their size: the result's is what is bounded, checked below.
      base = this.#entry(pack, offset - reference.distance, Number.MAX_SAFE_INTEGER);
    } else if (type === OBJ_REF_DELTA) {
      base = this.#object(data.toString("hex", at, at + 20), Number.MAX_SAFE_INTEGER);
      at += 20;
    } else if (TYPES[type] === undefined) {
      throw new Error(`${pack.name}.pack: object at offset ${offset} has unknown type ${type}`);
    }
    if ((type === OBJ_OFS_DELTA || type === OBJ_REF_DELTA) && base === undefined) return undefined;
    if (base === undefined && size > maxBytes) return undefined;
    const end = pack.ends.get(offset) ?? data.length - 20;
    const inflated = inflateSync(data.subarray(at, end), { maxOutputLength: Math.max(size, 1) });
    if (inflated.length !== size) {
      throw new Error(
        `${pack.name}.pack: object at offset ${offset} inflates to ${inflated.length} bytes, not ${size}`,
      );
    }
    const object =
      base === undefined
        ? { type: TYPES[type] ?? "", data: inflated }
        : { type: base.type, data: applyDelta(base.data, inflated, `${pack.name}.pack offset ${offset}`) };
    if (object.data.length > maxBytes) return undefined;
    this.#keep(key, object);
    return object;
  }

  #keep(key: string, object: PackedObject): void {
    if (this.#baseBytes + object.data.length > BASE_CACHE_BYTES) {
      this.#bases.clear();
      this.#baseBytes = 0;
    }
    this.#bases.set(key, object);
    this.#baseBytes += object.data.length;
  }
}

function readPack(dir: string, name: string): Pack {
  const idx = readFileSync(join(dir, `${name}.idx`));
  const data = readFileSync(join(dir, `${name}.pack`));
  if (idx.length < 8 + 256 * 4 || idx.readUInt32BE(0) !== 0xff744f63 || idx.readUInt32BE(4) !== 2) {
    throw new Error(`${name}.idx: not a version 2 pack index`);
  }
  if (data.length < 32 || data.toString("latin1", 0, 4) !== "PACK") throw new Error(`${name}.pack: not a pack`);
  const trailer = createHash("sha1")
    .update(data.subarray(0, data.length - 20))
    .digest();
  if (!trailer.equals(data.subarray(data.length - 20))) throw new Error(`${name}.pack: checksum mismatch`);
  const count = idx.readUInt32BE(8 + 255 * 4);
  const names = 8 + 256 * 4;
  // Past the names, the CRC32s and the 4-byte offsets.
  if (idx.length < names + count * 28) throw new Error(`${name}.idx: truncated`);
  const offsets = new Map<string, number>();
  for (let i = 0; i < count; i++) {
    offsets.set(idx.toString("hex", names + i * 20, names + i * 20 + 20), indexOffset(idx, count, i));
  }
  const sorted = [...offsets.values()].sort((a, b) => a - b);
  const ends = new Map<number, number>();
  sorted.forEach((offset, i) => ends.set(offset, sorted[i + 1] ?? data.length - 20));
  return { name, data, offsets, ends };
}

/** Git's delta: the base's and the result's sizes, then copies from the base and inserted bytes (patch-delta.c). */
export function applyDelta(base: Buffer, delta: Buffer, where: string): Buffer {
  const baseSize = deltaSize(delta, 0);
  if (baseSize.size !== base.length) {
    throw new Error(`${where}: delta for a base of ${baseSize.size} bytes, not ${base.length}`);
  }
  const resultSize = deltaSize(delta, baseSize.at);
  let at = resultSize.at;
  const out = Buffer.allocUnsafe(resultSize.size);
  let written = 0;
  while (at < delta.length) {
    const op = delta[at++] ?? 0;
    if (op & 0x80) {
      let offset = 0;
      let size = 0;
      for (let bit = 0; bit < 4; bit++) if (op & (1 << bit)) offset += (delta[at++] ?? 0) * 2 ** (8 * bit);
      for (let bit = 0; bit < 3; bit++) if (op & (0x10 << bit)) size += (delta[at++] ?? 0) * 2 ** (8 * bit);
      if (size === 0) size = 0x10000;
      if (offset + size > base.length || written + size > out.length)
        throw new Error(`${where}: delta copies out of range`);
      base.copy(out, written, offset, offset + size);
      written += size;
    } else if (op > 0) {
      if (at + op > delta.length || written + op > out.length) throw new Error(`${where}: delta inserts out of range`);
      delta.copy(out, written, at, at + op);
      at += op;
      written += op;
    } else throw new Error(`${where}: delta has a reserved opcode 0`);
  }
  if (written !== out.length) throw new Error(`${where}: delta makes ${written} bytes, not ${out.length}`);
  return out;
}
