// The policy gate: what a desired-state commit says (its `poolkeeper.yaml`, NodePool / EC2NodeClass manifests
// and PoolPolicy files), judged by the same engine as `check` and the webhook. A commit is accepted only when
// every file reads, the config and policies are valid, no object is defined twice and no finding denies; the
// objects are compared with the last good state so the change-impact rules see what the commit changes.
// Which policies judge it is chosen by the caller (gate-policy.ts): a change cannot approve itself.
// `judgeCommit` is pure; `readCommit` is the I/O edge over a GitSource. `judgeCommitStepwise` is the same judgement
// paused after each file read and each object judged: `sync` runs it in slices, so that a commit of a thousand
// pools does not keep its /healthz and push hook waiting (policies/stepwise.ts).
import {
  defaultYamlLimits,
  duplicateDefinitions,
  loadManifests,
  validateManifest,
  type EC2NodeClass,
  type Manifest,
  type ManifestSet,
  type NodePool,
} from "../api/index.ts";
import type { InstanceTypeCatalog } from "../cloudprovider/index.ts";
import { compilePolicy, FindingsCache, type CompiledPolicy } from "../policies/index.ts";
import { evaluateStepwise } from "../policies/index.ts";
import type { Finding } from "../policies/index.ts";
import { loadPolicies, type LoadedPolicy } from "../policies/index.ts";
import { ratchetBundleStepwise, runToEnd, type Stepwise } from "../policies/index.ts";
import { builtinRules } from "../policies/index.ts";
import { loadConfig, type PoolkeeperConfig } from "./config.ts";
import { matchesAnyGlob } from "./glob-match.ts";
import type { GitSource, SourceFile } from "./source.ts";

/** The repository's config file, at its root. */
export const CONFIG_FILE = "poolkeeper.yaml";

/** The objects of an accepted commit: what the controller makes the cluster look like. */
export interface DesiredState {
  sha: string;
  /** karpenter.sh/v1 NodePools, converted from older shapes where needed, defaults applied (read-only: shared). */
  nodePools: NodePool[];
  /** karpenter.k8s.aws/v1 EC2NodeClasses, likewise. */
  nodeClasses: EC2NodeClass[];
  /** The manifests as read, for comparing the next commit with this one. */
  manifests: Manifest[];
  /** The config the commit was judged with. */
  config: PoolkeeperConfig;
  /** The commit's own PoolPolicy files: with `config.preset`, what judges the commits after it. */
  policies: SourceFile[];
}

/** Policies that judge a commit instead of its own: PoolPolicy files and a preset. */
export interface GatePolicy {
  /** Where they come from, as the rejection reason names them ("the policies of 1a2b3c4, the last accepted commit"). */
  origin: string;
  files: readonly SourceFile[];
  preset: PoolkeeperConfig["preset"];
}

/** Why a commit could not be judged as a whole: a file that does not read, a bad config or policy. */
export interface GateProblem {
  file: string;
  line: number;
  col: number;
  message: string;
}

export interface Judgement {
  sha: string;
  accepted: boolean;
  findings: Finding[];
  problems: GateProblem[];
  /** The commit's objects; absent when its config could not be read. */
  desiredState?: DesiredState;
  /** One line: what the gate decided and why. */
  reason: string;
}

/** What `readCommit` found at a commit. */
export interface CommitFiles {
  sha: string;
  /** The config file's text; absent when the commit has none (an override config is used then, if given). */
  configText?: string;
  config?: PoolkeeperConfig;
  configProblems: GateProblem[];
  pools: SourceFile[];
  policies: SourceFile[];
}

/**
 * Heap bytes per byte of a pool file's text held by the gate cache: its manifests (as written, converted, validated
 * and defaulted, with field positions) about 17, and what the policy engine keeps for each manifest while it lives
 * (prepared targets, rule answers, findings: WeakMaps keyed by the manifest) about 4 more since incremental judging.
 * Measured on the benchmark's 1,000 pool files by `bench/gitops.bench.ts` ("heap kept for the head's files"; docs/
 * performance.md, "GitOps"); the cache metric estimates with it (it was 40 before incremental judging: an overstatement
 * by half).
 */
export const GATE_BYTES_PER_TEXT_BYTE = 21;

/**
 * What judging one commit leaves for the next: each file's manifests, by path and text. A new commit usually
 * changes a few of many files; the others are not parsed again. Holds only the files of the last commit judged:
 * bounded by the repository, not by `--cache-size`, because dropping it means parsing every file again on every
 * sync (about 3 ms a file), which is most of what an incremental sync saves.
 */
export class GateCache {
  #files = new Map<string, { text: string; set: ManifestSet; objects?: Record<string, unknown>[] }>();
  // The policy files of the last few judgements, loaded and compiled once: a compiled policy that stays the same
  // object lets the findings cache tell that an object's policy did not change.
  #policies = new Map<string, { policies: LoadedPolicy[]; problems: GateProblem[] }>();
  #compiled = new WeakMap<LoadedPolicy[], Map<string, CompiledPolicy>>();
  /** Each object's findings by what they depended on: a commit re-judges what it changed and what that reaches. */
  readonly findings = new FindingsCache();

  /** Estimated heap bytes held (GATE_BYTES_PER_TEXT_BYTE per byte of text). */
  get bytes(): number {
    let text = 0;
    for (const entry of this.#files.values()) text += entry.text.length;
    return text * GATE_BYTES_PER_TEXT_BYTE;
  }

  manifests(path: string, text: string): { set: ManifestSet; objects: Record<string, unknown>[] } {
    let entry = this.#files.get(path);
    if (entry?.text !== text) {
      entry = { text, set: loadManifests(text, path) };
      this.#files.set(path, entry);
    }
    entry.objects ??= entry.set.manifests.map((m) => validateManifest(m).object);
    return { set: entry.set, objects: entry.objects };
  }

  /** Whether the file is read at this text. */
  holds(path: string, text: string): boolean {
    return this.#files.get(path)?.text === text;
  }

  /** Keeps a file read elsewhere (a large one, in a worker thread: large-files.ts); validated when first judged. */
  store(path: string, text: string, set: ManifestSet): void {
    this.#files.set(path, { text, set });
  }

  /** The PoolPolicies of these files, with the problems loading them found. */
  policies(files: readonly SourceFile[]): { policies: LoadedPolicy[]; problems: GateProblem[] } {
    const key = JSON.stringify(files.map((f) => [f.path, f.text]));
    let loaded = this.#policies.get(key);
    if (!loaded) {
      const problems: GateProblem[] = [];
      loaded = { policies: loadPolicyFiles(files, problems), problems };
      // Own and chosen policies, and a change of either: a handful of small files.
      if (this.#policies.size >= POLICY_SETS) this.#policies.delete(this.#policies.keys().next().value as string);
      this.#policies.set(key, loaded);
    }
    return loaded;
  }

  /** The policies compiled with the preset, once per loaded set. */
  compiled(policies: LoadedPolicy[], preset: GatePolicy["preset"]): CompiledPolicy {
    let byPreset = this.#compiled.get(policies);
    if (!byPreset) {
      byPreset = new Map();
      this.#compiled.set(policies, byPreset);
    }
    let compiled = byPreset.get(preset);
    if (!compiled) {
      compiled = compilePolicy(policies, { rules: builtinRules, preset });
      byPreset.set(preset, compiled);
    }
    return compiled;
  }

  /** Forgets every file but these. */
  keep(paths: ReadonlySet<string>): void {
    for (const path of this.#files.keys()) if (!paths.has(path)) this.#files.delete(path);
  }
}

const POLICY_SETS = 4;

export interface GateOptions {
  /** Parsed files of the previous judgement, reused when unchanged. */
  cache?: GateCache;
  catalog?: InstanceTypeCatalog;
  now: Date;
  /** The last good state: its objects are each object's previous version (change impact). */
  previous?: DesiredState;
  /** A signature problem, when accepted commits must be signed: rejects the commit with this sentence. */
  signatureProblem?: string;
  /** Judge with these policies instead of the commit's own (which must still load: they judge what follows). */
  policy?: GatePolicy;
}

/** Reads the config, pools and policies at `sha`. `override` replaces the repository's config when given. */
export async function readCommit(source: GitSource, sha: string, override?: PoolkeeperConfig): Promise<CommitFiles> {
  const files: CommitFiles = { sha, configProblems: [], pools: [], policies: [] };
  let config = override;
  if (!config) {
    const [file] = await source.readTree(sha, [CONFIG_FILE]);
    if (file?.tooLarge !== undefined) {
      files.configProblems.push({ file: CONFIG_FILE, line: 1, col: 1, message: tooLargeMessage(file.tooLarge) });
      return files;
    }
    if (!file) {
      files.configProblems.push({
        file: CONFIG_FILE,
        line: 1,
        col: 1,
        message: `${CONFIG_FILE} is missing at the repository root: it names the cluster and where pools and policies are`,
      });
      return files;
    }
    files.configText = file.text;
    const loaded = loadConfig(file.text, CONFIG_FILE);
    files.configProblems.push(...loaded.errors.map((e) => ({ ...e.source, message: e.message })));
    config = loaded.config;
    if (!config) return files;
  }
  files.config = config;
  // One listing for both sets: a file matching both globs is read as what its name first matched.
  const all = await source.readTree(sha, [...config.pools, ...config.policies]);
  for (const file of all) {
    if (file.tooLarge !== undefined) {
      files.configProblems.push({ file: file.path, line: 1, col: 1, message: tooLargeMessage(file.tooLarge) });
      continue;
    }
    if (matchesAnyGlob(file.path, config.pools)) files.pools.push(file);
    else files.policies.push(file);
  }
  return files;
}

// The words loadYaml uses for a file over its limit, so a file reads the same in `check` and at the gate.
function tooLargeMessage(bytes: number): string {
  return `file is too large (${bytes} bytes; the limit is ${defaultYamlLimits.maxBytes} bytes)`;
}

/** Judges the files of one commit. Never throws on bad input: every problem is a reason to reject. */
export function judgeCommit(files: CommitFiles, options: GateOptions): Judgement {
  return runToEnd(judgeCommitStepwise(files, options));
}

/** `judgeCommit`, pausing after each pool file is read and each object is judged. */
export function* judgeCommitStepwise(files: CommitFiles, options: GateOptions): Stepwise<Judgement> {
  const { sha } = files;
  const problems: GateProblem[] = [...files.configProblems];
  const config = files.config;
  if (!config) return verdict(sha, [], problems, undefined, options.signatureProblem);

  const cache = options.cache ?? new GateCache();
  const manifests: Manifest[] = [];
  const defaulted = new Map<Manifest, Record<string, unknown>>();
  for (const file of files.pools) {
    const { set, objects } = cache.manifests(file.path, file.text);
    set.manifests.forEach((m, i) => defaulted.set(m, objects[i] ?? m.object));
    manifests.push(...set.manifests);
    for (const e of set.errors) problems.push({ ...e.source, message: e.message });
    yield;
  }
  cache.keep(new Set(files.pools.map((f) => f.path)));
  problems.push(...duplicates(manifests));

  // A policy that does not load is a problem in itself: judging without it would accept what it forbids.
  const own = cache.policies(files.policies);
  problems.push(...own.problems);
  const chosen =
    options.policy && !samePolicies(options.policy, files.policies, config.preset) ? options.policy : undefined;
  let policy: CompiledPolicy;
  if (chosen) {
    const loaded = cache.policies(chosen.files);
    problems.push(...loaded.problems);
    policy = cache.compiled(loaded.policies, chosen.preset);
  } else policy = cache.compiled(own.policies, config.preset);
  const previous = new Map((options.previous?.manifests ?? []).map((m) => [key(m), m.original]));
  const objects = manifests.map((manifest) => ({ manifest, previous: previous.get(key(manifest)) }));
  // Objects judged at the previous commit are judged again only where the change reaches (findings-cache.ts).
  const context = { catalog: options.catalog, now: options.now, cache: cache.findings };
  // Ratcheting against the last good state (policies/ratchet.ts), judged under this commit's policy only when a
  // denial could be pre-existing. Each of its manifests is given as its own previous version: unchanged files are
  // usually the same manifests as this commit's, so the engine finds the targets it just prepared.
  const judged = yield* evaluateStepwise(objects, policy, context);
  const findings = yield* ratchetBundleStepwise(judged, objects, () =>
    evaluateStepwise(
      (options.previous?.manifests ?? []).map((m) => ({ manifest: m, previous: m.original })),
      policy,
      context,
    ),
  );

  const desiredState: DesiredState = {
    sha,
    nodePools: [],
    nodeClasses: [],
    manifests,
    config,
    policies: files.policies,
  };
  for (const manifest of manifests) {
    const object = defaulted.get(manifest) ?? manifest.object;
    if (manifest.kind === "NodePool") desiredState.nodePools.push(object as unknown as NodePool);
    else if (manifest.kind === "EC2NodeClass") desiredState.nodeClasses.push(object as unknown as EC2NodeClass);
  }
  const judgement = verdict(sha, findings, problems, desiredState, options.signatureProblem);
  if (!judgement.accepted && chosen) {
    judgement.reason += `; judged with ${chosen.origin}, not its own`;
  }
  return judgement;
}

function loadPolicyFiles(files: readonly SourceFile[], problems: GateProblem[]): LoadedPolicy[] {
  const policies: LoadedPolicy[] = [];
  for (const file of files) {
    const loaded = loadPolicies(file.text, file.path, builtinRules);
    policies.push(...loaded.policies);
    for (const e of loaded.errors) problems.push({ ...e.source, message: e.message });
  }
  return policies;
}

function samePolicies(policy: GatePolicy, files: readonly SourceFile[], preset: GatePolicy["preset"]): boolean {
  return (
    policy.preset === preset &&
    policy.files.length === files.length &&
    policy.files.every((f, i) => f.path === files[i]?.path && f.text === files[i]?.text)
  );
}

function verdict(
  sha: string,
  findings: Finding[],
  problems: GateProblem[],
  desiredState: DesiredState | undefined,
  signatureProblem: string | undefined,
): Judgement {
  const all = signatureProblem ? [{ file: "", line: 0, col: 0, message: signatureProblem }, ...problems] : problems;
  const denials = findings.filter((f) => f.severity === "deny");
  const accepted = all.length === 0 && denials.length === 0 && desiredState !== undefined;
  const judgement: Judgement = { sha, accepted, findings, problems: all, reason: reasonOf(sha, findings, all) };
  if (desiredState) judgement.desiredState = desiredState;
  return judgement;
}

function reasonOf(sha: string, findings: readonly Finding[], problems: readonly GateProblem[]): string {
  const short = sha.slice(0, 7);
  const denials = findings.filter((f) => f.severity === "deny");
  if (problems.length === 0 && denials.length === 0) {
    const warnings = findings.filter((f) => f.severity === "warn").length;
    return `commit ${short} accepted${warnings > 0 ? ` with ${plural(warnings, "warning")}` : ""}`;
  }
  const parts: string[] = [];
  if (problems.length > 0) {
    const first = problems[0];
    const where = first && first.file !== "" ? `${first.file}:${first.line}:${first.col}: ` : "";
    parts.push(`${plural(problems.length, "problem")} (${where}${first?.message ?? ""})`);
  }
  if (denials.length > 0) {
    const named = [...new Set(denials.map((f) => `${f.rule} on ${f.object.kind}/${f.object.name}`))];
    const listed = named.slice(0, 3).join(", ") + (named.length > 3 ? `, ${named.length - 3} more` : "");
    parts.push(`${plural(denials.length, "denial")} (${listed})`);
  }
  return `commit ${short} rejected: ${parts.join("; ")}`;
}

// The same words as `check`: one verdict for an object defined twice, wherever it is judged.
function duplicates(manifests: readonly Manifest[]): GateProblem[] {
  return duplicateDefinitions(manifests).map(({ source, message }) => ({ ...source, message }));
}

function key(m: { kind: string; name: string }): string {
  return `${m.kind}/${m.name}`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}
