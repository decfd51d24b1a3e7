// What the status branch must hold before termination removes a NodeClaim's finalizer, the NodeClaim being the last
// trace of it in the cluster. Its launch: a previous process may have launched it and died before its `provisioned`
// event reached Git, and the lifecycle controller re-derives only the launches of NodeClaims not being deleted (the
// publisher records each node action once, so a launch already reported is dropped). And everything recorded so far
// — the drain's `drained` among it —, committed and pushed. Otherwise it rejects: termination keeps the finalizer
// and looks at the NodeClaim again, so no report is lost with it.
import type { NodeClaim } from "../../api/index.ts";
import { launchedAt, launchReport } from "../../controller/index.ts";

/** The part of the status publisher this needs. */
export interface FinalizeStatusSink {
  record(event: NonNullable<ReturnType<typeof launchReport>>): void;
  flush(): Promise<{ pushed: boolean } | undefined>;
}

export async function reportedBeforeFinalize(claim: NodeClaim, publisher: FinalizeStatusSink | undefined) {
  if (publisher === undefined) return;
  const launch = launchedAt(claim) === undefined ? undefined : launchReport(claim);
  if (launch !== undefined) publisher.record(launch);
  const written = await publisher.flush();
  if (written !== undefined && !written.pushed) {
    throw new Error("the status commit is not pushed yet: the NodeClaim keeps its finalizer until it is");
  }
}
