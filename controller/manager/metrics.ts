// The manager's state for Prometheus: which phase this replica is in (one series per phase, 1 for the current
// one), as controller-runtime exports leader_election_master_status — an alert on "no replica leading" or "passive
// for long" reads it.
import { Gauge, type Registry } from "prom-client";
import type { ManagerPhase, ManagerStatus } from "./manager.ts";

const PHASES: readonly ManagerPhase[] = ["stopped", "standby", "passive", "leading"];

/** The gauge, and the onStatus callback that keeps it current. */
export function managerPhaseMetric(registry: Registry): (status: ManagerStatus) => void {
  const gauge = new Gauge({
    name: "poolkeeper_controller_manager_phase",
    help: "1 for the controller manager's current phase (stopped, standby, passive: a Karpenter controller holds its lease, leading), 0 for the others.",
    labelNames: ["phase"] as const,
    registers: [registry],
  });
  const record = (status: ManagerStatus): void => {
    for (const phase of PHASES) gauge.set({ phase }, phase === status.phase ? 1 : 0);
  };
  record({ phase: "stopped", reason: "not started", leader: false });
  return record;
}
