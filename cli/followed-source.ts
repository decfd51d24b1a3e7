// The desired-state branch's source as `sync` and `run` open it: a clone kept in `--cache-dir` (by default one per
// remote under the user's cache directory), its caches within `--cache-size`, or else within poolkeeper.yaml's
// `cacheSize`, which is known only once the config is read (the flag wins). The budget trades memory for speed
// (gitops/cache-size.ts): a smaller one reads file texts from the packs again, never a different answer.
import { createHash } from "node:crypto";
import { homedir } from "node:os";
import { join } from "node:path";
import {
  displayRemote,
  openSource,
  parseCacheSize,
  type PoolkeeperConfig,
  type SourceCredentials,
} from "../gitops/index.ts";
import { InputError } from "./input-files.ts";

export interface FollowedSource {
  source: ReturnType<typeof openSource>;
  /** The directory of the source's clone and the status writer's (`source/`, `status/`). */
  cacheDir: string;
  /** Applies poolkeeper.yaml's `cacheSize` unless `--cache-size` was given. */
  configure(config: PoolkeeperConfig): void;
}

export function openFollowedSource(
  options: { repo: string; cacheDir?: string; cacheSize?: string },
  branch: string,
  credentials: SourceCredentials | undefined,
): FollowedSource {
  const cacheDir = options.cacheDir ?? defaultCacheDir(options.repo);
  const cacheBytes = options.cacheSize === undefined ? undefined : cacheSizeOption(options.cacheSize);
  const source = openSource({
    url: options.repo,
    branch,
    cacheDir: join(cacheDir, "source"),
    ...(credentials ? { credentials } : {}),
    ...(cacheBytes === undefined ? {} : { cacheBytes }),
  });
  return {
    source,
    cacheDir,
    configure(config) {
      if (cacheBytes === undefined && config.cacheSize !== undefined) source.setCacheBytes?.(config.cacheSize);
    },
  };
}

/** `--cache-size`, in bytes; a quantity that cannot be read is a usage error naming the flag. */
export function cacheSizeOption(text: string): number {
  try {
    return parseCacheSize(text);
  } catch (error) {
    throw new InputError(`--cache-size: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** `~/.cache/poolkeeper/<name>-<hash>`: one clone per remote, kept between runs. */
export function defaultCacheDir(repo: string): string {
  const remote = displayRemote(repo);
  const name = (remote.replace(/\/+$/, "").split(/[/\\]/).pop() ?? "repo").replace(/[^A-Za-z0-9._-]/g, "_");
  const hash = createHash("sha256").update(remote).digest("hex").slice(0, 12);
  const base = process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache");
  return join(base, "poolkeeper", `${name}-${hash}`);
}
