// A value that does not fit its schema's list semantics (an associative list item without its keys, a
// duplicate key in an applied configuration), named by its path as structured-merge-diff's ValidationErrors.
import { pathString, type Path } from "./path-element.ts";

export class TypedValueError extends Error {
  override readonly name = "TypedValueError";
  constructor(path: Path, message: string) {
    super(path.length > 0 ? `${pathString(path)}: ${message}` : message);
  }
}
