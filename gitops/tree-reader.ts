// Reads the files of a commit from a local clone, fast enough to re-read a 1,000-file pool repository on every
// new head. isomorphic-git looks each object up in the packfiles from scratch unless it is given a `cache`
// object, and `readBlob({filepath})` walks the tree again for every file; here one walk lists (path, oid) pairs
// and blobs are read by oid. Trees and blobs are content-addressed, so caching them by oid is always correct:
// a new commit that changes one file costs one blob read plus the trees on its path. Only what the last two reads
// used is kept (the head's and the one before: a sync reads the new head, a restore or a config search an older
// commit between two heads), within the byte budget: an older commit's listings and texts are not read again, and
// kept they grew the tree cache by a 1,000-entry listing per commit, to its whole budget within 50 syncs.
import git, { type TreeEntry } from "isomorphic-git";
import { cacheBounds, DEFAULT_CACHE_BYTES, type CacheBounds } from "./cache-bounds.ts";
import { gitFs, type GitFs } from "./git-fs.ts";
import { GitObjectCache } from "./git-object-cache.ts";
import { matchesAnyGlob } from "./glob-match.ts";
import { ObjectSizes } from "./object-size.ts";

export interface TreeFile {
  path: string;
  /** Empty when the file is too large to read. */
  text: string;
  /** The file's size in bytes when it is over the reader's limit: it was not read (nor inflated). */
  tooLarge?: number;
}

/** A tree entry's bytes beyond its path: the 40-character id, mode, type and the object holding them. */
const TREE_ENTRY_BYTES = 160;

/** What the reader's caches hold, in bytes. */
export interface TreeReaderCacheBytes {
  blobs: number;
  trees: number;
  /** isomorphic-git's parsed pack indexes and packs (git-object-cache.ts): dropped after a read when over their share. */
  packs: number;
}

export class TreeReader {
  /**
   * isomorphic-git's own cache (parsed pack indexes, by packfile), shared by every call on this clone. A fetch
   * adds a packfile; isomorphic-git lists the packs on each lookup, so the cache never goes stale.
   */
  readonly #objects: GitObjectCache;
  readonly #trees = new Map<string, { entries: TreeEntry[]; bytes: number; read: number }>();
  #treeBytes = 0;
  readonly #blobs = new Map<string, { text: string; read: number }>();
  #blobBytes = 0;
  /** Counts reads: each entry remembers the last read that used it. */
  #reads = 0;
  #bounds: CacheBounds;
  #budget: number;
  readonly #decoder = new TextDecoder("utf-8");
  readonly #sizes = new ObjectSizes();
  readonly #maxFileBytes: number;
  readonly #fs: GitFs;

  /**
   * `maxFileBytes`: larger files are not read (the limit of every manifest poolkeeper reads, api's
   * `defaultYamlLimits.maxBytes`, passed in so that the Git process need not load api/). `fs`: what isomorphic-git
   * reads through (git-fs.ts), the asynchronous one by default.
   */
  constructor(options: { maxFileBytes: number; cacheBytes?: number; fs?: GitFs }) {
    this.#maxFileBytes = options.maxFileBytes;
    this.#fs = options.fs ?? gitFs;
    this.#budget = options.cacheBytes ?? DEFAULT_CACHE_BYTES;
    this.#bounds = cacheBounds(this.#budget);
    this.#objects = new GitObjectCache();
  }

  /** isomorphic-git's `cache` for this clone, shared by every call on it. */
  get gitCache(): object {
    return this.#objects.cache;
  }

  /** Sets the budget of all the reader's caches (cache-size.ts); what is over a new, smaller bound goes next read. */
  set cacheBytes(bytes: number) {
    this.#budget = bytes;
    this.#bounds = cacheBounds(bytes);
  }

  get cacheBytes(): number {
    return this.#budget;
  }

  async cacheSizes(): Promise<TreeReaderCacheBytes> {
    return { blobs: this.#blobBytes, trees: this.#treeBytes, packs: await this.#objects.bytes() };
  }

  /**
   * Forgets what isomorphic-git's cache holds of these pack indexes (paths under the git directory), or of all
   * packs when none are named: they were removed (merged into another, pack-consolidation.ts). Trees and blobs
   * stay valid.
   */
  packsRemoved(indexPaths?: readonly string[]): void {
    if (indexPaths === undefined) this.#objects.clear();
    else this.#objects.forget(indexPaths);
    this.#sizes.packsChanged();
  }

  /** The file texts held, by blob id: what the clone's process read, handed to the controller's (git-process.ts). */
  heldBlobs(): [oid: string, text: string][] {
    return [...this.#blobs].map(([oid, { text }]) => [oid, text]);
  }

  /** Takes texts read elsewhere (the clone's process) into the blob cache, within its budget; they count as read. */
  adoptBlobs(blobs: readonly (readonly [oid: string, text: string])[]): void {
    for (const [oid, text] of blobs) {
      if (this.#blobs.has(oid) || this.#blobBytes + text.length > this.#bounds.blobs) continue;
      this.#blobs.set(oid, { text, read: this.#reads });
      this.#blobBytes += text.length;
    }
  }

  /** The blobs at `sha` whose path matches one of `globs`, sorted by path, without reading them (trees are cached). */
  async list(gitdir: string, sha: string, globs: readonly string[]): Promise<{ path: string; oid: string }[]> {
    const blobs: { path: string; oid: string }[] = [];
    await this.#walk(gitdir, sha, "", globs, blobs);
    return blobs.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  /** Files at `sha` whose repository-relative path matches one of `globs`, sorted by path. */
  async read(gitdir: string, sha: string, globs: readonly string[]): Promise<TreeFile[]> {
    this.#reads++;
    const blobs = await this.list(gitdir, sha, globs);
    const files: TreeFile[] = [];
    for (const { path, oid } of blobs) {
      // Sized before it is read: a pushed blob of a gigabyte must never be inflated into memory.
      const size = this.#blobs.has(oid) ? 0 : (this.#sizes.size(gitdir, oid) ?? 0);
      if (size > this.#maxFileBytes) files.push({ path, text: "", tooLarge: size });
      else files.push({ path, text: await this.#blob(gitdir, oid) });
    }
    this.#evict();
    if ((await this.#objects.bytes()) > this.#bounds.packs) this.#objects.clear();
    return files;
  }

  async #walk(
    gitdir: string,
    oid: string,
    prefix: string,
    globs: readonly string[],
    out: { path: string; oid: string }[],
  ): Promise<void> {
    for (const entry of await this.#tree(gitdir, oid)) {
      const path = `${prefix}${entry.path}`;
      if (entry.type === "tree") await this.#walk(gitdir, entry.oid, `${path}/`, globs, out);
      else if (entry.type === "blob" && matchesAnyGlob(path, globs)) {
        out.push({ path, oid: entry.oid });
      }
    }
  }

  async #tree(gitdir: string, oid: string): Promise<TreeEntry[]> {
    const cached = this.#trees.get(oid);
    if (cached) {
      cached.read = this.#reads;
      return cached.entries;
    }
    // A commit oid resolves to its tree; the tree is then cached under both.
    const { oid: treeOid, tree } = await git.readTree({ fs: this.#fs, gitdir, oid, cache: this.gitCache });
    this.#rememberTree(oid, tree);
    if (treeOid !== oid) this.#rememberTree(treeOid, tree);
    return tree;
  }

  #rememberTree(oid: string, tree: TreeEntry[]): void {
    if (this.#trees.has(oid)) return;
    const bytes = tree.reduce((sum, entry) => sum + entry.path.length + TREE_ENTRY_BYTES, 0);
    this.#trees.set(oid, { entries: tree, bytes, read: this.#reads });
    this.#treeBytes += bytes;
    for (const [old, entry] of this.#trees) {
      if (this.#treeBytes <= this.#bounds.trees || old === oid) break;
      this.#trees.delete(old);
      this.#treeBytes -= entry.bytes;
    }
  }

  async #blob(gitdir: string, oid: string): Promise<string> {
    const cached = this.#blobs.get(oid);
    if (cached !== undefined) {
      // Refresh its place: Map order is the eviction order.
      this.#blobs.delete(oid);
      this.#blobs.set(oid, cached);
      cached.read = this.#reads;
      return cached.text;
    }
    const { blob } = await git.readBlob({ fs: this.#fs, gitdir, oid, cache: this.gitCache });
    const text = this.#decoder.decode(blob);
    this.#blobs.set(oid, { text, read: this.#reads });
    this.#blobBytes += text.length;
    return text;
  }

  // After a whole read, not per blob: a commit's own files are never evicted by each other while it is read.
  // Lengths count UTF-16 code units, one byte each in V8 for the ASCII text manifests usually are.
  #evict(): void {
    const kept = this.#reads - 1;
    for (const [old, value] of this.#blobs) {
      if (value.read >= kept && this.#blobBytes <= this.#bounds.blobs) continue;
      this.#blobs.delete(old);
      this.#blobBytes -= value.text.length;
    }
    for (const [old, value] of this.#trees) {
      if (value.read >= kept) continue;
      this.#trees.delete(old);
      this.#treeBytes -= value.bytes;
    }
  }
}
