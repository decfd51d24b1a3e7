/**
 * Launch and registration timeouts (Karpenter's lifecycle `Liveness`, core:pkg/controllers/nodeclaim/lifecycle/
 * liveness.go), pure: a NodeClaim not launched 5 minutes after it was created, or launched but not registered 15
 * minutes after it launched, is deleted — its termination finalizer then terminates whatever instance it has.
 */
import type { NodeClaim } from "../../api/index.ts";
import { CONDITION_LAUNCHED, CONDITION_REGISTERED, isConditionTrue, trueSince } from "../state/index.ts";

export const LAUNCH_TIMEOUT_MS = 5 * 60_000;
export const REGISTRATION_TIMEOUT_MS = 15 * 60_000;

export interface LivenessTimeouts {
  readonly launchMs: number;
  readonly registrationMs: number;
}

export type Liveness =
  | { readonly verdict: "alive"; readonly deadline: Date | undefined }
  | { readonly verdict: "timed-out"; readonly message: string };

export function liveness(
  nodeClaim: NodeClaim,
  now: Date,
  timeouts: LivenessTimeouts = { launchMs: LAUNCH_TIMEOUT_MS, registrationMs: REGISTRATION_TIMEOUT_MS },
): Liveness {
  if (isConditionTrue(nodeClaim, CONDITION_REGISTERED)) return { verdict: "alive", deadline: undefined };
  const launchedAt = trueSince(nodeClaim, CONDITION_LAUNCHED);
  const [since, ttl, what] =
    launchedAt === undefined
      ? [new Date(nodeClaim.metadata.creationTimestamp ?? now.toISOString()), timeouts.launchMs, "launch"]
      : [launchedAt, timeouts.registrationMs, "registration"];
  const deadline = new Date(since.getTime() + ttl);
  if (now.getTime() < deadline.getTime()) return { verdict: "alive", deadline };
  const minutes = ttl / 60_000;
  return {
    verdict: "timed-out",
    message:
      `NodeClaim ${nodeClaim.metadata.name ?? ""} did not ${what === "launch" ? "launch" : "register"} within ` +
      `${minutes} minute${minutes === 1 ? "" : "s"} (${what} timeout): deleting it`,
  };
}
