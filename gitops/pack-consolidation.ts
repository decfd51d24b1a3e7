// isomorphic-git stores every fetch as a packfile of its own and never repacks: a controller polling a busy branch
// collects thousands of small packs, and every object lookup then walks them all (and keeps each one's index in
// memory). When the small packs pile up, their objects are written into one pack (isomorphic-git's packObjects and
// indexPack) and the small ones removed.
//
// In generations, as git's geometric repacking keeps each pack's share of the work bounded (`git repack
// --geometric`): a merged pack carries a `.keep` file (git's marker for a pack that `repack` leaves alone) that
// names its level and the packs it supersedes. The packs of `minPacks` fetches make a level-1 pack; `minPacks`
// level-1 packs a level-2 pack, and so on. A merge never reads more than `minPacks` packs of one level, so its cost
// does not grow with the history, and the packs an incremental sync reads (the newest) stay small. The clone's pack
// is kept for good (`keepClonePack`): merging it rewrote the whole clone, every object whole, once in 32 syncs.
//
// Two steps, so that merging runs off the sync path: `mergePacks` (in a process of its own, git-process.ts) writes
// the new pack beside the old ones — pack, index, then `.keep`, each renamed into place, so a reader never sees half
// a file — and removes nothing; `removeSupersededPacks`, called where no read is in flight, removes what a `.keep`
// says is superseded. Objects in two packs for a while are harmless; a merge interrupted half-way leaves either
// nothing or a complete pack.
import fs from "node:fs";
import { join } from "node:path";
import git from "isomorphic-git";
import type { GitFs } from "./git-fs.ts";

export interface ConsolidationOptions {
  /** Merge once at least this many packs of one level exist. */
  minPacks: number;
  /** A fetched pack at or above this size is left alone (a large fetch, e.g. of the whole history). */
  smallPackBytes: number;
}

export const defaultConsolidation: ConsolidationOptions = { minPacks: 32, smallPackBytes: 4 * 1024 * 1024 };

/** The first line of a merged pack's `.keep` file, before its level. */
const MERGED = "poolkeeper: merged pack, level ";
/** Each further line of it, before a superseded pack's name. */
const SUPERSEDES = "supersedes ";
/** Where a merge writes its files before renaming them into place (inside the pack directory, on the same file system). */
const STAGING = "poolkeeper-merging";

/** A pack of the clone (its name without extension) and what its `.keep` says. */
export interface PackInfo {
  name: string;
  bytes: number;
  /** 0: a fetch's pack; n: merged at level n; undefined: kept for another reason (the clone's pack). */
  level: number | undefined;
  /** The packs a merged pack replaces (from its `.keep`). */
  supersedes: string[];
}

/** The pack directory of the clone in `dir` (a working directory with `.git` inside). */
export function packDirOf(dir: string): string {
  return join(dir, ".git", "objects", "pack");
}

/** Object ids listed in a version-2 pack index (`.idx`): fan-out table, then the sorted SHA-1 names. */
export function packIndexOids(index: Uint8Array): string[] {
  const view = Buffer.from(index.buffer, index.byteOffset, index.byteLength);
  if (view.length < 8 + 256 * 4 || view.readUInt32BE(0) !== 0xff744f63 || view.readUInt32BE(4) !== 2) {
    throw new Error("not a version-2 pack index");
  }
  const count = view.readUInt32BE(8 + 255 * 4);
  const start = 8 + 256 * 4;
  if (view.length < start + count * 20) throw new Error("truncated pack index");
  const oids: string[] = [];
  for (let i = 0; i < count; i++) oids.push(view.toString("hex", start + i * 20, start + (i + 1) * 20));
  return oids;
}

/** The packs of the clone in `dir` that have an index (others are not read by anyone); none before a clone. */
export function listPacks(dir: string): PackInfo[] {
  const packDir = packDirOf(dir);
  let names: string[];
  try {
    names = fs.readdirSync(packDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  const files = new Set(names);
  const packs: PackInfo[] = [];
  for (const file of names) {
    if (!file.endsWith(".idx") || !files.has(file.replace(/\.idx$/, ".pack"))) continue;
    const name = file.slice(0, -".idx".length);
    let bytes: number;
    try {
      bytes = fs.statSync(join(packDir, `${name}.pack`)).size;
    } catch {
      continue; // removed meanwhile
    }
    const keep = files.has(`${name}.keep`) ? readKeep(join(packDir, `${name}.keep`)) : undefined;
    packs.push({ name, bytes, level: keep ? keep.level : 0, supersedes: keep?.supersedes ?? [] });
  }
  return packs;
}

function readKeep(path: string): { level: number | undefined; supersedes: string[] } {
  let text: string;
  try {
    text = fs.readFileSync(path, "utf8");
  } catch {
    return { level: undefined, supersedes: [] };
  }
  const [first = "", ...rest] = text.split("\n");
  if (!first.startsWith(MERGED)) return { level: undefined, supersedes: [] };
  const level = Number(first.slice(MERGED.length));
  const supersedes = rest.filter((line) => line.startsWith(SUPERSEDES)).map((line) => line.slice(SUPERSEDES.length));
  return { level: Number.isInteger(level) && level > 0 ? level : undefined, supersedes };
}

/**
 * Marks the clone's pack (the only one right after a clone) as kept: it is never merged again. Returns its name;
 * undefined when there is not exactly one pack.
 */
export function keepClonePack(dir: string): string | undefined {
  const packs = listPacks(dir);
  const [only] = packs;
  if (packs.length !== 1 || only === undefined) return undefined;
  fs.writeFileSync(join(packDirOf(dir), `${only.name}.keep`), "poolkeeper: the initial clone\n");
  return only.name;
}

/** The packs some merged pack supersedes that are still there. */
export function supersededPacks(dir: string, packs: readonly PackInfo[] = listPacks(dir)): string[] {
  const present = new Set(packs.map((p) => p.name));
  return [...new Set(packs.flatMap((p) => p.supersedes))].filter((name) => present.has(name));
}

/**
 * The packs to merge next: those of the lowest level that has at least `minPacks` of them (a fetch's pack counts
 * at level 0 when it is under `smallPackBytes`), superseded ones left out; undefined when no level has enough.
 */
export function packsToConsolidate(
  dir: string,
  options: ConsolidationOptions = defaultConsolidation,
): { level: number; packs: string[] } | undefined {
  const packs = listPacks(dir);
  const superseded = new Set(supersededPacks(dir, packs));
  const byLevel = new Map<number, string[]>();
  for (const pack of packs) {
    if (pack.level === undefined || superseded.has(pack.name)) continue;
    if (pack.level === 0 && pack.bytes >= options.smallPackBytes) continue;
    byLevel.set(pack.level, [...(byLevel.get(pack.level) ?? []), pack.name]);
  }
  const level = [...byLevel.keys()]
    .sort((a, b) => a - b)
    .find((l) => (byLevel.get(l)?.length ?? 0) >= options.minPacks);
  return level === undefined ? undefined : { level, packs: (byLevel.get(level) ?? []).sort() };
}

/**
 * Writes the objects of the packs `packsToConsolidate` picks into one new pack, one level up, beside them (see
 * above), and returns the names of the packs it supersedes (none when there was nothing to do). Removes nothing:
 * `removeSupersededPacks` does, where no read is in flight. `fs` is what isomorphic-git reads through (git-fs.ts).
 */
export async function mergePacks(
  dir: string,
  options: ConsolidationOptions = defaultConsolidation,
  gitFs?: GitFs,
): Promise<string[]> {
  const picked = packsToConsolidate(dir, options);
  if (picked === undefined) return [];
  const gitdir = join(dir, ".git");
  const packDir = packDirOf(dir);
  const staging = join(packDir, STAGING);
  fs.rmSync(staging, { recursive: true, force: true }); // what an interrupted merge left
  fs.mkdirSync(staging);
  try {
    const oids = new Set<string>();
    for (const pack of picked.packs) {
      for (const oid of packIndexOids(fs.readFileSync(join(packDir, `${pack}.idx`)))) oids.add(oid);
    }
    const options = gitFs ? { fs: gitFs } : { fs };
    const { filename, packfile } = await git.packObjects({ ...options, gitdir, oids: [...oids], write: false });
    if (packfile === undefined) return [];
    const name = filename.replace(/\.pack$/, "");
    if (picked.packs.includes(name)) return []; // the same objects: already one pack
    fs.writeFileSync(join(staging, `${name}.pack`), packfile);
    // Whole objects only (packObjects writes no deltas), so indexing reads nothing but the new pack.
    await git.indexPack({
      ...options,
      dir,
      gitdir,
      filepath: join(".git", "objects", "pack", STAGING, `${name}.pack`),
    });
    const keep = [`${MERGED}${picked.level + 1}`, ...picked.packs.map((p) => `${SUPERSEDES}${p}`), ""].join("\n");
    fs.writeFileSync(join(staging, `${name}.keep`), keep);
    // The pack, then its index (now readers find it), then the `.keep` (now the old ones may go).
    for (const ext of [".pack", ".idx", ".keep"])
      fs.renameSync(join(staging, `${name}${ext}`), join(packDir, `${name}${ext}`));
    return picked.packs;
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

/**
 * Removes the packs a merged pack supersedes (index first, so that no lookup finds a pack without its data) and
 * returns their names, for the caller to drop from isomorphic-git's cache. Only where no read of the clone is in
 * flight.
 */
export function removeSupersededPacks(dir: string): string[] {
  const packDir = packDirOf(dir);
  const names = supersededPacks(dir);
  for (const name of names) {
    for (const ext of [".idx", ".pack", ".keep"]) fs.rmSync(join(packDir, `${name}${ext}`), { force: true });
  }
  return names;
}

/** Merges and removes at once, for a caller whose reads all wait for it (the status writer's clone). */
export async function consolidatePacks(
  dir: string,
  options: ConsolidationOptions = defaultConsolidation,
): Promise<number> {
  await mergePacks(dir, options);
  return removeSupersededPacks(dir).length;
}
