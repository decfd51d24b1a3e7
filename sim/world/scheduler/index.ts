// The simulated world's kube-scheduler stand-in: its own implementation of the default profile's plugins, so
// that the world agrees with the real scheduler rather than with poolkeeper. Pure: the pod and the cluster's
// objects in, a node or the real "0/N nodes are available: ..." message out.
export { schedule, NO_NODES_AVAILABLE } from "./schedule.ts";
export type { ScheduleOptions, ScheduleResult, Scheduled, Unschedulable } from "./schedule.ts";
export { Snapshot, podKey } from "./snapshot.ts";
export { SchedulerCache } from "./cache.ts";
export type { ClusterObjects, NodeInfo, PodInfo } from "./snapshot.ts";
export type { Status, Code, RejectionCode } from "./framework.ts";
export { SchedulerInputError } from "./input-error.ts";
export type { NodePluginScores } from "./run-scores.ts";
