/**
 * The label key and value syntax labels.NewRequirement checks (apimachinery validation.IsQualifiedName and
 * IsValidLabelValue). sim/ may not import scheduling/, which has the same checks for Karpenter's objects.
 */
const NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export function isQualifiedName(key: string): boolean {
  const parts = key.split("/");
  if (parts.length > 2) return false;
  const name = parts.at(-1) ?? "";
  if (name.length === 0 || name.length > 63 || !NAME.test(name)) return false;
  if (parts.length === 2) {
    const prefix = parts[0] ?? "";
    if (prefix.length === 0 || prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix)) return false;
  }
  return true;
}

export function isValidLabelValue(value: string): boolean {
  return value === "" || (value.length <= 63 && NAME.test(value));
}
