// A set of field paths as a trie, as sigs.k8s.io/structured-merge-diff's fieldpath.Set: the path elements that
// are members at this level, and a child set for each element that has paths below it. An element can be both
// (a list item owned as a whole and field by field), which fieldsV1 writes as `".": {}`. Children are never
// kept empty, so two sets with the same paths are equal structurally.
import { comparePathElements, serializePathElement, type Path, type PathElement } from "./path-element.ts";

interface Child {
  pe: PathElement;
  set: FieldSet;
}

export class FieldSet {
  readonly #members = new Map<string, PathElement>();
  readonly #children = new Map<string, Child>();

  static of(...paths: Path[]): FieldSet {
    const set = new FieldSet();
    for (const path of paths) set.insert(path);
    return set;
  }

  /** Adds a path (Set.Insert). An empty path adds nothing. */
  insert(path: Path): this {
    if (path.length === 0) return this;
    const [head, ...rest] = path as [PathElement, ...PathElement[]];
    const key = serializePathElement(head);
    if (rest.length === 0) this.#members.set(key, head);
    else this.#child(key, head).insert(rest);
    return this;
  }

  /** Adds an element as a member of this level. */
  insertMember(pe: PathElement): this {
    this.#members.set(serializePathElement(pe), pe);
    return this;
  }

  /** Sets the child set of an element (used when building a set level by level). */
  setChild(pe: PathElement, set: FieldSet): this {
    const key = serializePathElement(pe);
    if (set.empty()) this.#children.delete(key);
    else this.#children.set(key, { pe, set });
    return this;
  }

  has(path: Path): boolean {
    if (path.length === 0) return false;
    const [head, ...rest] = path as [PathElement, ...PathElement[]];
    const key = serializePathElement(head);
    if (rest.length === 0) return this.#members.has(key);
    return this.#children.get(key)?.set.has(rest) ?? false;
  }

  empty(): boolean {
    if (this.#members.size > 0) return false;
    for (const child of this.#children.values()) if (!child.set.empty()) return false;
    return true;
  }

  /** The paths below `pe` (Set.WithPrefix). */
  withPrefix(pe: PathElement): FieldSet {
    return this.#children.get(serializePathElement(pe))?.set ?? new FieldSet();
  }

  hasMember(pe: PathElement): boolean {
    return this.#members.has(serializePathElement(pe));
  }

  /** This level's members, sorted. */
  members(): PathElement[] {
    return [...this.#members.values()].sort(comparePathElements);
  }

  /** This level's children, sorted by element. */
  children(): { pe: PathElement; set: FieldSet }[] {
    return [...this.#children.values()].sort((a, b) => comparePathElements(a.pe, b.pe));
  }

  union(other: FieldSet): FieldSet {
    const out = this.copy();
    for (const [key, pe] of other.#members) out.#members.set(key, pe);
    for (const [key, child] of other.#children) {
      const mine = out.#children.get(key);
      out.#children.set(key, { pe: child.pe, set: mine ? mine.set.union(child.set) : child.set.copy() });
    }
    return out;
  }

  intersection(other: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const [key, pe] of this.#members) if (other.#members.has(key)) out.#members.set(key, pe);
    for (const [key, child] of this.#children) {
      const theirs = other.#children.get(key);
      if (theirs) out.setChild(child.pe, child.set.intersection(theirs.set));
    }
    return out;
  }

  /** The paths of this set that are not in `other` (exactly; Set.Difference). */
  difference(other: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const [key, pe] of this.#members) if (!other.#members.has(key)) out.#members.set(key, pe);
    for (const [key, child] of this.#children) {
      const theirs = other.#children.get(key);
      out.setChild(child.pe, theirs ? child.set.difference(theirs.set) : child.set.copy());
    }
    return out;
  }

  /** The paths of this set that neither are in `other` nor lie below one of its paths (Set.RecursiveDifference). */
  recursiveDifference(other: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const [key, pe] of this.#members) if (!other.#members.has(key)) out.#members.set(key, pe);
    for (const [key, child] of this.#children) {
      if (other.#members.has(key)) continue;
      const theirs = other.#children.get(key);
      out.setChild(child.pe, theirs ? child.set.recursiveDifference(theirs.set) : child.set.copy());
    }
    return out;
  }

  /** Each path, members of a level before the paths below it, each in element order (Set.Iterate). */
  paths(prefix: Path = []): Path[] {
    const out: Path[] = this.members().map((pe) => [...prefix, pe]);
    for (const child of this.children()) out.push(...child.set.paths([...prefix, child.pe]));
    return out;
  }

  equals(other: FieldSet): boolean {
    return this.difference(other).empty() && other.difference(this).empty();
  }

  copy(): FieldSet {
    const out = new FieldSet();
    for (const [key, pe] of this.#members) out.#members.set(key, pe);
    for (const [key, child] of this.#children) out.#children.set(key, { pe: child.pe, set: child.set.copy() });
    return out;
  }

  #child(key: string, pe: PathElement): FieldSet {
    let child = this.#children.get(key);
    if (!child) {
      child = { pe, set: new FieldSet() };
      this.#children.set(key, child);
    }
    return child.set;
  }
}
