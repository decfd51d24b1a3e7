// Reads the files of a commit from a local clone, fast enough to re-read a 1,000-file pool repository on every
// new head. isomorphic-git looks each object up in the packfiles from scratch unless it is given a `cache`
// object, and `readBlob({filepath})` walks the tree again for every file; here one walk lists (path, oid) pairs
// and blobs are read by oid. Trees and blobs are content-addressed, so caching them by oid is always correct:
// a new commit that changes one file costs one blob read plus the trees on its path.
import fs from "node:fs";
import { posix } from "node:path";
import git, { type TreeEntry } from "isomorphic-git";
import { defaultYamlLimits } from "../api/index.ts";
import { ObjectSizes } from "./object-size.ts";

export interface TreeFile {
  path: string;
  /** Empty when the file is too large to read. */
  text: string;
  /** The file's size in bytes when it is over the reader's limit: it was not read (nor inflated). */
  tooLarge?: number;
}

/**
 * Bounds of the caches: the blob texts kept, in bytes, and the tree entries kept. A directory of 1,000 pools is
 * one tree of 1,000 entries, and each commit that changes a pool makes a new one: bounding trees by their count
 * would keep thousands of such listings.
 */
const MAX_BLOB_BYTES = 64 * 1024 * 1024;
const MAX_TREE_ENTRIES = 200_000;

export class TreeReader {
  /**
   * isomorphic-git's own cache (parsed pack indexes, by packfile), shared by every call on this clone. A fetch
   * adds a packfile; isomorphic-git lists the packs on each lookup, so the cache never goes stale.
   */
  readonly gitCache: object = {};
  readonly #trees = new Map<string, TreeEntry[]>();
  #treeEntries = 0;
  readonly #blobs = new Map<string, string>();
  #blobBytes = 0;
  readonly #decoder = new TextDecoder("utf-8");
  readonly #sizes = new ObjectSizes();
  readonly #maxFileBytes: number;

  constructor(options: { maxFileBytes?: number } = {}) {
    // Larger files are not read: the limit of every manifest poolkeeper reads.
    this.#maxFileBytes = options.maxFileBytes ?? defaultYamlLimits.maxBytes;
  }

  /** Forgets isomorphic-git's pack cache: packs were removed (consolidated). Trees and blobs stay valid. */
  packsRemoved(): void {
    for (const key of Reflect.ownKeys(this.gitCache)) Reflect.deleteProperty(this.gitCache, key);
    this.#sizes.packsChanged();
  }

  /** Files at `sha` whose repository-relative path matches one of `globs`, sorted by path. */
  async read(gitdir: string, sha: string, globs: readonly string[]): Promise<TreeFile[]> {
    const blobs: { path: string; oid: string }[] = [];
    await this.#walk(gitdir, sha, "", globs, blobs);
    blobs.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    const files: TreeFile[] = [];
    for (const { path, oid } of blobs) {
      // Sized before it is read: a pushed blob of a gigabyte must never be inflated into memory.
      const size = this.#blobs.has(oid) ? 0 : (this.#sizes.size(gitdir, oid) ?? 0);
      if (size > this.#maxFileBytes) files.push({ path, text: "", tooLarge: size });
      else files.push({ path, text: await this.#blob(gitdir, oid) });
    }
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
      else if (entry.type === "blob" && globs.some((glob) => posix.matchesGlob(path, glob))) {
        out.push({ path, oid: entry.oid });
      }
    }
  }

  async #tree(gitdir: string, oid: string): Promise<TreeEntry[]> {
    const cached = this.#trees.get(oid);
    if (cached) return cached;
    // A commit oid resolves to its tree; the tree is then cached under both.
    const { oid: treeOid, tree } = await git.readTree({ fs, gitdir, oid, cache: this.gitCache });
    this.#rememberTree(oid, tree);
    if (treeOid !== oid) this.#rememberTree(treeOid, tree);
    return tree;
  }

  #rememberTree(oid: string, tree: TreeEntry[]): void {
    if (this.#trees.has(oid)) return;
    this.#trees.set(oid, tree);
    this.#treeEntries += tree.length;
    for (const [old, entries] of this.#trees) {
      if (this.#treeEntries <= MAX_TREE_ENTRIES || old === oid) break;
      this.#trees.delete(old);
      this.#treeEntries -= entries.length;
    }
  }

  async #blob(gitdir: string, oid: string): Promise<string> {
    const cached = this.#blobs.get(oid);
    if (cached !== undefined) {
      // Refresh its place: Map order is the eviction order.
      this.#blobs.delete(oid);
      this.#blobs.set(oid, cached);
      return cached;
    }
    const { blob } = await git.readBlob({ fs, gitdir, oid, cache: this.gitCache });
    const text = this.#decoder.decode(blob);
    this.#blobs.set(oid, text);
    this.#blobBytes += text.length;
    for (const [old, value] of this.#blobs) {
      if (this.#blobBytes <= MAX_BLOB_BYTES) break;
      this.#blobs.delete(old);
      this.#blobBytes -= value.length;
    }
    return text;
  }
}
