// Git's pack format, the pieces read by both the object-size probe (object-size.ts: an object's size before it is
// inflated) and the bulk reader (pack-reader.ts: a clone's files in one pass): an entry's header, an offset delta's
// base distance, a delta's sizes and a version 2 index's offsets (Documentation/gitformat-pack.txt: "Packed object
// data", "Deltified representation", "Version 2 pack-*.idx files"). Pure.

export const OBJ_OFS_DELTA = 6;
export const OBJ_REF_DELTA = 7;

/** An entry's type (3 bits) and inflated size (4 bits, then 7 per continuation byte), and where its header ends. */
export function entryHeader(bytes: Uint8Array, at: number): { type: number; size: number; at: number } {
  let byte = bytes[at++] ?? 0;
  const type = (byte >> 4) & 7;
  let size = byte & 15;
  let shift = 4;
  while (byte & 0x80) {
    byte = bytes[at++] ?? 0;
    size += (byte & 0x7f) * 2 ** shift;
    shift += 7;
  }
  return { type, size, at };
}

/**
 * An offset delta's distance back to its base: big-endian 7-bit groups with one added per continuation (not a plain
 * varint: each byte after the first adds 2^7, 2^14, …), and where the delta's data starts.
 */
export function ofsDeltaDistance(bytes: Uint8Array, at: number): { distance: number; at: number } {
  let byte = bytes[at++] ?? 0;
  let distance = byte & 0x7f;
  while (byte & 0x80) {
    byte = bytes[at++] ?? 0;
    distance = (distance + 1) * 128 + (byte & 0x7f);
  }
  return { distance, at };
}

/** A delta's size field (the base's, then the result's): little-endian 7-bit groups; past the end reads as 0. */
export function deltaSize(delta: Uint8Array, at: number): { size: number; at: number } {
  let size = 0;
  let shift = 0;
  let byte: number;
  do {
    byte = delta[at++] ?? 0;
    size += (byte & 0x7f) * 2 ** shift;
    shift += 7;
  } while (byte & 0x80);
  return { size, at };
}

/** The pack offset of the `i`-th of `count` objects in a version 2 index (packs over 2 GiB keep large ones apart). */
export function indexOffset(idx: Buffer, count: number, i: number): number {
  const offsets = 8 + 256 * 4 + count * 24; // past the fan-out, the names and the CRC32s
  const value = idx.readUInt32BE(offsets + i * 4);
  if ((value & 0x80000000) === 0) return value;
  return Number(idx.readBigUInt64BE(offsets + count * 4 + (value & 0x7fffffff) * 8));
}
