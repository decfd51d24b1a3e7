// Whether another controller's leader Lease is held — Karpenter's, so that `poolkeeper run` never provisions
// beside it (two provisioners would launch nodes for the same pods). Judged as client-go's leaderelection judges
// a lease it wants to take over (LeaderElector.tryAcquireOrRenew): held while it names a holder and this
// observer saw its record change less than leaseDurationSeconds ago by its own clock — never from the holder's
// renewTime, so a skewed clock cannot end a live lease early. A lease released on shutdown (Karpenter sets
// LeaderElectionReleaseOnCancel: holder cleared) is free at once; one abandoned by a crash, after its duration.
import type { Lease } from "../../api/index.ts";

/** The record as last seen and when, by the observer's clock, it was seen to change. */
export interface LeaseObservation {
  record: string;
  changedAtMs: number;
}

export type ForeignLeaseState =
  | { held: false; observation?: LeaseObservation }
  | { held: true; holder: string; observation: LeaseObservation; until: Date };

/** `lease` as just read (undefined: it does not exist), against what was observed before. */
export function judgeForeignLease(
  lease: Lease | undefined,
  previous: LeaseObservation | undefined,
  now: Date,
): ForeignLeaseState {
  if (!lease) return { held: false };
  const record = JSON.stringify(lease.spec ?? {});
  const observation = previous && previous.record === record ? previous : { record, changedAtMs: now.getTime() };
  const holder = lease.spec?.holderIdentity ?? "";
  const until = new Date(observation.changedAtMs + (lease.spec?.leaseDurationSeconds ?? 0) * 1000);
  if (holder === "" || until.getTime() <= now.getTime()) return { held: false, observation };
  return { held: true, holder, observation, until };
}
