// The policy engine's fuzz check, shared by the fuzz test and the test that proves it can fail: mutations of the
// upstream manifests (fields removed, replaced by values of other types, strings garbled, lists emptied or doubled),
// each judged by every rule of the strict preset. A problem is anything a correct engine never gives: a throw, a
// `policy.rule-error` finding (a rule that failed on its input: a bug in the rule, whatever the input), or a finding
// that cannot be reported. A seeded generator makes each problem reproducible from its seed and input index.
import { parseAllDocuments } from "yaml";
import { compilePolicy } from "../../policies/compiled-policy.ts";
import { evaluate } from "../../policies/engine.ts";
import type { Finding } from "../../policies/finding.ts";
import type { AnyRule } from "../../policies/rule.ts";
import { upstreamExamples } from "./fixtures.ts";
import { mutateJson, seededRandom, type MutationProfile } from "./json-mutation.ts";

const replacements: unknown[] = [
  null,
  0,
  -1,
  1.5,
  2 ** 53,
  "",
  "x",
  "Never",
  "-5",
  "1e400",
  "💥",
  true,
  [],
  {},
  [null],
  { "": 1 },
];

const profile: MutationProfile = {
  replacements,
  replace: 0.08,
  maxDepth: 8,
  emptyList: 0.1,
  doubleList: 0.1,
  dropKey: 0.05,
  misspellKey: 0.02,
  garbleString: 0.3,
};

export interface FuzzOptions {
  seed: number;
  inputs: number;
  rules: readonly AnyRule[];
}

export interface FuzzProblem {
  seed: number;
  /** Which input of the run (0-based): the same seed gives the same input at the same index. */
  index: number;
  /** The rule that failed, when a rule did. */
  rule?: string;
  message: string;
}

export interface FuzzResult {
  problems: FuzzProblem[];
  /** Findings over all inputs: a run that finds nothing exercised nothing. */
  findings: number;
}

export function fuzzPolicyEngine({ seed, inputs, rules }: FuzzOptions): FuzzResult {
  const documents = upstreamExamples().flatMap((e) => parseAllDocuments(e.text).map((d) => d.toJS() as unknown));
  const policy = compilePolicy([], { rules, preset: "strict" });
  const next = seededRandom(seed);
  const now = new Date("2026-11-25T00:00:00Z");
  const problems: FuzzProblem[] = [];
  let findings = 0;
  for (let index = 0; index < inputs; index++) {
    const original = documents[index % documents.length];
    const object = mutate(original, next);
    const previous = next() < 0.3 ? mutate(original, next) : undefined;
    let result: Finding[];
    try {
      result = evaluate([{ object, previous }], policy, { now });
    } catch (error) {
      problems.push({ seed, index, message: `the engine threw: ${describe(error)}` });
      continue;
    }
    for (const f of result) {
      const problem = findingProblem(f);
      if (problem !== undefined) problems.push({ seed, index, ...problem });
    }
    findings += result.length;
  }
  return { problems, findings };
}

/** One line per problem, with what reproduces it. */
export function formatProblems(problems: readonly FuzzProblem[]): string[] {
  return problems.map(
    (p) => `seed ${p.seed}, input ${p.index}${p.rule === undefined ? "" : `, rule ${p.rule}`}: ${p.message}`,
  );
}

function mutate(value: unknown, next: () => number): unknown {
  return mutateJson(value, next, profile);
}

function findingProblem(f: Finding): Omit<FuzzProblem, "seed" | "index"> | undefined {
  if (typeof f.message !== "string") return { message: `finding of ${f.rule} without a message` };
  if (!["deny", "warn", "audit"].includes(f.severity)) return { message: `${f.rule}: severity ${f.severity}` };
  if (f.pointer !== "" && !f.pointer.startsWith("/")) return { message: `${f.rule}: pointer ${f.pointer}` };
  if (f.rule === "policy.rule-error") return { rule: ruleOf(f.message), message: f.message };
  return undefined;
}

// The engine names the failed rule in the message: "rule <id> could not judge this object (…)".
function ruleOf(message: string): string | undefined {
  return /^rule (\S+) /.exec(message)?.[1];
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
