// isomorphic-git's `cache` object, measured. isomorphic-git keeps, per packfile, the parsed index (every object id
// and offset) and the pack's bytes, read whole on the first lookup (readObjectPacked); both stay, because every
// lookup needs them and reading objects from the file instead would cost a read per object. Consolidation keeps
// their number down (pack-consolidation.ts) and drops the cache when it merges packs. Its per-index `offsetCache`
// (resolved deltas) stays empty for indexes read from disk: GitPackIndex.readSlice caches only when `readDepth > 3`,
// and only indexing a received pack (fromPack) starts `readDepth` at a number. The cache is read through
// isomorphic-git's symbol-keyed map, the one place it keeps packs (readPackIndex); a version that keeps them
// elsewhere reads as 0 bytes here.
interface PackIndexLike {
  pack?: unknown;
  offsets?: Map<string, number>;
}

/** Bytes per object in a parsed index: a 40-character id in `hashes` and as the `offsets` key, and a Map entry. */
const INDEX_BYTES_PER_OBJECT = 200;

export class GitObjectCache {
  /** Handed to isomorphic-git as `cache`. */
  readonly cache: object = {};

  /** Forgets everything: packs were removed (consolidated), and their indexes would name objects no longer there. */
  clear(): void {
    for (const key of Reflect.ownKeys(this.cache)) Reflect.deleteProperty(this.cache, key);
  }

  /**
   * Forgets these packs (their index files' paths, as isomorphic-git names them: `<gitdir>/objects/pack/<name>.idx`):
   * they were merged into another and removed. The other packs' indexes stay parsed.
   */
  forget(indexPaths: readonly string[]): void {
    for (const key of Object.getOwnPropertySymbols(this.cache)) {
      const value: unknown = Reflect.get(this.cache, key);
      if (value instanceof Map) for (const path of indexPaths) value.delete(path);
    }
  }

  /** The parsed pack indexes and the packs' bytes held. */
  async bytes(): Promise<number> {
    let bytes = 0;
    for (const key of Object.getOwnPropertySymbols(this.cache)) {
      const value: unknown = Reflect.get(this.cache, key);
      if (!(value instanceof Map)) continue;
      for (const loading of value.values()) {
        const index = (await Promise.resolve(loading).catch(() => undefined)) as PackIndexLike | undefined;
        bytes += (index?.offsets?.size ?? 0) * INDEX_BYTES_PER_OBJECT;
        const pack: unknown = await Promise.resolve(index?.pack).catch(() => undefined);
        if (pack instanceof Uint8Array) bytes += pack.byteLength;
      }
    }
    return bytes;
  }
}
