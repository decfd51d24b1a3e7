// Who a write is recorded as (k8s.io/apiserver pkg/endpoints/handlers/rest.go, managerOrUserAgent): the
// request's `fieldManager`, or else the User-Agent up to its first "/" — printable characters only, at most 128
// bytes (validation.FieldManagerMaxLength) — so a client that names no manager is still told apart by name.
import type { InvalidCause } from "../store/status.ts";

export const FIELD_MANAGER_MAX_LENGTH = 128;

export function managerOrUserAgent(fieldManager: string | null, userAgent: string | undefined): string {
  if (fieldManager) return fieldManager;
  let out = "";
  for (const char of (userAgent ?? "").split("/")[0] ?? "") {
    if (!isPrintable(char)) continue;
    if (Buffer.byteLength(out + char, "utf8") > FIELD_MANAGER_MAX_LENGTH) break;
    out += char;
  }
  return out;
}

function isPrintable(char: string): boolean {
  // unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space.
  return char === " " || /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u.test(char);
}

/** ValidateFieldManager (apimachinery's metav1 validation) for a `fieldManager` the client sent. */
export function validateFieldManager(fieldManager: string): InvalidCause[] {
  if (Buffer.byteLength(fieldManager, "utf8") > FIELD_MANAGER_MAX_LENGTH)
    return [
      {
        field: "fieldManager",
        type: "FieldValueTooLong",
        body: `Too long: may not be more than ${FIELD_MANAGER_MAX_LENGTH} bytes`,
      },
    ];
  for (const char of fieldManager)
    if (!isPrintable(char))
      return [
        {
          field: "fieldManager",
          type: "FieldValueInvalid",
          body: `Invalid value: ${JSON.stringify(fieldManager)}: FieldManager must only contain printable characters`,
        },
      ];
  return [];
}
