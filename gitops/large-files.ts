// Large pool files are parsed off the event loop. Parsing YAML costs about half a second per MiB on a small machine
// and cannot pause midway, so one 1 MiB pool file kept `sync`'s /healthz and push hook waiting for as long; the
// stepwise gate can only pause between files. Before a commit is judged, its files over LARGE_FILE_BYTES that the
// gate has not read yet are parsed in a worker thread (manifest-worker.ts, through runtime's WorkerPool), at most
// one per worker at a time, and handed to the gate's cache; smaller files are read in the gate's own steps, where a
// thread's start and the copying would cost more than they save.
import { availableParallelism } from "node:os";
import { manifestsFromYaml, yamlFromData, type ManifestSet, type YamlData } from "../api/index.ts";
import { WorkerPool } from "../runtime/index.ts";
import type { GateCache } from "./gate.ts";
import type { ManifestParseRequest } from "./manifest-worker.ts";
import type { SourceFile } from "./source.ts";

/** Files larger than this (in UTF-16 code units, about bytes for YAML) are parsed in a worker thread. */
export const LARGE_FILE_BYTES = 64 * 1024;

// The worker's module beside this one: TypeScript in a source checkout, JavaScript in the built package.
const WORKER_MODULE = new URL(`./manifest-worker${import.meta.url.endsWith(".ts") ? ".ts" : ".js"}`, import.meta.url);

export interface LargeFileReaderOptions {
  /** Files above this size go to a worker (LARGE_FILE_BYTES by default). */
  threshold?: number;
  /** Workers (1 on a machine of two cores or fewer, else 2). */
  workers?: number;
}

export class LargeFileReader {
  readonly #threshold: number;
  readonly #workers: number;
  #pool: WorkerPool<ManifestParseRequest, YamlData> | undefined;
  #closed = false;
  /** How many files were parsed in a worker (tests and benchmarks read it). */
  parsedOffThread = 0;

  constructor(options: LargeFileReaderOptions = {}) {
    this.#threshold = options.threshold ?? LARGE_FILE_BYTES;
    this.#workers = options.workers ?? (availableParallelism() > 2 ? 2 : 1);
  }

  /** Parses the large files among `files` that `cache` does not hold yet, in worker threads, into `cache`. */
  async read(files: readonly SourceFile[], cache: GateCache): Promise<void> {
    const todo = files.filter((f) => f.text.length > this.#threshold && !cache.holds(f.path, f.text));
    if (todo.length === 0 || this.#closed) return;
    this.#pool ??= new WorkerPool({ module: WORKER_MODULE, size: this.#workers, maxQueued: this.#workers });
    const pool = this.#pool;
    let next = 0;
    const runner = async () => {
      for (let file = todo[next++]; file !== undefined; file = todo[next++]) {
        const set = await this.#parse(pool, file);
        if (set) cache.store(file.path, file.text, set);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.#workers, todo.length) }, runner));
  }

  /** Terminates the workers; files read after this (or cut short by it) are left to the gate's own thread. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#pool?.close();
  }

  async #parse(pool: WorkerPool<ManifestParseRequest, YamlData>, file: SourceFile): Promise<ManifestSet | undefined> {
    try {
      const data = await pool.run({ text: file.text, file: file.path });
      this.parsedOffThread++;
      return manifestsFromYaml(yamlFromData(data), file.path);
    } catch (error) {
      if (this.#closed) return undefined;
      // The worker died under it (out of memory, say) or the pool closed: the file is not readable, and says why.
      const message = `YAML could not be read: ${error instanceof Error ? error.message : String(error)}`;
      return {
        manifests: [],
        skipped: [],
        errors: [{ file: file.path, source: { file: file.path, line: 1, col: 1 }, message }],
      };
    }
  }
}
