/**
 * Launching a NodeClaim (Karpenter's lifecycle `Launch.Reconcile`, core:pkg/controllers/nodeclaim/lifecycle/
 * launch.go): the cloud provider's `create`, then the launch written back — the labels and annotations it decided
 * on the NodeClaim, then its status (provider ID, capacity, allocatable, image) with `Launched=True`. An
 * InsufficientCapacityError deletes the NodeClaim (the provider has marked the offerings it tried unavailable, so
 * its pods are scheduled again with what is left); any other failure sets `Launched=False` with the reason, and
 * the launch is tried again until the launch timeout. One launch per NodeClaim at a time: the provisioner and the
 * lifecycle controller share a Launcher.
 */
import type { Clock, Cluster, EventRecord, NodeClaim } from "../../api/index.ts";
import { isNotFound } from "../../api/index.ts";
import {
  type CloudProvider,
  CreateError,
  findError,
  InsufficientCapacityError,
  LABEL_CAPACITY_TYPE,
  LABEL_INSTANCE_TYPE,
  LABEL_ZONE,
  NodeClassNotReadyError,
} from "../../cloudprovider/index.ts";
import type { Logger } from "../../runtime/index.ts";
import { recordEvent } from "../record-event.ts";
import { CONDITION_LAUNCHED } from "../state/index.ts";
import { insufficientCapacityEvent, launchedEvent } from "./nodeclaim-events.ts";
import { patchCondition } from "./status-patch.ts";

export type LaunchOutcome =
  | {
      readonly outcome: "launched";
      readonly nodeClaim: NodeClaim;
      /** A caller that reports its launches (the provisioner) took part in this one: the others need not report it. */
      readonly reported?: boolean;
    }
  | { readonly outcome: "insufficient-capacity"; readonly message: string }
  | { readonly outcome: "failed"; readonly reason: string; readonly message: string };

export interface LauncherOptions {
  readonly cluster: Pick<Cluster, "patch" | "delete" | "recordEvent">;
  readonly cloudProvider: CloudProvider;
  readonly clock: Clock;
  readonly logger?: Logger;
}

export class Launcher {
  readonly #o: LauncherOptions;
  readonly #inFlight = new Map<string, { launch: Promise<LaunchOutcome>; reported: boolean }>();

  constructor(options: LauncherOptions) {
    this.#o = options;
  }

  /** Whether a launch of the NodeClaim is under way. */
  launching(name: string): boolean {
    return this.#inFlight.has(name);
  }

  /**
   * Launches the NodeClaim, or joins the launch of it already under way. `reports`: this caller reports the launch
   * to the status branch when it succeeds; whoever else took part learns so from the outcome (`reported`), and
   * reports a launch no reporting caller took part in — one retried after the provisioner's attempt failed.
   */
  launch(nodeClaim: NodeClaim, options: { reports?: boolean } = {}): Promise<LaunchOutcome> {
    const name = nodeClaim.metadata.name ?? "";
    let running = this.#inFlight.get(name);
    if (running === undefined) {
      const launch = this.#launch(nodeClaim).finally(() => this.#inFlight.delete(name));
      running = { launch, reported: false };
      this.#inFlight.set(name, running);
    }
    if (options.reports === true) running.reported = true;
    const entry = running;
    return entry.launch.then((outcome) =>
      outcome.outcome === "launched" && entry.reported ? { ...outcome, reported: true } : outcome,
    );
  }

  async #launch(nodeClaim: NodeClaim): Promise<LaunchOutcome> {
    const { cluster, cloudProvider } = this.#o;
    const name = nodeClaim.metadata.name ?? "";
    let launched: NodeClaim;
    try {
      launched = await cloudProvider.create(nodeClaim);
    } catch (error) {
      return this.#failed(nodeClaim, error);
    }
    const labels = launched.metadata.labels ?? {};
    try {
      await cluster.patch(
        "nodeclaims",
        { name },
        {
          type: "merge",
          patch: { metadata: { labels, annotations: launched.metadata.annotations ?? {} } },
        },
      );
      const status = launched.status ?? {};
      const written = await patchCondition(
        cluster,
        this.#o.clock,
        nodeClaim,
        { type: CONDITION_LAUNCHED, status: "True", reason: CONDITION_LAUNCHED, message: "" },
        status,
      );
      const what = `${labels[LABEL_INSTANCE_TYPE] ?? "?"} ${labels[LABEL_CAPACITY_TYPE] ?? "?"} in ${labels[LABEL_ZONE] ?? "?"}`;
      await this.#event(launchedEvent(written, `${what} (${status.providerID ?? ""})`));
      this.#o.logger?.info({ nodeClaim: name, providerID: status.providerID, launched: what }, "launched nodeclaim");
      return { outcome: "launched", nodeClaim: written };
    } catch (error) {
      // The instance runs: the NodeClaim going away meanwhile leaves it to garbage collection.
      if (isNotFound(error)) return { outcome: "failed", reason: "NotFound", message: `NodeClaim ${name} is gone` };
      throw error;
    }
  }

  async #failed(nodeClaim: NodeClaim, error: unknown): Promise<LaunchOutcome> {
    const name = nodeClaim.metadata.name ?? "";
    const message = error instanceof Error ? error.message : String(error);
    if (findError(error, InsufficientCapacityError) !== undefined) {
      this.#o.logger?.warn({ nodeClaim: name, error: message }, "insufficient capacity: deleting nodeclaim");
      await this.#event(insufficientCapacityEvent(nodeClaim, message));
      await this.#o.cluster.delete("nodeclaims", { name });
      return { outcome: "insufficient-capacity", message };
    }
    const createError = findError(error, CreateError);
    const reason =
      createError?.conditionReason ??
      (findError(error, NodeClassNotReadyError) !== undefined ? "NodeClassNotReady" : "LaunchFailed");
    this.#o.logger?.warn({ nodeClaim: name, reason, error: message }, "launching nodeclaim failed");
    try {
      await patchCondition(this.#o.cluster, this.#o.clock, nodeClaim, {
        type: CONDITION_LAUNCHED,
        status: "False",
        reason,
        message: createError?.conditionMessage ?? message,
      });
    } catch (writeError) {
      if (!isNotFound(writeError)) throw writeError;
    }
    return { outcome: "failed", reason, message };
  }

  #event(record: EventRecord): Promise<void> {
    return recordEvent(this.#o.cluster, record, this.#o.logger);
  }
}
