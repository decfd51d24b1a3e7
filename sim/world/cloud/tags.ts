// Tags on the world's resources, in EC2's order (the order they were given; CreateTags overwrites a key in place).
export interface Tag {
  key: string;
  value: string;
}

/** The tags of `layers` merged in order, a later layer's value winning for the same key. */
export function mergeTags(...layers: readonly (readonly Tag[] | undefined)[]): Tag[] {
  const merged: Tag[] = [];
  for (const layer of layers) applyTags(merged, layer ?? []);
  return merged;
}

/** Sets `tags` on `onto`, overwriting existing keys, as CreateTags does. */
export function applyTags(onto: Tag[], tags: readonly Tag[]): void {
  for (const tag of tags) {
    const existing = onto.find((t) => t.key === tag.key);
    if (existing) existing.value = tag.value;
    else onto.push({ ...tag });
  }
}
