/**
 * Carries a command out over the Cluster port, in Karpenter's order (disruption/queue.go, FACTS.md §b "Executing a
 * command"): after the 15 s re-validation, taint the candidates `karpenter.sh/disrupted:NoSchedule` and set their
 * NodeClaims' `DisruptionReason` first, so no pod lands on a node whose replacement was sized for its old pods; then
 * create the replacement NodeClaims (the lifecycle controller launches them) and wait until each is Initialized;
 * then hand the candidates to the termination controller (`beginTermination`: taint, delete the NodeClaim), which
 * drains them within their `terminationGracePeriod`. A replacement that fails to launch, disappears or does not
 * initialize in time rolls the command back: replacements deleted, taint and condition removed. Candidates and
 * replacements carry the command's id, so `recover` can finish or roll back after a restart what a previous process
 * left half-done. An expiration is handed to termination at once.
 */
import {
  type Cluster,
  type Condition,
  describeDuration,
  isConflict,
  isNotFound,
  type NodeClaim,
  type TimerClock,
} from "../../api/index.ts";
import { stableHash } from "../../cloudprovider/index.ts";
import { DISRUPTED_NO_SCHEDULE_TAINT } from "../../scheduling/index.ts";
import { nodeClaimManifest } from "../provisioning/index.ts";
import { beginTermination } from "../termination/index.ts";
import type { CommandCandidate, DisruptionCommand } from "./command.ts";
import { commandEvents, recordAll } from "./events.ts";
import { CONDITION_DISRUPTION_REASON, CONDITION_INITIALIZED, conditionOf } from "./node-facts.ts";
import { nodePoolAnnotations } from "./nodepool-hash.ts";
import { annotateNodeClaim, setNodeClaimCondition } from "./nodeclaim-writes.ts";
import type { Validation } from "./revalidate.ts";

export const ANNOTATION_DISRUPTION_COMMAND = "poolkeeper.dev/disruption-command";
export const ANNOTATION_DISRUPTION_REPLACEMENTS = "poolkeeper.dev/disruption-replacements";
/** How long replacements may take to initialize (Karpenter's queue retries for at least 10 minutes). */
export const DEFAULT_INITIALIZATION_TIMEOUT_MS = 10 * 60_000;
const STOPPED = Symbol("stopped");

export interface ExecutorOptions {
  readonly cluster: Cluster;
  readonly clock: TimerClock;
  /** The commit of the desired state, recorded on replacements for rollout progress. */
  readonly commit?: string;
  readonly initializationTimeoutMs?: number;
  /**
   * Aborted when this replica stops acting: a wait for replacements ends at once and leaves the command as it is,
   * marked on its NodeClaims, for the next process's `recover()` (Karpenter's queue, too, is rebuilt from the
   * NodeClaims' marks by the next leader).
   */
  readonly signal?: AbortSignal;
}

export type ExecutionResult =
  | { readonly outcome: "done"; readonly command: DisruptionCommand; readonly replacements: readonly string[] }
  | { readonly outcome: "dry-run"; readonly command: DisruptionCommand }
  | { readonly outcome: "invalidated"; readonly command: DisruptionCommand; readonly why: string }
  | { readonly outcome: "rolled-back"; readonly command: DisruptionCommand; readonly why: string }
  /** Stopped while its replacements initialized; left for the next process's `recover()`. */
  | { readonly outcome: "stopped"; readonly command: DisruptionCommand; readonly replacements: readonly string[] };

export class DisruptionExecutor {
  readonly #cluster: Cluster;
  readonly #clock: TimerClock;
  readonly #commit: string | undefined;
  readonly #timeoutMs: number;
  readonly #signal: AbortSignal | undefined;

  constructor(options: ExecutorOptions) {
    this.#signal = options.signal;
    this.#cluster = options.cluster;
    this.#clock = options.clock;
    this.#commit = options.commit;
    this.#timeoutMs = options.initializationTimeoutMs ?? DEFAULT_INITIALIZATION_TIMEOUT_MS;
  }

  /**
   * Runs the command. `validate` is asked at `command.validateAt` (re-validation over a fresh snapshot: the
   * caller's, since the snapshot is built from cluster state); its command replaces the original.
   */
  async execute(command: DisruptionCommand, validate: () => Validation): Promise<ExecutionResult> {
    if (command.dryRun) return { outcome: "dry-run", command };
    if (command.forceful) {
      await recordAll(this.#cluster, commandEvents(command, "DisruptionTerminating", command.message));
      for (const c of command.candidates) await this.#terminate(c);
      return { outcome: "done", command, replacements: [] };
    }
    const wait = (command.validateAt?.getTime() ?? 0) - this.#clock.now().getTime();
    if (wait > 0) await this.#clock.sleep(wait);
    const validation = validate();
    if (!validation.valid) {
      await recordAll(this.#cluster, commandEvents(command, "DisruptionBlocked", `not carried out: ${validation.why}`));
      return { outcome: "invalidated", command, why: validation.why };
    }
    const valid = validation.command;
    await this.#mark(valid);
    await recordAll(this.#cluster, commandEvents(valid, "DisruptionLaunching", valid.message));
    const names = valid.replacements.map((_, i) => replacementName(valid, i));
    try {
      for (const [i, replacement] of valid.replacements.entries()) {
        await this.#createReplacement(valid, replacement, names[i] ?? "");
      }
    } catch (error) {
      return this.#rollBack(valid, names, `creating a replacement failed: ${errorText(error)}`);
    }
    return this.#finish(valid, names);
  }

  /**
   * Finishes or rolls back what a previous process left: NodeClaims carrying `DisruptionReason` and a command id.
   * A command whose replacements all exist is finished (waiting for them to initialize); one with replacements
   * missing is rolled back, since their specs went with the process. Nodes left tainted by no command are untainted.
   */
  async recover(): Promise<ExecutionResult[]> {
    const claims = this.#cluster.list("nodeclaims");
    const groups = new Map<string, NodeClaim[]>();
    for (const claim of claims) {
      const reason = conditionOf(claim.status?.conditions as Condition[] | undefined, CONDITION_DISRUPTION_REASON);
      if (reason?.status !== "True" || claim.metadata.deletionTimestamp !== undefined) continue;
      const id = claim.metadata.annotations?.[ANNOTATION_DISRUPTION_COMMAND] ?? `unknown-${claim.metadata.name ?? ""}`;
      groups.set(id, [...(groups.get(id) ?? []), claim]);
    }
    const results: ExecutionResult[] = [];
    for (const [id, candidates] of groups) {
      const command = recoveredCommand(id, candidates);
      const expected = Number(candidates[0]?.metadata.annotations?.[ANNOTATION_DISRUPTION_REPLACEMENTS] ?? "0");
      const replacements = claims
        .filter((c) => c.metadata.annotations?.[ANNOTATION_DISRUPTION_COMMAND] === id && !candidates.includes(c))
        .map((c) => c.metadata.name ?? "");
      results.push(
        replacements.length === expected
          ? await this.#finish(command, replacements)
          : await this.#rollBack(
              command,
              replacements,
              "the controller restarted before its replacements were created",
            ),
      );
    }
    await this.#untaintStrays(new Set(results.flatMap((r) => r.command.candidates.map((c) => c.node))));
    return results;
  }

  async #finish(command: DisruptionCommand, names: readonly string[]): Promise<ExecutionResult> {
    if (names.length > 0) {
      await recordAll(
        this.#cluster,
        commandEvents(command, "DisruptionWaitingReadiness", `waiting for ${names.join(", ")} to initialize`),
      );
      const ready = await this.#initialized(names);
      if (ready === STOPPED) return { outcome: "stopped", command, replacements: names };
      if (ready !== undefined) return this.#rollBack(command, names, ready);
    }
    await recordAll(this.#cluster, commandEvents(command, "DisruptionTerminating", command.message));
    for (const c of command.candidates) await this.#terminate(c);
    return { outcome: "done", command, replacements: names };
  }

  async #mark(command: DisruptionCommand): Promise<void> {
    const now = this.#clock.now().toISOString();
    for (const c of command.candidates) {
      await this.#cluster.taint(c.node, { ...DISRUPTED_NO_SCHEDULE_TAINT, timeAdded: now });
      await annotateNodeClaim(this.#cluster, c.nodeClaim, {
        [ANNOTATION_DISRUPTION_COMMAND]: command.id,
        [ANNOTATION_DISRUPTION_REPLACEMENTS]: String(command.replacements.length),
      });
      await setNodeClaimCondition(this.#cluster, c.nodeClaim, CONDITION_DISRUPTION_REASON, {
        status: "True",
        reason: command.reason,
        message: command.message.slice(0, 1024),
        lastTransitionTime: now,
      });
    }
  }

  async #createReplacement(
    command: DisruptionCommand,
    replacement: DisruptionCommand["replacements"][number],
    name: string,
  ): Promise<void> {
    const manifest = nodeClaimManifest(replacement);
    const { generateName: _generated, ...metadata } = manifest.metadata;
    const annotations = {
      ...(metadata.annotations ?? {}),
      ...nodePoolAnnotations(replacement.nodePool.nodePool, this.#commit),
      [ANNOTATION_DISRUPTION_COMMAND]: command.id,
    };
    try {
      await this.#cluster.create("nodeclaims", { ...manifest, metadata: { ...metadata, name, annotations } });
    } catch (error) {
      // Created by this command before a restart: the same name, the same command.
      if (!isConflict(error)) throw error;
    }
  }

  /** Undefined once every NodeClaim is Initialized; otherwise why not (gone, launch failed, timed out). */
  #initialized(names: readonly string[]): Promise<string | typeof STOPPED | undefined> {
    return new Promise((resolve) => {
      const seen = new Set<string>();
      let done = false;
      const finish = (why: string | typeof STOPPED | undefined) => {
        if (done) return;
        done = true;
        unsubscribe();
        timer.stop();
        this.#signal?.removeEventListener("abort", onAbort);
        resolve(why);
      };
      const onAbort = () => finish(STOPPED);
      const check = () => {
        let ready = 0;
        for (const name of names) {
          const claim = this.#cluster.get("nodeclaims", { name });
          if (claim === undefined || claim.metadata.deletionTimestamp !== undefined) {
            if (seen.has(name) || claim !== undefined)
              return finish(`replacement ${name} was deleted before it initialized`);
            continue;
          }
          seen.add(name);
          const conditions = claim.status?.conditions as Condition[] | undefined;
          const launched = conditionOf(conditions, "Launched");
          if (launched?.status === "False") {
            return finish(`replacement ${name} failed to launch: ${launched.message ?? launched.reason ?? ""}`);
          }
          if (conditionOf(conditions, CONDITION_INITIALIZED)?.status === "True") ready += 1;
        }
        if (ready === names.length) finish(undefined);
      };
      const unsubscribe = this.#cluster.onChange("nodeclaims", check);
      const timer = this.#clock.afterFunc(this.#timeoutMs, () =>
        finish(`replacements not initialized within ${describeDuration(this.#timeoutMs)}`),
      );
      if (this.#signal?.aborted === true) return finish(STOPPED);
      this.#signal?.addEventListener("abort", onAbort, { once: true });
      check();
    });
  }

  async #rollBack(command: DisruptionCommand, replacements: readonly string[], why: string): Promise<ExecutionResult> {
    for (const name of replacements) await this.#deleteNodeClaim(name);
    for (const c of command.candidates) {
      await this.#untaint(c.node);
      await setNodeClaimCondition(this.#cluster, c.nodeClaim, CONDITION_DISRUPTION_REASON, undefined);
      await annotateNodeClaim(this.#cluster, c.nodeClaim, {
        [ANNOTATION_DISRUPTION_COMMAND]: null,
        [ANNOTATION_DISRUPTION_REPLACEMENTS]: null,
      });
    }
    await recordAll(this.#cluster, commandEvents(command, "DisruptionBlocked", `rolled back: ${why}`));
    return { outcome: "rolled-back", command, why };
  }

  async #untaintStrays(handled: ReadonlySet<string>): Promise<void> {
    for (const node of this.#cluster.list("nodes")) {
      const name = node.metadata.name ?? "";
      const tainted = (node.spec?.taints ?? []).some((t) => t.key === DISRUPTED_NO_SCHEDULE_TAINT.key);
      if (tainted && !handled.has(name) && node.metadata.deletionTimestamp === undefined) await this.#untaint(name);
    }
  }

  async #untaint(node: string): Promise<void> {
    try {
      await this.#cluster.taint(node, DISRUPTED_NO_SCHEDULE_TAINT, { remove: true });
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }

  /** Termination's durable act, the same as interruption's: the termination controller drains and terminates. */
  async #terminate(candidate: CommandCandidate): Promise<void> {
    await beginTermination(
      this.#cluster,
      candidate.nodeClaim,
      candidate.node === "" ? {} : { nodeName: candidate.node },
    );
  }

  async #deleteNodeClaim(name: string): Promise<void> {
    await this.#cluster.delete("nodeclaims", { name });
  }
}

function replacementName(command: DisruptionCommand, index: number): string {
  const pool = command.replacements[index]?.nodePool.name ?? "replacement";
  return `${pool}-${stableHash([command.id, index]).slice(0, 10)}`;
}

// What is left of a command after a restart: its candidates, from their NodeClaims.
function recoveredCommand(id: string, claims: readonly NodeClaim[]): DisruptionCommand {
  const reason = conditionOf(claims[0]?.status?.conditions as Condition[] | undefined, CONDITION_DISRUPTION_REASON);
  return {
    id,
    method: "single-node-consolidation",
    reason: (reason?.reason ?? "Underutilized") as DisruptionCommand["reason"],
    candidates: claims.map((c) => ({
      node: c.status?.nodeName ?? "",
      nodeClaim: c.metadata.name ?? "",
      nodePool: c.metadata.labels?.["karpenter.sh/nodepool"] ?? "",
      instanceType: c.metadata.labels?.["node.kubernetes.io/instance-type"],
      capacityType: c.metadata.labels?.["karpenter.sh/capacity-type"],
      price: undefined,
    })),
    replacements: [],
    pods: [],
    savingsPerHour: 0,
    forceful: false,
    validateAt: undefined,
    dryRun: false,
    message: reason?.message ?? `command ${id}`,
  };
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
