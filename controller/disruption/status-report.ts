/**
 * What disruption tells the Git status report, from what a pass planned and what its commands came to: every action
 * with its sentence (reason, pods moved, savings), every node set aside with why, each pool's rollout progress. A
 * pass runs every 10 s, so a node's reason is reported when it starts being blocked or its kind of blocker changes
 * (not again each pass), and rollout progress when its sentence changes; a node that stops being blocked is
 * forgotten, so it is reported again if it is blocked later. Nodes already being disrupted are not reported as
 * blocked: their command was. A dry-run command, planned again each pass, is reported once.
 */
import type { DisruptionCommand } from "./command.ts";
import type { ExecutionResult } from "./executor.ts";
import type { DisruptionPlan } from "./plan.ts";
import type { DisruptionStatusEvent } from "./status-sink.ts";

const ACTION_KIND: Record<DisruptionCommand["reason"], DisruptionStatusEvent["kind"]> = {
  Empty: "consolidated",
  Underutilized: "consolidated",
  Drifted: "drifted",
  Expired: "expired",
};

export class DisruptionStatusReport {
  /** Node → the kind of blocker last reported. */
  readonly #blocked = new Map<string, string>();
  /** Pool → the rollout sentence last reported. */
  readonly #rollout = new Map<string, string>();
  readonly #problems = new Set<string>();
  /** Dry-run commands reported: planned again each pass, reported once. */
  readonly #dryRuns = new Set<string>();

  /** The events a plan adds: newly blocked nodes, changed rollout progress, desired pools that cannot be read. */
  planned(plan: DisruptionPlan, sourceSha?: string): DisruptionStatusEvent[] {
    const sha = sourceSha === undefined ? {} : { sourceSha };
    const events: DisruptionStatusEvent[] = [];
    const seen = new Set<string>();
    for (const b of plan.blocked) {
      // A node a command is already disrupting (or being deleted) was reported as that command's action.
      if (b.kind === "in-progress") continue;
      seen.add(b.node);
      if (this.#blocked.get(b.node) === b.kind) continue;
      this.#blocked.set(b.node, b.kind);
      events.push({
        kind: "disruption-blocked",
        ...(b.nodePool === undefined ? {} : { pool: b.nodePool }),
        node: b.node,
        reason: b.message,
        ...sha,
      });
    }
    for (const node of [...this.#blocked.keys()]) if (!seen.has(node)) this.#blocked.delete(node);
    for (const progress of plan.rollout) {
      if (this.#rollout.get(progress.nodePool) === progress.message) continue;
      this.#rollout.set(progress.nodePool, progress.message);
      events.push({ kind: "rollout", pool: progress.nodePool, reason: progress.message, ...sha });
    }
    for (const problem of plan.problems) {
      if (this.#problems.has(problem)) continue;
      this.#problems.add(problem);
      const pool = /^NodePool (\S+)/.exec(problem)?.[1];
      events.push({ kind: "disruption-blocked", ...(pool === undefined ? {} : { pool }), reason: problem, ...sha });
    }
    return events;
  }

  /** The events of a command carried out (or not): one per candidate node. */
  executed(result: ExecutionResult, sourceSha?: string): DisruptionStatusEvent[] {
    const { command } = result;
    // Left for the next process, which reports what it comes to.
    if (result.outcome === "stopped") return [];
    if (result.outcome === "dry-run") {
      if (this.#dryRuns.has(command.id)) return [];
      this.#dryRuns.add(command.id);
    }
    const kind = result.outcome === "done" || result.outcome === "dry-run" ? ACTION_KIND[command.reason] : undefined;
    const reason =
      result.outcome === "done"
        ? command.replacements.length === 0 && result.replacements.length === 0
          ? command.message
          : `${command.message} (replacements ${result.replacements.join(", ")})`
        : result.outcome === "dry-run"
          ? `dry run: would ${command.message}`
          : result.outcome === "invalidated"
            ? `not carried out: ${result.why}`
            : `rolled back: ${result.why}`;
    return command.candidates.map((c) => {
      // A node acted on is reported again if it is blocked later (a rolled-back command's node, say).
      this.#blocked.delete(c.node);
      return {
        kind: kind ?? "disruption-blocked",
        ...(c.nodePool === "" ? {} : { pool: c.nodePool }),
        node: c.node,
        reason,
        ...(sourceSha === undefined ? {} : { sourceSha }),
      };
    });
  }
}
