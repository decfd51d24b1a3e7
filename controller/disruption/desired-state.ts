/** What disruption works towards: the NodePools from Git, through the gate, and the commit they were read at. */
import type { NodePool } from "../../api/index.ts";

export interface DesiredState {
  readonly nodePools: readonly NodePool[];
  /** The Git commit the pools were read at, for rollout progress and the replacements' annotation. */
  readonly commit?: string;
}
