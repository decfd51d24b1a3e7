// isomorphic-git stores every fetch as a packfile of its own and never repacks: a controller polling a busy branch
// collects thousands of small packs, and every object lookup then walks them all (and keeps each one's index in
// memory). When the small packs pile up, their objects are written into one pack (isomorphic-git's packObjects and
// indexPack) and the small ones removed. The large pack of the initial clone is left as it is.
import fs from "node:fs";
import { join } from "node:path";
import git from "isomorphic-git";

export interface ConsolidationOptions {
  /** Consolidate once at least this many small packs exist. */
  minPacks: number;
  /** A pack at or above this size is left alone (the clone's own pack). */
  smallPackBytes: number;
}

export const defaultConsolidation: ConsolidationOptions = { minPacks: 32, smallPackBytes: 4 * 1024 * 1024 };

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

/** The small packs of `<dir>/.git` when there are at least `minPacks` of them; none otherwise (or before a clone). */
export function packsToConsolidate(dir: string, options: ConsolidationOptions = defaultConsolidation): string[] {
  const packDir = join(dir, ".git", "objects", "pack");
  let names: string[];
  try {
    names = fs.readdirSync(packDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return []; // no packs yet
    throw error;
  }
  const small = names
    .filter((name) => name.endsWith(".pack") && names.includes(name.replace(/\.pack$/, ".idx")))
    .filter((name) => fs.statSync(join(packDir, name)).size < options.smallPackBytes);
  return small.length < options.minPacks ? [] : small;
}

/**
 * Merges the small packs of `<dir>/.git` into one when there are at least `minPacks` of them. Returns how many
 * packs were merged (0 when nothing was done). The caller drops isomorphic-git's cache afterwards: it may hold the
 * removed packs. Controllers run it in a process of its own (git-process.ts).
 */
export async function consolidatePacks(
  dir: string,
  options: ConsolidationOptions = defaultConsolidation,
): Promise<number> {
  const gitdir = join(dir, ".git");
  const packDir = join(gitdir, "objects", "pack");
  const small = packsToConsolidate(dir, options);
  if (small.length === 0) return 0;

  const oids = new Set<string>();
  for (const pack of small) {
    for (const oid of packIndexOids(fs.readFileSync(join(packDir, pack.replace(/\.pack$/, ".idx"))))) oids.add(oid);
  }
  const { filename } = await git.packObjects({ fs, gitdir, oids: [...oids], write: true });
  if (filename === undefined) return 0;
  await git.indexPack({ fs, dir, gitdir, filepath: join(".git", "objects", "pack", filename) });
  for (const pack of small) {
    if (pack === filename) continue; // the same objects can hash to a pack name that already exists
    fs.rmSync(join(packDir, pack.replace(/\.pack$/, ".idx")), { force: true });
    fs.rmSync(join(packDir, pack), { force: true });
  }
  return small.length;
}
