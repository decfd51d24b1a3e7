/**
 * What emptiness and consolidation both require of a candidate's pool and timing: consolidateAfter not `Never`,
 * and passed since the node's last pod event. A node that fails is recorded with why.
 */
import type { Candidate } from "./candidates.ts";
import { utcTime } from "./explanations.ts";
import type { Pass } from "./pass.ts";

export function consolidationGate(pass: Pass, c: Candidate, what: "Empty" | "Underutilized"): boolean {
  const state = c.consolidatable;
  const pool = c.pool.metadata?.name ?? "";
  switch (state.state) {
    case "yes":
      return true;
    case "never":
      pass.block(
        c.facts,
        "consolidation-disabled",
        `NodePool ${pool} has consolidation disabled (consolidateAfter: Never)`,
      );
      return false;
    case "waiting":
      pass.block(
        c.facts,
        "consolidate-after",
        `${what === "Empty" ? "empty" : "under-used"}, but consolidateAfter ${state.after} runs until ${utcTime(state.until, pass.now)}`,
      );
      return false;
    case "invalid":
      pass.block(c.facts, "invalid", state.message);
      return false;
  }
}
