// What the world saw of one spot interruption, at the simulated time each thing happened, for the step's failure
// to say which wait the clock ran past: the node's cordon (Karpenter's `karpenter.sh/disrupted` taint), its
// NodeClaim's deletion, each of its pods' eviction and removal, each pod created since the notice with when it was
// bound (and where) and running, each NodeClaim created since with when it launched and registered, what else was
// disrupted meanwhile (other NodeClaims deleted, other nodes' pods deleted: consolidation moving pods too), and the
// clock's jumps with the sites that armed the timers they ran. Read from the world's store by watches (what the
// API server's watchers would see, in order), never from poolkeeper run's own records.
import type { KubeObject, StoreWatch } from "../../sim/index.ts";
import type { DemoEnvironment } from "./environment.ts";
import { isBound } from "./world-view.ts";

const DISRUPTED_TAINT = "karpenter.sh/disrupted";
/** The clock's jumps a failure lists at most (the newest), and the sites per jump. */
const JUMPS_SHOWN = 80;
const SITES_SHOWN = 3;

interface PodRecord {
  node?: string;
  created?: number;
  evicted?: number;
  gone?: number;
  bound?: number;
  running?: number;
}

interface ClaimRecord {
  created?: number;
  launched?: number;
  registered?: number;
  deleting?: number;
  gone?: number;
  node?: string;
}

export class InterruptionTrace {
  readonly #env: DemoEnvironment;
  readonly #noticeAt: number;
  readonly #nodeName: string;
  readonly #watches: StoreWatch[] = [];
  readonly #pods = new Map<string, PodRecord>();
  readonly #claims = new Map<string, ClaimRecord>();
  /** Pods of other nodes deleted since the notice, by key, and per node the first time and how many. */
  readonly #otherPods = new Set<string>();
  readonly #otherNodes = new Map<string, { first: number; count: number }>();
  #cordoned: number | undefined;
  #nodeGone: number | undefined;

  constructor(env: DemoEnvironment, nodeName: string) {
    this.#env = env;
    this.#nodeName = nodeName;
    this.#noticeAt = env.clock.now().getTime();
    const store = env.world.store;
    const from = { resourceVersion: String(store.resourceVersion), readOnly: true };
    const kind = (group: string, plural: string) => store.registry.get(group, "v1", plural);
    // What is on the node already is where the drain starts from.
    for (const pod of store.list(kind("", "pods"), { readOnly: true }).items)
      if (nodeOf(pod) === nodeName) this.#pods.set(keyOf(pod), { node: nodeName });
    for (const claim of store.list(kind("karpenter.sh", "nodeclaims"), { readOnly: true }).items)
      if (claimNode(claim) === nodeName) this.#claims.set(keyOf(claim), { node: nodeName });
    this.#watches.push(
      store.watch(kind("", "pods"), from, ({ type, object }) => this.#onPod(type, object)),
      store.watch(kind("", "nodes"), from, ({ type, object }) => this.#onNode(type, object)),
      store.watch(kind("karpenter.sh", "nodeclaims"), from, ({ type, object }) => this.#onClaim(type, object)),
    );
  }

  stop(): void {
    for (const watch of this.#watches.splice(0)) watch.stop();
  }

  /** The record, one line per thing, times as seconds after the notice. */
  describe(): string {
    const at = (ms: number | undefined) =>
      ms === undefined ? "never" : `+${((ms - this.#noticeAt) / 1000).toFixed(1)} s`;
    const lines = [`node ${this.#nodeName}: cordoned ${at(this.#cordoned)}, deleted ${at(this.#nodeGone)}`];
    for (const [name, claim] of this.#claims) {
      const role =
        claim.node === this.#nodeName
          ? "its NodeClaim"
          : claim.created === undefined
            ? "another NodeClaim"
            : "new NodeClaim";
      lines.push(
        `${role} ${name}: created ${at(claim.created)}, launched ${at(claim.launched)}, registered ` +
          `${at(claim.registered)}${claim.node ? ` as ${claim.node}` : ""}, deleting ${at(claim.deleting)}, gone ${at(claim.gone)}`,
      );
    }
    for (const [name, pod] of this.#pods) {
      lines.push(
        pod.created === undefined
          ? `drained pod ${name}: evicted ${at(pod.evicted)}, gone ${at(pod.gone)}`
          : `new pod ${name}: created ${at(pod.created)}, bound ${at(pod.bound)}${pod.node ? ` to ${pod.node}` : ""}, ` +
              `running ${at(pod.running)}${pod.gone === undefined ? "" : `, gone ${at(pod.gone)}`}`,
      );
    }
    for (const [node, { first, count }] of this.#otherNodes)
      lines.push(`${count} pod(s) of ${node} deleted meanwhile, the first ${at(first)}`);
    const jumps = this.#env.clock.jumps.filter((jump) => jump.to > this.#noticeAt);
    const shown = jumps.slice(-JUMPS_SHOWN).map((jump) => {
      const sites = [...new Set(jump.sites)];
      const named = sites.slice(0, SITES_SHOWN).join(", ") + (sites.length > SITES_SHOWN ? ", …" : "");
      return `${at(jump.from)}→${at(jump.to)} (${jump.sites.length} timer(s)${named ? `: ${named}` : ""})`;
    });
    const skipped = jumps.length - shown.length;
    lines.push(`clock jumps since the notice (${jumps.length}${skipped > 0 ? `, the newest ${shown.length}` : ""}):`);
    lines.push(...shown.map((jump) => `  ${jump}`));
    return lines.join("\n");
  }

  #now(): number {
    return this.#env.clock.now().getTime();
  }

  #onNode(type: string, node: KubeObject): void {
    if (node.metadata?.name !== this.#nodeName) return;
    if (type === "DELETED") this.#nodeGone ??= this.#now();
    const taints = (node.spec as { taints?: { key?: string }[] } | undefined)?.taints ?? [];
    if (taints.some((taint) => taint.key === DISRUPTED_TAINT)) this.#cordoned ??= this.#now();
  }

  #onPod(type: string, pod: KubeObject): void {
    const key = keyOf(pod);
    let record = this.#pods.get(key);
    if (record === undefined) {
      if (type !== "ADDED") {
        // A pod of another node deleted meanwhile (consolidation, a Job's end): counted per node, not listed.
        if (type === "DELETED" || pod.metadata?.deletionTimestamp !== undefined) this.#otherDeletions(pod, key);
        return;
      }
      record = { created: this.#now() };
      this.#pods.set(key, record);
    }
    const now = this.#now();
    if (type === "DELETED") record.gone ??= now;
    if (pod.metadata?.deletionTimestamp !== undefined) record.evicted ??= now;
    if (record.created !== undefined && isBound(pod) && record.bound === undefined) {
      record.bound = now;
      record.node = nodeOf(pod);
    }
    if ((pod.status as { phase?: string } | undefined)?.phase === "Running" && record.created !== undefined)
      record.running ??= now;
  }

  #otherDeletions(pod: KubeObject, key: string): void {
    if (this.#otherPods.has(key)) return;
    this.#otherPods.add(key);
    const node = nodeOf(pod) ?? "unbound";
    const seen = this.#otherNodes.get(node);
    this.#otherNodes.set(node, { first: seen?.first ?? this.#now(), count: (seen?.count ?? 0) + 1 });
  }

  #onClaim(type: string, claim: KubeObject): void {
    const key = keyOf(claim);
    let record = this.#claims.get(key);
    if (record === undefined) {
      // Another existing NodeClaim matters once it is deleted (consolidation, drift, expiry): its pods move too.
      if (type !== "ADDED" && claim.metadata?.deletionTimestamp === undefined && type !== "DELETED") return;
      record = type === "ADDED" ? { created: this.#now() } : { node: claimNode(claim) ?? "?" };
      this.#claims.set(key, record);
    }
    const now = this.#now();
    if (type === "DELETED") record.gone ??= now;
    if (claim.metadata?.deletionTimestamp !== undefined) record.deleting ??= now;
    if (hasCondition(claim, "Launched")) record.launched ??= now;
    if (hasCondition(claim, "Registered")) {
      record.registered ??= now;
      record.node ??= claimNode(claim);
    }
  }
}

function keyOf(object: KubeObject): string {
  const namespace = object.metadata?.namespace;
  return `${namespace ? `${String(namespace)}/` : ""}${String(object.metadata?.name ?? "")}`;
}

function nodeOf(pod: KubeObject): string | undefined {
  return (pod.spec as { nodeName?: string } | undefined)?.nodeName;
}

function claimNode(claim: KubeObject): string | undefined {
  return (claim.status as { nodeName?: string } | undefined)?.nodeName;
}

function hasCondition(object: KubeObject, type: string): boolean {
  const conditions = (object.status as { conditions?: { type?: string; status?: string }[] } | undefined)?.conditions;
  return (conditions ?? []).some((condition) => condition.type === type && condition.status === "True");
}
