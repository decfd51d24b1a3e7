/**
 * Choosing among the best-scored nodes (schedule_one.go `selectHost`). The real scheduler picks uniformly at
 * random among the nodes that share the top score (reservoir sampling with math/rand). The stand-in must be
 * replayable, so it draws from a PRNG seeded by the caller's seed and the pod's key: the same pod in the same
 * cluster with the same seed lands on the same node, while different pods still spread over tied nodes.
 */

/** FNV-1a over the text, for a 32-bit seed. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** mulberry32: a small, well-distributed 32-bit PRNG; returns a draw in [0, 1). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface TotalScore {
  readonly name: string;
  readonly total: number;
}

/** The node to bind to: one of the top-scored, in node order, picked by the seeded draw. */
export function selectHost(scores: readonly TotalScore[], seed: number, podKey: string): string {
  const best = Math.max(...scores.map((entry) => entry.total));
  const tied = scores.filter((entry) => entry.total === best);
  const draw = mulberry32(hash(`${seed}/${podKey}`))();
  const chosen = tied[Math.floor(draw * tied.length)] ?? tied[0];
  if (chosen === undefined) throw new Error("selectHost: no scored nodes");
  return chosen.name;
}
