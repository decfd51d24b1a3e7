// The ports the other parts code against, so that each can run over the real world (adapters/), a simulated one
// (sim/) or a plain in-memory one in tests, and so that pure code never reads the clock or the network itself.
// For now: the cluster's NodePools and EC2NodeClasses, read-only, and the time.

/**
 * A read-only view of the cluster's Karpenter objects, as the API server stores them (v1, defaulted, with
 * metadata and status). The webhook fetches both lists before judging a request that needs them.
 */
export interface ClusterView {
  listNodePools(): Promise<unknown[]>;
  listNodeClasses(): Promise<unknown[]>;
}

/** The time, passed in so that decisions (exemption expiry, budget windows) stay pure and testable. */
export interface Clock {
  now(): Date;
}

/** A call a TimerClock will make later. */
export interface Timer {
  /** Cancels the call; false when it has already been made or cancelled. */
  stop(): boolean;
  /** Lets the process exit while the call is pending (Node's Timeout.unref); returns the timer. */
  unref(): Timer;
}

/**
 * A clock that also makes calls later: code that schedules by time (coalesced status writes, poll intervals and
 * backoff, request and shutdown deadlines) takes its timers from here, so that a test moves the time past a
 * deadline instead of waiting for it. Mirrors k8s.io/utils/clock's WithDelayedExecution (AfterFunc).
 */
export interface TimerClock extends Clock {
  /** Calls `f` once, `delayMs` after now by this clock. */
  afterFunc(delayMs: number, f: () => void): Timer;
  /** Resolves `ms` after now by this clock (a promise over afterFunc). */
  sleep(ms: number): Promise<void>;
}

export const systemClock: TimerClock = {
  now: () => new Date(),
  afterFunc(delayMs, f) {
    let pending = true;
    const timeout = setTimeout(() => {
      pending = false;
      f();
    }, delayMs);
    const timer: Timer = {
      stop() {
        const wasPending = pending;
        pending = false;
        clearTimeout(timeout);
        return wasPending;
      },
      unref() {
        timeout.unref();
        return timer;
      },
    };
    return timer;
  },
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** A clock stopped at one instant, for tests and for replaying a decision. */
export function fixedClock(at: Date): Clock {
  return { now: () => new Date(at.getTime()) };
}

// The EC2-shaped port (EC2, SSM, IAM), its typed errors, and the interruption queue.
export type {
  AwsPorts,
  BlockDeviceMapping,
  DescribeQuery,
  EbsBlockDevice,
  Ec2Port,
  Filter,
  FleetError,
  FleetInstance,
  FleetOverride,
  FleetRequest,
  FleetResult,
  IamPort,
  Image,
  Instance,
  InstanceProfile,
  InstanceStateName,
  InstanceStatus,
  InstanceTypeInfo,
  InstanceTypeOffering,
  LaunchTemplate,
  LaunchTemplateData,
  MetadataOptions,
  SecurityGroup,
  SpotPrice,
  SsmPort,
  Subnet,
  Tag,
  TerminatedInstance,
} from "./ports/ec2.ts";
export {
  AwsApiError,
  IdempotentParameterMismatch,
  InsufficientCapacity,
  isUnfulfillableCapacityCode,
  portErrorOf,
  NotFound,
  type OfferingRef,
  Throttled,
  Unauthorized,
} from "./ports/ec2-errors.ts";
export type { InterruptionQueue, QueueMessage, ReceiveOptions } from "./ports/interruption-queue.ts";
// The Cluster port: the Kubernetes objects the controller reads and writes.
export {
  apiVersionOfResource,
  type ApplyOptions,
  type Cluster,
  type ClusterChange,
  ClusterError,
  type ClusterObjects,
  type ClusterPatch,
  type ClusterResource,
  CLUSTER_RESOURCES,
  type DeleteOptions as ClusterDeleteOptions,
  type DeleteOutcome,
  type EventRecord,
  type EvictionOutcome,
  isConflict,
  isNotFound,
  type ObjectKey,
  type PatchType,
  WATCHED_BY_DEFAULT,
  type WriteOptions as ClusterWriteOptions,
} from "./ports/cluster.ts";
