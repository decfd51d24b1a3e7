// Karpenter's interruption controller (aws:pkg/controllers/interruption/controller.go) over the Cluster port and
// the cloud provider: each parsed message's instances are found (instance id → NodeClaim → Node) and acted on —
// taint `karpenter.sh/disrupted:NoSchedule` and delete the NodeClaim (termination's `beginTermination`, the durable
// act; its finalizer then drains the node), for a spot warning also `markUnavailable` of the offering for
// Karpenter's 3 minutes. A message resolves once that act is persisted, so the consumer deletes it then and never
// holds it for the drain. A redelivered duplicate finds the NodeClaim already being deleted and its Node tainted,
// and does nothing more. Events and the status report describe each act; the drain's end (the termination
// controller's report) closes the interruption with notice-to-drained and the replacement's instances.
//
// Differences from Karpenter, each for the 2-minute notice: a spot or capacity-reservation warning sets the
// NodeClaim's termination timestamp to the notice's end, so pods a budget still blocks get their grace period
// before the instance goes rather than dying with it; rebalance recommendations may replace (rebalance.ts).
import {
  isNotFound,
  type Cluster,
  type Node,
  type NodeClaim,
  type QueueMessage,
  type Timer,
  type TimerClock,
} from "../../api/index.ts";
import {
  LABEL_CAPACITY_TYPE,
  LABEL_INSTANCE_TYPE,
  LABEL_ZONE,
  type CapacityType,
  type CloudProvider,
} from "../../cloudprovider/index.ts";
import type { Logger } from "../../runtime/index.ts";
import { LABEL_NODE_POOL } from "../provisioning/index.ts";
import { beginTermination, type TerminationReport } from "../termination/index.ts";
import { ClaimIndex } from "./claim-index.ts";
import { reportInterruptionEnd } from "./interruption-end.ts";
import { instanceStatusVerdicts, type InstanceStatusSource } from "./instance-status.ts";
import { parseMessage, type InterruptionEvent, type MessageKind } from "./messages.ts";
import type { InterruptionMetrics } from "./metrics.ts";
import { noticeAnnotation, noticeOf, type Notice } from "./notice-annotation.ts";
import { rebalanceDecision, rebalancePolicy } from "./rebalance.ts";
import type { InterruptionStatusSink } from "./status-sink.ts";

/** EC2's notice before a spot or capacity-reservation interruption. */
export const INTERRUPTION_NOTICE_MS = 120_000;

/** The Kubernetes Event each kind is reported with (Karpenter's interruption events). */
const EVENT_REASON: Record<MessageKind, string> = {
  spot_interrupted: "SpotInterrupted",
  rebalance_recommendation: "SpotRebalanceRecommendation",
  scheduled_change: "InstanceUnhealthy",
  instance_stopped: "InstanceStopping",
  instance_terminated: "InstanceTerminating",
  capacity_reservation_interrupted: "CapacityReservationInstanceInterrupted",
};

const EVENT_MESSAGE: Record<MessageKind, string> = {
  spot_interrupted: "Spot interruption warning was triggered",
  rebalance_recommendation: "Spot rebalance recommendation was triggered",
  scheduled_change: "An unhealthy warning was triggered",
  instance_stopped: "Instance is stopping",
  instance_terminated: "Instance is terminating",
  capacity_reservation_interrupted: "Capacity reservation interruption warning was triggered",
};

export interface InterruptionControllerOptions {
  cluster: Cluster;
  cloudProvider: CloudProvider;
  clock: TimerClock;
  logger?: Logger;
  metrics?: InterruptionMetrics;
  status?: InterruptionStatusSink;
  instanceStatus?: InstanceStatusSource;
}

/** What handling a message came to; the consumer deletes every message whose handling resolves. */
export interface HandledMessage {
  /** The `message_type` label: a kind, `no_op` or `malformed`. */
  readonly messageType: string;
  /** The notice's time, for the queue-duration metric. */
  readonly noticeAt?: number;
  /** Per instance named: what was done. */
  readonly outcomes: readonly InstanceOutcome[];
}

export type InstanceOutcome =
  "terminating" | "already-terminating" | "unknown-instance" | "noted" | "rebalance-replacing" | "rebalance-held";

export class InterruptionController {
  readonly #o: InterruptionControllerOptions;
  readonly #index: ClaimIndex;
  /** NodeClaims terminating because of a notice this process acted on, for the report at the drain's end. */
  readonly #notices = new Map<string, Notice>();
  /** The notice being acted on per NodeClaim: two messages about one instance (a batch) are handled in turn. */
  readonly #acting = new Map<string, Promise<InstanceOutcome>>();

  constructor(options: InterruptionControllerOptions) {
    this.#o = options;
    this.#index = new ClaimIndex(options.cluster);
  }

  close(): void {
    this.#index.close();
  }

  /** Parses and acts on one message; rejects (so the message stays queued) only when the act failed. */
  async handleMessage(message: QueueMessage): Promise<HandledMessage> {
    const parsed = parseMessage(message.body);
    const { metrics, logger } = this.#o;
    if (parsed.type === "malformed") {
      metrics?.received.inc({ message_type: "malformed" });
      // Once per message (it is deleted after this): the problem and id, never the body.
      logger?.warn(
        { messageId: message.id, problem: parsed.problem },
        "interruption message is malformed; deleting it",
      );
      return { messageType: "malformed", outcomes: [] };
    }
    if (parsed.type === "noop") {
      metrics?.received.inc({ message_type: "no_op" });
      logger?.debug({ messageId: message.id, reason: parsed.reason }, "interruption message needs no action");
      return { messageType: "no_op", outcomes: [] };
    }
    const { event } = parsed;
    metrics?.received.inc({ message_type: event.kind });
    const outcomes = await Promise.all(event.instanceIds.map((id) => this.#handleInstance(event, id)));
    return { messageType: event.kind, noticeAt: event.noticeAt, outcomes };
  }

  /**
   * Takes up what a previous process left: every NodeClaim terminating for an interruption notice (its annotation)
   * is reported as interrupted — once: the status publisher drops what the branch already holds — and its drain
   * will be reported at its end.
   */
  recover(): void {
    for (const claim of this.#o.cluster.list("nodeclaims")) {
      if (claim.metadata.deletionTimestamp !== undefined) this.#resume(claim, this.#index.node(claim));
    }
  }

  /** Reports a NodeClaim already terminating for a notice (annotated) as that notice's act. */
  #resume(claim: NodeClaim, node: Node | undefined): void {
    const notice = noticeOf(claim);
    const name = claim.metadata.name ?? "";
    if (notice === undefined || this.#notices.has(name)) return;
    this.#notices.set(name, notice);
    this.#recordInterrupted(claim, node, notice);
  }

  #recordInterrupted(claim: NodeClaim, node: Node | undefined, notice: Notice): void {
    const name = claim.metadata.name ?? "";
    const pool = claim.metadata.labels?.[LABEL_NODE_POOL];
    this.#o.status?.record({
      kind: "interrupted",
      ...(pool === undefined ? {} : { pool }),
      // The Node's name, also once it is gone (the NodeClaim keeps it), else the NodeClaim's: an action names a
      // node, and always the same one, so that it is recorded once.
      node: node?.metadata.name ?? claim.status?.nodeName ?? name,
      reason: `${notice.kind} for instance ${notice.instanceId}: NodeClaim ${name} tainted and deleted, draining`,
    });
  }

  async #handleInstance(event: InterruptionEvent, instanceId: string): Promise<InstanceOutcome> {
    const name = this.#index.nodeClaim(instanceId)?.metadata.name;
    if (name === undefined) return this.#actOnInstance(event, instanceId);
    const previous = this.#acting.get(name) ?? Promise.resolve("noted" as InstanceOutcome);
    const acting = previous.catch(() => undefined).then(() => this.#actOnInstance(event, instanceId));
    this.#acting.set(name, acting);
    try {
      return await acting;
    } finally {
      if (this.#acting.get(name) === acting) this.#acting.delete(name);
    }
  }

  async #actOnInstance(event: InterruptionEvent, instanceId: string): Promise<InstanceOutcome> {
    const claim = this.#index.nodeClaim(instanceId);
    if (claim === undefined) {
      this.#o.logger?.debug({ instanceId, kind: event.kind }, "no NodeClaim for the interrupted instance");
      return "unknown-instance";
    }
    const node = this.#index.node(claim);
    const name = claim.metadata.name ?? "";
    if (event.kind === "rebalance_recommendation") return this.#rebalance(event, claim, node, instanceId);
    if (event.kind === "spot_interrupted" || event.kind === "capacity_reservation_interrupted") {
      this.#markUnavailable(claim, event.kind === "spot_interrupted" ? "spot" : "reserved");
    }
    if (this.#notices.has(name)) return "already-terminating";
    // An instance stopping or terminating while its NodeClaim is already being deleted (consolidation, expiry, a
    // user) goes because of that deletion or goes anyway: nothing to act on, and recording it as an interruption
    // would report an act nobody took, with a drain owed to it. Karpenter's deleteNodeClaim does nothing for a
    // NodeClaim with a deletionTimestamp (aws:pkg/controllers/interruption/controller.go). A spot or Health notice
    // still acts on one whose drain has not begun: it brings the deadline forward.
    const stateChange = event.kind === "instance_stopped" || event.kind === "instance_terminated";
    if (this.#alreadyTerminating(claim, node) || (stateChange && claim.metadata.deletionTimestamp !== undefined)) {
      this.#resume(claim, node);
      return "already-terminating";
    }
    const notice: Notice = { kind: event.kind, noticeAt: event.noticeAt, instanceId };
    const deadline =
      event.kind === "spot_interrupted" || event.kind === "capacity_reservation_interrupted"
        ? new Date(event.noticeAt + INTERRUPTION_NOTICE_MS)
        : undefined;
    const begun = await beginTermination(this.#o.cluster, name, {
      ...(node?.metadata.name === undefined ? {} : { nodeName: node.metadata.name }),
      ...(deadline === undefined ? {} : { terminateBy: deadline }),
      annotations: noticeAnnotation(notice),
    });
    if (begun === "gone") return "unknown-instance";
    this.#notices.set(name, notice);
    await this.#events(claim, node, EVENT_REASON[event.kind], EVENT_MESSAGE[event.kind]);
    await this.#events(
      claim,
      node,
      "TerminatingOnInterruption",
      "Interruption triggered termination for the NodeClaim",
    );
    this.#recordInterrupted(claim, node, notice);
    return "terminating";
  }

  /** A NodeClaim already being deleted whose Node (if any) is tainted: a duplicate or a second notice. */
  #alreadyTerminating(claim: NodeClaim, node: Node | undefined): boolean {
    if (claim.metadata.deletionTimestamp === undefined) return false;
    return node === undefined || (node.spec?.taints ?? []).some((t) => t.key === "karpenter.sh/disrupted");
  }

  async #rebalance(
    event: InterruptionEvent,
    claim: NodeClaim,
    node: Node | undefined,
    instanceId: string,
  ): Promise<InstanceOutcome> {
    const { cluster, clock, status } = this.#o;
    const name = claim.metadata.name ?? "";
    const poolName = claim.metadata.labels?.[LABEL_NODE_POOL];
    const pool = poolName === undefined ? undefined : cluster.get("nodepools", { name: poolName });
    await this.#events(claim, node, EVENT_REASON[event.kind], EVENT_MESSAGE[event.kind], "Normal");
    if (rebalancePolicy(pool) === "ignore" || pool === undefined) return "noted";
    if (claim.metadata.deletionTimestamp !== undefined) return "already-terminating";
    const claims = cluster.list("nodeclaims").filter((c) => c.metadata.labels?.[LABEL_NODE_POOL] === poolName);
    const decision = rebalanceDecision(pool, claims, clock.now());
    const where = { pool: poolName ?? "", ...(node?.metadata.name === undefined ? {} : { node: node.metadata.name }) };
    if (!decision.replace) {
      await this.#events(claim, node, "RebalanceHeld", `Rebalance replacement held: ${decision.held}`, "Warning");
      status?.record({
        kind: "interrupted",
        ...where,
        reason: `rebalance_recommendation for instance ${instanceId}: replacement held, ${decision.held}`,
      });
      return "rebalance-held";
    }
    const begun = await beginTermination(cluster, name, {
      ...(node?.metadata.name === undefined ? {} : { nodeName: node.metadata.name }),
    });
    if (begun === "gone") return "unknown-instance";
    this.#notices.set(name, { kind: event.kind, noticeAt: event.noticeAt, instanceId });
    status?.record({
      kind: "interrupted",
      ...where,
      reason: `rebalance_recommendation for instance ${instanceId}: NodeClaim ${name} replaced proactively`,
    });
    return "rebalance-replacing";
  }

  #markUnavailable(claim: NodeClaim, capacityType: CapacityType): void {
    const labels = claim.metadata.labels ?? {};
    const type = labels[LABEL_INSTANCE_TYPE];
    const zone = labels[LABEL_ZONE];
    if (type === undefined || zone === undefined) return;
    if (capacityType === "spot" && labels[LABEL_CAPACITY_TYPE] !== "spot") return;
    this.#o.cloudProvider.markUnavailable(
      type,
      zone,
      capacityType,
      `${capacityType} interruption of ${claim.metadata.name}`,
    );
  }

  /** Polls DescribeInstanceStatus once: impaired → forceful termination, a scheduled event → drain. */
  async pollInstanceStatus(): Promise<void> {
    const { instanceStatus, cluster, clock, metrics } = this.#o;
    if (instanceStatus === undefined) return;
    const verdicts = instanceStatusVerdicts(await instanceStatus.describeInstanceStatus());
    for (const verdict of verdicts) {
      const claim = this.#index.nodeClaim(verdict.instanceId);
      if (claim === undefined) continue;
      const node = this.#index.node(claim);
      const forceful = verdict.action === "forceful";
      // A forceful verdict still applies to a NodeClaim already draining: it moves the deadline to now.
      if (!forceful && this.#alreadyTerminating(claim, node)) continue;
      metrics?.unhealthy.inc({ check: forceful ? verdict.check : "scheduled-event" });
      const name = claim.metadata.name ?? "";
      const begun = await beginTermination(cluster, name, {
        ...(node?.metadata.name === undefined ? {} : { nodeName: node.metadata.name }),
        ...(forceful ? { terminateBy: clock.now() } : {}),
      });
      if (begun === "gone") continue;
      const why = forceful
        ? `its ${verdict.check} status check is impaired: terminating it forcefully`
        : `it has a scheduled ${verdict.code} event: draining it`;
      await this.#events(claim, node, "InstanceUnhealthy", `DescribeInstanceStatus: ${why}`, "Warning");
      const pool = claim.metadata.labels?.[LABEL_NODE_POOL];
      this.#o.status?.record({
        kind: "interrupted",
        ...(pool === undefined ? {} : { pool }),
        ...(node?.metadata.name === undefined ? {} : { node: node.metadata.name }),
        reason: `instance ${verdict.instanceId}: ${why}`,
      });
    }
  }

  /** Polls instance status every `intervalMs` (Karpenter: 1 minute) until the returned stop is called. */
  startInstanceStatusPoll(intervalMs = 60_000): () => void {
    let stopped = false;
    let timer: Timer | undefined;
    const arm = () => {
      timer = this.#o.clock.afterFunc(intervalMs, () => {
        this.pollInstanceStatus()
          .catch((error: unknown) => this.#o.logger?.warn({ err: error }, "DescribeInstanceStatus poll failed"))
          .finally(() => {
            if (!stopped) arm();
          });
      });
    };
    arm();
    return () => {
      stopped = true;
      timer?.stop();
    };
  }

  /**
   * The termination controller's report: closes an interruption this process acted on, or one a previous process
   * acted on whose NodeClaim carried the notice to its end (interruption-end.ts).
   */
  terminated(report: TerminationReport): void {
    const known = this.#notices.get(report.nodeClaim);
    this.#notices.delete(report.nodeClaim);
    reportInterruptionEnd(this.#o, report, known);
  }

  async #events(
    claim: NodeClaim,
    node: Node | undefined,
    reason: string,
    message: string,
    type: "Normal" | "Warning" = "Warning",
  ): Promise<void> {
    const targets = [
      {
        apiVersion: "karpenter.sh/v1",
        kind: "NodeClaim",
        name: claim.metadata.name ?? "",
        uid: claim.metadata.uid ?? "",
      },
      ...(node === undefined
        ? []
        : [{ apiVersion: "v1", kind: "Node", name: node.metadata.name ?? "", uid: node.metadata.uid ?? "" }]),
    ];
    for (const involved of targets) {
      try {
        await this.#o.cluster.recordEvent({ involved, type, reason, message });
      } catch (error) {
        // An event is a report: losing one must not undo or repeat the act.
        if (!isNotFound(error)) this.#o.logger?.warn({ reason, err: error }, "recording an event failed");
      }
    }
  }
}
