// Rule patterns in exemptions: an exact id, `family.*`, or `*`.

export function ruleMatches(pattern: string, ruleId: string): boolean {
  if (pattern === "*" || pattern === ruleId) return true;
  return pattern.endsWith(".*") && ruleId.startsWith(pattern.slice(0, -1));
}
