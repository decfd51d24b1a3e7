// The summary after the steps: nodes and $/h over time, the events by kind — Kubernetes Events by reason, and the
// status branch's events by kind — and `git log` of the status branch with its Poolkeeper-* trailers.
import { configDefaults, fetchStatusHistory } from "../../gitops/index.ts";
import type { DemoEnvironment } from "./environment.ts";
import { renderTimeline, type Sample } from "./timeline.ts";
import { listObjects } from "./world-view.ts";

const STATUS_LOG_COMMITS = 8;

export async function summaryLines(env: DemoEnvironment, samples: readonly Sample[]): Promise<string[]> {
  const lines = ["Nodes and $/h over the scenario:", ...renderTimeline(samples).map((line) => `  ${line}`)];

  const reasons = new Map<string, number>();
  for (const event of listObjects(env.world, "events")) {
    const reason = String(event.reason ?? "?");
    reasons.set(reason, (reasons.get(reason) ?? 0) + Number(event.count ?? 1));
  }
  lines.push("", "Kubernetes Events by reason:", `  ${counted(reasons) || "(none)"}`);

  const history = await fetchStatusHistory({ url: env.repository.bare, branch: configDefaults.statusBranch }).catch(
    () => [],
  );
  const kinds = new Map<string, number>();
  for (const entry of history)
    for (const event of entry.events) kinds.set(event.kind, (kinds.get(event.kind) ?? 0) + 1);
  lines.push("", `Status branch events by kind (${history.length} commits):`, `  ${counted(kinds) || "(none)"}`);

  const log = await env.repository
    .log(configDefaults.statusBranch, STATUS_LOG_COMMITS)
    .catch((error: Error) => error.message);
  lines.push("", `git log ${configDefaults.statusBranch} (newest ${STATUS_LOG_COMMITS}, with trailers):`);
  lines.push(
    ...log
      .split("\n")
      .filter((line) => line.trim() !== "")
      .map((line) => `  ${line}`),
  );
  return lines;
}

function counted(counts: Map<string, number>): string {
  return [...counts]
    .sort((a, b) => b[1] - a[1])
    .map(([key, count]) => `${key} ${count}`)
    .join(", ");
}
