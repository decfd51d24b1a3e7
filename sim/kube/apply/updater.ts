// Field ownership through updates and applies (structured-merge-diff merge/update.go, Updater). Every write is
// compared with the live object: another manager that owned a field the write changed conflicts (an update
// forces: it simply takes the field), and loses what the write removed. An apply merges the configuration onto
// the live object, makes the applier own exactly the configuration's fields, and prunes what it applied last
// time and no longer does — unless some other manager still owns it. The simulated cluster serves one version of
// each kind, so there are no conversions between manager versions.
import { isDeepStrictEqual } from "node:util";
import type { KubeSchema } from "../store/schema.ts";
import { compareValues, type Comparison } from "./compare.ts";
import { FieldSet } from "./field-set.ts";
import { mergeValues } from "./merge.ts";
import { ensureNamedFieldsAreMembers } from "./named-fields.ts";
import type { Path } from "./path-element.ts";
import { removeItems } from "./remove.ts";
import { toFieldSet } from "./to-field-set.ts";

export interface VersionedSet {
  set: FieldSet;
  apiVersion: string;
  applied: boolean;
}

/** Managers by identifier (the JSON of their managedFields entry without fields and time). */
export type ManagedFieldSets = Map<string, VersionedSet>;

export interface Conflict {
  manager: string;
  path: Path;
}

/** merge.Conflicts: the fields an apply would take from other managers. */
export class ConflictsError extends Error {
  override readonly name = "ConflictsError";
  readonly conflicts: readonly Conflict[];
  constructor(conflicts: Conflict[]) {
    super(`${conflicts.length} conflicts`);
    this.conflicts = conflicts;
  }
}

export interface UpdaterOptions {
  schema: KubeSchema | undefined;
  /** The fields the write does not count (the strategy's reset fields), removed from every comparison. */
  ignore?: (set: FieldSet) => FieldSet;
}

type Json = unknown;

export class Updater {
  readonly #schema: KubeSchema | undefined;
  readonly #ignore: (set: FieldSet) => FieldSet;

  constructor(options: UpdaterOptions) {
    this.#schema = options.schema;
    this.#ignore = options.ignore ?? ((set) => set);
  }

  // update: the comparison, after taking conflicting fields (when forced) and removed fields from the others.
  #update(
    oldObject: Json,
    newObject: Json,
    managers: ManagedFieldSets,
    workflow: string,
    force: boolean,
  ): { managers: ManagedFieldSets; comparison: Comparison } {
    const raw = compareValues(oldObject, newObject, this.#schema);
    const comparison = {
      added: this.#ignore(raw.added),
      modified: this.#ignore(raw.modified),
      removed: this.#ignore(raw.removed),
    };
    const changed = comparison.modified.union(comparison.added);
    const conflicts = new Map<string, FieldSet>();
    const out: ManagedFieldSets = new Map(managers);
    for (const [manager, versioned] of managers) {
      if (manager === workflow) continue;
      const conflictSet = versioned.set.intersection(changed);
      if (!conflictSet.empty()) conflicts.set(manager, conflictSet);
    }
    if (!force && conflicts.size > 0) {
      const list: Conflict[] = [];
      for (const manager of [...conflicts.keys()].sort())
        for (const path of (conflicts.get(manager) as FieldSet).paths()) list.push({ manager, path });
      throw new ConflictsError(list);
    }
    for (const [manager, versioned] of out) {
      if (manager === workflow) continue;
      let set = versioned.set;
      const taken = conflicts.get(manager);
      if (taken) set = set.difference(taken);
      set = set.difference(comparison.removed);
      out.set(manager, { ...versioned, set });
    }
    for (const [manager, versioned] of out) if (versioned.set.empty()) out.delete(manager);
    return { managers: out, comparison };
  }

  /** Updater.Update: `manager` wrote `newObject` over `liveObject` and owns what it changed. */
  update(
    liveObject: Json,
    newObject: Json,
    apiVersion: string,
    managers: ManagedFieldSets,
    manager: string,
  ): ManagedFieldSets {
    const { managers: out, comparison } = this.#update(liveObject, newObject, managers, manager, true);
    const previous = out.get(manager)?.set ?? new FieldSet();
    const set = this.#ignore(
      previous.difference(comparison.removed).union(comparison.modified).union(comparison.added),
    );
    if (set.empty()) out.delete(manager);
    else out.set(manager, { set, apiVersion, applied: false });
    return out;
  }

  /**
   * Updater.Apply: the configuration merged onto the live object and pruned; the new object, or undefined when
   * it equals the live one. Throws ConflictsError unless forced.
   */
  apply(
    liveObject: Json,
    config: Json,
    apiVersion: string,
    managers: ManagedFieldSets,
    manager: string,
    force: boolean,
  ): { object: Json; managers: ManagedFieldSets } {
    let newObject: Json = mergeValues(liveObject, config, this.#schema) ?? {};
    const lastSet = managers.get(manager);
    const set = this.#ignore(toFieldSet(config, this.#schema));
    const withApplier: ManagedFieldSets = new Map(managers);
    withApplier.set(manager, { set, apiVersion, applied: true });
    newObject = this.#prune(newObject, withApplier, manager, lastSet);
    const { managers: out } = this.#update(liveObject, newObject, withApplier, manager, force);
    return { object: isDeepStrictEqual(liveObject, newObject) ? undefined : newObject, managers: out };
  }

  // prune: remove what the applier applied last time and not now, when no manager (itself included, through its
  // new set) owns it, keeping the containers of fields that others still hold.
  #prune(merged: Json, managers: ManagedFieldSets, applier: string, lastSet: VersionedSet | undefined): Json {
    if (!lastSet || lastSet.set.empty()) return merged;
    // Nothing applied last time is missing now: everything the pruning would remove, the applier owns again.
    const applied = managers.get(applier)?.set;
    if (applied && lastSet.set.difference(applied).empty()) return merged;
    const named = (s: FieldSet): FieldSet => ensureNamedFieldsAreMembers(s, this.#schema);
    let pruned = removeItems(merged, named(lastSet.set), this.#schema);
    // addBackOwnedItems
    let managed = new FieldSet();
    for (const versioned of managers.values()) managed = managed.union(versioned.set);
    const mergedSet = named(toFieldSet(merged, this.#schema));
    pruned = removeItems(
      merged,
      mergedSet.difference(named(toFieldSet(pruned, this.#schema)).union(named(managed))),
      this.#schema,
    );
    // addBackDanglingItems
    const prunedSet = named(toFieldSet(pruned, this.#schema));
    return removeItems(merged, mergedSet.difference(prunedSet).intersection(named(lastSet.set)), this.#schema);
  }
}
