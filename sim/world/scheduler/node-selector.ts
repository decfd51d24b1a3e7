/**
 * Node selectors and node affinity as k8s.io/component-helpers/scheduling/corev1/nodeaffinity evaluates them:
 * terms are ORed, a term's matchExpressions and matchFields are ANDed, an empty term matches nothing, and
 * `matchFields` knows only `metadata.name` with In/NotIn of one value.
 */
import type { Node, NodeSelector, NodeSelectorTerm, Pod, PreferredSchedulingTerm } from "../objects.ts";
import { SchedulerInputError } from "./input-error.ts";
import { matchesSelector, newRequirement, selectorFromSet, type Requirement, type Selector } from "./selector.ts";

interface ParsedTerm {
  readonly expressions: Selector | undefined;
  readonly fields: readonly { equal: boolean; name: string }[] | undefined;
}

/** `newNodeSelectorTerm`: throws SchedulerInputError for an operator or values the API would refuse. */
function parseTerm(term: NodeSelectorTerm, where: string): ParsedTerm {
  let expressions: Selector | undefined;
  if ((term.matchExpressions ?? []).length > 0) {
    const requirements: Requirement[] = (term.matchExpressions ?? []).map((expression, index) => {
      const at = `${where}.matchExpressions[${index}]`;
      if (!["In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"].includes(expression.operator)) {
        throw new SchedulerInputError(`${at}.operator: "${expression.operator}" is not a node selector operator`);
      }
      return newRequirement(expression.key, expression.operator, expression.values ?? [], at);
    });
    expressions = { requirements };
  }
  let fields: ParsedTerm["fields"];
  if ((term.matchFields ?? []).length > 0) {
    fields = (term.matchFields ?? []).map((field, index) => {
      const at = `${where}.matchFields[${index}]`;
      if ((field.values ?? []).length !== 1) throw new SchedulerInputError(`${at}.values: must have one element`);
      if (field.key !== "metadata.name") {
        throw new SchedulerInputError(`${at}.key: "${field.key}" is not a supported field (metadata.name)`);
      }
      if (field.operator !== "In" && field.operator !== "NotIn") {
        throw new SchedulerInputError(`${at}.operator: "${field.operator}" is not supported for fields (In, NotIn)`);
      }
      return { equal: field.operator === "In", name: field.values?.[0] ?? "" };
    });
  }
  return { expressions, fields };
}

function isEmptyTerm(term: NodeSelectorTerm): boolean {
  return (term.matchExpressions ?? []).length === 0 && (term.matchFields ?? []).length === 0;
}

function termMatches(term: ParsedTerm, node: Node): boolean {
  if (term.expressions !== undefined && !matchesSelector(term.expressions, node.metadata.labels)) return false;
  if (term.fields !== undefined) {
    return term.fields.every((field) => (node.metadata.name === field.name) === field.equal);
  }
  return true;
}

/**
 * `LazyErrorNodeSelector`: a term that cannot be parsed is dropped rather than failing the whole selector, as
 * the scheduler ignores parsing errors of required affinity "for backwards compatibility".
 */
class LazyNodeSelector {
  readonly #terms: ParsedTerm[] = [];
  constructor(selector: NodeSelector, where: string) {
    (selector.nodeSelectorTerms ?? []).forEach((term, index) => {
      if (isEmptyTerm(term)) return;
      try {
        this.#terms.push(parseTerm(term, `${where}.nodeSelectorTerms[${index}]`));
      } catch (error) {
        if (!(error instanceof SchedulerInputError)) throw error;
      }
    });
  }
  match(node: Node): boolean {
    return this.#terms.some((term) => termMatches(term, node));
  }
}

/** `nodeaffinity.RequiredNodeAffinity`: the pod's nodeSelector AND its required node affinity. */
export interface RequiredNodeAffinity {
  match(node: Node): boolean;
}

export function requiredNodeAffinityOf(pod: Pod): RequiredNodeAffinity {
  const nodeSelector = pod.spec.nodeSelector;
  const labels =
    nodeSelector !== undefined && Object.keys(nodeSelector).length > 0 ? selectorFromSet(nodeSelector) : undefined;
  const required = pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  const affinity =
    required === undefined
      ? undefined
      : new LazyNodeSelector(required, "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution");
  return {
    match(node: Node): boolean {
      if (labels !== undefined && !matchesSelector(labels, node.metadata.labels)) return false;
      return affinity === undefined || affinity.match(node);
    },
  };
}

/** `nodeaffinity.PreferredSchedulingTerms`: zero-weight and empty terms are ignored; a bad term is an error. */
export interface PreferredSchedulingTerms {
  score(node: Node): number;
}

export function preferredSchedulingTermsOf(
  terms: readonly PreferredSchedulingTerm[],
  where: string,
): PreferredSchedulingTerms {
  const parsed: { term: ParsedTerm; weight: number }[] = [];
  terms.forEach((term, index) => {
    if (term.weight === 0 || isEmptyTerm(term.preference ?? {})) return;
    parsed.push({ term: parseTerm(term.preference, `${where}[${index}].preference`), weight: term.weight });
  });
  return {
    score(node: Node): number {
      return parsed.reduce((sum, { term, weight }) => (termMatches(term, node) ? sum + weight : sum), 0);
    },
  };
}
