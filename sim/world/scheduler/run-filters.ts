/**
 * The framework's PreFilter and Filter runs (pkg/scheduler/framework/runtime/framework.go).
 *
 * PreFilter: a Skip drops the plugin's Filter; an UnschedulableAndUnresolvable rejection ends the run at once,
 * an Unschedulable one is kept while the rest still run; node-name results are intersected, and an empty
 * intersection rejects the pod. Filter: the plugins run in profile order and the first rejection is the node's
 * status.
 */
import type { Pod } from "../objects.ts";
import type { FilterPlugin, Status } from "./framework.ts";
import { unresolvable } from "./framework.ts";
import type { NodeInfo, Snapshot } from "./snapshot.ts";

export interface PreFilterRun {
  readonly states: ReadonlyMap<string, unknown>;
  readonly skipped: ReadonlySet<string>;
  /** undefined: every node. */
  readonly nodeNames: ReadonlySet<string> | undefined;
  /** The plugins that narrowed the nodes, sorted (for "node(s) didn't satisfy plugin(s) [...]"). */
  readonly narrowedBy: readonly string[];
  readonly status: Status | undefined;
}

export function runPreFilter(pod: Pod, snapshot: Snapshot, plugins: readonly FilterPlugin[]): PreFilterRun {
  const states = new Map<string, unknown>();
  const skipped = new Set<string>();
  const narrowed = new Set<string>();
  let nodeNames: Set<string> | undefined;
  let status: Status | undefined;
  const result = () => ({ states, skipped, nodeNames, narrowedBy: [...narrowed].sort(), status });
  for (const plugin of plugins) {
    if (plugin.preFilter === undefined) continue;
    const outcome = plugin.preFilter(pod, snapshot);
    if (outcome.code === "Skip") {
      skipped.add(plugin.name);
      continue;
    }
    if (outcome.status !== undefined) {
      const rejection = { ...outcome.status, plugin: plugin.name };
      if (rejection.code === "UnschedulableAndUnresolvable") return { ...result(), status: rejection };
      status = rejection;
      continue;
    }
    states.set(plugin.name, outcome.state);
    if (outcome.nodeNames === undefined) continue;
    narrowed.add(plugin.name);
    const names = outcome.nodeNames;
    nodeNames = nodeNames === undefined ? new Set(names) : new Set([...nodeNames].filter((name) => names.has(name)));
    if (nodeNames.size === 0) {
      const list = [...narrowed].sort();
      const message =
        list.length === 1
          ? `node(s) didn't satisfy plugin ${list[0]}`
          : `node(s) didn't satisfy plugin(s) [${list.join(" ")}] simultaneously`;
      return { ...result(), status: { ...unresolvable(message), plugin: list.join(",") } };
    }
  }
  return result();
}

export function runFilters(
  pod: Pod,
  nodeInfo: NodeInfo,
  preFilter: PreFilterRun,
  plugins: readonly FilterPlugin[],
): Status | undefined {
  for (const plugin of plugins) {
    if (preFilter.skipped.has(plugin.name)) continue;
    const status = plugin.filter(pod, nodeInfo, preFilter.states.get(plugin.name));
    if (status !== undefined) return { ...status, plugin: plugin.name };
  }
  return undefined;
}
