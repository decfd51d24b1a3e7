// The rewrite of an object written in an older API version as a JSONPatch from the text's object to the converted
// v1 one (fast-json-patch's compare, RFC 6902), so `fix` edits only the fields the conversion changed: the user's
// comments stay where their fields survive, and a field the conversion drops leaves a comment saying why.
import jsonpatch from "fast-json-patch";
import type { ConversionNote } from "../../api/index.ts";
import type { FixOperation } from "./apply-to-yaml.ts";

export function migrationPatch(
  written: Record<string, unknown>,
  converted: Record<string, unknown>,
  notes: readonly ConversionNote[],
): FixOperation[] {
  return jsonpatch.compare(written, converted).map((op) => {
    if (op.op !== "remove") return op;
    const dotted = op.path
      .slice(1)
      .split("/")
      .map((s) => s.replaceAll("~1", "/").replaceAll("~0", "~"))
      .join(".");
    const note = notes.find((n) => n.path === dotted && (n.kind === "dropped" || n.kind === "unconvertible"));
    return note ? { ...op, comment: `poolkeeper fix: removed ${dotted}: ${note.message}` } : op;
  });
}
