// Which fields of a variable an expression reads. A rule attached to `spec` that only reads `self.amiFamily` and
// `self.amiSelectorTerms` depends on nothing else: it can be given (and its result keyed on) just those fields.
// `undefined` means the expression uses the variable as a whole (`self == oldSelf`, `size(self)`, `self.all(…)`).
import { parseCel } from "./cel-env.ts";

interface ExprLike {
  exprKind?: { case?: string; value?: { name?: string; operand?: ExprLike; field?: string } };
}

export function fieldDependencies(expression: string, variable: string): string[] | undefined {
  const fields = new Set<string>();
  let whole = false;
  const visit = (node: unknown): void => {
    if (whole || typeof node !== "object" || node === null) return;
    if (Array.isArray(node)) {
      node.forEach(visit);
      return;
    }
    const kind = (node as ExprLike).exprKind;
    if (kind?.case === "selectExpr") {
      const operand = kind.value?.operand?.exprKind;
      if (operand?.case === "identExpr" && operand.value?.name === variable && kind.value?.field !== undefined) {
        fields.add(kind.value.field);
        return;
      }
    }
    if (kind?.case === "identExpr" && kind.value?.name === variable) {
      whole = true;
      return;
    }
    for (const child of Object.values(node)) visit(child);
  };
  visit(parseCel(expression).expr);
  return whole ? undefined : [...fields].sort();
}
