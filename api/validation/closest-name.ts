// Suggests the field a user probably meant ("consolidateAfer" → "consolidateAfter"), as kubectl users expect
// from other tools; a suggestion is only made when it is close enough to be a likely typo.

export function closestName(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  const allowed = Math.max(1, Math.floor(name.length / 3));
  const lower = name.toLowerCase();
  for (const candidate of candidates) {
    // The distance is at least the length difference: skip candidates that cannot be close enough.
    if (Math.abs(candidate.length - name.length) > allowed) continue;
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best !== undefined && bestDistance <= allowed ? best : undefined;
}

/**
 * Edit distances computed so far in this process: what suggestions cost, each quadratic in the names' lengths.
 * The adversarial tests bound it for objects of any size.
 */
export let editDistances = 0;

/** Levenshtein distance. */
export function editDistance(a: string, b: string): number {
  editDistances++;
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/**
 * `closestName` for many names against one fixed list (a catalog's instance-type names): the same answers, ties
 * included, computing a few edit distances instead of one per candidate. Candidates are indexed by their letter
 * pairs (bigrams) and tried most-shared first; one is skipped without computing its distance when two lower bounds
 * show it cannot be as close as the best so far: within distance d two strings share at least |name| - 1 - 2d
 * bigrams (Ukkonen's q-gram lemma), and d is at least the letters one has that the other lacks (bag distance).
 */
export class ClosestNameIndex {
  readonly #candidates: readonly string[];
  readonly #lower: readonly string[];
  readonly #letters: readonly Map<string, number>[];
  readonly #byLength = new Map<number, number[]>();
  /** Per bigram, each candidate that has it and how often. */
  readonly #byBigram = new Map<string, [id: number, count: number][]>();

  constructor(candidates: readonly string[]) {
    this.#candidates = [...candidates];
    this.#lower = this.#candidates.map((c) => c.toLowerCase());
    this.#letters = this.#lower.map((c) => counts(c, 1));
    this.#candidates.forEach((candidate, id) => {
      const sameLength = this.#byLength.get(candidate.length);
      if (sameLength) sameLength.push(id);
      else this.#byLength.set(candidate.length, [id]);
      for (const [gram, count] of counts(this.#lower[id] ?? "", 2)) {
        const postings = this.#byBigram.get(gram);
        if (postings) postings.push([id, count]);
        else this.#byBigram.set(gram, [[id, count]]);
      }
    });
  }

  closest(name: string): string | undefined {
    const allowed = Math.max(1, Math.floor(name.length / 3));
    const lower = name.toLowerCase();
    const letters = counts(lower, 1);
    // As closestName: a candidate whose length differs by more than the distance allowed is never close enough.
    const fits = (id: number) => Math.abs((this.#candidates[id] ?? "").length - name.length) <= allowed;
    const shared = new Map<number, number>();
    for (const [gram, count] of counts(lower, 2)) {
      for (const [id, theirs] of this.#byBigram.get(gram) ?? []) {
        if (fits(id)) shared.set(id, (shared.get(id) ?? 0) + Math.min(count, theirs));
      }
    }
    const needed = (distance: number) => lower.length - 1 - 2 * distance;
    // Candidates sharing no bigram can only be close to a short name: list them only then.
    if (needed(allowed) <= 0) {
      for (let length = name.length - allowed; length <= name.length + allowed; length++) {
        for (const id of this.#byLength.get(length) ?? []) if (!shared.has(id)) shared.set(id, 0);
      }
    }
    const order = [...shared].sort((a, b) => b[1] - a[1] || a[0] - b[0]);
    let best = -1;
    let bestDistance = allowed;
    for (const [id, common] of order) {
      // Sorted by bigrams shared: once one shares too few to match the best, so do all the rest.
      if (common < needed(bestDistance)) break;
      if (bagDistance(letters, this.#letters[id] ?? new Map()) > bestDistance) continue;
      const distance = editDistance(lower, this.#lower[id] ?? "");
      // closestName keeps the first of equally close candidates: here, the lowest position in the list.
      if (distance < bestDistance || (distance === bestDistance && (best < 0 || id < best))) {
        best = id;
        bestDistance = distance;
      }
    }
    return best >= 0 ? this.#candidates[best] : undefined;
  }
}

/** How often each substring of `size` characters occurs in `text`. */
function counts(text: string, size: number): Map<string, number> {
  const out = new Map<string, number>();
  for (let i = 0; i + size <= text.length; i++) {
    const part = text.slice(i, i + size);
    out.set(part, (out.get(part) ?? 0) + 1);
  }
  return out;
}

/** A lower bound of the edit distance: the letters either string has more of than the other (each edit fixes one). */
function bagDistance(a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>): number {
  let onlyA = 0;
  let onlyB = 0;
  for (const [letter, n] of a) onlyA += Math.max(0, n - (b.get(letter) ?? 0));
  for (const [letter, n] of b) onlyB += Math.max(0, n - (a.get(letter) ?? 0));
  return Math.max(onlyA, onlyB);
}
