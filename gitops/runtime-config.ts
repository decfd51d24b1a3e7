// The config the controller runs with (cluster, status branch and path, intervals, author), read once at
// start: from a file given on the command line, or from `poolkeeper.yaml` at the branch head. A head whose
// config is broken must not stop a restart — that is when the last good state matters most — so the newest
// first-parent ancestor with a valid config is used instead, and the head's problems are returned to report.
// Each judged commit is still judged with its own `poolkeeper.yaml` (see gate.ts).
import { loadConfig, type PoolkeeperConfig } from "./config.ts";
import { CONFIG_FILE } from "./gate.ts";
import type { GitSource } from "./source.ts";

/** How far back a broken head's config is looked for. */
export const CONFIG_SEARCH_DEPTH = 100;

export interface RuntimeConfig {
  config?: PoolkeeperConfig;
  /** The commit the config was read from (absent for a file). */
  sha?: string;
  /** The head's problems with its config, as `file:line:col: message`; empty when the head's config is used. */
  problems: string[];
}

export async function runtimeConfigAt(source: GitSource, head: string): Promise<RuntimeConfig> {
  const problems: string[] = [];
  for (const sha of await source.firstParents(head, CONFIG_SEARCH_DEPTH)) {
    const [file] = await source.readTree(sha, [CONFIG_FILE]);
    const loaded = file ? loadConfig(file.text, CONFIG_FILE) : undefined;
    if (loaded?.config) return { config: loaded.config, sha, problems };
    if (sha === head) {
      if (!loaded) problems.push(`${CONFIG_FILE}:1:1: ${CONFIG_FILE} is missing at the repository root`);
      else
        problems.push(...loaded.errors.map((e) => `${e.source.file}:${e.source.line}:${e.source.col}: ${e.message}`));
    }
  }
  return { problems };
}
