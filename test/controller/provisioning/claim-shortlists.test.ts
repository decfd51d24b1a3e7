// The per-signature shortlists (claim-shortlists.ts) against a model written from their contract: a shortlist is the
// run's order — fewest pods first, then the order claims reached that count (ClaimOrder) — less the claims that
// turned the signature away and have not changed since, and, for plain pods' lists, less the claims closed to plain
// pods. Random operation sequences (seeded) compare every list's order with the model's after each step.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ClaimOrder } from "../../../controller/provisioning/claim-order.ts";
import { ClaimShortlists } from "../../../controller/provisioning/claim-shortlists.ts";

interface Claim {
  readonly name: string;
  readonly pods: string[];
  /** The step at which it reached its pod count: the model's tie-break. */
  reached: number;
  /** Bumped whenever a pod is added. */
  version: number;
  closedToPlain: boolean;
}

function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function listed(order: ClaimOrder<Claim>): string[] {
  const out: string[] = [];
  order.find((c) => {
    out.push(c.name);
    return false;
  });
  return out;
}

describe("ClaimShortlists", () => {
  test("a shortlist is the run's order less the claims that turned its signature away since they last changed", () => {
    for (let seed = 1; seed <= 20; seed++) {
      const next = random(seed);
      const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
      const order = new ClaimOrder<Claim>();
      const plainOrder = new ClaimOrder<Claim>();
      const shortlists = new ClaimShortlists<Claim>();
      const claims: Claim[] = [];
      // Per signature: claim name → the claim's version when it turned the signature away.
      const turnedAway = new Map<string, Map<string, number>>();
      const signatures = ["a", "b", "plain-c", "plain-d"];
      const requests = "1,2,3";
      const model = (signature: string): string[] =>
        claims
          .filter((c) => !(signature.startsWith("plain") && c.closedToPlain))
          .filter((c) => turnedAway.get(signature)?.get(c.name) !== c.version)
          .sort((x, y) => x.pods.length - y.pods.length || x.reached - y.reached)
          .map((c) => c.name);
      const listOf = (signature: string) => {
        const plain = signature.startsWith("plain");
        if (!turnedAway.has(signature)) turnedAway.set(signature, new Map());
        return shortlists.of(signature, requests, plain ? plainOrder : order, plain);
      };
      for (let step = 0; step < 200; step++) {
        const roll = next();
        if (claims.length === 0 || roll < 0.15) {
          const claim: Claim = {
            name: `claim-${claims.length}`,
            pods: ["p"],
            reached: step,
            version: 0,
            closedToPlain: false,
          };
          claims.push(claim);
          order.add(claim);
          plainOrder.add(claim);
          shortlists.opened(claim);
        } else if (roll < 0.45) {
          const claim = pick(claims);
          claim.pods.push("p");
          claim.reached = step;
          claim.version += 1;
          order.grew(claim);
          plainOrder.grew(claim);
          shortlists.grew(claim, claim.closedToPlain);
        } else if (roll < 0.85) {
          const signature = pick(signatures);
          const list = listOf(signature);
          const members = listed(list);
          if (members.length === 0) continue;
          const name = pick(members);
          const claim = claims.find((c) => c.name === name) as Claim;
          list.remove(claim);
          turnedAway.get(signature)?.set(name, claim.version);
        } else if (roll < 0.95) {
          const claim = pick(claims);
          if (claim.closedToPlain) continue;
          claim.closedToPlain = true;
          plainOrder.remove(claim);
          shortlists.closedToPlain(claim);
        } else {
          const signature = pick(signatures);
          assert.deepEqual(listed(listOf(signature)), model(signature), `seed ${seed}, step ${step}, ${signature}`);
        }
        for (const signature of turnedAway.keys()) {
          assert.deepEqual(listed(listOf(signature)), model(signature), `seed ${seed}, step ${step}, ${signature}`);
        }
      }
    }
  });

  test("moving to another request vector starts every shortlist afresh from the run's order", () => {
    const order = new ClaimOrder<Claim>();
    const shortlists = new ClaimShortlists<Claim>();
    const claim: Claim = { name: "claim-0", pods: ["p"], reached: 0, version: 0, closedToPlain: false };
    order.add(claim);
    shortlists.opened(claim);
    shortlists.of("a", "1,2,3", order, false).remove(claim);
    assert.deepEqual(listed(shortlists.of("a", "1,2,3", order, false)), []);
    assert.deepEqual(listed(shortlists.of("a", "4,5,6", order, false)), ["claim-0"]);
  });
});
