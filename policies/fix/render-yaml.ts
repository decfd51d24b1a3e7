// How `fix` writes a new value into a file: block YAML at the column it goes in, flow YAML inside `{…}`/`[…]`,
// and a scalar in the quoting the replaced one had, so the inserted text reads like the text around it.
import { Document, isCollection, Scalar, stringify, visit } from "yaml";

/** `value` as block YAML lines starting at `indent`, joined by `eol`, without a final line end. */
export function renderBlock(value: unknown, indent: number, eol: string, indentSeq: boolean): string {
  const text = stringify(value, { version: "1.1", indentSeq, lineWidth: 0, flowCollectionPadding: false });
  const pad = " ".repeat(indent);
  return text
    .replace(/\n$/, "")
    .split("\n")
    .map((line) => (line === "" ? line : pad + line))
    .join(eol);
}

/** `value` on one line in flow style: `{a: 1}`, `[x, y]`. */
export function renderFlow(value: unknown): string {
  const doc = new Document(value, { version: "1.1" });
  visit(doc, {
    Collection(_key, node) {
      if (isCollection(node)) node.flow = true;
    },
  });
  if (doc.contents instanceof Scalar) return renderScalar(value, undefined, true);
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false }).trimEnd();
}

/** A scalar in the style `type` names (the replaced node's), or plain when it can be. */
export function renderScalar(value: unknown, type: Scalar.Type | undefined, flow: boolean): string {
  if (typeof value === "string" && type === Scalar.QUOTE_DOUBLE) return JSON.stringify(value);
  if (typeof value === "string" && type === Scalar.QUOTE_SINGLE) return `'${value.replaceAll("'", "''")}'`;
  const doc = new Document(value, { version: "1.1" });
  if (flow && typeof value === "string" && /[,[\]{}]/.test(value)) return JSON.stringify(value);
  return doc.toString({ lineWidth: 0 }).trimEnd();
}
